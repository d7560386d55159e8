#!/bin/bash
# Build and run the libFuzzer targets over the parsers of peer data
# (libFuzzer + ASan + UBSan + LeakSanitizer, outside meson like
# host/vmbus/fuzz/run.sh):
#   ic-host     enl-host's IC services (heartbeat, shutdown, time sync, KVP,
#               backup) fed guest packets
#   ic-guest    the guest daemons' IC logic fed host packets, on fakes: no
#               power action, clock, freeze, hook or IP change ever happens
#   clipboard   the clipboard engine, host and guest role, fed peer packets
#   storage     enl-host's SCSI target (host/vsp/storage) fed guest commands
#               and parameter data, on io_uring over image files
#   net         enl-host's network engine (NVSP, RNDIS control and data,
#               completions) fed guest messages and backend frames
#   hid         enl-host's keyboard and mouse engines (synthkbd, synthhid)
#               fed guest messages, and the ctl key/text parsers
#   video       enl-host's synthvid engine and display fed guest messages
#   ts-report   the guest's time sync report: enl-host's strict parse of
#               the KVP value, its view of it, the guest's formatting
#   vmbus-server  the VMBus server (host/vmbus/fuzz): channel messages,
#               signals, ring memory, GPA-direct packets, ctl verbs
#
#   tests/fuzz/run.sh TARGET|all            10 s each, what `make check` runs
#   tests/fuzz/run.sh list                  every target, a tab, what it
#               fuzzes (scripts/check.sh runs and replays these)
#   tests/fuzz/run.sh replay TARGET|all     every input of the target's
#               regression corpus once (tests/fuzz/regress/TARGET): what
#               `make check` replays, deterministic, a second or two
#   tests/fuzz/run.sh merge TARGET|all      add to that regression corpus
#               the inputs of build/fuzz/TARGET/corpus that reach new
#               features (after long runs)
#   FUZZ_SECONDS=600 tests/fuzz/run.sh all  longer, on demand (make fuzz)
#   FUZZ_SECONDS=0 tests/fuzz/run.sh all    build and write seeds only
#   FUZZ_RUNS=10000000 tests/fuzz/run.sh X  that many executions instead
#                                           of a time (also given
#                                           FUZZ_SECONDS: whichever
#                                           comes first)
#   FUZZ_JOBS=2 FUZZ_RUNS=10000000 ...      those executions shared by 2
#               processes on one corpus (each FUZZ_RUNS/2; libFuzzer
#               reloads the corpus each second, so each takes up what the
#               other found): a target too slow for one core
#
# The regression corpus tests/fuzz/regress/<target>/ is in the tree: every
# input that once crashed (named crash-*, leak-*, timeout-*) and the
# inputs of long runs that reached new features (libFuzzer -merge=1 into
# it). Fuzzing starts from it too.
#
# Output in build/fuzz/<target>/: the binary, corpus/ (grows across runs),
# seeds/ (written by the binary itself on each run, ENL_FUZZ_WRITE_SEEDS),
# and crash-*/leak-*/timeout-* reproducers. A target writes only inside a
# private temp directory (under $TMPDIR, which this script points at a
# directory of its own, on tmpfs when there is one) and removes it.
#
# FUZZ_COVERAGE=1 adds a line coverage report of the code under test.
#
# Reproduce a crash, leak or broken invariant ("invariant broken: ..." names
# the check in the target's .c; the input format is in its header comment):
#   build/fuzz/<target>/fuzz-<target> build/fuzz/<target>/crash-<id>
# Shrink it first if it is long:
#   build/fuzz/<target>/fuzz-<target> -minimize_crash=1 -runs=10000 crash-<id>
# then copy it into tests/fuzz/regress/<target>/ (make check replays it),
# turn it into a unit test under tests/unit/ where one fits, and delete
# the crash file. Run by hand, a target uses $TMPDIR or /tmp.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
secs=${FUZZ_SECONDS:-10}
jobs=${FUZZ_JOBS:-1}
case $jobs in
''|*[!0-9]*|0) echo "FUZZ_JOBS must be a number of processes, 1 or more" >&2; exit 2 ;;
esac
max_secs=${FUZZ_SECONDS:-}
# The targets, and what `make check` (scripts/check.sh, through `list`)
# calls each: the one list of them.
target_list() {
	cat <<-'EOF'
	vmbus-server	VMBus server guest-message parser
	ic-host	enl-host IC services fed guest packets
	ic-guest	guest IC daemons fed host packets
	clipboard	clipboard engine (host and guest) fed peer packets
	storage	storage target (SCSI commands, UNMAP/WRITE SAME data) fed guest commands
	net	enl-host network engine fed guest NVSP/RNDIS and backend frames
	hid	enl-host keyboard and mouse engines fed guest synthkbd/synthhid messages
	video	enl-host synthvid engine and display fed guest messages
	ts-report	the guest's time sync report (enl-host's parse and view, the guest's format)
	EOF
}
targets=$(target_list | cut -f1 | paste -sd ' ' -)
summary=()
cd "$root"

# shellcheck disable=SC2054 # the commas are clang's
cflags=(-std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)

# target_def NAME: sets src, inc, libs, max_len for one target.
target_def() {
	# -iquote: daemons/kvp/spawn.h must not hide <spawn.h> from hooks.c
	inc=(-Iinclude -iquote common/proto -iquote tests/fuzz)
	libs=(glib-2.0)
	main=tests/fuzz/fuzz-$1.c
	has_seeds=1
	case $1 in
	ic-host)
		src=(common/proto/ic.c common/proto/utf16.c
		     host/vsp/ic/ic_host.c host/vsp/ic/heartbeat_host.c
		     host/vsp/ic/shutdown_host.c host/vsp/ic/timesync_host.c
		     host/vsp/ic/kvp_host.c host/vsp/vss/vss_host.c)
		inc+=(-iquote host/vsp/ic -iquote host/vsp/vss)
		max_len=4096 ;;
	ic-guest)
		src=(common/proto/ic.c common/proto/utf16.c daemons/lib/icservice.c
		     daemons/lib/channel.c daemons/lib/unixsock.c daemons/lib/log.c
		     daemons/heartbeat/heartbeat.c daemons/heartbeat/shutdown.c
		     daemons/timesync/timesync.c daemons/timesync/discipline.c
		     daemons/kvp/kvp.c daemons/kvp/pool.c daemons/kvp/poolfile.c
		     daemons/kvp/atomic.c daemons/kvp/store.c daemons/kvp/facts.c
		     daemons/kvp/netinfo.c daemons/kvp/ipinfo.c
		     daemons/kvp/ipapply.c daemons/kvp/ipdetect.c
		     daemons/kvp/applyjob.c
		     daemons/vss/vss.c daemons/vss/freeze.c daemons/vss/fsplan.c
		     daemons/vss/hooks.c daemons/vss/holdlog.c
		     daemons/vss/mountinfo.c)
		inc+=(-iquote daemons/lib -iquote daemons/heartbeat -iquote daemons/timesync
		      -iquote daemons/kvp -iquote daemons/vss
		      -iquote tests/unit/vss)
		libs+=(libsystemd)
		max_len=8192 ;;
	clipboard)
		src=(common/proto/ic.c common/proto/clip_engine.c
		     common/proto/clip_format.c)
		max_len=8192 ;;
	storage)
		src=(host/vsp/storage/cmd.c host/vsp/storage/disk.c
		     host/vsp/storage/emulate.c host/vsp/storage/iov.c
		     host/vsp/storage/sense.c host/vsp/storage/target.c
		     host/vsp/storage/uring.c host/vsp/storage/vstor.c
		     host/vmbus/iov_copy.c)
		inc+=(-iquote host/vsp/storage -iquote host/vmbus)
		libs+=(liburing)
		max_len=4096 ;;
	net)
		src=(host/vsp/net/net_dev.c host/vsp/net/nvsp.c
		     host/vsp/net/recvbuf.c host/vsp/net/rndis_ctl.c
		     host/vsp/net/rndis_tx.c host/vsp/net/rndis_rx.c
		     host/vsp/net/csum.c host/vsp/net/iov.c host/vmbus/iov_copy.c)
		inc+=(-iquote host/vsp/net -iquote host/vmbus)
		max_len=4096 ;;
	hid)
		src=(host/vsp/hid/scancode.c host/vsp/hid/mouse_host.c
		     host/vsp/hid/kbd_host.c)
		inc+=(-iquote host/vsp/hid)
		max_len=4096 ;;
	video)
		src=(host/vsp/video/engine.c host/vsp/video/display.c)
		inc+=(-iquote host/vsp/video)
		max_len=4096 ;;
	ts-report)
		src=(common/proto/ts_report.c host/vsp/ic/ts_view.c)
		inc+=(-iquote host/vsp/ic)
		max_len=4096 ;;
	vmbus-server)
		src=(host/vmbus/server.c host/vmbus/connection.c host/vmbus/offer.c
		     host/vmbus/gpadl.c host/vmbus/channel.c host/vmbus/channel_io.c
		     host/vmbus/worker.c host/vmbus/ring_map.c host/vmbus/gpadl_view.c
		     host/vmbus/gpa_direct.c host/vmbus/xfer_page.c host/vmbus/inflight.c
		     host/vmbus/registry.c host/vmbus/hold.c host/vmbus/chaos.c
		     host/vmbus/ctl.c host/vmbus/fault.c host/vsp/echo/echo.c
		     common/ring.c host/ctl/ctl.c host/ctl/frame.c host/ctl/json.c
		     tests/unit/host/vmbus/test-vmbus-fakehv.c
		     tests/unit/host/vmbus/test-vmbus-guest.c)
		inc+=(-Icommon -Ihost/vmbus -Ihost/vsp -Ihost/hv -Ihost/mem
		      -Ihost/ctl -Itests/unit/host/vmbus)
		main=host/vmbus/fuzz/fuzz-vmbus-server.c
		has_seeds=0
		max_len=4096 ;;
	*)
		echo "unknown fuzz target '$1' ($targets, all)" >&2
		return 1 ;;
	esac
	src+=("$main")
}

build() {
	local name=$1 bin=$2 hdrs
	hdrs=$(printf '%s\n' "${src[@]}" | xargs -n1 dirname | sort -u |
	       sed 's|$|/*.h|')
	# shellcheck disable=SC2086
	if [ -x "$bin" ] && [ -z "$(find "${src[@]}" $hdrs include/enlighten/*.h \
		tests/fuzz/fuzz.h -newer "$bin" 2>/dev/null)" ]; then
		return 0
	fi
	echo "building $bin"
	# shellcheck disable=SC2046
	clang "${cflags[@]}" "${inc[@]}" $(pkg-config --cflags "${libs[@]}") \
		"${src[@]}" $(pkg-config --libs "${libs[@]}") -o "$bin"
}

# coverage NAME OUT: line coverage of the code under test by the corpus,
# from a second build with clang's source-based coverage (FUZZ_COVERAGE=1).
coverage() {
	local name=$1 out=$2 bin=$2/cov-$1 tmp
	tmp=$(mktemp -d)
	# shellcheck disable=SC2046
	clang "${cflags[@]/-fsanitize=fuzzer,address,undefined/-fsanitize=fuzzer}" \
		-fprofile-instr-generate -fcoverage-mapping "${inc[@]}" \
		$(pkg-config --cflags "${libs[@]}") "${src[@]}" \
		$(pkg-config --libs "${libs[@]}") -o "$bin"
	(cd "$out" && TMPDIR=$tmp LLVM_PROFILE_FILE=$out/cov.profraw \
		"$bin" -runs=0 corpus seeds >/dev/null 2>&1)
	rm -rf "$tmp"
	llvm-profdata merge -sparse "$out/cov.profraw" -o "$out/cov.profdata"
	llvm-cov report "$bin" -instr-profile="$out/cov.profdata" \
		"${src[@]:0:${#src[@]}-1}" | grep -v '^---'
	echo "(line by line: llvm-cov show $bin -instr-profile=$out/cov.profdata FILE)"
}

# The targets' TMPDIR: removed however the run ends.
tmp=
trap 'rm -rf "${tmp:-/nonexistent}"' EXIT
trap 'exit 130' INT TERM

# prepare NAME: target_def, build, a fresh TMPDIR, the seeds written.
prepare() {
	name=$1
	target_def "$name" || return 1
	out=$root/build/fuzz/$name
	bin=$out/fuzz-$name
	regress=$root/tests/fuzz/regress/$name
	mkdir -p "$out/corpus" "$out/seeds"
	build "$name" "$bin" || return 1
	if [ -d /dev/shm ] && [ -w /dev/shm ]; then
		tmp=$(mktemp -d /dev/shm/enl-fuzz-XXXXXX)
	else
		tmp=$(mktemp -d "$out/tmp-XXXXXX")
	fi
	[ "$has_seeds" = 0 ] && return 0
	rm -rf "$out/seeds"
	ENL_FUZZ_WRITE_SEEDS=$out/seeds TMPDIR=$tmp "$bin" >/dev/null
}

# replay NAME: every input of the regression corpus once, in one process.
replay() {
	local name out bin regress rc=0 n log
	prepare "$1" || return 1
	log=$out/replay.log
	n=$(find "$regress" -type f 2>/dev/null | wc -l)
	if [ "$n" = 0 ]; then
		rm -rf "$tmp"
		echo "fuzz-$name: no regression corpus in $regress"
		return 1
	fi
	(cd "$out" && TMPDIR=$tmp ./"fuzz-$name" -runs=0 -max_len="$max_len" \
		-timeout=10 "$regress") >"$log" 2>&1 || rc=$?
	rm -rf "$tmp"
	if [ "$rc" -ne 0 ] || ! grep -qE '^#[0-9]+[[:space:]]+INITED' "$log"; then
		echo "fuzz-$name: replaying $regress FAILED (exit $rc); log $log:"
		grep -vE '^#[0-9]+' "$log" | tail -n 60
		return 1
	fi
	echo "# fuzz-$name: replayed $n regression inputs: $(grep -m1 -E '^#[0-9]+[[:space:]]+INITED' "$log")"
}

# merge NAME: inputs of the build corpus and the seeds that reach features
# the regression corpus lacks are added to it (libFuzzer -merge=1 into it);
# nothing in it is removed or renamed, so a merge after a long run adds
# what that run found and the tree's history stays small.
merge() {
	local name out bin regress rc=0 before
	prepare "$1" || return 1
	mkdir -p "$regress"
	before=$(find "$regress" -type f | wc -l)
	# A copy: a fuzzer running on corpus/ meanwhile replaces files in it
	# (one it removes between listing and copying is simply left out).
	cp -r "$out/corpus" "$tmp/corpus" 2>/dev/null || true
	(cd "$out" && TMPDIR=$tmp ./"fuzz-$name" -merge=1 -max_len="$max_len" \
		-timeout=10 "$regress" "$tmp/corpus" seeds) \
		>"$out/merge.log" 2>&1 || rc=$?
	rm -rf "$tmp"
	if [ "$rc" -ne 0 ]; then
		echo "fuzz-$name: merge FAILED (exit $rc); log $out/merge.log"
		return 1
	fi
	echo "# fuzz-$name: $(find "$regress" -type f | wc -l) inputs in $regress ($before before)"
}

# stat_sum NAME LOG: libFuzzer's final stat NAME, summed over the
# processes whose stats LOG holds.
stat_sum() {
	sed -n "s/^stat::$1: *//p" "$2" | awk '{ n += $1 } END { if (NR) print n }'
}

# run_jobs: FUZZ_RUNS shared by $jobs processes on one corpus; their logs
# one after another in $log, each headed by its number. Fails if any did.
run_jobs() {
	local i each=$(( (FUZZ_RUNS + jobs - 1) / jobs )) pids=() rc=0
	for ((i = 0; i < jobs; i++)); do
		# shellcheck disable=SC2086 # one word or none
		(cd "$out" && TMPDIR=$tmp ./"fuzz-$name" -runs="$each" \
			${max_secs:+-max_total_time=$max_secs} \
			-max_len="$max_len" -timeout=10 -print_final_stats=1 \
			-artifact_prefix="$out/" "${dirs[@]}") \
			>"$log.$i" 2>&1 &
		pids+=($!)
	done
	for ((i = 0; i < jobs; i++)); do
		wait "${pids[$i]}" || rc=$?
	done
	for ((i = 0; i < jobs; i++)); do
		echo "## process $i of $jobs"
		cat "$log.$i"
		rm -f "$log.$i"
	done >"$log"
	return "$rc"
}

run_one() {
	local name out bin regress rc=0 log limit dirs procs=
	prepare "$1" || return 1
	if [ "$secs" = 0 ] && [ -z "${FUZZ_RUNS:-}" ]; then
		rm -rf "$tmp"
		echo "# fuzz-$name: built, seeds written (FUZZ_SECONDS=0)"
		return 0
	fi
	# A long run (FUZZ_RUNS) keeps a log of its own: `make check` may
	# run the same target briefly meanwhile.
	log=$out/last-run.log
	[ -z "${FUZZ_RUNS:-}" ] || log=$out/long-run.log
	if [ -n "${FUZZ_RUNS:-}" ]; then
		limit=(-runs="$FUZZ_RUNS")
		[ -z "$max_secs" ] || limit+=(-max_total_time="$max_secs")
		procs=
		[ "$jobs" = 1 ] || procs=" in $jobs processes"
		echo "# fuzz-$name: $FUZZ_RUNS executions${max_secs:+ or ${secs} s}$procs, max_len $max_len, corpus $out/corpus"
	else
		limit=(-max_total_time="$secs")
		echo "# fuzz-$name: ${secs} s, max_len $max_len, corpus $out/corpus"
	fi
	# New inputs go to corpus/ (the first directory); seeds and the
	# regression corpus are read only.
	dirs=(corpus seeds)
	[ ! -d "$regress" ] || dirs+=("$regress")
	if [ -n "${FUZZ_RUNS:-}" ] && [ "$jobs" -gt 1 ]; then
		run_jobs || rc=$?
	else
		(cd "$out" && TMPDIR=$tmp ./"fuzz-$name" "${limit[@]}" \
			-max_len="$max_len" -timeout=10 -print_final_stats=1 \
			-artifact_prefix="$out/" "${dirs[@]}") >"$log" 2>&1 || rc=$?
	fi
	rm -rf "$tmp"
	# What the run covered: libFuzzer's last status line and final stats
	# (of each process, summed, when there were several).
	grep -m1 -E '^#[0-9]+[[:space:]]+INITED' "$log" || true
	grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true
	grep -E '^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' \
		"$log" || true
	[ -z "$procs" ] || echo "# fuzz-$name: $(stat_sum number_of_executed_units "$log") executions in all$procs, $(stat_sum average_exec_per_sec "$log") exec/s together"
	summary+=("$(printf '%-14s %12s executions %8s exec/s%s' "$name" \
		"$(stat_sum number_of_executed_units "$log")" \
		"$(stat_sum average_exec_per_sec "$log")" \
		"$([ "$rc" = 0 ] || echo " FAILED")")")
	[ "${FUZZ_COVERAGE:-0}" = 0 ] || [ "$rc" -ne 0 ] || coverage "$name" "$out"
	if [ "$rc" -ne 0 ]; then
		echo "fuzz-$name FAILED (exit $rc); log $log:"
		grep -vE '^#[0-9]+' "$log" | tail -n 60
		ls "$out"/crash-* "$out"/leak-* "$out"/timeout-* 2>/dev/null || true
	fi
	return "$rc"
}

# each FN TARGET|all: FN on one target or on every one; fails if any did.
each() {
	local fn=$1 failed=0 t
	if [ "$2" != all ]; then
		"$fn" "$2"
		return
	fi
	for t in $targets; do
		"$fn" "$t" || failed=1
	done
	[ "${#summary[@]}" = 0 ] || printf '# %s\n' "${summary[@]}"
	return "$failed"
}

case "$#:${1:-}" in
1:list)		target_list ;;
1:*)		each run_one "$1" ;;
2:replay)	each replay "$2" ;;
2:merge)	each merge "$2" ;;
*)		sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2 ;;
esac
