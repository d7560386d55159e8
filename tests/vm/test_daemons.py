#!/usr/bin/env python3
"""VM ring, integration daemons I: enl-heartbeatd (heartbeat + shutdown),
enl-timesyncd and enl-kvpd in the guest against enl-host's services over VMBus."""
import re
import sys
import time

from vmtest import GuestError, run_suite, wait_until

OFFERS = ('heartbeat', 'shutdown', 'timesync', 'kvp')


def field(out, name):
    m = re.search(r'^%s: (.*)$' % re.escape(name), out, re.M)
    return m.group(1).strip() if m else None


def wait_host(g, verb, name, want, timeout=60):
    """Poll `enl-host ctl verb` until field `name` reads `want`."""
    return g.wait_ctl((verb,), r'^%s: %s$' % (re.escape(name), re.escape(want)), timeout)


# The clock enl-host serves the guest (steady: see vmtest.Guest), read on
# this side; test_timesync sets it from `ctl time`.
host_now = time.time


def steady_clock(g):
    """enl-host's steady clock as a function: wall - monotonic at its
    switch (from `ctl time`) plus this side's monotonic clock."""
    rc, out = g.ctl('time')
    m = re.search(r'^host clock: steady, wall - monotonic ([0-9.]+) s$', out, re.M)
    if rc or not m:
        raise GuestError('enl-host serves no steady clock: ' + out)
    base = float(m.group(1))
    return lambda: base + time.monotonic()


def wall_steps():
    """How far this machine's wall clock has moved against its monotonic
    clock (s): what a host serving its wall clock would pass on."""
    return time.time() - time.monotonic()


def guest_offset(g, tries=15, good=0.003, at=False):
    """Guest CLOCK_REALTIME minus host time, from the sample with the
    smallest agent round trip; (offset s, uncertainty s), and with at the
    host time it was taken. On a loaded machine a round trip can take
    100 ms: sample until one is within good (after 3) or tries run out,
    and let checks allow for err."""
    best = None
    for n in range(tries):
        if best and n >= 3 and best[1] <= good:
            break
        t0 = host_now()
        rc, out = g.sh('enl-now')
        t1 = host_now()
        if rc:
            raise GuestError('enl-now failed: ' + out)
        off = float(out.strip()) - (t0 + t1) / 2
        if best is None or t1 - t0 < best[1] * 2:
            best = (off, (t1 - t0) / 2, (t0 + t1) / 2)
    return best if at else best[:2]


def test_heartbeat(t, g):
    g.sh('echo "[heartbeat]" > /tmp/hb.conf; '
         'echo "health-check=/bin/test -e /tmp/healthy" >> /tmp/hb.conf; '
         'echo "health-interval=1" >> /tmp/hb.conf; '
         # No shutdown service here: heartbeats must not depend on it.
         'echo "shutdown-channel=/dev/vmbus/no-such-service" >> /tmp/hb.conf; '
         'touch /tmp/healthy')
    g.sh('enl-heartbeatd -f -c /tmp/hb.conf > /tmp/hb.log 2>&1 &')
    ok, out = wait_host(g, 'heartbeat', 'state', 'ok')
    t.ok(ok, 'heartbeat: host sees the guest as ok (no shutdown channel: heartbeats only)',
         out)
    g.sh('rm /tmp/healthy')
    ok, out = wait_host(g, 'heartbeat', 'state', 'unhealthy')
    t.ok(ok, 'heartbeat: a failing health-check is reported as unhealthy', out)
    g.sh('touch /tmp/healthy')
    ok, out = wait_host(g, 'heartbeat', 'state', 'ok')
    t.ok(ok, 'heartbeat: healthy again once the check passes', out)
    g.sh('killall -9 enl-heartbeatd')
    ok, out = wait_host(g, 'heartbeat', 'state', 'lost')
    t.ok(ok, 'heartbeat: reported lost after the daemon is killed', out)
    g.sh('enl-heartbeatd -f -c /tmp/hb.conf > /tmp/hb2.log 2>&1 &')
    ok, out = wait_host(g, 'heartbeat', 'state', 'ok')
    rc, log = g.sh('cat /tmp/hb.log /tmp/hb2.log')
    t.ok(ok, 'heartbeat: ok again after the daemon restarts', out + log)


def fake_chronyd(g):
    """Any user can name a process chronyd: nobody runs one."""
    g.sh('grep -q "^nobody:" /etc/passwd || '
         'echo "nobody:x:65534:65534:nobody:/:/bin/sh" >> /etc/passwd; chmod 755 /; '
         'printf "#!/bin/sh\\nwhile :; do sleep 1; done\\n" > /tmp/chronyd; '
         'chmod 755 /tmp/chronyd; '
         'su nobody -s /bin/sh -c "/tmp/chronyd > /dev/null 2>&1 &"')
    # su returns once its shell has forked the loop into the background,
    # which may be before that child has exec'd /tmp/chronyd (stop 34's
    # CI run looked too early): wait for the name to appear.
    rc, out = g.sh('for i in $(seq 100); do '
                   'grep -l "^chronyd$" /proc/[0-9]*/comm && exit 0; '
                   'sleep 0.1; done; exit 1')
    return rc == 0


def ts_log(g):
    rc, log = g.sh('cat /tmp/ts.log')
    return log


def reported_offset(g, timeout):
    """Wait for the host to show the guest's own report (over KVP) of
    an offset within 50 ms; (guest - host in ms or None, reply)."""
    pat = r'^guest offset: ([-+][0-9.]+) ms .*\(guest report over KVP\)$'
    val = [None]

    def near():
        rc, out = g.ctl('time')
        m = re.search(pat, out, re.M)
        val[0] = float(m.group(1)) if m else None
        near.out = out
        return val[0] is not None and abs(val[0]) < 50
    near.out = ''
    wait_until(near, timeout, 1)
    return val[0], near.out


def test_timesync(t, g):
    global host_now
    host_now = steady_clock(g)
    wall0 = wall_steps()
    try:
        timesync_points(t, g)
    finally:
        host_now = time.time
        # Left on record: the steady clock is there because such steps
        # failed these points once (a 440 ms lag, stop 24's CI run).
        t.diag('this machine\'s wall clock moved %+.1f ms against its monotonic '
               'clock during the time sync points' % ((wall_steps() - wall0) * 1e3))


def timesync_points(t, g):
    t.ok(fake_chronyd(g), 'timesync: user nobody runs a process named chronyd')
    # Report the offset into the KVP guest pool every 2 s (enl-kvpd runs).
    g.sh('printf "[timesync]\\nreport-interval=2\\n" > /tmp/ts.conf')
    g.sh('enl-timesyncd -f -v -c /tmp/ts.conf > /tmp/ts.log 2>&1 &')
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        rc, out = g.ctl('time')
        if 'syncs' in out and re.search(r'syncs [1-9]', out):
            break
        time.sleep(0.5)
    t.ok(re.search(r'syncs [1-9]', out or '') is not None,
         'timesync: host sent SYNC when the guest opened the channel', out)
    off, err = guest_offset(g)
    t.diag('after the initial SYNC: guest - host = %+.1f ms (+/- %.1f)'
           % (off * 1e3, err * 1e3))
    t.ok(abs(off) < 0.5, 'timesync: guest clock within 0.5 s of the host after SYNC')

    # A 10 s skew: beyond the step threshold, stepped once.
    rc, out = g.ctl('time', 'shift', '10000')
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        off, err = guest_offset(g)
        if abs(off - 10.0) < 0.05:
            break
        time.sleep(1)
    rc, log = g.sh('cat /tmp/ts.log')
    steps = len(re.findall(r'stepped', log))
    t.diag('10 s skew: residual %+.2f ms (+/- %.1f) after %d step(s)'
           % ((off - 10.0) * 1e3, err * 1e3, steps))
    t.ok(abs(off - 10.0) - err < 0.05 and steps >= 1,
         'timesync: 10 s host skew corrected by a step (residual %+.1f ms +/- %.1f)'
         % ((off - 10.0) * 1e3, err * 1e3), log)
    t.ok('NTP daemon disciplines' not in log,
         'timesync: a process named chronyd does not switch host sync off', log)

    # The guest's own offset reaches the host: version 4 has no field for
    # it, so the guest reports it in its KVP pool (enumerated every 10 s).
    val, out = reported_offset(g, 60)
    line = re.search(r'^guest offset: (.*)$', out, re.M)
    t.ok(val is not None and 'version 4.0' in out,
         'timesync: v4: the host shows the guest\'s offset as the guest '
         'reported it over KVP (%s)' % (line.group(1) if line else None), out)
    rc, out = g.sh('enl-kvp --pool 1 get EnlightenTimeSync')
    t.ok(rc == 0 and 'offset_ns=' in out,
         'timesync: the report is a pair in the guest pool', out)

    # A 50 ms skew: slewed, never stepped.
    rc, log = g.sh('cat /tmp/ts.log')
    steps_before = len(re.findall(r'stepped', log))
    rc, out = g.ctl('time', 'shift', '10050')
    start = time.monotonic()
    residual = None
    while time.monotonic() - start < 150:
        time.sleep(5)
        off, err = guest_offset(g)
        residual = off - 10.05
        if abs(residual) < 0.005:
            break
    # Judged on a fresh best measurement, not the loop's last sample.
    off, err = guest_offset(g)
    residual = off - 10.05
    rc, log = g.sh('cat /tmp/ts.log')
    steps_after = len(re.findall(r'stepped', log))
    t.diag('50 ms skew: residual %+.2f ms (+/- %.1f) after %.0f s of slewing'
           % (residual * 1e3, err * 1e3, time.monotonic() - start))
    t.ok(steps_after == steps_before, 'timesync: a 50 ms skew is slewed, not stepped', log)
    t.ok(abs(residual) - err < 0.01,
         'timesync: 50 ms skew converged (residual %+.1f ms +/- %.1f)'
         % (residual * 1e3, err * 1e3))

    # Delivery delay: the daemon is stopped for 2 s while the host's SYNC
    # waits in the ring. Version 4 stamps it with the reference counter,
    # which the guest reads (ENL_VMBUS_IOC_REFTIME) when it handles it.
    log = ts_log(g)
    delays = len(re.findall(r'delay [0-9]', log))
    syncs_before = len(re.findall(r'stepped clock by', log))
    g.sh('killall -STOP enl-timesyncd')
    rc, out = g.ctl('time', 'sync')
    time.sleep(2)
    g.sh('killall -CONT enl-timesyncd')
    ok = wait_until(lambda: re.search(r'delay (\d+)\.\d+ ms', ts_log(g)[-4000:]) and
                    len(re.findall(r'delay [0-9]', ts_log(g))) > delays, 30, 0.5)
    log = ts_log(g)
    late = [float(d) for d in re.findall(r'delay (\d+\.\d+) ms', log)][delays:]
    t.ok(ok and late and max(late) > 1500,
         'timesync: v4: the SYNC that waited 2 s in the ring measured its '
         'delay from the reference time (%s ms)' % (max(late) if late else None), log)
    off, err = guest_offset(g)
    big = [float(x) for x in
           re.findall(r'stepped clock by ([-+][0-9.]+) s', log)[syncs_before:]
           if abs(float(x)) > 0.1]
    t.ok(abs(off - 10.05) - err < 0.05 and not big,
         'timesync: v4: the 2 s delivery delay cancelled, no step back '
         '(residual %+.1f ms +/- %.1f)' % ((off - 10.05) * 1e3, err * 1e3), log)

    # A drifting host clock: 1500 ppm (3 ms every 2 s), more than the
    # kernel's 500 ppm single-shot slews can follow. The frequency
    # discipline (tick + frequency) must take it over.
    rc, out = g.ctl('time', 'drift', '1500')
    t0 = host_now()
    t.ok(rc == 0 and 'host drift: +1500 ppm' in out, 'timesync: host clock drifts 1500 ppm',
         out)
    # Judged only on measurements certain to 10 ms: the old code lags
    # 45 ms and more by then, and a vague measurement must not hide it.
    # On a loaded machine a round trip under 20 ms is rare (half of it is
    # the uncertainty): more samples per look, and looks go on past 120 s
    # until one certain measurement exists (the drift keeps running).
    best = None
    while host_now() - t0 < 120 or (best is None and host_now() - t0 < 400):
        time.sleep(5)
        if host_now() - t0 < 45:
            continue
        off, err, when = guest_offset(g, tries=40, at=True)
        residual = off - (10.05 + 1500e-6 * (when - t0))
        if err < 0.01 and (best is None or abs(residual) < abs(best[0])):
            best = (residual, err)
        if best and abs(best[0]) - best[1] < 0.005:
            break
    best = best or (float('inf'), 0.0)
    log = ts_log(g)
    freqs = re.findall(r'frequency correction ([-+][0-9.]+) ppm', log)
    t.diag('1500 ppm drift: residual %+.2f ms (+/- %.1f) after %.0f s; corrections %s'
           % (best[0] * 1e3, best[1] * 1e3, host_now() - t0, freqs[-5:]))
    t.ok(abs(best[0]) - best[1] < 0.005,
         'timesync: 1500 ppm host drift followed within 5 ms after 45 s '
         '(residual %+.1f ms +/- %.1f)' % (best[0] * 1e3, best[1] * 1e3), log)
    t.ok(freqs and abs(float(freqs[-1]) - 1500) < 150,
         'timesync: the frequency correction is near 1500 ppm (%s)'
         % (freqs[-1] if freqs else None), log)
    g.ctl('time', 'drift', '0')

    # A real NTP daemon, as the kernel sees one: STA_UNSYNC cleared.
    rc, out = g.sh('enl-ntpstate sync')
    t.ok(rc == 0, 'timesync: the kernel clock marked synchronized (adjtimex)', out)
    # The kernel sets STA_UNSYNC again once the maximum error it keeps
    # growing passes 16 s; an NTP daemon keeps it small.
    rc, out = g.sh('sleep 2; enl-ntpstate state')
    t.ok(rc == 0 and out.strip() == 'sync',
         'timesync: and still synchronized 2 s later (maximum error set, as ntpd and chronyd do)',
         out)
    rc, out = g.ctl('time', 'shift', '20000')
    ok = g.wait_sh('grep -q "NTP daemon disciplines" /tmp/ts.log', 60)
    off, err = guest_offset(g)
    rc, log = g.sh('cat /tmp/ts.log')
    t.ok(ok and abs(off - 10.05) < 1.0,
         'timesync: with the kernel clock synchronized by NTP, hands off '
         '(offset stays %+.2f s, host shifted to 20 s)' % off, log)
    g.sh('enl-ntpstate unsync')


def host_kvp(g, *args, want=None, timeout=60):
    """`enl-host ctl kvp ...`, repeated until the output holds `want`:
    the host answers from what it last saw and asks the guest again."""
    deadline = time.monotonic() + timeout
    while True:
        rc, out = g.ctl('kvp', *args)
        if want is None or (rc == 0 and want in out) or time.monotonic() > deadline:
            return rc, out
        time.sleep(0.5)


def test_kvp(t, g):
    # A NIC for the address report: a dummy link with a documentation address.
    g.sh('modprobe dummy; ip link add enl0 type dummy && '
         'ip addr add 192.0.2.10/24 dev enl0 && ip link set enl0 up')
    g.sh('enl-kvpd -f > /tmp/kvp.log 2>&1 &')
    rc, out = host_kvp(g, 'set', 'HostKey', 'hello from the host')
    t.ok(rc == 0, 'kvp: host sets a pair in the external pool', out)
    ok = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not ok:
        rc, out = g.sh('enl-kvp --pool 0 get HostKey')
        ok = rc == 0 and out.strip() == 'hello from the host'
        time.sleep(0.5)
    t.ok(ok, 'kvp: the guest reads the host\'s pair (pool 0)', out)
    rc, out = g.sh('enl-kvp --pool 1 set GuestKey "gr\xc3\xbc\xc3\x9fe aus dem Gast"')
    t.ok(rc == 0, 'kvp: the guest sets a pair in its pool with enl-kvp', out)
    rc, out = host_kvp(g, 'get', 'GuestKey', want='aus dem Gast')
    t.ok('aus dem Gast' in out, 'kvp: the host reads the guest\'s pair (UTF-8 <-> UTF-16)', out)
    rc, uname = g.sh('uname -r')
    rc, out = host_kvp(g, 'list', '--pool', '2', want=uname.strip())
    t.ok(uname.strip() in out and 'OSName' in out and 'FullyQualifiedDomainName' in out,
         'kvp: the auto pool (OS name, FQDN, kernel) is visible on the host', out)
    t.ok('192.0.2.10' in out, 'kvp: the auto pool reports the guest\'s IPv4 address', out)
    rc, mac = g.sh('cat /sys/class/net/enl0/address')
    mac = mac.strip()
    deadline = time.monotonic() + 60
    while True:
        rc, out = g.ctl('ip', 'get', mac)
        if '192.0.2.10' in out or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    t.ok('192.0.2.10' in out, 'kvp: GET_IP_INFO for the guest NIC answers its address', out)
    rc, out = host_kvp(g, 'delete', 'HostKey')
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        rc2, gout = g.sh('enl-kvp --pool 0 get HostKey')
        if rc2 != 0:
            break
        time.sleep(0.5)
    t.ok(rc == 0 and rc2 != 0, 'kvp: a host delete removes the pair in the guest', gout)
    rc, log = g.sh('cat /tmp/kvp.log')
    t.diag(log[-1500:])


def test_shutdown(t, g):
    # The old daemon must be gone (its channels closed: one opener at a
    # time) before the new one opens them, and the new one's shutdown
    # channel ready before the request: the heartbeat state alone can
    # still read ok from the old daemon, or come before shutdown's
    # negotiation.
    g.sh('killall enl-heartbeatd')
    g.wait_sh('! pidof enl-heartbeatd', 60)
    wait_host(g, 'heartbeat', 'state', 'lost')
    g.sh('enl-heartbeatd -f > /tmp/hb3.log 2>&1 &')
    wait_host(g, 'heartbeat', 'state', 'ok')
    g.wait_ctl(('shutdown', 'status'), r'^channel: ready', 60)
    rc, out = g.ctl('shutdown')
    t.ok(rc == 0, 'shutdown: host requests a power off', out)
    try:
        status = g.proc.wait(60)
    except Exception:
        status = None
    t.ok(status == 0, 'shutdown: the guest powers off cleanly (enl-host exit %s)' % status,
         g.logs())


def run(t, g):
    for fn in (test_heartbeat, test_kvp, test_timesync, test_shutdown):
        fn(t, g)


if __name__ == '__main__':
    sys.exit(run_suite(OFFERS, run))
