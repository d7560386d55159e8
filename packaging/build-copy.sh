#!/bin/sh
# Make a build copy of the project tree in DEST for the package builds
# (build-deb.sh, build-rpm.sh): the files git tracks (and new ones it does
# not ignore), or everything but build/ outside a git checkout. tests/ is
# left out but for tests/lib (meson's TAP include), so the packages build
# only what they ship. The project tree itself is never touched.
# Usage: build-copy.sh DEST
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dest=$1
rm -rf "$dest"
mkdir -p "$dest"
cd "$top"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -co --exclude-standard
else
	find . -path ./build -prune -o -type f -print | sed 's|^\./||'
fi | grep -Ev '^(tests/|build/)' | while read -r f; do
	[ -e "$f" ] && echo "$f"
done >"$dest/.files"
find tests/lib -type f >>"$dest/.files"
tar -cf - -T "$dest/.files" | tar -C "$dest" -xf -
rm -f "$dest/.files"
