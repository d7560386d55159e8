#!/bin/sh
# `make run`: boot the Debian 12 image (`make image`) under enl-host with
# every device it can offer synthetic and every integration service
# offered. The image's kernel and initramfs are read from its disk
# (boot-files.sh) and booted directly; the disk itself is offered only as a
# synthetic SCSI disk, so root comes from enl_storvsc (docs/image.md says
# why not through the BIOS). The VM's disk, build/vm/image/disk.img, is a
# copy of the image that persists between runs; it is made afresh when the
# image is rebuilt (or when removed).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
img=$top/build/image/debian12.img
vm=$top/build/vm/image
disk=$vm/disk.img
ctl=$top/build/vm/ctl.sock
ttys1=$vm/ttyS1.sock
. "$top/build/image/image.env"
mkdir -p "$vm"
if [ ! -f "$disk" ] || [ "$img" -nt "$disk" ]; then
	echo "run: copying $img to $disk (this VM's disk from now on)"
	cp --sparse=always "$img" "$disk.new"
	mv "$disk.new" "$disk"
fi
"$top/scripts/image/boot-files.sh" "$disk" "$vm/boot"
set -- run --kernel "$vm/boot/vmlinuz" --initrd "$vm/boot/initrd.img" \
	--append "root=UUID=$ENL_IMAGE_UUID ro" --mem "${ENL_MEM:-1G}" \
	--disk "$disk" --serial2 "$ttys1" --ctl "$ctl"
for o in ${ENL_OFFERS:-heartbeat shutdown timesync kvp vss clipboard}; do
	set -- "$@" --offer "$o"
done
cat <<MSG
enl-host: booting the Debian 12 image (kernel $ENL_IMAGE_KVER), root disk
synthetic (enl_storvsc), offered: ${ENL_OFFERS:-heartbeat shutdown timesync kvp vss clipboard}.
  serial console (ttyS0): this terminal; log in as root, password enlighten
  root shell (ttyS1):     socat -,raw,echo=0 UNIX-CONNECT:$ttys1
  control socket:         build/meson/host/enl-host ctl --ctl $ctl help
                          (devices, stats, heartbeat, kvp list, shutdown ...)
  in the guest:           enl-status    (is this VM enlightened?)
  leave:                  poweroff in the guest, or enl-host ctl ... shutdown
No synthetic NIC or display yet (enl_netvsc, enl_fb): the guest has none.
MSG
exec "$top/build/meson/host/enl-host" "$@"
