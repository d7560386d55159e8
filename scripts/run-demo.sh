#!/bin/sh
# `make run-demo`: boot the busybox demo guest (Debian's kernel, our modules, a busybox
# shell on the console) under enl-host, which serves VMBus to it. Leave the
# guest with `poweroff`. Devices: ENL_OFFERS="echo video heartbeat ...". (`make run` boots the Debian 12 image: scripts/image/run.sh.)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
kver=$(cat "$top/build/kernel/kver")
mkdir -p "$top/build/vm"
"$top/tests/vm/build-guest.sh"
"$top/tests/vm/mkinitramfs.sh" "$top/build/vm/test.cpio.gz"
# The display (enl_fb) shows the kernel's messages and a shell on tty1; its
# VNC console listens on 127.0.0.1:5900+N (ENL_VNC=:N, default :0).
vnc=${ENL_VNC:-:0}
set -- run --kernel "$top/build/kernel/$kver/boot/vmlinuz-$kver" \
	--initrd "$top/build/vm/test.cpio.gz" \
	--append "enl.mode=demo console=tty0 console=ttyS0" \
	--ctl "$top/build/vm/ctl.sock" --vnc "$vnc"
for o in ${ENL_OFFERS:-echo video}; do
	set -- "$@" --offer "$o"
done
echo "enl-host: control socket $top/build/vm/ctl.sock" \
	"(try: build/meson/host/enl-host ctl --ctl build/vm/ctl.sock devices)"
case $vnc in
unix:*) echo "enl-host: VNC console on $vnc" ;;
*) echo "enl-host: VNC console on 127.0.0.1:$((5900 + ${vnc##*:}))" \
	"(vncviewer 127.0.0.1::$((5900 + ${vnc##*:})); a screenshot:" \
	"build/meson/host/enl-host ctl --ctl build/vm/ctl.sock screenshot shot.png)" ;;
esac
exec "$top/build/meson/host/enl-host" "$@"
