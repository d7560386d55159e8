#!/usr/bin/env bash
# packaging/dkms.conf, as users run it, as TAP: a copy of the DKMS source
# tree (packaging/dkms-source.sh) goes through dkms add, build and install
# for the guest kernel (build/kernel/kver: not the running one), then
# dkms remove. Checks:
#  - dkms.conf has a stanza for every module kmod/*/Kbuild builds, and its
#    version is the project's (meson.build);
#  - each module lands in /lib/modules/<kver>/updates/dkms with the guest
#    kernel's vermagic (that of its own in-tree modules);
#  - dkms remove takes them away again.
# dkms runs with --sourcetree/--dkmstree in a temporary directory, so
# /usr/src and /var/lib/dkms are not touched; what dkms install adds under
# /lib/modules/<kver> (updates/, depmod's files) and a signing key it
# generates in /var/lib/dkms are removed afterwards unless they were there.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
kver=${KVER:-$(cat "$top/build/kernel/kver" 2>/dev/null)}
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
diag() { sed 's/^/# /'; }

if [ -z "$kver" ] || [ ! -d "/lib/modules/$kver/build" ]; then
	echo "1..0 # SKIP no guest kernel headers (make kernel)"
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP dkms install needs root"
	exit 0
fi

conf=$top/packaging/dkms.conf
ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$conf")
name=$(sed -n 's/^PACKAGE_NAME="\(.*\)"$/\1/p' "$conf")
mods=$(sed -n 's/^obj-m[[:space:]]*+=[[:space:]]*\([a-z0-9_]*\)\.o$/\1/p' \
	"$top"/kmod/*/Kbuild | sort)
echo "1..$((4 + 2 * $(wc -w <<<"$mods")))"

# One version everywhere: meson.build, dkms.conf, debian/changelog, the spec.
projver=$(sed -n "s/^ *version *: *'\(.*\)',\$/\1/p" "$top/meson.build" | head -n1)
debver=$(sed -n '1s/^enlighten (\([^)-]*\).*/\1/p' "$top/packaging/debian/changelog")
rpmver=$(sed -n 's/^Version:[[:space:]]*//p' "$top/packaging/rpm/enlighten.spec")
if [ -n "$ver" ] && [ "$ver" = "$projver" ] && [ "$ver" = "$debver" ] && [ "$ver" = "$rpmver" ]; then
	ok "version $ver in meson.build, dkms.conf, debian/changelog and the RPM spec"
else
	nok "one version: meson.build '$projver', dkms.conf '$ver', debian/changelog '$debver', spec '$rpmver'"
fi

missing=""
for m in $mods; do
	grep -qE "^BUILT_MODULE_NAME\[[0-9]+\]=\"$m\"\$" "$conf" || missing="$missing $m"
done
if [ -n "$mods" ] && [ -z "$missing" ]; then
	ok "dkms.conf has a stanza for every module in kmod/*/Kbuild ($(echo $mods))"
else
	nok "dkms.conf has a stanza for every module in kmod/*/Kbuild (missing:$missing)"
fi

# Every worktree on a machine installs into the same
# /lib/modules/<kver>/updates/dkms and shares dkms's signing key: one run
# at a time, and what was there before is looked at only under the lock.
exec 9>"${ENL_DKMS_LOCK:-/run/lock/enlighten-check-dkms.lock}"
flock 9
tmp=$(mktemp -d)
mdir=/lib/modules/$kver
before=$(cd "$mdir" && ls -A)
mok_before=$(ls -d /var/lib/dkms /var/lib/dkms/mok.key /var/lib/dkms/mok.pub 2>/dev/null)
cleanup() {
	dkms --sourcetree "$tmp/src" --dkmstree "$tmp/dkms" \
		remove -m "$name" -v "$ver" --all >/dev/null 2>&1
	# Whatever dkms install and its depmod left in /lib/modules/<kver>.
	for f in $(cd "$mdir" && ls -A); do
		grep -qxF "$f" <<<"$before" || rm -rf "${mdir:?}/$f"
	done
	for f in /var/lib/dkms/mok.key /var/lib/dkms/mok.pub; do
		grep -qxF "$f" <<<"$mok_before" || rm -f "$f"
	done
	grep -qxF /var/lib/dkms <<<"$mok_before" || rmdir /var/lib/dkms 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

d() { dkms --sourcetree "$tmp/src" --dkmstree "$tmp/dkms" "$@"; }
"$top/packaging/dkms-source.sh" "$tmp/src/$name-$ver"
mkdir -p "$tmp/dkms"
log=$tmp/dkms.log
installed=0
if d add -m "$name" -v "$ver" >"$log" 2>&1 &&
	d build -m "$name" -v "$ver" -k "$kver" >>"$log" 2>&1 &&
	d install -m "$name" -v "$ver" -k "$kver" >>"$log" 2>&1; then
	ok "dkms add, build, install -k $kver (running kernel: $(uname -r))"
	installed=1
else
	nok "dkms add, build, install -k $kver"
	diag <"$log"
	find "$tmp/dkms" -name make.log -exec tail -n 20 {} \; | diag
fi

# The vermagic the guest kernel expects: that of any of its own modules.
ref=$(find "$top/build/kernel/$kver/lib/modules/$kver/kernel" -name '*.ko' | head -n1)
want=$(modinfo -F vermagic "$ref" 2>/dev/null)
for m in $mods; do
	ko=$(find "$mdir/updates/dkms" -name "$m.ko*" 2>/dev/null | head -n1)
	if [ -n "$ko" ]; then
		ok "$m installed as ${ko#"$mdir/"}"
	else
		nok "$m installed under $mdir/updates/dkms"
		nok "$m vermagic (not installed)"
		continue
	fi
	got=$(modinfo -F vermagic "$ko")
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		ok "$m vermagic '$got' is the guest kernel's"
	else
		nok "$m vermagic '$got' is the guest kernel's ('$want', from $ref)"
	fi
done

d remove -m "$name" -v "$ver" --all >"$log" 2>&1
left=$(find "$mdir/updates/dkms" -name 'enl_*' 2>/dev/null)
if [ "$installed" = 1 ] && [ -z "$left" ] && [ -z "$(d status 2>/dev/null)" ]; then
	ok "dkms remove --all takes the modules away"
else
	nok "dkms remove --all takes the modules away"
	{ cat "$log"; echo "$left"; d status; } | diag
fi
