#!/bin/sh
# Build the in-guest test programs (tests/vm/guest/*.c) as static binaries
# named enl-<file> into build/vm-guest/, for mkinitramfs.sh.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out="$top/build/vm-guest"
mkdir -p "$out"
for c in "$top"/tests/vm/guest/*.c; do
	bin="$out/enl-$(basename "$c" .c)"
	[ "$bin" -nt "$c" ] && continue
	gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -pthread \
		-I"$top/include" -isystem "$top/build/linux-src/tools/testing/selftests" \
		-o "$bin" "$c"
done
