#!/usr/bin/env bash
# The systemd units under packaging/systemd, as TAP: for every unit,
#  verify   systemd-analyze verify passes, on a copy whose ExecStart is the
#           binary built in build/meson (the shipped /usr/sbin/... is not
#           installed here). Its Documentation=man: pages are looked up in
#           docs/man: verify runs man(1) for each, and MANPATH points at a
#           man tree made of docs/man, so a missing page fails (no --man=no).
#  device   the unit starts only with its VMBus device: BindsTo= and After=
#           dev-vmbus-<service>.device, ConditionPathExists=/dev/vmbus/<service>,
#           and packaging/udev tags that device for systemd and either names
#           the unit in SYSTEMD_WANTS or the unit is WantedBy= the device.
#           A unit without BindsTo=dev-vmbus-* (enl-keep-netnames) must be
#           wanted by a net device's udev rule instead, and not be enabled.
#  security systemd-analyze security --offline=true stays at or under the
#           unit's threshold (below; exposure in tenths, 0-100).
#  man      docs/man has a page for the unit's binary and it renders without
#           warnings (groff -ww, man --warnings).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${ENL_BUILD:-$top/build/meson}
rules=${ENL_RULES:-$top/packaging/udev/70-enlighten-vmbus.rules}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export LC_ALL=C.UTF-8 SYSTEMD_PAGER='' SYSTEMD_LOG_COLOR=0

# Highest acceptable exposure, in tenths. enl-vssd must see and freeze the
# real mounts and its hooks inherit its limits (see its unit), so it runs
# without a private mount table, device policy, W^X or syscall filter.
threshold() {
	case $1 in
	enl-vssd.service) echo 60 ;;
	*) echo 30 ;;
	esac
}

# The man tree systemd-analyze verify's man(1) calls search.
for f in "$top"/docs/man/*.[1-8]; do
	[ -e "$f" ] || continue
	s=${f##*.}
	mkdir -p "$tmp/man/man$s"
	ln -s "$f" "$tmp/man/man$s/"
done
export MANPATH=$tmp/man

n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
point() {	# point DESCRIPTION LOGFILE CMD...
	local d=$1 log=$2; shift 2
	if "$@" >"$log" 2>&1; then
		ok "$d"
	else
		nok "$d"
		sed 's/^/# /' "$log"
	fi
}

# Every value of KEY= in a unit file (space-separated lists split).
values() {
	sed -n "s/^[[:space:]]*$2=//p" "$1" | tr ' ' '\n' | sed '/^$/d'
}
has() {	# has FILE KEY VALUE
	values "$1" "$2" | grep -qxF -- "$3"
}

check_verify() {	# unit copy
	systemd-analyze verify "$2" || return 1
}

# A unit udev starts for a net device: a tagged SUBSYSTEM=="net" rule in
# packaging/udev names it in SYSTEMD_WANTS, and nothing else enables it.
check_net_device() {	# unit
	local u=$1 name rule
	name=$(basename "$u")
	rule=$(grep -hE '^[^#]*SUBSYSTEM=="net"' "$top"/packaging/udev/*.rules |
	       grep -E "SYSTEMD_WANTS\}\+?=\"([^\"]* )?$name( [^\"]*)?\"")
	if [ -z "$rule" ] || ! grep -qF 'TAG+="systemd"' <<<"$rule"; then
		echo "$name: no BindsTo=dev-vmbus-<service>.device, and no tagged"
		echo "SUBSYSTEM==\"net\" udev rule wants it"
		return 1
	fi
	if values "$u" WantedBy | grep -q .; then
		echo "$name: WantedBy= would start it without its device"
		return 1
	fi
	echo "$name: pulled in by udev SYSTEMD_WANTS for a net device"
}

check_device() {	# unit
	local u=$1 name svc dev rule
	name=$(basename "$u")
	dev=$(values "$u" BindsTo | grep -E '^dev-vmbus-.+\.device$' | head -n1)
	if [ -z "$dev" ]; then
		check_net_device "$u"
		return
	fi
	svc=${dev#dev-vmbus-}
	svc=${svc%.device}
	if [ "$(systemd-escape -p --suffix=device "/dev/vmbus/$svc")" != "$dev" ]; then
		echo "$name: $dev is not the device unit of /dev/vmbus/$svc"
		return 1
	fi
	has "$u" After "$dev" || { echo "$name: BindsTo=$dev without After=$dev"; return 1; }
	has "$u" ConditionPathExists "/dev/vmbus/$svc" ||
		{ echo "$name: no ConditionPathExists=/dev/vmbus/$svc"; return 1; }
	rule=$(grep -E "^[^#]*KERNEL==\"vmbus/$svc\*?\"" "$rules")
	if [ -z "$rule" ]; then
		echo "$name: no udev rule for vmbus/$svc (KERNEL: udev turns the sysfs name's ! into /) in $rules"
		return 1
	fi
	if ! grep -qF 'TAG+="systemd"' <<<"$rule"; then
		echo "$name: the udev rule for vmbus/$svc does not tag it for systemd,"
		echo "so $dev never exists"
		return 1
	fi
	if grep -qE "SYSTEMD_WANTS\}\+?=\"([^\"]* )?$name( [^\"]*)?\"" <<<"$rule"; then
		echo "$name: pulled in by udev SYSTEMD_WANTS"
	elif has "$u" WantedBy "$dev"; then
		echo "$name: pulled in by WantedBy=$dev"
	else
		echo "$name: nothing starts it when $dev appears (no SYSTEMD_WANTS in"
		echo "the udev rule, no WantedBy=$dev)"
		return 1
	fi
	if values "$u" WantedBy | grep -qvxF "$dev"; then
		echo "$name: WantedBy= other than $dev: enabling it would make that"
		echo "target wait for a device that may never come"
		return 1
	fi
}

check_security() {	# unit copy
	local t
	t=$(threshold "$(basename "$1")")
	echo "threshold $t (tenths)"
	systemd-analyze security --offline=true --no-pager --threshold="$t" "$2"
}

check_man() {	# binary name
	local page out
	page=$(find "$top/docs/man" -maxdepth 1 -name "$1.[1-8]" | head -n1)
	if [ -z "$page" ]; then
		echo "no docs/man/$1.<section>"
		return 1
	fi
	out=$(groff -man -ww -z "$page" 2>&1; man --warnings -l "$page" 2>&1 >/dev/null)
	if [ -n "$out" ]; then
		echo "$page:"
		echo "$out"
		return 1
	fi
	echo "$page renders cleanly"
}

units=("$top"/packaging/systemd/*.service)
echo "1..$((${#units[@]} * 4))"
for u in "${units[@]}"; do
	name=$(basename "$u")
	exe=$(sed -n 's/^ExecStart=[-@:+!]*\([^ ]*\).*/\1/p' "$u" | head -n1)
	bin=$(basename "$exe")
	# A daemon is built; a script (enl-keep-netnames) is in packaging.
	built=$(find "$build/daemons" "$top/packaging" -type f -name "$bin" -perm -u+x 2>/dev/null | head -n1)
	copy=$tmp/$name
	log=$tmp/$name.log
	if [ -n "$built" ]; then
		sed "s|^\(ExecStart=[-@:+!]*\)$exe|\1$built|" "$u" >"$copy"
		point "$name: systemd-analyze verify" "$log" check_verify "$u" "$copy"
	else
		cp "$u" "$copy"
		nok "$name: systemd-analyze verify (no $bin under $build/daemons: run make)"
	fi
	point "$name: bound to its device" "$log" check_device "$u"
	point "$name: systemd-analyze security <= $(threshold "$name")" "$log" \
		check_security "$u" "$copy"
	point "$name: man page for $bin" "$log" check_man "$bin"
done
