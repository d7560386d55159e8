#!/usr/bin/env python3
"""VM ring, chaos on the data devices: `enl-host ctl chaos` injects 300
random host faults (rescind and re-offer, corrupt rings, oversize and
garbage packets, malformed, dropped and delayed messages) into a SCSI
controller with 2 queues and a NIC with 2 queues, on 2 vCPUs, while a
writer and a reader loop on the disk and a ping loop on the NIC run.
Afterwards: the guest's shell answers, enl_storvsc and enl_netvsc are
bound to the devices the host offered again, no process is stuck in
uninterruptible sleep, no hung task, no oops, BUG or WARNING; and data
flows again: the devices came back as they were (the NIC with its MAC on
its TAP, which kept the host's address; the controller with its disk), a
write through the new disk is in the host's image file, and the host
answers ping over the new NIC.

ENL_CHAOS_SEED and ENL_CHAOS_COUNT change the run; the seed is in every
failure."""
import os
import sys
import tempfile
import hashlib
import re
import shutil
import time

from vmtest import run_suite, wait_until

TAP = 'enlt0'
HOST, GUEST = '10.0.79.1', '10.0.79.2'
MAC = '00:15:5d:4e:00:09'
SEED = int(os.environ.get('ENL_CHAOS_SEED', '20261202'))
COUNT = int(os.environ.get('ENL_CHAOS_COUNT', '300'))
INTERVAL_MS = 100
TMP = tempfile.mkdtemp(prefix='enl-chaosdev-')
IMG = os.path.join(TMP, 'disk0.img')


def bound(g):
    """(SCSI hosts of enl_storvsc, NICs of enl_netvsc) in the guest."""
    _, hosts = g.sh('grep -l "class=scsi " /sys/class/scsi_host/host*/enl_protocol '
                    '2>/dev/null | wc -l')
    _, nics = g.sh('for n in /sys/class/net/*; do basename $(readlink $n/device/driver) '
                   '2>/dev/null; done | grep -c "^enl_netvsc$"')
    return int(hosts.strip() or 0), int(nics.strip() or 0)


def run(t, g):
    tag = ' [seed %d]' % SEED
    t.diag('chaos seed %d, %d faults (ENL_CHAOS_SEED / ENL_CHAOS_COUNT)' % (SEED, COUNT))
    g.netns.tap_up(TAP, HOST + '/24')
    rc, out = g.sh('modprobe sd_mod && modprobe enl_storvsc && modprobe enl_netvsc')
    t.ok(rc == 0, 'sd_mod, enl_storvsc and enl_netvsc load', out)
    disk = wait_until(lambda: g.sh('ls /sys/block | grep -m1 "^sd"')[1].strip(), 60)
    rc, out = g.sh('ip link set eth0 up && ip addr add %s/24 dev eth0' % GUEST)
    pings = rc == 0 and g.wait_sh('ping -c 1 -W 2 %s' % HOST, 30)
    t.ok(bool(disk) and pings and bound(g) == (1, 1),
         'before: a disk on enl_storvsc, ping over enl_netvsc',
         g.sh('ls /sys/block; ip addr; dmesg | tail -20')[1])
    dev = '/dev/' + (disk or 'sda')
    # Loops that outlive their device: a failed dd or ping waits a little.
    # The writer looks first: dd makes a regular file where the node went.
    g.sh('rm -f /tmp/stop')
    g.sh('(while [ ! -e /tmp/stop ]; do [ -b %s ] && dd if=/dev/urandom of=%s bs=64k count=32 '
         'oflag=direct || sleep 0.5; dd if=%s of=/dev/null bs=64k count=32 iflag=direct || '
         'sleep 0.5; done) >/dev/null 2>&1 &' % (dev, dev, dev))
    g.sh('(while [ ! -e /tmp/stop ]; do ping -c 20 -i 0.05 -W 1 %s || sleep 0.5; done) '
         '>/dev/null 2>&1 &' % HOST)

    rc, out = g.ctl('chaos', '--seed', str(SEED), '--count', str(COUNT),
                    '--interval', str(INTERVAL_MS), '--classes', 'scsi,network')
    t.ok(rc == 0 and 'state running' in out, 'chaos started on scsi,network' + tag, out)
    t0 = time.monotonic()
    done = wait_until(lambda: 'state done' in g.ctl('chaos', 'status')[1],
                      COUNT * INTERVAL_MS / 1000 + 300, 2)
    rc, status = g.ctl('chaos', 'status')
    t.ok(done, '%d faults injected, then healed, in %.0f s%s'
         % (COUNT, time.monotonic() - t0, tag), status)
    t.diag(' '.join(status.split('\n')))

    rc, out = g.sh('true', timeout=30)
    t.ok(rc == 0, 'the guest shell answers' + tag, out)
    back = wait_until(lambda: bound(g) == (1, 1), 120, 2)
    t.ok(back, 'enl_storvsc and enl_netvsc bound the controller and the NIC the '
         'host offered again (%d, %d)%s' % (bound(g) + (tag,)),
         g.sh('dmesg | tail -30')[1])
    # Nothing left waiting on a device that went away. The loops stop
    # first: their dd on the disk that came back is in D while it writes.
    g.sh('touch /tmp/stop')
    stuck = ''
    for _ in range(3):
        _, stuck = g.sh("ps -o pid,stat,args | awk '$2 ~ /^D/'")
        if not stuck.strip():
            break
        time.sleep(10)
    t.ok(not stuck.strip(), 'no process stuck in uninterruptible sleep' + tag, stuck)
    _, hung = g.sh('dmesg | grep -c "blocked for more than"')
    t.ok(hung.strip() == '0', 'no hung task' + tag, g.sh('dmesg | tail -40')[1])
    data_after_heal(t, g, status, tag)
    clean, bad = g.dmesg_clean()
    t.ok(clean, 'no oops/BUG/WARNING in the guest' + tag, bad)


def data_after_heal(t, g, status, tag):
    """The devices came back as they were, and carry data."""
    g.sh('touch /tmp/stop')
    m = re.search(r'^reoffers (\d+)\nreoffer_failed (\d+)$', status, re.M)
    t.ok(m is not None and int(m.group(1)) > 0 and m.group(2) == '0',
         'every device taken away was offered again as it was%s (%s)'
         % (tag, m.group(0).replace('\n', ', ') if m else 'no counts'), status)
    rc, addr = g.netns.run('ip', '-4', 'addr', 'show', 'dev', TAP)
    t.ok(rc == 0 and HOST + '/24' in addr,
         'the TAP outlived its NIC, with the host\'s address on it' + tag, addr)
    _, nic = g.sh('for n in /sys/class/net/*; do [ "$(basename $(readlink $n/device/driver) '
                  '2>/dev/null)" = enl_netvsc ] && basename $n; done')
    nic = nic.strip().split('\n')[0]
    _, mac = g.sh('cat /sys/class/net/%s/address' % nic) if nic else (1, '')
    t.ok(mac.strip() == MAC, 'the NIC came back with its MAC (%s: %s)%s'
         % (nic, mac.strip(), tag))
    rc, out = g.sh('ip link set %s up && ip addr replace %s/24 dev %s' % (nic, GUEST, nic))
    ok = rc == 0 and g.wait_sh('ping -c 1 -W 2 %s' % HOST, 60)
    t.ok(ok, 'the host answers ping over it' + tag, out + g.sh('ip addr; dmesg | tail -20')[1])
    # Past the 2 MiB the writer loop used; sector-aligned, direct.
    off_blocks = 64
    disk = wait_until(lambda: g.sh('ls /sys/block | grep -m1 "^sd"')[1].strip(), 60)
    # A node of our own: the writer's dd, racing a rescind, may have left a
    # regular file at /dev/sdX, where devtmpfs then makes no node.
    rc, out = g.sh('rm -f /tmp/after.blk && mknod /tmp/after.blk b $(tr : " " < '
                   '/sys/block/%s/dev) && dd if=/dev/urandom of=/tmp/after.in bs=64k count=16 '
                   '2>/dev/null && dd if=/tmp/after.in of=/tmp/after.blk bs=64k seek=%d '
                   'oflag=direct conv=fsync 2>&1 && sha256sum < /tmp/after.in'
                   % (disk, off_blocks), timeout=120)
    want = out.split()[-2] if rc == 0 and len(out.split()) >= 2 else None
    with open(IMG, 'rb') as f:
        f.seek(off_blocks * 65536)
        got = hashlib.sha256(f.read(16 * 65536)).hexdigest()
    t.ok(disk and want == got,
         '1 MiB written to the disk after the heal (%s) is in the host\'s image%s'
         % (disk or 'none', tag), out)


def main():
    with open(IMG, 'wb') as f:
        f.truncate(128 << 20)
    try:
        return run_suite((), run, cpus=2, disks=(IMG + ',lun=0',),
                         nics=('tap=%s,mac=%s,queues=2' % (TAP, MAC),))
    finally:
        shutil.rmtree(TMP, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
