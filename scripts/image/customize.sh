#!/bin/sh
# mmdebstrap customize hook for `make image` (scripts/image/build.sh): runs
# on the host with the image's root tree in $1 (proc, sys and dev mounted
# there), ENL_KVER and ENL_UUID in the environment. Installs Enlighten's
# packages as a user would (apt, so DKMS builds the modules for the image's
# kernel and the initramfs gets them), then configures boot and login.
set -eu
root=$1
kver=$ENL_KVER
uuid=$ENL_UUID
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 "$@"; }

# The initramfs: zstd (quicker to unpack than gzip under TCG); MODULES=most
# as Debian ships it, so the emulated boot (ata_piix) finds its root too.
mkdir -p "$root/etc/initramfs-tools/conf.d"
echo "COMPRESS=zstd" >"$root/etc/initramfs-tools/conf.d/enlighten-image.conf"

# Enlighten, from the packages packaging/build-deb.sh made.
debs=$(cd "$root" && ls tmp/enl/*.deb | sed 's|^|/|')
# shellcheck disable=SC2086
in_root apt-get install -y -q --no-install-recommends $debs
rm -rf "$root/tmp/enl"
# DKMS built every module its dkms.conf names for every kernel whose
# headers it found (the image has one).
mods=$(sed -n 's/^BUILT_MODULE_NAME\[[0-9]*\]="\(.*\)"$/\1/p' "$root"/usr/src/enlighten-*/dkms.conf)
[ -n "$mods" ] || { echo "customize: no BUILT_MODULE_NAME in enlighten's dkms.conf" >&2; exit 1; }
for m in $mods; do
	if ! ls "$root/lib/modules/$kver/updates/dkms/$m.ko"* >/dev/null 2>&1; then
		echo "customize: dkms did not build $m for $kver" >&2
		in_root dkms status >&2 || true
		exit 1
	fi
done
# The packages' own initramfs-tools hook (triggered by the installation)
# must have put what initramfs.modules lists in: no update-initramfs of ours.
for m in $(sed 's/#.*//' "$root/usr/share/enlighten/initramfs.modules"); do
	if ! in_root lsinitramfs "/boot/initrd.img-$kver" | grep -q "/$m\.ko"; then
		echo "customize: $m is not in the initramfs" >&2
		exit 1
	fi
done

# Root by UUID.
cat >"$root/etc/fstab" <<FSTAB
# <file system>	<mount point>	<type>	<options>	<dump>	<pass>
UUID=$uuid	/	ext4	errors=remount-ro	0	1
FSTAB
echo enl-guest >"$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tenl-guest\n' >"$root/etc/hosts"
# A known root password (the image is for tests and demos: docs/image.md).
echo 'root:enlighten' | in_root chpasswd

# Consoles. ttyS0 (COM1): systemd's getty generator starts a login prompt on
# the console= device. ttyS1 (COM2): a root shell without login for the
# host's tests; enl-host serves it only on a UNIX socket (--serial2), as
# Hyper-V serves COM ports only as named pipes on the host.
d=$root/etc/systemd/system/serial-getty@ttyS1.service.d
mkdir -p "$d"
cat >"$d/autologin.conf" <<'UNIT'
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin root --noclear --keep-baud 115200,57600,38400,9600 - $TERM
UNIT
in_root systemctl enable serial-getty@ttyS1.service

# Network: DHCP on whichever Ethernet link appears (e1000 or the synthetic
# NIC), so the configuration does not depend on the driver.
mkdir -p "$root/etc/systemd/network"
cat >"$root/etc/systemd/network/50-enl-dhcp.network" <<'NET'
[Match]
Type=ether

[Network]
DHCP=yes
NET
in_root systemctl enable systemd-networkd.service
# NetworkManager is here, disabled, for enl-kvpd's other backend (the one
# RHEL, Fedora and Ubuntu desktops run): test_switch stops networkd and
# starts it. Enabled next to networkd, both would manage the same links.
in_root systemctl disable NetworkManager.service NetworkManager-wait-online.service \
	NetworkManager-dispatcher.service
# Nothing waits for the network at boot.
in_root systemctl mask systemd-networkd-wait-online.service
# Timers that would only cost boot time under TCG.
for u in apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer \
	e2scrub_reap.service fstrim.timer man-db.timer dpkg-db-backup.timer; do
	in_root systemctl mask "$u" >/dev/null 2>&1 || true
done

# GRUB for BIOS: a core.img with everything it needs built in (no
# /boot/grub/i386-pc), reading /boot/grub/grub.cfg from partition 1.
# /vmlinuz and /initrd.img are the symlinks Debian's kernel packages keep
# pointing at the newest kernel, so a kernel upgrade in the guest boots.
for l in vmlinuz initrd.img; do
	[ -e "$root/$l" ] || ln -sfn "boot/$l-$kver" "$root/$l"
done
mkdir -p "$root/boot/grub"
cat >"$root/boot/grub/grub.cfg" <<CFG
# Written by Enlighten's scripts/image/customize.sh.
serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=1
search --no-floppy --fs-uuid --set=root $uuid
menuentry 'Debian GNU/Linux 12 (Enlighten image)' {
	linux /vmlinuz root=UUID=$uuid ro console=tty0 console=ttyS0,115200n8
	initrd /initrd.img
}
CFG
in_root grub-mkimage -O i386-pc -o /boot/enl-core.img -p '(hd0,msdos1)/boot/grub' \
	biosdisk part_msdos ext2 normal linux search search_fs_uuid configfile \
	serial terminal echo test gzio
