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

# Our modules, then the in-tree ones the tests use, with their dependencies.
for ko in $(find "$top/kmod" -name '*.ko'); do
	cp "$ko" "$root/lib/modules/$kver/extra/"
done
intree="loop ext4"
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

# In-guest test programs, built static by tests/vm/build-guest.sh.
[ -d "$guestbin" ] && cp "$guestbin"/* "$root/bin/"

(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out"
