#!/usr/bin/env bash
# scripts/image/unmount-below.sh, as TAP: what a killed image build left
# mounted in its chroot (proc, sys, a tmpfs with another inside) goes,
# deepest first, and the work tree can then be removed; a mount beside it
# stays. In a private mount namespace of its own (root, as make image is).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
if [ "${1:-}" != --inside ]; then
	if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null; then
		echo "1..1"
		echo "not ok 1 - needs root and unshare (util-linux) to mount in a namespace of its own"
		exit 1
	fi
	exec unshare -m --propagation private "$0" --inside
fi
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
check() {	# DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then ok "$what"; else nok "$what"; fi
}
below() { awk -v d="$1/" 'index($2, d) == 1' /proc/self/mounts | wc -l; }
mounts_below() { [ "$(below "$1")" -eq "$2" ]; }
tmp=$(mktemp -d)
trap 'umount -l "$tmp/beside" 2>/dev/null; rm -rf --one-file-system "$tmp"' EXIT
work=$tmp/build/image/work
unmount=$top/scripts/image/unmount-below.sh
mkdir -p "$work/root/proc" "$work/root/sys" "$work/root/run" "$tmp/beside"
mount -t tmpfs beside "$tmp/beside"
check "nothing mounted: exits 0" "$unmount" "$work"
mount -t proc proc "$work/root/proc"
mount -t sysfs sys "$work/root/sys"
mount -t tmpfs run "$work/root/run"
mkdir -p "$work/root/run/lock"
mount -t tmpfs lock "$work/root/run/lock"
check "4 mounts below the work tree to begin with" mounts_below "$work" 4
check "unmount-below.sh exits 0" "$unmount" "$work/"
check "nothing is mounted below the work tree after it" mounts_below "$work" 0
check "the mount beside it stays" mountpoint -q "$tmp/beside"
check "the work tree can be removed" rm -rf --one-file-system "$work"
check "and is gone" test ! -e "$work"
echo "1..$n"
