#!/bin/sh
# Copy the kernel and initramfs an image's /vmlinuz and /initrd.img point
# at (the symlinks Debian's kernel packages keep on the newest kernel) out
# of partition 1 of a `make image` disk, without mounting it (debugfs
# reads the ext4 at its offset). For booting the image with enl-host
# --kernel/--initrd while its disk is offered only as a synthetic one
# (docs/image.md says why).
# Usage: boot-files.sh DISK OUTDIR   (writes OUTDIR/vmlinuz, OUTDIR/initrd.img)
set -eu
disk=$1
outdir=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
offset=1048576
if [ -f "$top/build/image/image.env" ]; then
	. "$top/build/image/image.env"
	offset=${ENL_IMAGE_PART_OFFSET:-$offset}
fi
fs="$disk?offset=$offset"
mkdir -p "$outdir"
for f in vmlinuz initrd.img; do
	target=$(debugfs -R "stat /$f" "$fs" 2>/dev/null |
		sed -n 's/^Fast link dest: "\(.*\)"$/\1/p')
	case "$target" in
	"") echo "boot-files: /$f in $disk is not a symlink" >&2; exit 1 ;;
	/*) ;;
	*) target=/$target ;;
	esac
	rm -f "$outdir/$f.new"
	debugfs -R "dump $target $outdir/$f.new" "$fs" >/dev/null 2>&1
	if [ ! -s "$outdir/$f.new" ]; then
		echo "boot-files: cannot read $target from $disk" >&2
		exit 1
	fi
	mv "$outdir/$f.new" "$outdir/$f"
done
