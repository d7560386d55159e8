#!/usr/bin/env bash
# The initramfs hooks, as TAP, run by the real tools of Debian 12 for the
# guest kernel: dracut-core and initramfs-tools-core, fetched with apt-get
# download and unpacked under build/initramfs (never installed: they would
# replace each other, and act on this machine's kernels). The module tree
# is the guest kernel's own modules (as symlinks) plus enl_vmbus where dkms
# installs it (updates/dkms). Checks:
#  - dracut, with only our module (packaging/dracut/90enlighten), packs
#    every module packaging/initramfs.modules lists (enl_vmbus,
#    enl_storvsc, enl_hid, enl_fb); a listed module dkms did not build
#    for the kernel (all but enl_vmbus left out of the tree) is skipped
#    without an error; without enl_vmbus for the kernel the module declines;
#  - the initramfs-tools hook, run with initramfs-tools' own
#    hook-functions (in a private mount namespace where they appear under
#    /usr/share/initramfs-tools, and the tree under /lib/modules/<kver>),
#    copies them all into the image tree, and nothing without enl_vmbus.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
kver=${KVER:-$(cat "$top/build/kernel/kver" 2>/dev/null)}
kroot=$top/build/kernel/$kver/lib/modules/$kver
ko=$top/kmod/vmbus/enl_vmbus.ko
stor_ko=$top/kmod/storvsc/enl_storvsc.ko
# Every module the list names, and where make modules built it.
listed=$(sed 's/#.*//' "$top/packaging/initramfs.modules" | xargs)
kos=
for m in $listed; do
	kos="$kos $(ls "$top"/kmod/*/"$m.ko" 2>/dev/null || echo "missing:$m")"
done
cache=$top/build/initramfs
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
# /lib/modules/<kver> exists once the guest kernel's headers are installed
# (its build link): the hook's run mounts the tree over it.
if [ -z "$kver" ] || [ ! -d "$kroot" ] || [ ! -f "$ko" ] || [ ! -f "$stor_ko" ] ||
	[ ! -d "/lib/modules/$kver" ] || [[ $kos == *missing:* ]]; then
	echo "1..0 # SKIP no guest kernel tree, headers, or a module of initramfs.modules ($kos) (make modules)"
	exit 0
fi
echo "1..6"
if [ ! -x "$cache/root/usr/bin/dracut" ] ||
	[ ! -f "$cache/root/usr/share/initramfs-tools/hook-functions" ]; then
	rm -rf "$cache" && mkdir -p "$cache"
	if (cd "$cache" && apt-get download -qq -o APT::Sandbox::User=root \
		dracut-core initramfs-tools-core) >"$cache/download.log" 2>&1; then
		for d in "$cache"/*.deb; do dpkg -x "$d" "$cache/root"; done
	else
		nok "dracut-core and initramfs-tools-core downloaded (apt-get download)"
		sed 's/^/# /' "$cache/download.log"
		exit 1
	fi
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The module tree: the guest kernel's (as symlinks) plus ours in updates/dkms.
mktree() {	# DIR [MODULE.ko...]: the modules dkms would have installed
	local dir=$1
	shift
	mkdir -p "$dir/lib/modules"
	cp -as "$kroot" "$dir/lib/modules/$kver"
	if [ $# -gt 0 ]; then
		mkdir -p "$dir/lib/modules/$kver/updates/dkms"
		cp "$@" "$dir/lib/modules/$kver/updates/dkms/"
	fi
	depmod -b "$dir" "$kver"
}
base=$cache/root/usr/lib/dracut
rm -rf "$base/modules.d/90enlighten"
cp -r "$top/packaging/dracut/90enlighten" "$base/modules.d/"
mkdir -p "$tmp/conf.d"
run_dracut() {	# TREE IMAGE
	ENL_INITRAMFS_MODULES=$top/packaging/initramfs.modules dracutbasedir=$base \
		bash "$cache/root/usr/bin/dracut" --conf /dev/null --confdir "$tmp/conf.d" \
		--no-hostonly --no-early-microcode -m enlighten --kver "$kver" \
		--kmoddir "$1/lib/modules/$kver" --tmpdir "$tmp" --no-compress --force "$2"
}

# shellcheck disable=SC2086
mktree "$tmp/with" $kos
if run_dracut "$tmp/with" "$tmp/with.img" >"$tmp/log" 2>&1; then
	ok "dracut -m enlighten builds an initramfs for $kver"
else
	nok "dracut -m enlighten builds an initramfs for $kver"
	tail -n 20 "$tmp/log" | sed 's/^/# /'
fi
list=$(cpio -it <"$tmp/with.img" 2>/dev/null)
has_all() {	# the listing in $1 holds every listed module
	local m
	for m in $listed; do
		grep -qE "lib/modules/$kver/updates/dkms/$m\.ko$" <<<"$1" || return 1
	done
}
if has_all "$list"; then
	ok "the image holds $listed"
else
	nok "the image holds $listed"
	grep -E 'enl_|\.ko' <<<"$list" | head | sed 's/^/# /'
fi

mktree "$tmp/bus-only" "$ko"
if run_dracut "$tmp/bus-only" "$tmp/bus-only.img" >"$tmp/log" 2>&1 &&
	cpio -it <"$tmp/bus-only.img" 2>/dev/null | grep -q 'enl_vmbus\.ko' &&
	! cpio -it <"$tmp/bus-only.img" 2>/dev/null | grep -qE 'enl_(storvsc|hid|fb)'; then
	ok "listed modules dkms did not build (enl_storvsc, enl_hid, enl_fb) are skipped without an error"
else
	nok "listed modules dkms did not build (enl_storvsc, enl_hid, enl_fb) are skipped without an error"
	tail -n 20 "$tmp/log" | sed 's/^/# /'
fi

mktree "$tmp/without"
if run_dracut "$tmp/without" "$tmp/without.img" >"$tmp/log" 2>&1 &&
	cpio -it <"$tmp/without.img" 2>/dev/null | grep -q enl_; then
	nok "without enl_vmbus for the kernel the module declines"
else
	ok "without enl_vmbus for the kernel the module declines"
fi
grep -i enlighten "$tmp/log" | head -n 3 | sed 's/^/# /'

# initramfs-tools: our hook with its real hook-functions, as mkinitramfs
# runs hooks (DESTDIR, version, CONFDIR, verbose exported).
run_hook() {	# TREE DEST
	local up=$tmp/up.$RANDOM
	mkdir -p "$up/upper/initramfs-tools/hooks" "$up/work" "$2" "$tmp/conf"
	cp -r "$cache/root/usr/share/initramfs-tools/." "$up/upper/initramfs-tools/"
	install -m 0755 "$top/packaging/initramfs-tools/hooks/enlighten" \
		"$up/upper/initramfs-tools/hooks/enlighten"
	ENL_INITRAMFS_MODULES=$top/packaging/initramfs.modules DESTDIR=$2 \
		version=$kver CONFDIR=$tmp/conf verbose=y \
		unshare --mount --propagation private sh -c '
		mount -t overlay overlay -o "lowerdir=/usr/share,upperdir=$0/upper,workdir=$0/work" \
			/usr/share || exit 99
		mount --bind "$1/lib/modules/$version" "/lib/modules/$version" || exit 98
		export DESTDIR version CONFDIR verbose ENL_INITRAMFS_MODULES
		exec sh /usr/share/initramfs-tools/hooks/enlighten' "$up" "$1"
}
if run_hook "$tmp/with" "$tmp/dest-with" >"$tmp/log" 2>&1 &&
	has_all "$(cd "$tmp/dest-with" && find . -name 'enl_*.ko')"; then
	ok "initramfs-tools hook copies $listed"
else
	nok "initramfs-tools hook copies $listed"
	{ cat "$tmp/log"; find "$tmp/dest-with" -type f; } | sed 's/^/# /'
fi
if run_hook "$tmp/without" "$tmp/dest-without" >"$tmp/log" 2>&1 &&
	[ -z "$(find "$tmp/dest-without" -type f)" ]; then
	ok "initramfs-tools hook adds nothing where enl_vmbus is not built"
else
	nok "initramfs-tools hook adds nothing where enl_vmbus is not built"
	{ cat "$tmp/log"; find "$tmp/dest-without" -type f; } | sed 's/^/# /'
fi
