#!/usr/bin/env bash
# `make image`: a Debian 12 guest image with Enlighten installed as users
# install it, built without loop devices or mounts:
#  1. packaging/build-deb.sh makes enlighten-dkms and enlighten-daemons;
#  2. mmdebstrap makes the root tree in a directory: systemd, Debian 12's
#     kernel (the release the tests use, build/kernel/kver) with its
#     headers, dkms, and our two packages, so DKMS builds enl_vmbus and
#     enl_storvsc for the image's kernel in the chroot and the
#     initramfs-tools hook puts them into the image's initramfs;
#     scripts/image/customize.sh configures it (fstab and GRUB by UUID,
#     serial consoles, network, passwords);
#  3. mke2fs -d writes that tree as ext4 straight into partition 1 of a
#     sparse raw disk (-E offset), and scripts/image/mbr.py writes the MBR
#     partition table and GRUB (boot.img in the MBR, core.img made by the
#     image's own grub-mkimage in the gap before the partition).
# The result, build/image/debian12.img, is rebuilt only when its key (the
# recipe, the kernel release and every file the packages are built from)
# changes. Downloaded .debs stay in build/image/apt-cache for the next build.
# Usage: build.sh [--force]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/image
img=$out/debian12.img
kver=$(cat "$top/build/kernel/kver")
size_mib=${ENL_IMAGE_MIB:-4096}
mirror=${ENL_MIRROR:-http://deb.debian.org/debian}
secmirror=${ENL_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

# The key: the recipe, the kernel, the mirrors, and the sources of the two
# packages the image installs (what packaging/build-copy.sh copies, less
# tests/, enl-host's host/ and the prose docs, which none of them ship).
key() {
	cd "$top"
	{
		echo "kver=$kver size=$size_mib mirror=$mirror $secmirror"
		git ls-files -co --exclude-standard | grep -Ev '^(build|tests|host)/' |
			grep -Ev '^(docs/[^/]*\.md|README\.md)$' | sort | while read -r f; do
			[ -f "$f" ] && sha256sum "$f"
		done
	} | sha256sum | cut -d' ' -f1
}
mkdir -p "$out"
# One build at a time (make image, make run and test_switch.py may race).
exec 9>"$out/.lock"
flock 9
want=$(key)
if [ "${1:-}" != --force ] && [ -f "$img" ] && [ "$(cat "$out/key" 2>/dev/null)" = "$want" ]; then
	echo "image: $img is up to date (key ${want:0:12})"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "image: mmdebstrap needs root here (chroot, device nodes)" >&2
	exit 1
fi

t0=$(date +%s)
mkdir -p "$out" "$out/apt-cache"
rm -f "$out/key"
work=$out/work
rm -rf "$work"
mkdir -p "$work"
log=$out/build.log
: >"$log"
step() { echo "image: $* ($(($(date +%s) - t0)) s)"; }

step "building the Debian packages (packaging/build-deb.sh)"
"$top/packaging/build-deb.sh" "$work/deb" >>"$log" 2>&1 ||
	{ echo "image: build-deb.sh failed, see $log" >&2; exit 1; }
mkdir -p "$work/enl"
cp "$work"/deb/src/enlighten-dkms_*.deb "$work"/deb/src/enlighten-daemons_*.deb "$work/enl/"

# Root by UUID: chosen here so fstab, grub.cfg and mke2fs agree.
uuid=$(cat /proc/sys/kernel/random/uuid)
step "mmdebstrap: Debian 12, linux-image-$kver, our packages (dkms builds the modules)"
pkgs="systemd-sysv,udev,dbus,kmod,initramfs-tools,zstd,e2fsprogs,iproute2,procps,less"
pkgs="$pkgs,linux-image-$kver,linux-headers-$kver,dkms,grub-pc-bin,grub-common"
# Our packages' dependencies, so they are downloaded (and cached) here too.
pkgs="$pkgs,libglib2.0-0,libsystemd0,libnl-3-200,libnl-route-3-200"
ENL_KVER=$kver ENL_UUID=$uuid mmdebstrap --variant=minbase --include="$pkgs" \
	--aptopt='Acquire::Retries "3"' \
	--setup-hook='mkdir -p "$1/var/cache/apt/archives"' \
	--setup-hook="find '$out/apt-cache' -name '*.deb' -exec cp -t \"\$1/var/cache/apt/archives/\" {} +" \
	--skip=download/empty \
	--customize-hook="cp -u \"\$1\"/var/cache/apt/archives/*.deb '$out/apt-cache/'" \
	--customize-hook="mkdir -p \"\$1/tmp/enl\" && cp '$work'/enl/*.deb \"\$1/tmp/enl/\"" \
	--customize-hook="'$top/scripts/image/customize.sh' \"\$1\"" \
	--customize-hook="cp -u \"\$1\"/var/cache/apt/archives/*.deb '$out/apt-cache/'" \
	--customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb "$1"/var/lib/apt/lists/*_Packages "$1"/var/lib/apt/lists/*_InRelease' \
	bookworm "$work/root" \
	"deb $mirror bookworm main" "deb $mirror bookworm-updates main" \
	"deb $secmirror bookworm-security main" >>"$log" 2>&1 ||
	{ echo "image: mmdebstrap failed, see $log" >&2; tail -n 30 "$log" >&2; exit 1; }

step "ext4 (mke2fs -d) into partition 1 of a ${size_mib} MiB sparse disk"
rm -f "$work/disk.img"
truncate -s "${size_mib}M" "$work/disk.img"
part_start=2048		# sectors: 1 MiB, GRUB's core.img lives before it
part_sectors=$((size_mib * 2048 - part_start))
mke2fs -q -t ext4 -L enl-root -U "$uuid" -d "$work/root" \
	-E offset=$((part_start * 512)) "$work/disk.img" "$((part_sectors / 2))k" >>"$log" 2>&1 ||
	{ echo "image: mke2fs failed, see $log" >&2; exit 1; }
step "MBR and GRUB (boot.img, core.img)"
python3 "$top/scripts/image/mbr.py" "$work/disk.img" "$part_start" "$part_sectors" \
	"$work/root/boot/enl-core.img" "$work/root/usr/lib/grub/i386-pc/boot.img" >>"$log" 2>&1 ||
	{ echo "image: mbr.py failed, see $log" >&2; tail -n 5 "$log" >&2; exit 1; }

# What make run and the tests need without opening the image.
cat >"$work/image.env" <<ENV
ENL_IMAGE_UUID=$uuid
ENL_IMAGE_KVER=$kver
ENL_IMAGE_PART_OFFSET=$((part_start * 512))
ENV
mv "$work/disk.img" "$img"
mv "$work/image.env" "$out/image.env"
rm -rf "$work"
secs=$(($(date +%s) - t0))
echo "$want" >"$out/key"
echo "$secs" >"$out/build-seconds"
step "done: $img ($(du -h "$img" | cut -f1) used of ${size_mib} MiB, root UUID $uuid, built in ${secs} s)"
