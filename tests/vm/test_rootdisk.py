#!/usr/bin/env python3
"""VM ring, root on the synthetic disk: the guest's root file system is an
ext4 image (tests/vm/mkrootdisk.sh: the test initramfs's files, labelled
enlroot) given as `enl-host run --disk`. With enl.root=LABEL=enlroot the
initramfs loads what packaging/initramfs.modules lists (what the
initramfs-tools hook and the dracut module put in an installed system's
initramfs: enl_vmbus, enl_storvsc), finds the disk and switches to it.
Checked: / is that ext4 on an sd disk of enl_storvsc, writable; after a
clean shutdown the host finds the image clean. Then the same image boots
as an emulated IDE disk (ata_piix, QEMU's -drive if=ide): root found there
too, and the file written in the first boot is intact (the
emulated-to-synthetic switch, backwards)."""
import os
import shutil
import subprocess
import sys
import tempfile

from vmtest import BUILD, TOP, Guest, GuestError, Tap

APPEND = 'enl.root=LABEL=enlroot'


def root_of(g):
    """(device, fs type) of / in the guest."""
    rc, out = g.sh("awk '$2 == \"/\" { d = $1; t = $3 } END { print d, t }' /proc/mounts")
    f = out.split()
    return (f[0], f[1]) if rc == 0 and len(f) == 2 else (None, None)


def driver_of(g, dev):
    rc, out = g.sh('p=$(readlink -f /sys/block/%s/device); h=${p%%/target*}; '
                   'cat /sys/class/scsi_host/${h##*/}/proc_name' % os.path.basename(dev))
    return out.strip() if rc == 0 else None


def shutdown(g):
    """Everything on the disk, / read-only, then off."""
    rc, out = g.sh('sync && mount -o remount,ro / && echo ro', timeout=120)
    g.poweroff()
    return 'ro' in out, out


def boot(t, what, **kw):
    try:
        g = Guest(offers=(), append=APPEND, **kw)
    except GuestError as e:
        t.ok(False, 'guest boots with root on %s' % what, str(e))
        return None
    t.ok(True, 'guest boots with root on %s (ready in %.1f s)' % (what, g.ready_s))
    return g


def synthetic(t, img):
    g = boot(t, 'the synthetic disk', disks=[img])
    if not g:
        return None
    try:
        dev, fs = root_of(g)
        drv = driver_of(g, dev) if dev else None
        t.ok(fs == 'ext4' and dev and dev.startswith('/dev/sd') and drv == 'enl_storvsc',
             '/ is ext4 on %s, a disk of %s' % (dev, drv), g.sh('cat /proc/mounts')[1])
        rc, out = g.sh('test -e /etc/enl-rootdisk && lsmod')
        t.ok(rc == 0 and 'enl_storvsc' in out and 'enl_vmbus' in out,
             'switched to the root disk; enl_vmbus and enl_storvsc loaded by the initramfs',
             out)
        rc, out = g.sh('dd if=/dev/urandom of=/marker bs=64k count=16 2>/dev/null && '
                       'sha256sum < /marker')
        want = out.split()[0] if rc == 0 and out.split() else None
        t.ok(want is not None, 'a file written to the root file system', out)
        ok, bad = g.dmesg_clean()
        t.ok(ok, 'no oops or warning in dmesg', bad)
        ok, out = shutdown(g)
        t.ok(ok, 'root remounted read-only for the shutdown', out)
        return want
    finally:
        g.close(keep=t.failed > 0)


def emulated(t, img, want):
    drive = 'file=%s,if=ide,index=0,media=disk,format=raw' % img
    g = boot(t, 'the same image as emulated IDE', qemu_args=['-drive', drive])
    if not g:
        return
    try:
        dev, fs = root_of(g)
        drv = driver_of(g, dev) if dev else None
        t.ok(fs == 'ext4' and drv == 'ata_piix',
             '/ is ext4 on %s, a disk of %s' % (dev, drv), g.sh('cat /proc/mounts')[1])
        rc, out = g.sh('sha256sum < /marker')
        t.ok(rc == 0 and want in out, 'the file from the synthetic boot is intact', out)
        shutdown(g)
    finally:
        g.close(keep=t.failed > 0)


def main():
    t = Tap()
    tmp = tempfile.mkdtemp(prefix='enl-rootdisk-')
    img = os.path.join(tmp, 'root.img')
    r = subprocess.run([os.path.join(TOP, 'tests', 'vm', 'mkrootdisk.sh'),
                        os.path.join(BUILD, 'vm', 'test.cpio.gz'), img],
                       capture_output=True, text=True)
    t.ok(r.returncode == 0, 'mkrootdisk.sh: an ext4 root image', r.stdout + r.stderr)
    want = synthetic(t, img) if r.returncode == 0 else None
    if want:
        r = subprocess.run(['e2fsck', '-fn', img], capture_output=True, text=True)
        t.ok(r.returncode == 0, 'the host finds the root image clean after the shutdown',
             r.stdout[-1500:] + r.stderr[-1500:])
        emulated(t, img, want)
    if t.failed:
        t.diag('image kept in %s' % tmp)
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return t.done()


if __name__ == '__main__':
    sys.exit(main())
