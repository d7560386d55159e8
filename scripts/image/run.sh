#!/bin/sh
# `make run`: boot the Debian 12 image (`make image`) under enl-host with
# every device synthetic and every integration service offered:
#  - the root disk: the image's kernel and initramfs are read from its disk
#    (boot-files.sh) and booted directly; the disk itself is offered only
#    as a synthetic SCSI disk, so root comes from enl_storvsc (docs/image.md
#    says why not through the BIOS);
#  - the NIC: a synthetic NIC on TAP enl-run0, which this script makes
#    with an address of the host's on it and a DHCP server (busybox udhcpd)
#    that gives the guest the other, so the host reaches the guest;
#  - the display on the VNC console (127.0.0.1 only), keyboard and mouse;
#  - heartbeat, shutdown, timesync, kvp, vss and clipboard.
# The VM's disk, build/vm/image/disk.img, is a copy of the image that
# persists between runs; it is made afresh when the image is rebuilt (or
# when removed). Environment: ENL_OFFERS (the services), ENL_MEM, ENL_VNC
# (enl-host --vnc, default :10, port 5910), ENL_NET (the /24 of the TAP,
# default 10.42.0; ENL_NET=none: no NIC).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
img=$top/build/image/debian12.img
vm=$top/build/vm/image
disk=$vm/disk.img
ctl=$top/build/vm/ctl.sock
ttys1=$vm/ttyS1.sock
enl_host=$top/build/meson/host/enl-host
offers=${ENL_OFFERS:-heartbeat shutdown timesync kvp vss clipboard}
vnc=${ENL_VNC:-:10}
net=${ENL_NET:-10.42.0}
tap=enl-run0
mac=52:54:00:e1:7e:10
. "$top/build/image/image.env"
mkdir -p "$vm"
if [ ! -f "$disk" ] || [ "$img" -nt "$disk" ]; then
	echo "run: copying $img to $disk (this VM's disk from now on)"
	cp --sparse=always "$img" "$disk.new"
	mv "$disk.new" "$disk"
fi
"$top/scripts/image/boot-files.sh" "$disk" "$vm/boot"
set -- run --kernel "$vm/boot/vmlinuz" --initrd "$vm/boot/initrd.img" \
	--append "root=UUID=$ENL_IMAGE_UUID ro" --mem "${ENL_MEM:-1G}" \
	--disk "$disk" --serial2 "$ttys1" --ctl "$ctl" \
	--offer video --vnc "$vnc" --offer keyboard --offer mouse
for o in $offers; do
	set -- "$@" --offer "$o"
done

# The network: a TAP of the host's (made here, multi-queue as enl-host
# opens it, and removed at the end), $net.1 on it, and udhcpd handing
# $net.15 to the guest's MAC.
dhcpd=
netmsg="no NIC (ENL_NET=none)"
cleanup() {
	[ -z "$dhcpd" ] || kill "$dhcpd" 2>/dev/null || true
	ip link del "$tap" 2>/dev/null || true
}
if [ "$net" != none ] && [ "$(id -u)" -ne 0 ]; then
	netmsg="no NIC: making TAP $tap needs root (ENL_NET=none to silence this)"
	net=none
fi
if [ "$net" != none ]; then
	ip link del "$tap" 2>/dev/null || true
	ip tuntap add dev "$tap" mode tap multi_queue vnet_hdr
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	ip addr add "$net.1/24" dev "$tap"
	ip link set "$tap" up
	cat >"$vm/udhcpd.conf" <<CONF
start $net.15
end $net.15
interface $tap
lease_file $vm/udhcpd.leases
pidfile $vm/udhcpd.pid
static_lease $mac $net.15
option subnet 255.255.255.0
option lease 86400
CONF
	: >"$vm/udhcpd.leases"
	busybox udhcpd -f "$vm/udhcpd.conf" >"$vm/udhcpd.log" 2>&1 &
	dhcpd=$!
	set -- "$@" --nic "tap=$tap,mac=$mac,queues=2"
	netmsg="synthetic NIC (enl_netvsc) on host TAP $tap: the host is $net.1,
                          the guest gets $net.15 by DHCP (ping $net.15)"
fi
case $vnc in
:*) vncmsg="vncviewer 127.0.0.1::$((5900 + ${vnc#:}))   (port $((5900 + ${vnc#:})))" ;;
*) vncmsg="vncviewer $vnc" ;;
esac

cat <<MSG
enl-host: booting the Debian 12 image (kernel $ENL_IMAGE_KVER), every device
synthetic: root disk (enl_storvsc), display (enl_fb), keyboard and mouse
(enl_hid), $netmsg;
offered: $offers.
  serial console (ttyS0): this terminal; log in as root, password enlighten
  VNC console (tty1):     $vncmsg
                          (the same login; keys and pointer go to enl_hid)
  root shell (ttyS1):     socat -,raw,echo=0 UNIX-CONNECT:$ttys1
  control socket:         $enl_host ctl --ctl $ctl help
                          (devices, stats, heartbeat, kvp list, shutdown ...)
  in the guest:           enl-status    (is this VM enlightened?)
  leave:                  poweroff in the guest, or enl-host ctl ... shutdown
MSG
if [ -n "$dhcpd" ]; then
	# Not exec: the TAP and udhcpd are removed when enl-host ends.
	"$enl_host" "$@"
else
	exec "$enl_host" "$@"
fi
