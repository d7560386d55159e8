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
# recipe, the kernel release, the Debian package set and the content of our
# .debs: see image_key) changes. Downloaded .debs stay in build/image/apt-cache for the next build.
# Usage: build.sh [--force]
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$top/build/image
img=$out/debian12.img
kver=$(cat "$top/build/kernel/kver")
size_mib=${ENL_IMAGE_MIB:-4096}
mirror=${ENL_MIRROR:-http://deb.debian.org/debian}
secmirror=${ENL_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

# The Debian packages mmdebstrap installs besides ours (part of the key).
pkgs="systemd-sysv,udev,dbus,kmod,initramfs-tools,zstd,e2fsprogs,iproute2,procps,less"
pkgs="$pkgs,linux-image-$kver,linux-headers-$kver,dkms,grub-pc-bin,grub-common"
# Our packages' dependencies, so they are downloaded (and cached) here too.
pkgs="$pkgs,libglib2.0-0,libsystemd0,libnl-3-200,libnl-route-3-200"
# NetworkManager, installed but disabled (customize.sh): networkd runs the
# network; test_switch starts NM to test enl-kvpd's NetworkManager backend.
pkgs="$pkgs,network-manager"
# The image's recipe: what decides its content besides the packages
# (run.sh and boot-files.sh only read the image).
recipe="build.sh customize.sh mbr.py"

# The image is rebuilt exactly when what goes into it changes: the key is
# the recipe, the kernel release, the mirrors, the disk size, the Debian
# package set, and the content of our two .debs (their control files,
# maintainer scripts and md5sums, and the file list with modes, owners,
# sizes and link targets, less the build dates). Building the .debs to
# learn that takes minutes, so a cheap source key comes first: the files
# packaging/build-copy.sh gives the package build (what git tracks, less
# tests/ but for tests/lib). While it is unchanged the .debs are too; when
# it changes, the .debs are built and the image is rebuilt only if their
# content differs.
src_key() {
	cd "$top"
	{
		echo "kver=$kver"
		{
			git ls-files -co --exclude-standard | grep -Ev '^(tests/|build/)'
			git ls-files -co --exclude-standard tests/lib
		} | sort | while read -r f; do
			[ -f "$f" ] && sha256sum "$f"
		done
	} | sha256sum | cut -d' ' -f1
}
deb_content() {
	d=$(mktemp -d)
	dpkg-deb -e "$1" "$d/ctrl"
	(cd "$d/ctrl" && find . -type f | sort | xargs sha256sum)
	# drwxr-xr-x root/root 0 2026-12-01 14:00 ./usr/ (date and time dropped)
	dpkg-deb -c "$1" | awk '{ $4 = ""; $5 = ""; print }' | sort -k4
	rm -rf "$d"
}
image_key() {	# the two .debs in $1
	{
		echo "kver=$kver size=$size_mib mirror=$mirror $secmirror"
		echo "pkgs=$pkgs"
		for f in $recipe; do sha256sum "$top/scripts/image/$f"; done
		for deb in "$1"/enlighten-dkms_*.deb "$1"/enlighten-daemons_*.deb; do
			echo "deb ${deb##*/}"
			deb_content "$deb"
		done
	} | sha256sum | cut -d' ' -f1
}
# Our two .debs, built into $work/enl.
build_debs() {
	"$top/scripts/image/unmount-below.sh" "$work" || exit 1
	rm -rf --one-file-system "$work"
	mkdir -p "$work/enl"
	: >"$log"
	echo "image: building the Debian packages (packaging/build-deb.sh)"
	"$top/packaging/build-deb.sh" "$work/deb" >>"$log" 2>&1 ||
		{ echo "image: build-deb.sh failed, see $log" >&2; exit 1; }
	cp "$work"/deb/src/enlighten-dkms_*.deb "$work"/deb/src/enlighten-daemons_*.deb "$work/enl/"
}

mkdir -p "$out"
# One build at a time (make image, make run and test_switch.py may race).
exec 9>"$out/.lock"
flock 9
work=$out/work
log=$out/build.log
force=${1:-}
have() { [ -f "$img" ] && [ -f "$out/key" ]; }
src=$(src_key)
if [ "$force" != --force ] && have && [ "$(cat "$out/src-key" 2>/dev/null)" = "$src" ]; then
	echo "image: $img is up to date (key $(cut -c1-12 "$out/key"), sources unchanged)"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "image: mmdebstrap needs root here (chroot, device nodes)" >&2
	exit 1
fi
t0=$(date +%s)
build_debs
want=$(image_key "$work/enl")
if [ "$force" != --force ] && have && [ "$(cat "$out/key")" = "$want" ]; then
	echo "$src" >"$out/src-key"
	rm -rf "$work"
	echo "image: $img is up to date (key ${want:0:12}: the packages' content is unchanged)"
	exit 0
fi
mkdir -p "$out/apt-cache"
rm -f "$out/key" "$out/src-key"
step() { echo "image: $* ($(($(date +%s) - t0)) s)"; }

# Root by UUID: chosen here so fstab, grub.cfg and mke2fs agree.
uuid=$(cat /proc/sys/kernel/random/uuid)
step "mmdebstrap: Debian 12, linux-image-$kver, our packages (dkms builds the modules)"
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
echo "$src" >"$out/src-key"
echo "$secs" >"$out/build-seconds"
step "done: $img ($(du -h "$img" | cut -f1) used of ${size_mib} MiB, root UUID $uuid, built in ${secs} s)"
