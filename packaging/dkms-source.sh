#!/bin/sh
# Lay out the DKMS source tree (dkms.conf, kmod/, include/enlighten/,
# common/) in DEST, the tree dkms builds from (/usr/src/enlighten-<version>).
# Only sources are copied: never objects of an in-place `make modules`.
# Usage: dkms-source.sh DEST     (DESTDIR is prepended when set, for meson)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
dest=${DESTDIR:-}$1
mkdir -p "$dest"
install -m 0644 "$src/packaging/dkms.conf" "$dest/dkms.conf"
cd "$src"
# common/ itself only: its subfolders are userspace code (common/proto).
{ find kmod include/enlighten -type f; find common -maxdepth 1 -type f; } |
	grep -E '(/Kbuild|\.[ch])$' | grep -v '\.mod\.c$' |
	sort | while read -r f; do
		install -D -m 0644 "$f" "$dest/$f"
	done
