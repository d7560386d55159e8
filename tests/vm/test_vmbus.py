#!/usr/bin/env python3
"""VM ring, VMBus end to end: enl_vmbus in a Debian guest against enl-host."""
import re
import sys

from vmtest import SLAB_EXACT, kmalloc_objects, run_suite

SYSBUS = '/sys/bus/enl_vmbus/devices'


def guest_devices(g):
    """{class_id: relid} of the devices the guest sees."""
    rc, out = g.sh('for d in %s/*; do echo "$(cat $d/class_id) $(cat $d/relid)"; done'
                   % SYSBUS)
    devs = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2:
            devs[parts[0].lower()] = parts[1]
    return devs


def host_devices(g):
    rc, out = g.ctl('devices')
    return rc, out


def test_basics(t, g):
    t.diag('boot to agent ready: %.2f s' % g.ready_s)
    rc, out = g.sh('test -d /sys/module/enl_vmbus')
    t.ok(rc == 0, 'enl_vmbus is loaded in the guest')
    hrc, hout = host_devices(g)
    t.ok(hrc == 0, 'enl-host ctl devices answers', hout)
    gdev = guest_devices(g)
    host_classes = set(m.lower() for m in re.findall(
        r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}', hout))
    missing = [c for c in gdev if c not in host_classes]
    t.ok(gdev and not missing,
         'every guest device has a class GUID the host offered (%d devices)' % len(gdev),
         'guest: %r\nhost:\n%s' % (gdev, hout))
    ok = g.wait_sh('test -c /dev/vmbus/echo')
    t.ok(ok, '/dev/vmbus/echo exists')
    # Our own alias namespace: "vmbus:<class>" would make udev load the
    # in-tree hv_* driver for an Enlighten device.
    rc, out = g.sh('for d in %s/*; do cat $d/modalias; grep ^MODALIAS= $d/uevent; done'
                   % SYSBUS)
    aliases = out.split()
    t.ok(rc == 0 and aliases and all(a.startswith(('enl_vmbus:', 'MODALIAS=enl_vmbus:'))
                                     and re.search(r'enl_vmbus:[0-9a-f]{32}$', a)
                                     for a in aliases),
         'every device announces an enl_vmbus:<class> modalias (%d)' % len(aliases), out)
    rc, gver = g.sh('cat /sys/bus/enl_vmbus/version 2>/dev/null || '
                    'cat /sys/module/enl_vmbus/parameters/version 2>/dev/null')
    hrc, hver = g.ctl('version')
    gv = gver.strip()
    t.ok(rc == 0 and gv and gv in hver,
         'negotiated version agrees: guest %s' % gv, 'host: %s' % hver)


def test_echo(t, g):
    rc, out = g.sh('enl-echo -n 100000 -s 7', timeout=900)
    t.ok(rc == 0, 'echo: 100000 packets of 1-4000 bytes, every byte checked', out)
    for line in out.splitlines():
        if line.startswith('echoed'):
            t.diag('echo throughput: ' + line)


def test_chardev(t, g):
    """The /dev/vmbus contract, checked in the guest by a kselftest program;
    its TAP points are relayed one by one."""
    rc, out = g.sh('enl-chardev', timeout=120)
    points = re.findall(r'^(ok|not ok) \d+ (.*)$', out, re.M)
    for verdict, name in points:
        t.ok(verdict == 'ok', 'chardev: %s' % name, out)
    t.ok(points and rc == 0, 'chardev: kselftest run passed (%d tests)' % len(points), out)


def test_pingpong(t, g):
    """Blocking round trips: each read sleeps until the host's SINT wakes it."""
    rc, out = g.sh('enl-pingpong 2000', timeout=300)
    t.ok(rc == 0, 'pingpong: 2000 blocking round trips, each woken by the host interrupt', out)
    for line in out.splitlines():
        if line.startswith('pingpong'):
            t.diag('interrupt round trip: ' + line)


def test_rescind(t, g):
    g.sh('rm -f /tmp/long.rc; (enl-echo -n 100000000 -s 9 > /tmp/long.out 2>&1; '
         'echo $? > /tmp/long.rc) >/dev/null 2>&1 &')
    # The rescind must find the echo running: wait for its open, not a
    # fixed time (a slow machine may not have opened it yet).
    g.wait_open('echo')
    hrc, hout = g.ctl('devices')
    m = re.search(r'^\s*(\d+)\s+echo\b', hout, re.M)
    relid = m.group(1) if m else None
    t.ok(relid is not None, 'host lists the echo relid', hout)
    rc, out = g.sh('test ! -e /tmp/long.rc')
    t.ok(rc == 0, 'the long echo is still running when the rescind comes')
    rrc, rout = g.ctl('rescind', relid or '0')
    t.ok(rrc == 0, 'host rescinds echo while the echo test runs', rout)
    finished = g.wait_sh('test -s /tmp/long.rc', 60)
    rc, out = g.sh('cat /tmp/long.rc /tmp/long.out')
    t.ok(finished and out.split()[:1] == ['3'],
         'the running echo ends with "device gone" (no hang)', out)
    gone = g.wait_sh('! test -e /dev/vmbus/echo', 60)
    t.ok(gone, '/dev/vmbus/echo disappears after rescind')
    orc, oout = g.ctl('offer', 'echo')
    t.ok(orc == 0, 'host re-offers echo', oout)
    back = g.wait_sh('test -c /dev/vmbus/echo', 60)
    t.ok(back, '/dev/vmbus/echo comes back')
    rc, out = g.sh('enl-echo -n 2000 -s 11', timeout=300)
    t.ok(rc == 0, 'echo works on the re-offered device', out)
    clean, bad = g.dmesg_clean()
    t.ok(clean, 'no oops/BUG/WARNING in the guest log', bad)


def unload_count(g):
    rc, out = g.ctl('stats')
    m = re.search(r'^unloads\s+(\d+)', out, re.M)
    return int(m.group(1)) if m else None, out


def open_counts(g):
    rc, out = g.ctl('stats')
    gp = re.search(r'^gpadls\s+(\d+)', out, re.M)
    opened = len(re.findall(r'^channel \d+ \S+ open\b', out, re.M))
    return (int(gp.group(1)) if gp else None, opened, out)


def test_load_unload(t, g, cycles=50):
    # One warm-up cycle so caches that grow once are not counted as leaks.
    # Counted once the devices are back, as after the cycles below: a
    # count taken while they were still being set up would miss theirs.
    g.sh('rmmod enl_vmbus && modprobe enl_vmbus')
    g.wait_sh('test -c /dev/vmbus/echo')
    before_slab = kmalloc_objects(g)
    before_unloads, _ = unload_count(g)
    fails = []
    for i in range(cycles):
        rc, out = g.sh('rmmod enl_vmbus')
        if rc:
            fails.append('rmmod %d: %s' % (i, out))
            break
        gp, ch, sout = open_counts(g)
        if gp != 0 or ch != 0:
            fails.append('after unload %d host holds gpadls=%s channels=%s' % (i, gp, ch))
        rc, out = g.sh('modprobe enl_vmbus')
        if rc:
            fails.append('modprobe %d: %s' % (i, out))
            break
    t.ok(not fails, '%d load/unload cycles, host holds no GPADL or channel after each' % cycles,
         '\n'.join(fails[:5]))
    after_unloads, sout = unload_count(g)
    t.ok(before_unloads is not None and after_unloads == before_unloads + cycles,
         'host saw UNLOAD each time (%s -> %s)' % (before_unloads, after_unloads), sout)
    g.wait_sh('test -c /dev/vmbus/echo')
    after_slab = kmalloc_objects(g)
    t.diag('kmalloc objects before %d after %d' % (before_slab, after_slab))
    t.ok(after_slab - before_slab < cycles,
         'kmalloc slab objects back where they started (delta %d over %d cycles)'
         % (after_slab - before_slab, cycles))
    rc, out = g.sh('cat /sys/module/enl_vmbus/refcnt')
    t.ok(rc == 0 and out.strip() == '0', 'enl_vmbus refcount is 0 when idle', out)


def echo_relid(g):
    rc, out = g.ctl('devices')
    m = re.search(r'^\s*(\d+)\s+echo\b', out, re.M)
    return m.group(1) if m else None


def test_faults(t, g):
    """Host misbehaves; the guest logs, disables at most that channel, lives on."""
    g.wait_sh('test -c /dev/vmbus/echo')
    relid = echo_relid(g)
    faults = [('bad-offer',), ('oversize',), ('bad-gpadl-created',)]
    for f in faults:
        frc, fout = g.ctl('fault', *f)
        alive, _ = g.sh('true', timeout=30)
        t.ok(frc == 0 and alive == 0, 'fault %s: guest keeps running' % ' '.join(f), fout)
    # A corrupt ring index while the channel is open: the guest must notice,
    # disable just that channel and carry on.
    g.sh('rm -f /tmp/c.rc; (enl-echo -n 100000000 -s 5 > /tmp/c.out 2>&1; '
         'echo $? > /tmp/c.rc) >/dev/null 2>&1 &')
    g.wait_open('echo')
    frc, fout = g.ctl('fault', 'corrupt-ring', relid or '0')
    t.ok(frc == 0, 'fault corrupt-ring %s accepted by the host' % relid, fout)
    ended = g.wait_sh('test -s /tmp/c.rc', 60)
    rc, out = g.sh('cat /tmp/c.rc /tmp/c.out')
    t.ok(ended and out.split()[:1] != ['0'],
         'echo on the corrupted channel fails instead of hanging', out)
    rc, out = g.sh('cat %s/*/ring_corrupt; dmesg | grep -c "ring buffer corrupt: channel"'
                   % SYSBUS)
    f = out.split()
    t.ok(rc == 0 and len(f) == 2 and int(f[0]) >= 1 and int(f[1]) >= 1,
         'guest logged the corrupt ring, disabled that channel and counted it', out)
    rc, out = g.sh('dmesg | grep -i enl_vmbus | tail -n 20')
    t.diag(out)
    alive, _ = g.sh('true', timeout=30)
    t.ok(alive == 0, 'guest keeps running after ring corruption')
    clean, bad = g.dmesg_clean()
    t.ok(clean, 'no oops/BUG/WARNING after fault injection', bad)


def run(t, g):
    for fn in (test_basics, test_echo, test_chardev, test_pingpong, test_rescind,
               test_load_unload, test_faults):
        fn(t, g)
    status = g.poweroff(0)
    t.ok(status == 0, 'guest powers off and enl-host exits with its status (%s)' % status,
         g.logs())


if __name__ == '__main__':
    sys.exit(run_suite(('echo',), run, append=SLAB_EXACT))
