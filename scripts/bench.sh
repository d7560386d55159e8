#!/bin/sh
# Run every benchmark program (tests/bench/*/bench-*); each prints its figures
# as ratios against a baseline it measures in the same run.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
found=0
for b in $(find "$top/build/meson/tests/bench" -type f -name 'bench-*' -perm -u+x | sort); do
	found=1
	echo "== $(basename "$b")"
	"$b"
done
[ "$found" -eq 1 ] || { echo "bench: no benchmark built" >&2; exit 1; }
