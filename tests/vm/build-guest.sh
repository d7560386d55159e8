#!/bin/sh
# Build the in-guest test programs (tests/vm/guest/*.c) as static binaries
# named enl-<file> into build/vm-guest/, and the in-guest test kernel
# modules (tests/vm/kmod/<module>/, against the guest kernel's headers and
# enl_vmbus's Module.symvers, W=1, no warning allowed), for mkinitramfs.sh.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out="$top/build/vm-guest"
mkdir -p "$out"
kver=$(cat "$top/build/kernel/kver")
kdir=/usr/src/linux-headers-$kver
# <drm/*.h> (enl-drmdraw): the guest kernel's own uapi headers, looked at
# after the system's, so that only what the system lacks comes from there.
uapi=/usr/src/linux-headers-${kver%-amd64}-common/include/uapi
for c in "$top"/tests/vm/guest/*.c; do
	bin="$out/enl-$(basename "$c" .c)"
	[ "$bin" -nt "$c" ] && continue
	gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -pthread \
		-I"$top/include" -isystem "$top/build/linux-src/tools/testing/selftests" \
		-idirafter "$uapi" -o "$bin" "$c"
done

symvers="$top/kmod/Module.symvers"
[ -f "$symvers" ] || { echo "build-guest: $symvers missing (make modules)" >&2; exit 1; }
for m in "$top"/tests/vm/kmod/*/; do
	[ -f "$m/Kbuild" ] || continue
	log=$(make -s -C "$kdir" M="${m%/}" W=1 KBUILD_EXTRA_SYMBOLS="$symvers" \
		modules 2>&1) || { echo "$log" >&2; exit 1; }
	if echo "$log" | grep -v 'Skipping BTF generation' | grep -qiE 'warning|error'; then
		echo "$log" >&2
		echo "build-guest: warnings building $m" >&2
		exit 1
	fi
done
