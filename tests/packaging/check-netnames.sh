#!/usr/bin/env bash
# packaging/netnames/enl-keep-netnames against a made-up sysfs, as TAP: an
# emulated NIC's name is pinned to its MAC for the synthetic drivers too;
# other drivers, kernel names, random addresses and MACs a .link file
# already matches are left alone; a second run changes nothing.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
script=$top/packaging/netnames/enl-keep-netnames
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); echo "not ok $n - $*"; }
check() {	# check DESCRIPTION CMD...
	local d=$1; shift
	if "$@"; then ok "$d"; else nok "$d"; fi
}

sys=$tmp/sys
links=$tmp/network
mkdir -p "$sys/bus/pci/drivers" "$links"
nic() {	# nic NAME DRIVER MAC [TYPE [ADDR_ASSIGN_TYPE]]
	local d=$sys/devices/pci0000:00/$1 c=$sys/class/net/$1
	mkdir -p "$d" "$sys/bus/pci/drivers/$2" "$sys/class/net"
	ln -s "../../../bus/pci/drivers/$2" "$d/driver"
	mkdir -p "$c"
	ln -s "$d" "$c/device"
	echo "$3" >"$c/address"
	echo "${4:-1}" >"$c/type"
	echo "${5:-0}" >"$c/addr_assign_type"
}
nic ens3 e1000 52:54:00:AA:BB:01
nic enp0s4 tulip 00:15:5d:00:00:02
nic enp0s5 virtio_net 52:54:00:aa:bb:03
nic eth1 e1000 52:54:00:aa:bb:04
nic enp0s6 e1000 52:54:00:aa:bb:05 1 3
nic enp0s7 8139too 52:54:00:aa:bb:06 772
nic enp0s8 e1000e 52:54:00:aa:bb:07
mkdir -p "$sys/class/net/lo"
printf '[Match]\nMACAddress=52:54:00:AA:BB:07\n[Link]\nName=lan0\n' >"$links/50-admin.link"

echo "1..8"
out=$(ENL_SYSFS=$sys ENL_LINK_DIR=$links sh "$script" 2>&1)
rc=$?
check "runs and exits 0" [ $rc -eq 0 ]
echo "$out" | sed 's/^/# /'
want=$(printf '%s\n' 10-enlighten-enp0s4.link 10-enlighten-ens3.link 50-admin.link)
got=$(ls "$links")
check "a .link for the e1000 and the tulip NIC only (not virtio_net, eth1, a random address, a non-Ethernet or an admin's MAC)" \
	[ "$got" = "$want" ]
[ "$got" = "$want" ] || echo "# got: $got"
f=$links/10-enlighten-ens3.link
check "ens3's matches its MAC (lower case) and its driver or a synthetic one" \
	grep -qx 'MACAddress=52:54:00:aa:bb:01' "$f"
check "... Driver=e1000 enl_netvsc hv_netvsc" grep -qx 'Driver=e1000 enl_netvsc hv_netvsc' "$f"
check "... and names it ens3" grep -qx 'Name=ens3' "$f"
check "the files are 0644 and no temporary one is left" \
	[ "$(stat -c %a "$f")" = 644 -a -z "$(ls -A "$links" | grep '^\.')" ]
before=$(cat "$links"/*.link | md5sum)
ENL_SYSFS=$sys ENL_LINK_DIR=$links sh "$script" >/dev/null 2>&1
check "a second run changes nothing" [ "$(cat "$links"/*.link | md5sum)" = "$before" ]

# The udev rule starts the script only for the drivers the script acts on:
# the two lists must stay one.
rule=$top/packaging/udev/75-enlighten-netnames.rules
in_rule=$(sed -n 's/.*DRIVERS=="\([^"]*\)".*/\1/p' "$rule" | tr '|' '\n' | sort)
in_script=$(sed -n 's/^emulated="\(.*\)"$/\1/p' "$script" | tr ' ' '\n' | sort)
check "the udev rule's DRIVERS are the script's emulated drivers ($(echo $in_script))" \
	[ -n "$in_rule" -a "$in_rule" = "$in_script" ]
