#!/bin/sh
# `make run-demo`: boot the busybox demo guest (Debian's kernel, our modules, a busybox
# shell on the console) under enl-host, which serves VMBus to it. Leave the
# guest with `poweroff`. Devices: ENL_OFFERS="echo video heartbeat ...". (`make run` boots the Debian 12 image: scripts/image/run.sh.)
# ENL_ROOT_DISK=1: root on a synthetic disk (build/vm/root.img, made from
# the initramfs by tests/vm/mkrootdisk.sh if absent), which the initramfs
# mounts through enl_storvsc and switches to.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
kver=$(cat "$top/build/kernel/kver")
mkdir -p "$top/build/vm"
"$top/tests/vm/build-guest.sh"
"$top/tests/vm/mkinitramfs.sh" "$top/build/vm/test.cpio.gz"
# The display (enl_fb) shows the kernel's messages and a shell on tty1; its
# VNC console listens on 127.0.0.1:5900+N (ENL_VNC=:N, default :0);
# ENL_VNC_WEB=1: also a browser console (noVNC on 5800+N; enl-host prints
# its URL).
vnc=${ENL_VNC:-:0}
append="enl.mode=demo console=tty0 console=ttyS0"
disk=
if [ "${ENL_ROOT_DISK:-0}" = 1 ]; then
	[ -f "$top/build/vm/root.img" ] ||
		"$top/tests/vm/mkrootdisk.sh" "$top/build/vm/test.cpio.gz" "$top/build/vm/root.img"
	append="$append enl.root=LABEL=enlroot"
	disk=$top/build/vm/root.img
fi
set -- run --kernel "$top/build/kernel/$kver/boot/vmlinuz-$kver" \
	--initrd "$top/build/vm/test.cpio.gz" --append "$append" \
	--ctl "$top/build/vm/ctl.sock" --vnc "$vnc"
[ -z "$disk" ] || set -- "$@" --disk "$disk"
[ "${ENL_VNC_WEB:-0}" != 1 ] || set -- "$@" --vnc-web
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
