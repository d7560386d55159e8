#!/usr/bin/env python3
"""Boot benchmark: the Debian 12 image of `make image`, time from enl-host's
start to the login prompt on ttyS0, twice in the same run:
  - the baseline: emulated devices only (SeaBIOS, the image's GRUB and
    kernel read through the emulated IDE disk, root on ata_piix);
  - enlightened: the image's kernel and initramfs booted directly, root on
    the synthetic disk (enl_storvsc), every integration service offered.
Each boot also reports when systemd's default target was reached (from
the guest's own clock: systemd-analyze). Prints seconds and the ratio of
enlightened to baseline. A scratch copy of the image is booted; the cached
image stays as built."""
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'vm'))
from imageguest import ImageGuest, build_image, copy_disk  # noqa: E402
from vmtest import GuestError  # noqa: E402


def one(disk, work, mode):
    emulated = ('-netdev', 'user,id=n0', '-device', 'e1000,netdev=n0',
                '-device', 'VGA') if mode == 'emulated' else ()
    g = ImageGuest(disk, mode, emulated=emulated, workdir=work)
    try:
        login = g.wait_login()
        g.connect()
        g.sh('systemctl is-system-running --wait', timeout=600)
        rc, out = g.sh('systemd-analyze time')
        g.send('systemctl poweroff')
        g.wait_exit()
        return login, out.strip().splitlines()[0] if out.strip() else '?'
    finally:
        g.close()


def main():
    ok, secs, out = build_image()
    if not ok:
        print(out)
        return 1
    print('image: ready in %.0f s (0 when cached)' % secs)
    work = tempfile.mkdtemp(prefix='enl-bench-boot-')
    try:
        disk = os.path.join(work, 'disk.img')
        copy_disk(disk)
        base, base_sd = one(disk, work, 'emulated')
        print('emulated (BIOS, GRUB, IDE):     login prompt after %6.1f s  (%s)' % (base, base_sd))
        enl, enl_sd = one(disk, work, 'synthetic')
        print('enlightened (root on storvsc):  login prompt after %6.1f s  (%s)' % (enl, enl_sd))
        print('ratio enlightened/emulated: %.2f' % (enl / base))
        return 0
    except GuestError as e:
        print('bench-boot: %s' % e)
        return 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
