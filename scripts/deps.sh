#!/bin/sh
# Install every Debian 12 package Enlighten needs to build, test and run.
# Idempotent and silent when everything is present.
set -eu

PKGS="build-essential pkg-config meson ninja-build bc bison flex kmod cpio
zstd xz-utils perl python3 python3-pyflakes sparse clang libclang-rt-14-dev
linux-headers-amd64 linux-source-6.1
qemu-system-x86 busybox-static e2fsprogs xfsprogs kexec-tools sg3-utils fio
iproute2 iperf3 iputils-ping ethtool linux-perf
libglib2.0-dev libsystemd-dev libnl-3-dev libnl-route-3-dev liburing-dev
libjson-glib-dev dbus-daemon
systemd dkms debhelper rpm groff-base man-db
dh-dkms lintian rpmlint mmdebstrap socat
libgtk-4-dev xvfb xclip weston wl-clipboard xwayland
libpng-dev libvncserver-dev vncsnapshot novnc chromium"

missing=""
for p in $PKGS; do
	# Installed means status "install ok installed"; anything else is missing.
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	[ "$st" = "install ok installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# kexec-tools is for the guest's initramfs (tests/vm/test_kexec.py): keep it
# from turning this machine's own reboots into kexecs.
echo "kexec-tools kexec-tools/load_kexec boolean false" | debconf-set-selections
# iperf3 is for the network tests and benchmark (tests/bench/net), run by
# hand: no iperf3 server daemon on this machine.
echo "iperf3 iperf3/start_daemon boolean false" | debconf-set-selections
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
