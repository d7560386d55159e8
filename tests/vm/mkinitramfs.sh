#!/bin/sh
# Build the guest initramfs for the VM test ring and the demo: busybox-static,
# Enlighten's modules (plus the in-tree modules they and the tests need),
# the agent and the in-guest test programs.
# Usage: mkinitramfs.sh OUT.cpio.gz
set -eu
out=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
kver=$(cat "$top/build/kernel/kver")
kroot="$top/build/kernel/$kver"
guestbin="$top/build/vm-guest"
[ -f "$kroot/boot/vmlinuz-$kver" ] || { echo "mkinitramfs: no guest kernel (make kernel)" >&2; exit 1; }
[ -x /bin/busybox ] || { echo "mkinitramfs: busybox-static missing" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/etc" "$root/proc" "$root/sys" "$root/dev" \
	"$root/lib/modules/$kver/extra"
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
cp "$top/tests/vm/init" "$root/init"
cp "$top/tests/vm/agent" "$root/bin/enl-agent"
cp "$top/tests/vm/devices" "$root/bin/enl-devices"
cp "$top/tests/vm/banner" "$root/bin/enl-banner"

# Our modules and the test modules (tests/vm/kmod, built by build-guest.sh),
# then the in-tree ones the tests use, with their dependencies.
for ko in $(find "$top/kmod" "$top/tests/vm/kmod" -name '*.ko'); do
	cp "$ko" "$root/lib/modules/$kver/extra/"
done
# sd_mod (with scsi_mod) is also what enl_storvsc's disks need; virtio_net
# and e1000 are the baselines of tests/bench/net; evdev and hid_generic are
# what tests/vm/test_input.py reads enl_hid's input with (hid itself comes
# as enl_hid's dependency, through depmod); enl_fb needs the DRM helpers;
# bochs is the emulated VGA's driver (tests/bench/display); virtio_blk,
# ata_piix and ahci drive the disks tests/bench/storage compares with.
intree="loop ext4 xfs dummy ata_piix ahci virtio_blk sd_mod e1000 virtio_pci virtio_net evdev hid_generic drm_kms_helper drm_shmem_helper bochs"
for m in $intree; do
	modprobe -d "$kroot" -S "$kver" --show-depends "$m" |
		sed -n 's/^insmod \([^ ]*\).*/\1/p' |
		while read -r f; do
			rel=${f#"$kroot"}
			mkdir -p "$root/$(dirname "$rel")"
			cp "$f" "$root/$rel"
		done
done
cp "$kroot/lib/modules/$kver/modules.order" "$kroot/lib/modules/$kver/modules.builtin" \
	"$root/lib/modules/$kver/" 2>/dev/null || true
cp "$kroot/lib/modules/$kver/modules.builtin.modinfo" "$root/lib/modules/$kver/" 2>/dev/null || true
depmod -b "$root" "$kver"
echo "enl_vmbus" >"$root/etc/enl-modules"

# add_binary FILE: a dynamically linked program and the libraries it loads.
add_binary() {
	cp "$1" "$root/bin/"
	ldd "$1" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' |
		while read -r lib; do
			[ -e "$root$lib" ] && continue
			mkdir -p "$root$(dirname "$lib")"
			cp -L "$lib" "$root$lib"
		done
}

# Our daemons and CLIs.
for bin in $(find "$top/build/meson/daemons" "$top/build/meson/tools" -maxdepth 2 -type f -perm -u+x \
		-name 'enl-*' 2>/dev/null | sort); do
	add_binary "$bin"
done
# Host tools the VM tests run in the guest (mkfs for loop-mounted file
# systems); scripts/deps.sh installs them, so a missing one is an error.
for tool in /sbin/mke2fs /sbin/mkfs.xfs; do
	[ -x "$tool" ] || { echo "mkinitramfs: $tool missing (make deps)" >&2; exit 1; }
	add_binary "$tool"
done
# sg3_utils for tests/vm/test_storage.py (SCSI commands on the synthetic
# disk); fio is too big for every boot's initramfs: that test brings it on a
# disk of its own.
for tool in sg_inq sg_vpd sg_readcap sg_luns sg_unmap sg_sync sg_reset; do
	[ -x "/usr/bin/$tool" ] || { echo "mkinitramfs: $tool missing (make deps)" >&2; exit 1; }
	add_binary "/usr/bin/$tool"
done
# iperf3 for the network tests and benchmark (tests/bench/net); busybox
# has ping and ip.
[ -x /usr/bin/iperf3 ] || { echo "mkinitramfs: iperf3 missing (make deps)" >&2; exit 1; }
add_binary /usr/bin/iperf3
# ethtool for enl_netvsc's counters, channels and offloads (tests/vm/test_net.py).
[ -x /usr/sbin/ethtool ] || { echo "mkinitramfs: ethtool missing (make deps)" >&2; exit 1; }
add_binary /usr/sbin/ethtool
# glibc's loader path on Debian is /lib64 -> /lib/x86_64-linux-gnu: keep both.
[ -e "$root/lib64/ld-linux-x86-64.so.2" ] || {
	mkdir -p "$root/lib64"
	cp -L /lib64/ld-linux-x86-64.so.2 "$root/lib64/"
}
# What packaging's initramfs hooks put in an installed system's initramfs;
# init loads these for a root disk (enl.root=).
install -D -m 0644 "$top/packaging/initramfs.modules" \
	"$root/etc/enlighten/initramfs.modules"
[ -f "$top/packaging/conf/enlighten.conf" ] &&
	install -D -m 0644 "$top/packaging/conf/enlighten.conf" \
		"$root/etc/enlighten/enlighten.conf"

# In-guest test programs, built static by tests/vm/build-guest.sh.
[ -d "$guestbin" ] && cp "$guestbin"/* "$root/bin/"

# For tests/vm/test_kexec.py: kexec, the guest kernel, and the initramfs the
# kexec'd kernel boots, a minimal one (an initramfs cannot hold itself):
# busybox, init, the agent, enl_vmbus, enl-echo and enl-exit.
[ -x /sbin/kexec ] || { echo "mkinitramfs: /sbin/kexec missing (make deps)" >&2; exit 1; }
add_binary /sbin/kexec
mkdir -p "$root/boot"
cp "$kroot/boot/vmlinuz-$kver" "$root/boot/vmlinuz"
mini=$(mktemp -d)
trap 'rm -rf "$root" "$mini"' EXIT
mkdir -p "$mini/bin" "$mini/etc" "$mini/proc" "$mini/sys" "$mini/dev" \
	"$mini/lib/modules/$kver/extra"
cp /bin/busybox "$mini/bin/busybox"
ln -s busybox "$mini/bin/sh"
cp "$top/tests/vm/init" "$mini/init"
cp "$top/tests/vm/agent" "$mini/bin/enl-agent"
cp "$root/etc/enl-modules" "$mini/etc/"
for m in $(cat "$root/etc/enl-modules"); do
	objcopy --strip-debug "$root/lib/modules/$kver/extra/$m.ko" \
		"$mini/lib/modules/$kver/extra/$m.ko"
done
cp "$root/lib/modules/$kver"/modules.order "$root/lib/modules/$kver"/modules.builtin* \
	"$mini/lib/modules/$kver/" 2>/dev/null || true
depmod -b "$mini" "$kver"
for b in enl-echo enl-exit; do
	[ -x "$guestbin/$b" ] && cp "$guestbin/$b" "$mini/bin/"
done
(cd "$mini" && find . | cpio -o -H newc --quiet) | gzip -1 >"$root/boot/initrd.cpio.gz"

(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out"
