#!/bin/sh
# unmount-below.sh DIR: unmount everything mounted below DIR, deepest
# first. mmdebstrap's hooks run in a chroot with proc, sys and dev/pts
# mounted; a build killed there (a stopped CI job, ^C twice) leaves them,
# and the next build's rm -rf of its work tree then fails on them, or
# walks into them. Lazy: a process still in the chroot keeps it alive
# without blocking the build.
set -u
dir=$(realpath -m "$1")
# /proc/self/mounts escapes a space in a path as \040: such paths are
# compared escaped, which a work tree under build/ never needs.
awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r |
while read -r m; do
	umount -l "$m" || { echo "unmount-below: cannot unmount $m" >&2; exit 1; }
done
