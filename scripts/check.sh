#!/usr/bin/env bash
# Run every test ring that exists and close with "N passed, N failed".
# Each suite prints TAP; a suite that dies without saying "not ok" counts as
# one failure, and one that prints no test point at all fails too.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
logs="$top/build/test-logs"
rm -rf "$logs" && mkdir -p "$logs"
passed=0
failed=0
# Every failing point, named with its suite, repeated above the closing line:
# CI shows only the tail of a long run.
failures="$logs/failures"
: >"$failures"
t0=$(date +%s)
# ring TITLE: a ring's heading, with the time so far (CI has a budget).
elapsed() { local s=$(($(date +%s) - t0)); echo "$((s / 60)) min $((s % 60)) s"; }
ring() { echo "# ring $1 ($(elapsed) in)"; }

# run_tap NAME CMD...: run a TAP producer, echo its points, count them.
run_tap() {
	local name=$1; shift
	local log="$logs/${name//\//_}.log" rc ok nok
	echo "# suite $name"
	"$@" >"$log" 2>&1
	rc=$?
	grep -E '^(not )?ok |^# test_[A-Za-z0-9_]+\.py took ' "$log" | sed "s|^|  [$name] |"
	# The VM ring runs many test files: name the one each failure is in.
	awk -v n="$name" '/^# test_[A-Za-z0-9_]+\.py$/ { f = " " $2 }
		/^not ok / { print "[" n f "] " $0 }' "$log" >>"$failures"
	ok=$(grep -cE '^ok ' "$log")
	nok=$(grep -cE '^not ok ' "$log")
	passed=$((passed + ok))
	failed=$((failed + nok))
	if [ "$rc" -ne 0 ] && [ "$nok" -eq 0 ]; then
		echo "  [$name] not ok - exited with status $rc (log: $log)"
		echo "[$name] exited with status $rc" >>"$failures"
		failed=$((failed + 1))
	elif [ "$ok" -eq 0 ] && [ "$nok" -eq 0 ]; then
		echo "  [$name] not ok - ran no test point (log: $log)"
		echo "[$name] ran no test point" >>"$failures"
		failed=$((failed + 1))
	fi
	if [ "$rc" -ne 0 ] || [ "$nok" -ne 0 ]; then
		echo "  --- last lines of $log"
		tail -n 25 "$log" | sed 's/^/  | /'
	fi
}

# check NAME CMD...: one test point, passing when CMD exits 0.
check() {
	local name=$1; shift
	local log="$logs/${name//[\/ ]/_}.log"
	if "$@" >"$log" 2>&1; then
		echo "  ok - $name"
		passed=$((passed + 1))
	else
		echo "  not ok - $name (log: $log)"
		echo "not ok - $name" >>"$failures"
		tail -n 25 "$log" | sed 's/^/  | /'
		failed=$((failed + 1))
	fi
}

# The guest image (make image: minutes when not cached) builds while rings 0
# and 1 run, which mostly use one core or wait on timed fuzzing; the VM ring
# boots it and waits for it. CHECK_IMAGE=image comes from make check.
image_pid=
if [ "${CHECK_IMAGE:-}" = image ]; then
	echo "# the guest image builds meanwhile (log: $logs/image.log)"
	scripts/image/build.sh >"$logs/image.log" 2>&1 &
	image_pid=$!
fi

ring "0: kernel code (guest kernel ${KVER:-?})"
kbuild_clean() {
	local kdir=/usr/src/linux-headers-$KVER out
	make -s -C "$kdir" M="$top/kmod" clean || return 1
	out=$(make -s -C "$kdir" M="$top/kmod" W=1 C=1 modules 2>&1)
	rc=$?
	echo "$out"
	[ $rc -eq 0 ] && ! grep -qiE 'warning|error' <<<"$out"
}
check "kmod builds with W=1, sparse (C=1) clean" kbuild_clean
# common/proto is userspace only (C11, -Werror): kernel style does not apply.
for f in $(git ls-files -co --exclude-standard 'kmod/*.[ch]' 'include/enlighten/*.h' \
		'common/*.[ch]' 'tests/vm/kmod/*.[ch]' | grep -v '\.mod\.c$' | grep -v '^common/proto/' | sort -u); do
	# Wire headers and common/ also compile in userspace, which has no
	# __packed/__aligned macros: the attribute is spelled out there.
	case $f in kmod/*|tests/vm/kmod/*) ign= ;; *) ign=--ignore=PREFER_DEFINED_ATTRIBUTE_MACRO ;; esac
	check "checkpatch $f" perl build/linux-src/scripts/checkpatch.pl \
		--no-tree -f --quiet --show-types $ign "$f"
done

ring "1: Python lint (pyflakes over tests/ and scripts/)"
# Every Python file, by its name or its #! line: an unused name, an
# undefined one or a shadowed import is a point that fails. Debian's own
# python3 runs it: python3-pyflakes installs the module for that one.
# (The fuzz corpora's thousands of inputs are data: reading a line of each
# took minutes.)
for f in $(git ls-files -co --exclude-standard tests scripts ':!tests/fuzz/regress' | sort -u); do
	case $f in
	*.py) ;;
	*) [ -f "$f" ] && head -n 1 "$f" | grep -q '^#!.*python' || continue ;;
	esac
	check "pyflakes $f" /usr/bin/python3 -m pyflakes "$f"
done

ring "1: unit tests (plain and ASan/UBSan)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
for b in meson asan; do
	for t in $(find "build/$b/tests/unit" -type f -name 'test-*' -perm -u+x 2>/dev/null | sort); do
		run_tap "$b/$(basename "$t")" "$t"
	done
done

ring "1: desktop bridge (Xvfb + xclip, weston + wl-clipboard)"
run_tap desktop tests/desktop/run.sh

ring "1: fuzz targets, briefly (make fuzz FUZZ_SECONDS=N for longer)"
# tests/fuzz/run.sh keeps the list of targets and says what each fuzzes.
fuzz_list=$(tests/fuzz/run.sh list)
while IFS=$'\t' read -r -u 3 t what; do
	check "fuzz: $what, ${FUZZ_SECONDS:-10} s" tests/fuzz/run.sh "$t"
done 3<<<"$fuzz_list"
# Every input that ever crashed a target, and a minimized corpus of long
# runs: replayed once each, deterministic (tests/fuzz/regress/).
while IFS=$'\t' read -r -u 3 t what; do
	check "fuzz regression corpus of $t replayed ($(find "tests/fuzz/regress/$t" -type f 2>/dev/null | wc -l) inputs)" \
		tests/fuzz/run.sh replay "$t"
done 3<<<"$fuzz_list"

ring "1: packaging (systemd units, udev rule, man pages, config docs)"
run_tap units tests/packaging/check-units.sh
run_tap docs tests/packaging/check-docs.sh
run_tap netnames tests/packaging/check-netnames.sh
# enl-status against fake sysfs trees (plain and ASan), modprobe.d and the
# initramfs hooks (the dracut module under a real dracut), dkms add/build/install for the guest kernel, then the
# Debian and RPM packages (check-install.sh installs, upgrades and purges
# check-deb.sh's enlighten-daemons in a chroot; check-rpm.sh compares with
# its .debs).
ring "1: packaging (enl-status, modprobe.d, dkms, deb, rpm, image clean-up)"
run_tap status tests/packaging/check-status.py
run_tap status-asan tests/packaging/check-status.py build/asan/tools/enl-status/enl-status
run_tap modprobe tests/packaging/check-modprobe.sh
run_tap initramfs tests/packaging/check-initramfs.sh
run_tap dkms tests/packaging/check-dkms.sh
run_tap deb tests/packaging/check-deb.sh
run_tap install tests/packaging/check-install.sh
run_tap rpm tests/packaging/check-rpm.sh
run_tap image-cleanup tests/packaging/check-image-cleanup.sh

if [ -n "$image_pid" ]; then
	ring "2: the guest image (scripts/image/build.sh, started at the beginning)"
	check "guest image built or up to date (make image)" wait "$image_pid"
	sed -n 's/^image: /  # image: /p' "$logs/image.log"
fi
if [ -x tests/vm/run.sh ]; then
	ring "2: VM tests (guest under enl-host, QEMU TCG)"
	run_tap vm tests/vm/run.sh
fi

echo "# every ring ran in $(elapsed)"
if [ -s "$failures" ]; then
	echo "# what failed:"
	sed 's/^/#   /' "$failures"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
