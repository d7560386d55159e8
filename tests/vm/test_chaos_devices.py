#!/usr/bin/env python3
"""VM ring, chaos on the data devices: `enl-host ctl chaos` injects 300
random host faults (rescind and re-offer, corrupt rings, oversize and
garbage packets, malformed, dropped and delayed messages) into a SCSI
controller with 2 queues and a NIC with 2 queues, on 2 vCPUs, while a
writer and a reader loop on the disk and a ping loop on the NIC run.
Afterwards: the guest's shell answers, enl_storvsc and enl_netvsc are
bound to the devices the host offered again, no process is stuck in
uninterruptible sleep, no hung task, no oops, BUG or WARNING.

Not checked: data flowing after the heal. enl-host's chaos offers a
rescinded class again by name, which makes a new, empty device (a
controller without LUNs, a NIC with a new MAC and no TAP), not the one
it took away.

ENL_CHAOS_SEED and ENL_CHAOS_COUNT change the run; the seed is in every
failure."""
import os
import sys
import tempfile
import shutil
import time

from vmtest import run_suite, wait_until

TAP = 'enlt0'
HOST, GUEST = '10.0.79.1', '10.0.79.2'
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
    g.sh('(while :; do dd if=/dev/urandom of=%s bs=64k count=32 oflag=direct || sleep 0.5; '
         'dd if=%s of=/dev/null bs=64k count=32 iflag=direct || sleep 0.5; done) '
         '>/dev/null 2>&1 &' % (dev, dev))
    g.sh('(while :; do ping -c 20 -i 0.05 -W 1 %s || sleep 0.5; done) >/dev/null 2>&1 &'
         % HOST)

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
    # Nothing left waiting on a device that went away.
    stuck = ''
    for _ in range(3):
        _, stuck = g.sh("ps -o pid,stat,args | awk '$2 ~ /^D/'")
        if not stuck.strip():
            break
        time.sleep(10)
    t.ok(not stuck.strip(), 'no process stuck in uninterruptible sleep' + tag, stuck)
    _, hung = g.sh('dmesg | grep -c "blocked for more than"')
    t.ok(hung.strip() == '0', 'no hung task' + tag, g.sh('dmesg | tail -40')[1])
    clean, bad = g.dmesg_clean()
    t.ok(clean, 'no oops/BUG/WARNING in the guest' + tag, bad)


def main():
    with open(IMG, 'wb') as f:
        f.truncate(128 << 20)
    try:
        return run_suite((), run, cpus=2, disks=(IMG + ',lun=0',),
                         nics=('tap=%s,mac=00:15:5d:4e:00:09,queues=2' % TAP,))
    finally:
        shutil.rmtree(TMP, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
