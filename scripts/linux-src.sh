#!/bin/sh
# Unpack from Debian's linux-source-6.1 tarball the pieces the headers package
# lacks: checkpatch.pl (with its data files) and the kselftest headers.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dst="$top/build/linux-src"
[ -f "$dst/.done" ] && exit 0
tarball=$(ls /usr/src/linux-source-6.1.tar.* 2>/dev/null | head -n1)
[ -n "$tarball" ] || { echo "linux-src: linux-source-6.1 tarball missing" >&2; exit 1; }
rm -rf "$dst" && mkdir -p "$dst"
tar -xaf "$tarball" -C "$dst" --strip-components=1 \
	linux-source-6.1/scripts/checkpatch.pl \
	linux-source-6.1/scripts/spelling.txt \
	linux-source-6.1/scripts/const_structs.checkpatch \
	linux-source-6.1/tools/testing/selftests/kselftest.h \
	linux-source-6.1/tools/testing/selftests/kselftest_harness.h
touch "$dst/.done"
