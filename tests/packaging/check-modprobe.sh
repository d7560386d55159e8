#!/usr/bin/env bash
# packaging/modprobe.d/enlighten.conf and the built-in check, as TAP,
# against the guest kernel's own module tree (build/kernel/<kver>):
#  - every in-tree module that needs hv_vmbus, and hv_vmbus itself, is
#    blacklisted and has an "install ... /bin/false" line;
#  - modprobe (with only our file as configuration) resolves each of the
#    file's modules to /bin/false, never to an insmod of it;
#  - packaging/check-builtin.sh stays quiet for the guest kernel (hv_vmbus
#    is a module there) and explains itself for one that has it built in;
#  - the initramfs-tools hook and the dracut module parse, and the module
#    list they read names modules that exist (in kmod/) or are planned.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
kver=${KVER:-$(cat "$top/build/kernel/kver" 2>/dev/null)}
kroot=$top/build/kernel/$kver
conf=$top/packaging/modprobe.d/enlighten.conf
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
if [ -z "$kver" ] || [ ! -f "$kroot/lib/modules/$kver/modules.dep" ]; then
	echo "1..0 # SKIP no guest kernel module tree (make kernel)"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
norm() { tr - _; }

# The in-tree Hyper-V stack of this kernel: hv_vmbus and whatever needs it.
stack=$( { echo hv_vmbus; grep -E ':.*/hv_vmbus\.ko' "$kroot/lib/modules/$kver/modules.dep" |
	cut -d: -f1 | xargs -n1 basename | sed 's/\.ko.*//'; } | norm | sort -u)
listed=$(sed -n 's/^install \([^ ]*\) \/bin\/false$/\1/p' "$conf" | norm | sort -u)
black=$(sed -n 's/^blacklist \([^ ]*\)$/\1/p' "$conf" | norm | sort -u)
echo "1..$((5 + $(wc -w <<<"$listed")))"

miss=$(comm -23 <(echo "$stack") <(echo "$listed") | tr '\n' ' ')
missb=$(comm -23 <(echo "$stack") <(echo "$black") | tr '\n' ' ')
if [ -z "$miss$missb" ]; then
	ok "every module of $kver's Hyper-V stack is blacklisted and installs /bin/false ($(wc -w <<<"$stack") modules)"
else
	nok "Hyper-V stack of $kver kept away (no install line: $miss; no blacklist: $missb)"
fi

for m in $listed; do
	out=$(modprobe -d "$kroot" -S "$kver" -C "$conf" --show-depends "$m" 2>&1)
	last=$(tail -n1 <<<"$out")
	if [ "$(echo $last)" = "install /bin/false" ] &&
		! grep -qE "insmod .*/${m//_/[-_]}\.ko" <<<"$out"; then
		ok "modprobe $m runs /bin/false instead of loading it"
	else
		nok "modprobe $m runs /bin/false instead of loading it"
		sed 's/^/# /' <<<"$out"
	fi
done

if ENL_ROOT=$kroot "$top/packaging/check-builtin.sh" "$kver" >"$tmp/out" 2>&1 && [ ! -s "$tmp/out" ]; then
	ok "check-builtin: quiet for $kver (hv_vmbus is a module there)"
else
	nok "check-builtin: quiet for $kver"
	sed 's/^/# /' "$tmp/out"
fi
mkdir -p "$tmp/lib/modules/9.9.9-builtin"
printf 'kernel/drivers/block/loop.ko\nkernel/drivers/hv/hv_vmbus.ko\n' \
	>"$tmp/lib/modules/9.9.9-builtin/modules.builtin"
if ENL_ROOT=$tmp "$top/packaging/check-builtin.sh" 9.9.9-builtin >"$tmp/out" 2>&1; then
	nok "check-builtin: exit 1 and a message when hv_vmbus is built in"
else
	if grep -q "hv_vmbus is built into kernel 9.9.9-builtin" "$tmp/out" &&
		grep -q "cannot" "$tmp/out"; then
		ok "check-builtin: exit 1 and a message when hv_vmbus is built in"
	else
		nok "check-builtin: the message says hv_vmbus is built in and cannot be replaced"
	fi
	sed 's/^/# /' "$tmp/out"
fi

if sh -n "$top/packaging/initramfs-tools/hooks/enlighten" &&
	bash -n "$top/packaging/dracut/90enlighten/module-setup.sh"; then
	ok "initramfs-tools hook and dracut module parse"
else
	nok "initramfs-tools hook and dracut module parse"
fi

# The list the hooks read: the bus, then root disk, keyboard and display.
mods=$(sed -n 's/^obj-m[[:space:]]*+=[[:space:]]*\([a-z0-9_]*\)\.o$/\1/p' "$top"/kmod/*/Kbuild)
list=$(sed 's/#.*//' "$top/packaging/initramfs.modules" | xargs)
if grep -qx enl_vmbus <<<"$mods" && [ "$list" = "enl_vmbus enl_storvsc enl_hid enl_fb" ]; then
	ok "initramfs.modules: $list (built today: $(echo $mods))"
else
	nok "initramfs.modules lists enl_vmbus, enl_storvsc, enl_hid, enl_fb (got: $list)"
fi
