#!/bin/sh
# Build Enlighten's RPM packages (enlighten-dkms, -daemons, -desktop,
# -host) from packaging/rpm/enlighten.spec: the source tarball is a build
# copy of the tree (build-copy.sh), rpmbuild -bb runs in OUTDIR.
# --nodeps: on a Debian build machine rpm's database knows no packages, so
# BuildRequires cannot be checked (deps.sh installs their Debian
# equivalents); no debuginfo packages (Debian's rpm has no find-debuginfo).
# Usage: build-rpm.sh [OUTDIR]   (default build/rpm; RPMS/ under it)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build/rpm}
spec=$top/packaging/rpm/enlighten.spec
ver=$(sed -n 's/^Version:[[:space:]]*//p' "$spec")
rm -rf "$out"
mkdir -p "$out/SOURCES" "$out/copy"
"$top/packaging/build-copy.sh" "$out/copy/enlighten-$ver"
tar -C "$out/copy" -czf "$out/SOURCES/enlighten-$ver.tar.gz" "enlighten-$ver"
rm -rf "$out/copy"
# The Packager tag comes from the build system, as on a distribution's.
rpmbuild -bb --nodeps --define "_topdir $out" \
	--define 'debug_package %{nil}' \
	--define "packager ${ENL_PACKAGER:-Enlighten developers <enlighten-devel@lists.enlighten.invalid>}" \
	"$spec"
