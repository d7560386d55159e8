#!/bin/sh
# Build Enlighten's Debian packages (enlighten-dkms, -daemons, -desktop,
# -host) without touching the project tree: a build copy (build-copy.sh)
# gets packaging/debian as its debian/, and dpkg-buildpackage -b runs there.
# Usage: build-deb.sh [OUTDIR]   (default build/deb; the .debs and
# .changes land in OUTDIR, the build copy in OUTDIR/src)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/deb}
ver=$(dpkg-parsechangelog -l "$top/packaging/debian/changelog" -S Version)
rm -rf "$out"
mkdir -p "$out"
src=$out/src/enlighten-$ver
"$top/packaging/build-copy.sh" "$src"
rm -rf "$src/packaging/debian"
cp -r "$top/packaging/debian" "$src/debian"
cd "$src"
dpkg-buildpackage -b -us -uc -j"$(nproc)"
