#!/bin/sh
# Fetch the guest kernel: Debian 12's newest linux-image-<abi>-<flavour>-unsigned,
# unpacked (dpkg -x) under build/kernel/<kver>/, never installed into /boot,
# plus the matching linux-headers package to build our modules against.
# Usage: guest-kernel.sh [flavour]   (amd64 | cloud-amd64; default amd64)
# Prints the kernel release (e.g. 6.1.0-56-amd64) on stdout.
set -eu

flavour=${1:-amd64}
top=$(cd "$(dirname "$0")/.." && pwd)
cache="$top/build/kernel"
mkdir -p "$cache"

# The meta package names the current ABI; ask the archive, not the host.
kver=$(apt-cache depends "linux-headers-$flavour" 2>/dev/null |
	sed -n "s/^ *Depends: linux-headers-\(.*-$flavour\)\$/\1/p" | head -n1)
if [ -z "$kver" ]; then
	echo "guest-kernel: cannot resolve linux-headers-$flavour (apt-get update?)" >&2
	exit 1
fi

root="$cache/$kver"
if [ ! -f "$root/.done" ]; then
	tmp=$(mktemp -d "$cache/dl.XXXXXX")
	(cd "$tmp" && apt-get download -qq -o APT::Sandbox::User=root "linux-image-$kver-unsigned" >&2) || {
		echo "guest-kernel: apt-get download linux-image-$kver-unsigned failed" >&2
		rm -rf "$tmp"; exit 1; }
	rm -rf "$root"
	dpkg -x "$tmp"/linux-image-"$kver"-unsigned_*.deb "$root"
	rm -rf "$tmp"
	depmod -b "$root" "$kver"
	touch "$root/.done"
fi

if [ ! -d "/usr/src/linux-headers-$kver" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "guest-kernel: linux-headers-$kver missing (run as root)" >&2
		exit 1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		"linux-headers-$kver" >/dev/null
fi
ln -sfn "$kver" "$cache/current-$flavour"
echo "$kver"
