# Shared by check-deb.sh and check-rpm.sh (sourced): run a package's
# maintainer script or scriptlet the way dpkg/rpm would, on a system that
# runs systemd, and record which system commands it runs.
#
# The script runs unchanged in a private mount namespace where
# /run/systemd/system exists (so its "is systemd running?" tests pass);
# systemctl, deb-systemd-invoke, deb-systemd-helper, udevadm and dkms are
# found first in PATH as recorders that log their arguments to $calls and
# succeed, because the real ones would act on this build machine ("dkms
# status" answers that the module is there, as after an installation).

# scripts_setup DIR: recorders in DIR/bin, log in DIR/calls.
scripts_setup() {
	sdir=$1
	mkdir -p "$sdir/bin"
	for c in systemctl deb-systemd-invoke deb-systemd-helper udevadm dkms; do
		printf '#!/bin/sh\necho "%s $*" >>"%s/calls"\n' "$c" "$sdir" >"$sdir/bin/$c"
		[ "$c" = dkms ] && printf '[ "$1" = status ] && echo "enlighten/0.1.0: added"\n' \
			>>"$sdir/bin/$c"
		echo 'exit 0' >>"$sdir/bin/$c"
		chmod +x "$sdir/bin/$c"
	done
	calls=$sdir/calls
}

# run_script SCRIPT ARGS...: run it with a fresh log, under sh $script_flags
# (-e, as dpkg runs maintainer scripts; rpm's scriptlets run without); prints
# the log.
script_flags=-e
run_script() {
	local script=$1; shift
	: >"$calls"
	ENL_SH_FLAGS=$script_flags unshare --mount --propagation private sh -c '
		mount -t tmpfs tmpfs /run/systemd 2>/dev/null ||
			{ mkdir -p /run/systemd && mount -t tmpfs tmpfs /run/systemd; } || exit 99
		mkdir -p /run/systemd/system
		PATH=$0:$PATH exec sh $ENL_SH_FLAGS "$@"' "$sdir/bin" "$script" "$@" \
		>/dev/null 2>&1
	cat "$calls"
}
