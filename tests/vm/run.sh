#!/bin/sh
# VM test ring: build the in-guest programs and the initramfs, then run every
# tests/vm/test_*.py (each boots its own guest under enl-host and prints TAP).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
mkdir -p "$top/build/vm"
"$here/build-guest.sh"
"$here/mkinitramfs.sh" "$top/build/vm/test.cpio.gz"
rc=0
for t in "$here"/test_*.py; do
	[ -n "${VMTESTS:-}" ] && case " $VMTESTS " in *" $(basename "$t" .py) "*) ;; *) continue ;; esac
	echo "# $(basename "$t")"
	start=$(date +%s)
	python3 "$t" || rc=1
	# CI's time budget is mostly this ring's: say where it goes.
	echo "# $(basename "$t") took $(($(date +%s) - start)) s"
done
exit $rc
