#!/usr/bin/env python3
"""VM ring, backup (VSS): enl-vssd in the guest freezes loop-mounted ext4 and
xfs under a writer, runs hooks in order, aborts on a failing hook and thaws
by itself when the host goes silent; driven by `enl-host ctl vss|backup`."""
import re
import sys
import time

from vmtest import run_suite, wait_until

HOOKS = '/etc/enlighten/vss.d'
# The guest's / is the initramfs (rootfs) and /tmp, /run are tmpfs: enl-vssd
# must skip them and freeze only the loop mounts below /mnt.
# /bin/mke2fs is e2fsprogs' (mkinitramfs.sh); busybox's applet in /sbin
# makes no ext4. Both need crc32c (metadata checksums), which busybox
# modprobe (no softdeps) does not load by itself.
FS = (('ext4', 'crc32c_generic ext4', '/bin/mke2fs -q -t ext4 -F /tmp/ext4.img', 64),
      ('xfs', 'crc32c_generic xfs', '/bin/mkfs.xfs -q -f /tmp/xfs.img', 320))


def wait_host(g, pattern, timeout=60):
    return g.wait_ctl(('vss',), pattern, timeout)


def counts(g, mounts):
    """How many lines each writer has written so far."""
    rc, out = g.sh(' '.join('cat /tmp/w_%s.n;' % m for m in mounts))
    return [int(x) for x in out.split()] if rc == 0 else []


def blocked(g, mounts, wait=2.0, timeout=30):
    """For "blocked while frozen": wait until every writer sleeps in the
    kernel (state D: its next append waits on the frozen file system; one
    that had appended just before the freeze may still count that line),
    then counts over a window, in which they must NOT move."""
    g.wait_sh(' && '.join('grep -q "^State:.D" /proc/$(cat /tmp/w_%s.pid)/status' % m
                          for m in mounts), timeout)
    a = counts(g, mounts)
    time.sleep(wait)
    b = counts(g, mounts)
    return a, b, [y > x for x, y in zip(a, b)]


def resuming(g, mounts, timeout=30):
    """Poll until every writer's count grew (a starved guest may take a
    while): (first counts, last counts, grew per mount)."""
    a = counts(g, mounts)
    b = wait_until(lambda: (lambda c: c if len(c) == len(a) and
                            all(y > x for x, y in zip(a, c)) else None)
                   (counts(g, mounts)), timeout, 0.5) or counts(g, mounts)
    return a, b, [y > x for x, y in zip(a, b)]


def vssd_conf(g, auto_thaw):
    g.sh('printf "[vss]\\nhooks-dir=%s\\nhook-timeout=5\\n'
         'auto-thaw-timeout=%d\\n" > /tmp/vss.conf' % (HOOKS, auto_thaw))


def stop_vssd(g):
    """Every enl-vssd gone (the daemon and its guard), so that the next
    one is the one the host talks to."""
    g.sh('killall enl-vssd')
    return g.wait_sh('! pidof enl-vssd', 30)


def start_vssd(g):
    g.sh('enl-vssd -f -c /tmp/vss.conf > /tmp/vssd.out 2>&1 &')
    return wait_host(g, r'^channel: ready')


def hook(g, name, fail=False):
    body = '#!/bin/sh\\necho "%s $*" >> /tmp/hooks.log\\n' % name
    if fail:
        body += '[ "$1" = freeze ] && exit 3\\n'
    g.sh('printf \'%s\' > %s/%s; chmod +x %s/%s' % (body, HOOKS, name, HOOKS, name))


def hooks_log(g):
    rc, out = g.sh('cat /tmp/hooks.log 2>/dev/null; : > /tmp/hooks.log')
    return [l.strip() for l in out.splitlines() if l.strip()]


def setup_mounts(g, t):
    mounts = []
    for name, mods, mkfs, mib in FS:
        rc, out = g.sh('modprobe loop; for m in %s; do modprobe $m; done; '
                       'dd if=/dev/zero of=/tmp/%s.img bs=1M count=0 seek=%d '
                       '2>/dev/null && %s && mkdir -p /mnt/%s && '
                       'mount -t %s -o loop /tmp/%s.img /mnt/%s'
                       % (mods, name, mib, mkfs, name, name, name, name), timeout=120)
        if rc:
            t.diag('no %s in this guest (%s): skipping it' % (name, out.strip()))
            continue
        mounts.append(name)
    return mounts


def start_writers(g, mounts):
    for m in mounts:
        # Line i is "i"; the count goes to tmpfs only after the write returned.
        g.sh('(i=0; while :; do i=$((i+1)); echo $i >> /mnt/%s/w.log; '
             'echo $i > /tmp/w_%s.n; sleep 0.05; done) > /dev/null 2>&1 & '
             'echo $! > /tmp/w_%s.pid' % (m, m, m))
    g.wait_sh(' && '.join('test -s /tmp/w_%s.n' % m for m in mounts))


def test_freeze_thaw(t, g, mounts):
    rc, out = g.ctl('vss', 'check')
    t.ok(rc == 0 and 'feature flags' in out, 'vss check answered', out)
    rc, out = g.ctl('vss', 'freeze')
    t.ok(rc == 0 and 'state: frozen' in out, 'vss freeze: guest frozen', out)
    t.diag(out.strip().splitlines()[1] if out.count('\n') > 1 else out)
    a, b, moving = blocked(g, mounts)
    t.ok(mounts and not any(moving),
         'writers block while frozen (%s: %s -> %s)' % (','.join(mounts), a, b))
    g.sh('rm -f /tmp/probe; (touch /mnt/%s/probe & echo $! > /tmp/probe.pid; wait; '
         'echo done > /tmp/probe) >/dev/null 2>&1 &' % mounts[0])
    # Judged once the touch sleeps in the kernel (state D), however long a
    # busy guest takes to get there; a touch that is not held ends instead.
    g.wait_sh('test -e /tmp/probe || grep -q "^State:.D" '
              '/proc/$(cat /tmp/probe.pid)/status', 30)
    rc, _ = g.sh('test -e /tmp/probe')
    t.ok(rc != 0, 'a new write to /mnt/%s blocks while frozen' % mounts[0])
    rc, out = g.sh('grep -c "froze" /tmp/vssd.out')
    t.ok(out.strip() == '0',
         'enl-vssd logs nothing while frozen (held in memory)', out)
    rc, out = g.sh('echo alive > /tmp/alive && cat /tmp/alive')
    t.ok(rc == 0 and 'alive' in out, 'tmpfs and the initramfs root stay writable')
    rc, out = g.ctl('vss', 'thaw')
    t.ok(rc == 0 and 'state: thawed' in out, 'vss thaw: guest thawed', out)
    t.ok(g.wait_sh('test -e /tmp/probe', 60), 'the blocked write completes after thaw')
    a, b, moving = resuming(g, mounts)
    t.ok(moving and all(moving), 'writers resume after thaw (%s -> %s)' % (a, b))
    rc, out = g.sh('grep -E "froze [0-9]+ file systems" /tmp/vssd.out | tail -n 1')
    m = re.search(r'froze (\d+) file systems', out)
    rc, log = g.sh('cat /tmp/vssd.out')
    t.ok(m and int(m.group(1)) == len(mounts),
         'held lines reach the log after thaw; exactly the %d loop mounts froze'
         % len(mounts), out + log)
    log = hooks_log(g)
    t.ok(log == ['10-first freeze', '20-second freeze', '20-second thaw',
                 '10-first thaw'],
         'hooks: freeze in name order, thaw in reverse', '\n'.join(log))


def test_backup(t, g, mounts):
    rc, out = g.ctl('backup')
    t.ok(rc == 0 and 'no disk copied' in out and 'state: thawed' in out,
         'backup (no --to): freeze, verified frozen, thaw', out)
    log = hooks_log(g)
    t.ok(len(log) == 4, 'backup ran the hooks once around the freeze', '\n'.join(log))
    a, b, moving = resuming(g, mounts)
    t.ok(moving and all(moving), 'writers run after backup')


def test_failing_hook(t, g, mounts):
    hook(g, '15-fails', fail=True)
    rc, out = g.ctl('vss', 'freeze')
    t.ok(rc != 0 and 'failed vss freeze' in out,
         'a failing hook fails the freeze', out)
    log = hooks_log(g)
    t.ok(log[:2] == ['10-first freeze', '15-fails freeze'] and
         '20-second freeze' not in log and '10-first freezefail' in log and
         log[-1] == '10-first freezefail',
         'hooks after the failing one do not run; earlier ones get freezefail',
         '\n'.join(log))
    rc, out = g.ctl('vss')
    t.ok('state: thawed' in out, 'host sees the guest thawed', out)
    a, b, moving = resuming(g, mounts)
    t.ok(moving and all(moving), 'writers keep running: nothing stayed frozen')
    g.sh('rm -f %s/15-fails' % HOOKS)


def test_auto_thaw(t, g, mounts):
    stop_vssd(g)
    vssd_conf(g, 5)
    ok, out = start_vssd(g)
    t.ok(ok, 'enl-vssd restarted with auto-thaw-timeout=5', out)
    rc, out = g.ctl('vss', 'freeze')
    t.ok(rc == 0, 'frozen; now the host goes silent', out)
    hooks_log(g)
    t0 = time.monotonic()
    before = counts(g, mounts)
    ok = g.wait_sh(' && '.join('[ $(cat /tmp/w_%s.n) -gt %d ]' % (m, n)
                                 for m, n in zip(mounts, before)), 60)
    t.ok(ok, 'auto-thaw fired: writers resumed %.1f s after the freeze, '
         'no thaw sent' % (time.monotonic() - t0))
    # enl-vssd thaws the file systems first (the writers move at once),
    # then runs the thaw hooks, then logs the auto-thaw: wait for the line
    # (after it, the hooks have run and the late thaw below is refused).
    ok = g.wait_sh('grep -q "thawed by ourselves" /tmp/vssd.out', 60)
    rc, out = g.sh('cat /tmp/vssd.out')
    t.ok(ok, 'enl-vssd reported the auto-thaw in its log', out)
    rc, out = g.ctl('vss', 'thaw')
    t.ok(rc != 0 and 'auto-thaw' in out,
         'the late thaw is answered with a failure (snapshot not consistent)', out)
    log = hooks_log(g)
    t.ok(log == ['20-second thaw', '10-first thaw'],
         'auto-thaw ran the thaw hooks', '\n'.join(log))


def test_timeout(t, g):
    g.sh('killall -STOP enl-vssd')
    t0 = time.monotonic()
    rc, out = g.ctl('vss', 'check', '--timeout', '3')
    el = time.monotonic() - t0
    # The default wait is 20 s: well under it, whatever the load.
    t.ok(rc == 1 and 'did not answer vss check within 3.0 s' in out and el < 18,
         'a silent guest: vss check fails after its timeout (%.1f s)' % el, out)
    g.sh('killall -CONT enl-vssd')
    last = ['']

    def check_ok():
        rc, last[0] = g.ctl('vss', 'check')
        return rc == 0
    t.ok(wait_until(check_ok, 30, 1), 'vss check works again once enl-vssd answers',
         last[0])


def test_data(t, g, mounts):
    g.sh('killall enl-vssd; kill $(cat /tmp/w_*.pid); true')
    # umount needs the writers gone (each append holds its file open).
    g.wait_sh('! { %s; }' % ' || '.join('kill -0 $(cat /tmp/w_%s.pid) 2>/dev/null' % m
                                          for m in mounts), 30)
    for m in mounts:
        rc, n = g.sh('cat /tmp/w_%s.n' % m)
        rc, out = g.sh('umount /mnt/%s && mount -t %s -o loop /tmp/%s.img /mnt/%s && '
                       'awk \'$1 != NR { bad = NR } END { print NR, bad + 0 }\' '
                       '/mnt/%s/w.log' % (m, m, m, m, m), timeout=60)
        f = out.split()
        t.ok(rc == 0 and len(f) == 2 and f[1] == '0' and
             int(f[0]) >= int(n.strip() or 0),
             '%s: after remount, %s lines 1..N, none lost or torn (last count %s)'
             % (m, f[0] if f else '?', n.strip()), out)


def run(t, g):
    t.ok(g.wait_sh('test -c /dev/vmbus/vss'), '/dev/vmbus/vss exists')
    mounts = setup_mounts(g, t)
    t.ok('ext4' in mounts, 'loop-mounted ext4 ready (also: %s)' %
         ','.join(m for m in mounts if m != 'ext4'))
    g.sh('mkdir -p %s; : > /tmp/hooks.log' % HOOKS)
    hook(g, '10-first')
    hook(g, '20-second')
    vssd_conf(g, 60)
    ok, out = start_vssd(g)
    t.ok(ok, 'enl-vssd negotiated with the host', out)
    start_writers(g, mounts)
    test_freeze_thaw(t, g, mounts)
    test_backup(t, g, mounts)
    test_failing_hook(t, g, mounts)
    test_timeout(t, g)
    test_auto_thaw(t, g, mounts)
    test_data(t, g, mounts)
    clean, bad = g.dmesg_clean()
    t.ok(clean, 'no oops/BUG/WARNING in the guest', bad)


if __name__ == '__main__':
    sys.exit(run_suite(('vss',), run))
