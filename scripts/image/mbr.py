#!/usr/bin/env python3
"""Make a raw disk bootable by BIOS without a loop device (make image):
write an MBR partition table with one Linux partition, GRUB's boot.img in
the MBR's code area, and GRUB's core.img in the gap between the MBR and the
partition, with the two pointers grub-bios-setup would patch:

- boot.img's kernel sector (offset 0x5c, LBA of core.img's first sector)
  and, as grub-bios-setup does for hard disks, the floppy check at 0x66
  turned into two NOPs so a BIOS passing a wrong drive number still works;
- core.img's first sector (diskboot.img) ends with a block list
  {u64 start, u16 sectors, u16 segment}: the rest of core.img, which
  follows contiguously.

Layouts: grub-core/boot/i386/pc/boot.S and diskboot.S (public GRUB source).
Usage: mbr.py DISK PART_START PART_SECTORS CORE_IMG BOOT_IMG"""
import struct
import sys

SECTOR = 512
KERNEL_SECTOR = 0x5c
DRIVE_CHECK = 0x66
BLOCKLIST = SECTOR - 12
PART_TABLE = 0x1be


def main():
    disk, start, count, core_path, boot_path = sys.argv[1:6]
    start, count = int(start), int(count)
    core = open(core_path, 'rb').read()
    boot = bytearray(open(boot_path, 'rb').read())
    if len(boot) != SECTOR or boot[510:512] != b'\x55\xaa':
        sys.exit('mbr: %s is not a 512-byte boot sector' % boot_path)
    nsec = (len(core) + SECTOR - 1) // SECTOR
    core_lba = 1
    if core_lba + nsec > start:
        sys.exit('mbr: core.img (%d sectors) does not fit before sector %d'
                 % (nsec, start))
    core = bytearray(core + b'\0' * (nsec * SECTOR - len(core)))
    _, _, seg = struct.unpack_from('<QHH', core, BLOCKLIST)
    if seg == 0:
        sys.exit('mbr: core.img has no block list where diskboot.img keeps it')
    struct.pack_into('<QHH', core, BLOCKLIST, core_lba + 1, nsec - 1, seg)

    struct.pack_into('<Q', boot, KERNEL_SECTOR, core_lba)
    boot[DRIVE_CHECK:DRIVE_CHECK + 2] = b'\x90\x90'
    # One bootable Linux (0x83) partition; CHS fields say "use LBA".
    entry = struct.pack('<B3sB3sII', 0x80, b'\xfe\xff\xff', 0x83,
                        b'\xfe\xff\xff', start, count)
    boot[PART_TABLE:PART_TABLE + 64] = entry + b'\0' * 48
    boot[510:512] = b'\x55\xaa'

    with open(disk, 'r+b') as f:
        f.seek(0)
        f.write(boot)
        f.seek(core_lba * SECTOR)
        f.write(core)
    print('mbr: partition 1 at sector %d (%d sectors), core.img %d sectors at '
          'LBA %d, block list segment 0x%x' % (start, count, nsec, core_lba, seg))


if __name__ == '__main__':
    main()
