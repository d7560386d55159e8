#!/usr/bin/env bash
# enlighten-daemons installed, upgraded and purged by dpkg in a Debian 12
# chroot, as TAP. The chroot is made once with mmdebstrap (essential
# variant plus the package's run-time dependencies) and cached as
# build/chroot/base.tar; each run unpacks a fresh copy. Checks:
#  - dpkg -i installs it (dependencies are all there: shlibs are right),
#    enl-status runs from it, and the daemons are enabled only towards
#    their VMBus devices (dev-vmbus-<service>.device.wants links), never
#    towards a target;
#  - an upgrade (the same package rebuilt as a newer version) goes through
#    and keeps a locally changed /etc/enlighten/enlighten.conf;
#  - dpkg --purge leaves no stray file: the tree is as before installing
#    (dpkg's own database, logs and caches aside).
# No systemd runs in a chroot, so starting and restarting are not
# exercised here (check-deb.sh runs the scripts as on a systemd system).
# Usage: check-install.sh [DEBDIR]  (default build/deb/src, from check-deb.sh)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
debdir=${1:-$top/build/deb/src}
cache=$top/build/chroot
deps=libglib2.0-0,libsystemd0,libnl-3-200,libnl-route-3-200,init-system-helpers
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
diag() { sed 's/^/# /'; }
deb=$(ls "$debdir"/enlighten-daemons_*.deb 2>/dev/null | head -n1)
if [ -z "$deb" ]; then
	echo "1..1"
	nok "enlighten-daemons .deb in $debdir (run check-deb.sh)"
	exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP dpkg in a chroot needs root"
	exit 0
fi
echo "1..6"

# The base chroot, remade when the dependency list changes.
if [ ! -f "$cache/base.tar" ] || [ "$(cat "$cache/base.deps" 2>/dev/null)" != "$deps" ]; then
	mkdir -p "$cache"
	rm -f "$cache/base.tar"
	# (mmdebstrap picks the output format from the name: keep .tar last.)
	if mmdebstrap --quiet --variant=essential --include="$deps" bookworm \
		"$cache/base.new.tar" >"$cache/mmdebstrap.log" 2>&1; then
		mv "$cache/base.new.tar" "$cache/base.tar"
		echo "$deps" >"$cache/base.deps"
	else
		nok "mmdebstrap makes a Debian 12 chroot"
		diag <"$cache/mmdebstrap.log"
		exit 1
	fi
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root
mkdir -p "$root"
tar -C "$root" -xf "$cache/base.tar" || { nok "unpack $cache/base.tar"; exit 1; }
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"; }

# Every path but dpkg's database, logs, caches and scratch space.
snapshot() {
	(cd "$root" && find . \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./tmp \
		-o -path ./run -o -path ./var/lib/dpkg -o -path ./var/log \
		-o -path ./var/cache \) -prune -o -print) | sort
}
snapshot >"$tmp/before"
links() { (cd "$root/etc/systemd/system" 2>/dev/null && find . -type l | sort); }
links >"$tmp/links.before"

cp "$deb" "$root/tmp/old.deb"
installed=0
if in_root dpkg -i /tmp/old.deb >"$tmp/log" 2>&1; then
	installed=1
	ok "dpkg -i $(basename "$deb") in a Debian 12 chroot"
else
	nok "dpkg -i $(basename "$deb") in a Debian 12 chroot"
	diag <"$tmp/log"
fi
out=$(in_root /usr/bin/enl-status --json 2>&1)
rc=$?
if [ $rc -eq 1 ] && grep -q '"enlightened":false' <<<"$out"; then
	ok "enl-status runs from the package (exit 1: no VMBus in a chroot)"
else
	nok "enl-status runs from the package (exit $rc)"
	diag <<<"$out"
fi
wants=$(links | comm -13 "$tmp/links.before" -)
bad=$(grep -v '^\./dev-vmbus-[a-z]*\.device\.wants/enl-[a-z]*\.service$' <<<"$wants")
if [ "$(wc -l <<<"$wants")" -eq 5 ] && [ -z "$bad" ]; then
	ok "the five daemons are enabled towards their VMBus devices only"
else
	nok "the five daemons are enabled towards their VMBus devices only"
	diag <<<"$wants"
fi

# The upgrade: the same package as version 0.1.0+1, over a local change.
echo "# changed here" >>"$root/etc/enlighten/enlighten.conf"
dpkg-deb -R "$deb" "$tmp/pkg"
sed -i 's/^Version: .*/&+1/' "$tmp/pkg/DEBIAN/control"
dpkg-deb -b "$tmp/pkg" "$root/tmp/new.deb" >/dev/null
if in_root dpkg -i --force-confold /tmp/new.deb >"$tmp/log" 2>&1 &&
	[ "$(in_root dpkg-query -W -f='${Version}' enlighten-daemons)" = "$(sed -n 's/^Version: //p' "$tmp/pkg/DEBIAN/control")" ] &&
	grep -q '^# changed here$' "$root/etc/enlighten/enlighten.conf"; then
	ok "upgrade to $(sed -n 's/^Version: //p' "$tmp/pkg/DEBIAN/control") keeps the locally changed enlighten.conf"
else
	nok "upgrade keeps the locally changed enlighten.conf"
	diag <"$tmp/log"
fi

if in_root dpkg --purge enlighten-daemons >"$tmp/log" 2>&1; then
	ok "dpkg --purge enlighten-daemons"
else
	nok "dpkg --purge enlighten-daemons"
	diag <"$tmp/log"
fi
snapshot >"$tmp/after"
stray=$(comm -13 "$tmp/before" "$tmp/after")
gone=$(comm -23 "$tmp/before" "$tmp/after")
if [ "$installed" = 1 ] && [ -z "$stray$gone" ]; then
	ok "after purge the chroot is as before ($(wc -l <"$tmp/before") paths compared)"
else
	nok "after purge the chroot is as before"
	{ echo "left behind:"; echo "$stray"; echo "gone:"; echo "$gone"; } | diag
fi
