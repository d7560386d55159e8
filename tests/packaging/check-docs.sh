#!/usr/bin/env bash
# Documentation against the code, as TAP:
#  - every docs/man page renders without warnings (groff -ww, man --warnings);
#  - every key a daemon reads from its enlighten.conf section (the
#    enl_config_*(cfg, "key", ...) calls in daemons/<section>/*.c) appears in
#    that section of the shipped example (packaging/conf/enlighten.conf) and
#    of enlighten.conf(5), and neither documents a key the code does not read;
#  - every verb `enl-host ctl --help` lists has an entry under CTL VERBS in
#    enl-host(1), and the page describes no verb the host lacks; likewise
#    every option of `enl-host run --help` under RUN OPTIONS.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
example=$top/packaging/conf/enlighten.conf
manconf=$top/docs/man/enlighten.conf.5
export LC_ALL=C.UTF-8
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }

pages=("$top"/docs/man/*.[1-8])
sections=(heartbeat timesync kvp vss clipboard)
echo "1..$((${#pages[@]} + ${#sections[@]} + 2))"

for p in "${pages[@]}"; do
	out=$(groff -man -ww -z "$p" 2>&1; man --warnings -l "$p" 2>&1 >/dev/null)
	if [ -z "$out" ]; then
		ok "docs/man/$(basename "$p") renders without warnings"
	else
		nok "docs/man/$(basename "$p") renders without warnings"
		echo "# ${out//$'\n'/$'\n'# }"
	fi
done

# Keys the code reads in section $1.
code_keys() {
	cat "$top/daemons/$1"/*.c |
		grep -oE 'enl_config_[a-z]+\([a-z_&>.-]*, "[^"]+"' |
		sed 's/.*"\(.*\)"/\1/' | sort -u
}
# Keys (commented out or not) in section $1 of the example.
example_keys() {
	awk -v s="[$1]" '/^\[/ { in_s = ($0 == s); next }
		in_s && /^#?[a-z][a-z0-9-]*=/ { sub(/^#/, ""); sub(/=.*/, ""); print }' \
		"$example" | sort -u
}
# Keys described (.TP then .B/.BR key) under .SH [section] of the man page.
man_keys() {
	awk -v s=".SH [$1]" '/^\.SH / { in_s = ($0 == s); next }
		in_s && prev == ".TP" && /^\.BR? / { print $2 }
		{ prev = $0 }' "$manconf" | sed 's/\\-/-/g' | sort -u
}

for s in "${sections[@]}"; do
	code=$(code_keys "$s")
	bad=""
	for src in example man; do
		doc=$(${src}_keys "$s")
		miss=$(comm -23 <(echo "$code") <(echo "$doc") | tr '\n' ' ')
		extra=$(comm -13 <(echo "$code") <(echo "$doc") | tr '\n' ' ')
		[ -n "$miss" ] && bad="$bad# $src lacks: $miss"$'\n'
		[ -n "$extra" ] && bad="$bad# $src documents keys the code does not read: $extra"$'\n'
	done
	if [ -z "$code" ]; then
		nok "[$s]: no keys found in daemons/$s (is the pattern stale?)"
	elif [ -z "$bad" ]; then
		ok "[$s]: all $(wc -w <<<"$code") keys in the example and enlighten.conf(5)"
	else
		nok "[$s]: example and enlighten.conf(5) match the code"
		printf '%s' "$bad"
	fi
done

# enl-host against enl-host(1): what the code lists ($2) and what the page
# describes ($3), one name a line; ok when they match.
compare() {	# compare WHAT CODE DOC
	local miss extra
	miss=$(comm -23 <(echo "$2") <(echo "$3") | tr '\n' ' ')
	extra=$(comm -13 <(echo "$2") <(echo "$3") | tr '\n' ' ')
	if [ -z "$miss$extra" ] && [ -n "$2" ]; then
		ok "enl-host(1) describes every $1 ($(echo "$2" | wc -l))"
	else
		nok "enl-host(1) describes every $1"
		echo "# missing from the page: $miss"
		echo "# on the page, not in the host: $extra"
	fi
}

host=${ENL_HOST_BIN:-$top/build/meson/host/enl-host}
page=$top/docs/man/enl-host.1
if [ -x "$host" ]; then
	# ctl verbs: its offline help against the entries under CTL VERBS.
	code=$("$host" ctl --help | sed -n '/^Verbs:/,$p' | tail -n +2 |
	       sed -E 's/^([a-z-]+).*/\1/' | sort -u)
	doc=$(awk '/^\.SH / { in_s = ($0 == ".SH CTL VERBS"); next }
		in_s && /^\.B[RI]? / { w = $2; gsub(/"/, "", w); gsub(/\\/, "", w); print w }' \
		"$page" | sort -u)
	compare "ctl verb" "$code" "$doc"
	# run options: its --help against the entries under RUN OPTIONS.
	code=$("$host" run --help | sed -n '/^Application Options:/,$p' |
	       grep -oE '^  --[a-z0-9-]+' | sed 's/^  --//' | sort -u)
	doc=$(awk '/^\.SH / { in_s = ($0 == ".SH RUN OPTIONS"); next }
		in_s && prev == ".TP" && /^\.B[RI]? / { print $2 } { prev = $0 }' \
		"$page" | sed 's/\\//g; s/^--//; s/=.*//' | sort -u)
	compare "run option" "$code" "$doc"
else
	for what in "ctl verb" "run option"; do
		nok "enl-host(1) describes every $what"
		echo "# no enl-host at $host: build it first (make userspace)"
	done
fi
