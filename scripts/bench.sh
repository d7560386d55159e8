#!/bin/sh
# Run every benchmark: the programs built by meson (tests/bench/*/bench-*),
# then the VM ones (tests/bench/*/bench-*.py, which boot guests under
# enl-host; the guest programs, test modules and initramfs are built
# first). Each prints its figures as ratios against a baseline it measures
# in the same run.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
found=0
for b in $(find "$top/build/meson/tests/bench" -type f -name 'bench-*' -perm -u+x | sort); do
	found=1
	echo "== $(basename "$b")"
	"$b"
done
vm=$(find "$top/tests/bench" -type f -name 'bench-*.py' | sort)
if [ -n "$vm" ]; then
	mkdir -p "$top/build/vm"
	"$top/tests/vm/build-guest.sh"
	"$top/tests/vm/mkinitramfs.sh" "$top/build/vm/test.cpio.gz"
	for b in $vm; do
		found=1
		echo "== $(basename "$b")"
		python3 "$b"
	done
fi
[ "$found" -eq 1 ] || { echo "bench: no benchmark built" >&2; exit 1; }
