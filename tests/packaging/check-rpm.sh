#!/usr/bin/env bash
# The RPM packages, as TAP: packaging/build-rpm.sh builds them (rpmbuild -bb
# from packaging/rpm/enlighten.spec), then:
#  - rpmlint (with packaging/rpm/rpmlint.toml) reports no error; its
#    warnings are printed as comments;
#  - each package holds the same files as the Debian package of the same
#    name (build/deb, made by check-deb.sh), documentation aside;
#  - the scriptlets, as `rpm -qp --scripts` shows them, run as rpm runs
#    them (scripts-lib.sh): -dkms adds, builds and installs through DKMS
#    and removes on erase; -daemons starts no daemon on installation
#    (presets, replays the VMBus devices' udev events), try-restarts the
#    five on upgrade and stops them on erase.
# What this cannot exercise: installing on an RPM distribution (none can
# be installed here), so BuildRequires/Requires and the systemd-rpm-macros
# expansions of %systemd_* (the spec's written-out fallbacks run here) are
# not checked; see README.
# Usage: check-rpm.sh [OUTDIR [DEBDIR]]  (default build/rpm, build/deb)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/build/rpm}
debdir=${2:-$top/build/deb}/src
. "$top/tests/packaging/scripts-lib.sh"
script_flags=
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
diag() { sed 's/^/# /'; }
pkgs="enlighten-dkms enlighten-daemons enlighten-desktop enlighten-host"
units="enl-heartbeatd.service enl-timesyncd.service enl-kvpd.service enl-vssd.service enl-clipboardd.service"
echo "1..12"

t0=$(date +%s)
if "$top/packaging/build-rpm.sh" "$out" >"$out.log" 2>&1; then
	ok "rpmbuild -bb ($(( $(date +%s) - t0 )) s)"
else
	nok "rpmbuild -bb"
	tail -n 30 "$out.log" | diag
	exit 1
fi
rpmf() { ls "$out"/RPMS/*/"$1"-[0-9]*.rpm 2>/dev/null | head -n1; }

rpmlint -c "$top/packaging/rpm/rpmlint.toml" "$out"/RPMS/*/*.rpm \
	"$top/packaging/rpm/enlighten.spec" >"$out/rpmlint.log" 2>&1
if ! grep -q ': E: ' "$out/rpmlint.log"; then
	ok "rpmlint: no errors ($(grep -c ': W: ' "$out/rpmlint.log") warnings)"
else
	nok "rpmlint: no errors"
fi
grep -E ': (E|W): ' "$out/rpmlint.log" | diag

# Files, not directories; man pages with their compression dropped; each
# format's own metadata left out (rpm's build-id links, Debian's doc and
# lintian override files).
rpm_files() {
	rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$(rpmf "$1")" |
		awk '$1 !~ /^d/ { print $2 }' | grep -v '^/usr/lib/\.build-id/' |
		sed -E 's/\.(gz|bz2|xz|zst)$//' | sort
}
deb_files() {
	dpkg-deb -c "$(ls "$debdir/$1"_*.deb | head -n1)" | awk '$1 !~ /^d/ { print $6 }' |
		sed 's|^\./|/|' | grep -Ev '^/usr/share/(doc|lintian)/' |
		sed -E 's/\.(gz|xz)$//' | sort
}
for p in $pkgs; do
	if ! ls "$debdir/$p"_*.deb >/dev/null 2>&1; then
		nok "$p: same files as the .deb (no .deb in $debdir: run check-deb.sh)"
		continue
	fi
	d=$(diff <(deb_files "$p") <(rpm_files "$p"))
	if [ -z "$d" ]; then
		ok "$p: the same $(rpm_files "$p" | wc -l) files as the .deb"
	else
		nok "$p: the same files as the .deb (< deb, > rpm)"
		diag <<<"$d"
	fi
done

# The scriptlets: split `rpm -qp --scripts` into one file per scriptlet.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
split_scripts() {	# package -> $tmp/<package>.<postinstall|...>
	rpm -qp --scripts "$(rpmf "$1")" | awk -v base="$tmp/$1" '
		/^[a-z]+ scriptlet \(using [^)]*\):$/ { f = base "." $1; next }
		f { print > f }'
}
for p in enlighten-dkms enlighten-daemons; do split_scripts "$p"; done
scripts_setup "$tmp/s"

k=$tmp/enlighten-dkms
log=$(run_script "$k.postinstall" 1)
want="dkms add -m enlighten -v 0.1.0 -q --rpm_safe_upgrade
dkms build -m enlighten -v 0.1.0 -q
dkms install -m enlighten -v 0.1.0 -q --force"
if [ "$log" = "$want" ] && grep -q '/usr/lib/enlighten/check-builtin' "$k.postinstall"; then
	ok "dkms %post: dkms add, build, install enlighten 0.1.0, then the built-in check"
else
	nok "dkms %post: dkms add, build, install enlighten 0.1.0, then the built-in check"
	diag <<<"$log"
fi
log=$(run_script "$k.preuninstall" 0)
if [ "$log" = "dkms remove -m enlighten -v 0.1.0 -q --all --rpm_safe_upgrade" ]; then
	ok "dkms %preun: dkms remove --all"
else
	nok "dkms %preun: dkms remove --all"
	diag <<<"$log"
fi

d=$tmp/enlighten-daemons
log=$(run_script "$d.postinstall" 1)
if ! grep -qE 'start|restart' <<<"$log" && grep -qxF "systemctl --no-reload preset $units" <<<"$log" &&
	grep -qxF "udevadm trigger --action=add --subsystem-match=misc --sysname-match=vmbus!*" <<<"$log"; then
	ok "daemons %post, install: presets, starts nothing, replays the VMBus devices' udev events"
else
	nok "daemons %post, install: presets, starts nothing, replays the VMBus devices' udev events"
fi
diag <<<"$log"
log=$(run_script "$d.postinstall" 2)
if [ -z "$log" ]; then
	ok "daemons %post, upgrade: nothing (the restart is %postun's)"
else
	nok "daemons %post, upgrade: nothing"
	diag <<<"$log"
fi
log=$(run_script "$d.postuninstall" 1)
if grep -qxF "systemctl try-restart $units" <<<"$log" && ! grep -qE ' (start|restart|stop) ' <<<"$log"; then
	ok "daemons %postun, upgrade: try-restart of the five daemons"
else
	nok "daemons %postun, upgrade: try-restart of the five daemons"
	diag <<<"$log"
fi
log=$(run_script "$d.preuninstall" 0)
l1=$(run_script "$d.preuninstall" 1)
if grep -qxF "systemctl --no-reload disable --now $units" <<<"$log" && [ -z "$l1" ]; then
	ok "daemons %preun: erase disables and stops the five daemons, upgrade leaves them"
else
	nok "daemons %preun: erase disables and stops the five daemons, upgrade leaves them"
	diag <<<"$log"$'\n'"upgrade: $l1"
fi
