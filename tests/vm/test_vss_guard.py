#!/usr/bin/env python3
"""VM ring, backup (issue 13): enl-vssd killed with -9 while the guest is
frozen leaves nothing frozen (its thaw guard thaws at once), the host says
"frozen, daemon gone" and, once enl-vssd is back, "thawed by guard"; a new
enl-vssd thaws only what its record lists; a mount hidden under an
over-mount is left out with a log line instead of failing the freeze."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from test_vss import (HOOKS, blocked, resuming,  # noqa: E402
                      setup_mounts, start_writers, vssd_conf, wait_host)
from vmtest import run_suite  # noqa: E402


def start_vssd_pid(g):
    """Start enl-vssd (its pid in /tmp/vssd.pid) until its channel is ready."""
    return g.start_daemon('enl-vssd -f -c /tmp/vss.conf >> /tmp/vssd.out 2>&1',
                          '/tmp/vssd.pid', ('vss',))


def stop_vssd_pid(g):
    """SIGTERM to the daemon; back once it is gone and the host has seen
    its channel close (a 'channel: ready' still showing would be the old
    daemon's)."""
    g.sh('kill $(cat /tmp/vssd.pid)')
    gone = g.wait_sh('! kill -0 $(cat /tmp/vssd.pid) 2>/dev/null', 60)
    closed, out = wait_host(g, r'^channel: (closed|negotiating)', 60)
    return gone and closed


def kill9_frozen(t, g, mounts):
    rc, out = g.ctl('vss', 'freeze')
    t.ok(rc == 0 and 'state: frozen' in out, 'vss freeze: guest frozen', out)
    a, b, moving = blocked(g, mounts, 1.0)
    t.ok(mounts and not any(moving), 'writers block while frozen (%s -> %s)' % (a, b))
    rc, rec = g.sh('cat /run/enlighten/enl-vssd.frozen')
    t.ok(rc == 0 and rec.startswith('frozen') and '/mnt/ext4' in rec,
         'the record under /run names what enl-vssd froze', rec)
    # The daemon only, not its guard (a fork, under the same name).
    rc, out = g.sh('kill -9 $(cat /tmp/vssd.pid)')
    t0 = time.monotonic()
    # In the background: a write to a frozen file system cannot be killed.
    g.sh('(echo after > /mnt/%s/after && sync /mnt/%s/after && touch /tmp/after_ok) '
         '> /dev/null 2>&1 &' % (mounts[0], mounts[0]))
    ok = g.wait_sh('test -e /tmp/after_ok', 35)
    took = time.monotonic() - t0
    t.ok(ok and took < 30, 'kill -9 of enl-vssd: writes go again after %.1f s '
         '(the guard thawed; auto-thaw is 60 s)' % took)
    a, b, moving = resuming(g, mounts)
    t.ok(moving and all(moving), 'every writer resumes (%s -> %s)' % (a, b))
    ok, out = wait_host(g, r'^state: frozen, daemon gone', 60)
    t.ok(ok, 'the host says: frozen, daemon gone', out)
    rc, rec = g.sh('cat /run/enlighten/enl-vssd.frozen')
    t.ok(rec.startswith('thawed-by-guard daemon-gone'),
         'the guard noted why it thawed', rec)
    ok, out = start_vssd_pid(g)
    t.ok(ok, 'enl-vssd starts again', out)
    ok, out = wait_host(g, r'^state: thawed by guard', 60)
    t.ok(ok, 'the host learns the truth: thawed by guard', out)
    rc, log = g.sh('cat /tmp/vssd.out')
    t.ok('died with file systems frozen' in log, 'the new enl-vssd logs it', log)
    rc, _ = g.sh('test -e /run/enlighten/enl-vssd.frozen')
    t.ok(rc != 0, 'the record is gone')


def foreign_freeze(t, g, mounts):
    """A freeze enl-vssd did not make is not its to thaw at start."""
    rc, _ = g.sh('command -v fsfreeze')
    if rc:
        t.diag('no fsfreeze in this guest: skipping the foreign-freeze check')
        return
    stop_vssd_pid(g)
    rc, out = g.sh('fsfreeze --freeze /mnt/%s' % mounts[0])
    t.ok(rc == 0, 'fsfreeze froze /mnt/%s' % mounts[0], out)
    ok, out = start_vssd_pid(g)
    g.sh('(touch /mnt/%s/foreign && touch /tmp/foreign_ok) > /dev/null 2>&1 &' % mounts[0])
    time.sleep(2)
    rc, _ = g.sh('test -e /tmp/foreign_ok')
    t.ok(ok and rc != 0, 'a new enl-vssd leaves a freeze of fsfreeze alone')
    g.sh('fsfreeze --unfreeze /mnt/%s' % mounts[0])


def hidden_mount(t, g):
    """ext4 on /mnt/hid/x, then a tmpfs over /mnt/hid: no path reaches the
    ext4 any more, and its mount point now opens the tmpfs."""
    rc, out = g.sh('dd if=/dev/zero of=/tmp/hid.img bs=1M count=0 seek=16 2>/dev/null && '
                   '/bin/mke2fs -q -t ext4 -F /tmp/hid.img && mkdir -p /mnt/hid/x && '
                   'mount -o loop /tmp/hid.img /mnt/hid/x && mount -t tmpfs none /mnt/hid')
    t.ok(rc == 0, 'ext4 on /mnt/hid/x hidden under a tmpfs on /mnt/hid', out)
    rc, out = g.ctl('vss', 'freeze')
    rc2, log = g.sh('cat /tmp/vssd.out')
    t.ok(rc == 0 and 'state: frozen' in out,
         'the freeze goes ahead without the hidden mount', out + log[-1500:])
    rc, out = g.ctl('vss', 'thaw')
    t.ok(rc == 0 and 'state: thawed' in out, 'and thaws', out)
    t.ok('not freezing /mnt/hid/x: hidden under the mount on /mnt/hid' in log,
         'enl-vssd names the hidden mount in its log', log[-1500:])
    g.sh('umount /mnt/hid; umount /mnt/hid/x')


def run(t, g):
    t.ok(g.wait_sh('test -c /dev/vmbus/vss'), '/dev/vmbus/vss exists')
    mounts = setup_mounts(g, t)
    t.ok('ext4' in mounts, 'loop-mounted ext4 ready (also: %s)' %
         ','.join(m for m in mounts if m != 'ext4'))
    g.sh('mkdir -p %s' % HOOKS)
    vssd_conf(g, 60)
    ok, out = start_vssd_pid(g)
    t.ok(ok, 'enl-vssd negotiated with the host', out)
    start_writers(g, mounts)
    kill9_frozen(t, g, mounts)
    foreign_freeze(t, g, mounts)
    hidden_mount(t, g)
    clean, bad = g.dmesg_clean()
    t.ok(clean, 'no oops/BUG/WARNING in the guest', bad)


if __name__ == '__main__':
    sys.exit(run_suite(('vss',), run))
