#!/usr/bin/env python3
"""VM ring, KVP reliability (issue 13): a host SET in flight when enl-kvpd
dies is sent again, not lost; a guest whose pool never ends (the same key
at every index, or new keys forever) cannot starve queued host requests nor
grow the host's mirror past its caps; 5,000 host keys fit the default
max-records, and a full pool is named; a slow IP apply does not hold the
host's answer."""
import os
import re
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from vmtest import run_suite, wait_until  # noqa: E402


def ctl_line(g, line, timeout=30):
    """One request on enl-host's ctl socket as a plain line (no process per
    request: thousands of them take seconds); the reply text."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    s.connect(g.ctl_path)
    s.sendall(line.encode() + b'\n')
    out = b''
    while True:
        b = s.recv(65536)
        if not b:
            break
        out += b
    s.close()
    return out.decode(errors='replace')


def host_set(g, key, value):
    """kvp set, again while the host's queue (256) is full."""
    deadline = time.monotonic() + 120
    while True:
        out = ctl_line(g, 'kvp set %s %s' % (key, value))
        if 'error:' not in out or time.monotonic() > deadline:
            return out
        time.sleep(0.2)


def status(g):
    rc, out = g.ctl('kvp', 'status')
    return out


def counter(out, name):
    m = re.search(r'\b%s (\d+)' % re.escape(name), out)
    return int(m.group(1)) if m else -1


def start_kvpd(g, conf=None):
    return g.start_daemon('enl-kvpd -f %s >> /tmp/kvpd.log 2>&1'
                          % ('-c ' + conf if conf else ''), '/tmp/kvpd.pid',
                          ('kvp', 'status'))


def wait_closed(g):
    return g.wait_ctl(('kvp', 'status'), r'^channel: (closed|negotiating)', 60)


def stop_kvpd(g):
    g.sh('kill -9 $(cat /tmp/kvpd.pid) 2>/dev/null')
    wait_closed(g)


def pool0_count(g, prefix):
    rc, out = g.sh('enl-kvp --pool 0 list | grep -c "^%s"' % prefix)
    try:
        return int(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return -1


def inflight(t, g):
    ok, out = start_kvpd(g)
    t.ok(ok, 'enl-kvpd serves the host', out)
    # Stopped, the daemon leaves the host's SET in flight; then it dies.
    g.sh('kill -STOP $(cat /tmp/kvpd.pid)')
    out = host_set(g, 'Inflight', 'survived')
    t.ok('set queued' in out, 'host SET queued while enl-kvpd is stopped', out)
    ok, out = g.wait_ctl(('kvp', 'status'), r'queued 0\b', 60)
    t.ok(ok, 'the SET left the host queue (in flight)', out)
    stop_kvpd(g)
    ok, out = start_kvpd(g)
    got = wait_until(lambda: g.sh('enl-kvp --pool 0 get Inflight')[1].strip() == 'survived',
                     60)
    st = status(g)
    t.ok(got, 'kill -9 of enl-kvpd with a SET in flight: the pair arrives after the '
         'restart', st)
    t.ok(counter(st, 'resent') >= 1 and counter(st, 'lost') == 0,
         'the host counts it as resent, nothing lost', st)

    # A burst with a kill -9 in the middle: every pair arrives.
    n = 200
    for i in range(n):
        host_set(g, 'Burst%03d' % i, 'v%d' % i)
        if i == n // 2:
            stop_kvpd(g)
            start_kvpd(g)
    got = wait_until(lambda: pool0_count(g, 'Burst') == n, 120, 1)
    st = status(g)
    t.ok(got, 'a burst of %d SETs with enl-kvpd killed mid-way: all %d in the guest '
         '(%d)' % (n, n, pool0_count(g, 'Burst')), st)
    t.ok(counter(st, 'lost') == 0 and counter(st, 'dropped') == 0,
         'nothing lost or dropped', st)


def rogue(t, g, mode, probe):
    ok, out = g.start_daemon('enl-kvprogue %s >> /tmp/rogue-%s.log 2>&1' % (mode, mode),
                             '/tmp/rogue.pid', ('kvp', 'status'))
    t.ok(ok, 'rogue guest (%s) negotiated' % mode, out)
    # Walks of pools 1 and 2 start at open; a host SET queues behind them.
    t0 = time.monotonic()
    out = host_set(g, probe, '1')
    got = g.wait_sh('grep -q "^SET %s$" /tmp/rogue-%s.log' % (probe, mode), 60)
    took = time.monotonic() - t0
    t.ok(got, 'rogue guest (%s): a queued host SET still reaches it (%.1f s)'
         % (mode, took), status(g))
    return ok


def stop_rogue(g):
    g.sh('kill $(cat /tmp/rogue.pid) 2>/dev/null')
    wait_closed(g)


def walks(t, g):
    stop_kvpd(g)
    rogue(t, g, 'same', 'ProbeSame')
    ok, st = g.wait_ctl(('kvp', 'status'), r'walks bad [1-9]', 60)
    t.ok(ok and 'repeated a key' in st,
         'the same key at every index: the walk is thrown away and counted', st)

    rc, out = g.ctl('kvp', 'limits', '500', '1000000')
    t.ok(rc == 0 and '500 pairs' in out, 'kvp limits: caps of 500 pairs, 1 MB', out)
    stop_rogue(g)
    rogue(t, g, 'endless', 'ProbeEndless')
    ok, st = g.wait_ctl(('kvp', 'status'), r'walks truncated [1-9]', 60)
    t.ok(ok, 'a pool that never ends: the walk stops at the cap, counted', st)
    rc, out = g.ctl('kvp', 'list', '--pool', '1')
    m = re.search(r'truncated at (\d+) pairs', out)
    t.ok(m and int(m.group(1)) <= 500 and out.count('\nEndless') <= 500,
         'the mirror holds at most 500 pairs and says it is truncated',
         out[:400])
    stop_rogue(g)
    rc, out = g.ctl('kvp', 'limits', '65536', '67108864')


def many_keys(t, g):
    ok, out = start_kvpd(g)
    n = 5000
    t0 = time.monotonic()
    for i in range(n):
        host_set(g, 'Many%04d' % i, 'value-%d' % i)
    got = wait_until(lambda: pool0_count(g, 'Many') == n, 240, 2)
    st = status(g)
    t.ok(got and counter(st, 'pool full') == 0,
         '%d host keys fit the default max-records (%.0f s, %d in the guest)'
         % (n, time.monotonic() - t0, pool0_count(g, 'Many')), st)
    stop_kvpd(g)
    # A small pool: the refusal is named on both sides.
    g.sh('printf "[kvp]\\npool-dir=/tmp/small\\nmax-records=3\\n" > /tmp/small.conf')
    ok, out = start_kvpd(g, '/tmp/small.conf')
    for i in range(4):
        host_set(g, 'Small%d' % i, 'x')
    ok, st = g.wait_ctl(('kvp', 'status'), r'pool full [1-9]', 60)
    t.ok(ok and 'pool 0 is full' in st and 'Small3' in st,
         'a full pool: the host says which pool and key were refused', st)
    rc, log = g.sh('cat /tmp/kvpd.log')
    t.ok('pool 0 is full (max-records 3)' in log,
         'and enl-kvpd logs it with its limit', log[-1500:])
    stop_kvpd(g)


def slow_ip(t, g):
    g.sh('modprobe dummy; ip link add enl0 type dummy && ip link set enl0 up')
    g.sh('printf "#!/bin/sh\\nsleep 15\\necho \\"\\$@\\" > /tmp/hook.done\\n" > /tmp/hook.sh;'
         ' chmod 755 /tmp/hook.sh')
    g.sh('printf "[kvp]\\nip-backend=hook\\nip-hook=/tmp/hook.sh\\nip-timeout=60\\n"'
         ' > /tmp/ip.conf')
    ok, out = start_kvpd(g, '/tmp/ip.conf')
    rc, mac = g.sh('cat /sys/class/net/enl0/address')
    before = status(g)
    t0 = time.monotonic()
    rc, out = g.ctl('ip', 'set', mac.strip(), 'static', '192.0.2.50', '255.255.255.0')
    t.ok(rc == 0, 'host sends SET_IP_INFO', out)
    answered = wait_until(lambda: counter(status(g), 'answers') > counter(before, 'answers'),
                          9, 0.2)
    took = time.monotonic() - t0
    st = status(g)
    t.ok(answered and counter(st, 'dropped') == counter(before, 'dropped'),
         'a 15 s IP hook: the host has its answer in %.1f s (its timeout is 10 s)'
         % took, st)
    done = g.wait_sh('test -s /tmp/hook.done', 40)
    rc, log = g.sh('cat /tmp/kvpd.log')
    t.ok(done and 'IP hook for enl0: applied' in log,
         'the hook ran to the end in the background, result logged', log[-1500:])
    stop_kvpd(g)


def run(t, g):
    t.ok(g.wait_sh('test -c /dev/vmbus/kvp'), '/dev/vmbus/kvp exists')
    inflight(t, g)
    walks(t, g)
    many_keys(t, g)
    slow_ip(t, g)
    clean, bad = g.dmesg_clean()
    t.ok(clean, 'no oops/BUG/WARNING in the guest', bad)


if __name__ == '__main__':
    sys.exit(run_suite(('kvp',), run))
