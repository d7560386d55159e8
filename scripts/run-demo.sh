#!/bin/sh
# `make run-demo`: boot the busybox demo guest (Debian's kernel, our modules, a busybox
# shell on the console) under enl-host, which serves VMBus to it. Leave the
# guest with `poweroff`. Extra devices: ENL_OFFERS="echo heartbeat ...". (`make run` boots the Debian 12 image: scripts/image/run.sh.)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
kver=$(cat "$top/build/kernel/kver")
mkdir -p "$top/build/vm"
"$top/tests/vm/build-guest.sh"
"$top/tests/vm/mkinitramfs.sh" "$top/build/vm/test.cpio.gz"
set -- run --kernel "$top/build/kernel/$kver/boot/vmlinuz-$kver" \
	--initrd "$top/build/vm/test.cpio.gz" --append "enl.mode=demo" \
	--ctl "$top/build/vm/ctl.sock"
for o in ${ENL_OFFERS:-echo}; do
	set -- "$@" --offer "$o"
done
echo "enl-host: control socket $top/build/vm/ctl.sock" \
	"(try: build/meson/host/enl-host ctl --ctl build/vm/ctl.sock devices)"
exec "$top/build/meson/host/enl-host" "$@"
