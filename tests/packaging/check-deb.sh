#!/usr/bin/env bash
# The Debian packages, as TAP: packaging/build-deb.sh builds them
# (dpkg-buildpackage -b -us -uc in a build copy with packaging/debian as
# debian/), then:
#  - the four packages exist and no file is in two of them;
#  - lintian reports no error (its warnings are printed as comments);
#  - enlighten-dkms carries the DKMS tree that packaging/dkms-source.sh lays
#    out, and enlighten-daemons every unit, the udev rule and the config;
#  - the maintainer scripts, run as dpkg runs them (scripts-lib.sh): a first
#    installation starts no daemon and replays the VMBus devices' udev
#    events; an upgrade try-restarts the five daemons (so only the running
#    ones restart) and stops none beforehand; removal stops them;
#    enlighten-dkms adds/builds/installs through DKMS and removes on remove.
# Usage: check-deb.sh [OUTDIR]  (default build/deb)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/build/deb}
. "$top/tests/packaging/scripts-lib.sh"
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
diag() { sed 's/^/# /'; }
pkgs="enlighten-dkms enlighten-daemons enlighten-desktop enlighten-host"
units="enl-clipboardd.service enl-heartbeatd.service enl-kvpd.service enl-timesyncd.service enl-vssd.service"
echo "1..13"

t0=$(date +%s)
# No dbgsym packages: they would only slow the check.
if DEB_BUILD_OPTIONS="noddebs ${DEB_BUILD_OPTIONS:-}" \
	"$top/packaging/build-deb.sh" "$out" >"$out.log" 2>&1; then
	ok "dpkg-buildpackage -b -us -uc ($(( $(date +%s) - t0 )) s)"
else
	nok "dpkg-buildpackage -b -us -uc"
	tail -n 30 "$out.log" | diag
	exit 1
fi
debdir=$out/src
deb() { ls "$debdir/$1"_*.deb 2>/dev/null | head -n1; }
files() { dpkg-deb -c "$(deb "$1")" | awk '$1 !~ /^d/ { print $6 }' | sed 's|^\./|/|'; }

missing=""
for p in $pkgs; do [ -n "$(deb "$p")" ] || missing="$missing $p"; done
dup=$(for p in $pkgs; do files "$p"; done | sort | uniq -d)
if [ -z "$missing" ] && [ -z "$dup" ]; then
	ok "four packages ($pkgs), no file in two"
else
	nok "four packages, no file in two (missing:$missing; shared: $dup)"
fi

t0=$(date +%s)
lintian --tag-display-limit 0 "$debdir"/enlighten_*.changes >"$out/lintian.log" 2>&1
if ! grep -q '^E: ' "$out/lintian.log"; then
	ok "lintian: no errors ($(grep -c '^W: ' "$out/lintian.log") warnings, $(( $(date +%s) - t0 )) s)"
else
	nok "lintian: no errors"
fi
grep -E '^(E|W): ' "$out/lintian.log" | diag

# enlighten-dkms: exactly the tree dkms-source.sh lays out.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$top/packaging/dkms-source.sh" "$tmp/tree/usr/src/enlighten-0.1.0"
want=$(cd "$tmp/tree" && find . -type f | sed 's|^\.||' | sort)
got=$(files enlighten-dkms | grep '^/usr/src/' | sort)
if [ "$want" = "$got" ]; then
	ok "enlighten-dkms: the DKMS source tree ($(wc -l <<<"$want") files)"
else
	nok "enlighten-dkms: the DKMS source tree"
	diff <(echo "$want") <(echo "$got") | diag
fi
bad=""
for f in /usr/lib/modprobe.d/enlighten.conf /usr/lib/enlighten/check-builtin \
	/usr/share/initramfs-tools/hooks/enlighten /usr/share/enlighten/initramfs.modules \
	/usr/lib/dracut/modules.d/90enlighten/module-setup.sh \
	/usr/lib/udev/rules.d/60-enlighten-storage.rules; do
	files enlighten-dkms | grep -qxF "$f" || bad="$bad $f"
done
[ -z "$bad" ] && ok "enlighten-dkms: modprobe.d, built-in check, initramfs-tools and dracut hooks, the storage udev rule" ||
	nok "enlighten-dkms lacks$bad"

bad=""
for u in "$top"/packaging/systemd/*.service; do
	files enlighten-daemons | grep -qE "/lib/systemd/system/$(basename "$u")\$" || bad="$bad $(basename "$u")"
	exe=$(sed -n 's/^ExecStart=[-@:+!]*\([^ ]*\).*/\1/p' "$u")
	files enlighten-daemons | grep -qxF "$exe" || bad="$bad $exe"
done
for f in /usr/lib/udev/rules.d/70-enlighten-vmbus.rules /etc/enlighten/enlighten.conf \
	/usr/bin/enl-status /usr/share/man/man1/enl-status.1.gz; do
	files enlighten-daemons | grep -qxF "$f" || bad="$bad $f"
done
[ -z "$bad" ] && ok "enlighten-daemons: every unit and its binary, the udev rule, the config, enl-status" ||
	nok "enlighten-daemons lacks$bad"

# Maintainer scripts, as dpkg runs them.
ctl=$tmp/ctl
mkdir -p "$ctl"
for p in enlighten-daemons enlighten-dkms; do
	mkdir -p "$ctl/$p"
	dpkg-deb -e "$(deb "$p")" "$ctl/$p"
done
scripts_setup "$tmp/s"
d=$ctl/enlighten-daemons
log=$(run_script "$d/postinst" configure)
if ! grep -qE '^(deb-systemd-invoke|systemctl) .*(start|restart)' <<<"$log" &&
	grep -qE "^udevadm trigger --action=add --subsystem-match=misc --sysname-match=vmbus!\*" <<<"$log"; then
	ok "daemons postinst, first install: starts no daemon, replays the VMBus devices' udev events"
else
	nok "daemons postinst, first install: starts no daemon, replays the VMBus devices' udev events"
fi
diag <<<"$log"
log=$(run_script "$d/postinst" configure 0.0.9)
if grep -qxF "deb-systemd-invoke try-restart $units" <<<"$log" &&
	! grep -qE '(start|restart) ' <<<"$(grep -v try-restart <<<"$log")" &&
	! grep -q '^udevadm trigger' <<<"$log"; then
	ok "daemons postinst, upgrade: try-restart of the five daemons, nothing else started"
else
	nok "daemons postinst, upgrade: try-restart of the five daemons, nothing else started"
	diag <<<"$log"
fi
log=$( { [ ! -e "$d/preinst" ] || run_script "$d/preinst" upgrade 0.0.9; } )
if ! grep -q stop <<<"$log"; then
	ok "daemons preinst, upgrade: no daemon stopped before the upgrade"
else
	nok "daemons preinst, upgrade: no daemon stopped before the upgrade"
	diag <<<"$log"
fi
log=$(run_script "$d/prerm" upgrade 0.1.1)
if ! grep -q stop <<<"$log"; then
	ok "daemons prerm, upgrade: nothing stopped"
else
	nok "daemons prerm, upgrade: nothing stopped"
	diag <<<"$log"
fi
log=$(run_script "$d/prerm" remove)
stopped=$(sed -n 's/^deb-systemd-invoke stop //p' <<<"$log" | tr ' ' '\n' | sort | xargs)
if [ "$stopped" = "$units" ]; then
	ok "daemons prerm, remove: the five daemons stopped"
else
	nok "daemons prerm, remove: the five daemons stopped (got: $stopped)"
	diag <<<"$log"
fi

# enlighten-dkms: dh_dkms hands over to dkms's common.postinst, which needs
# a real dkms; its prerm calls dkms directly.
k=$ctl/enlighten-dkms
if grep -q 'for DKMS_POSTINST in /usr/lib/dkms/common.postinst' "$k/postinst" &&
	grep -q '\$DKMS_POSTINST \$DKMS_NAME \$DKMS_VERSION' "$k/postinst" &&
	grep -q 'DKMS_NAME=enlighten' "$k/postinst" && grep -q 'DKMS_VERSION=0.1.0' "$k/postinst" &&
	grep -q 'check-builtin' "$k/postinst"; then
	ok "dkms postinst: dkms add/build/install (common.postinst enlighten 0.1.0), then the built-in check"
else
	nok "dkms postinst: dkms common.postinst for enlighten 0.1.0 and the built-in check"
	diag <"$k/postinst"
fi
log=$(run_script "$k/prerm" remove)
if grep -qxF "dkms remove -m enlighten -v 0.1.0 --all" <<<"$log"; then
	ok "dkms prerm, remove: dkms remove -m enlighten -v 0.1.0 --all"
else
	nok "dkms prerm, remove: dkms remove -m enlighten -v 0.1.0 --all"
	diag <<<"$log"
fi
