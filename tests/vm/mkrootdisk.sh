#!/bin/sh
# A root disk for the VM guest: the test initramfs's files in an ext4
# image labelled enlroot, marked with /etc/enl-rootdisk. Booted with
# enl.root=LABEL=enlroot, tests/vm/init loads packaging/initramfs.modules
# from the initramfs, mounts this disk and switches to it.
# Usage: mkrootdisk.sh INITRAMFS.cpio.gz OUT.img [SIZE_MB]
set -eu
in=$(readlink -f "$1")
out=$2
size=${3:-256}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
(cd "$dir" && gzip -dc "$in" | cpio -id --quiet)
# The kexec test's kernel and initramfs are no root file system's business.
rm -rf "$dir/boot"
: >"$dir/etc/enl-rootdisk"
mkdir -p "$dir/newroot"
rm -f "$out"
mke2fs -q -F -t ext4 -L enlroot -d "$dir" "$out" "${size}M" >/dev/null
