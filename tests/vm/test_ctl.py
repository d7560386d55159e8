#!/usr/bin/env python3
"""enl-host's control socket against a running guest (issue 13): clients
that never read their reply do not stall the host or the guest; guest text
is escaped (text) or quoted (JSON); arguments are parsed strictly; a KVP
value may hold a newline; `ctl --help` works without a host; every verb has
a --json form."""
import json
import os
import re
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))
from vmtest import ENL_HOST, run_suite, wait_until  # noqa: E402

OFFERS = ('heartbeat', 'shutdown', 'timesync', 'kvp')


def ctl_json(g, *args):
    rc, out = g.ctl('--json', *args)
    try:
        return rc, json.loads(out)
    except ValueError:
        return rc, {'unparsed': out}


def test_offline_help(t, g):
    r = subprocess.run([ENL_HOST, 'ctl', '--ctl', '/nonexistent/ctl.sock',
                        '--help'], capture_output=True, text=True)
    t.ok(r.returncode == 0 and 'kvp list' in r.stdout and 'rescind' in r.stdout
         and 'vss' in r.stdout, 'ctl --help lists every verb with no host running',
         r.stdout + r.stderr)
    # The running host's own list: offline --help must show each usage line.
    rc, verbs = ctl_json(g, 'help')
    live = [(v.get('verb'), v.get('usage')) for v in verbs.get('data') or []]
    offline = r.stdout.splitlines()
    missing = [v for v, u in live if u not in offline]
    names = {v for v, u in live}
    t.ok(rc == 0 and {'disk', 'nic', 'hid', 'vnc', 'clipboard', 'kvp'} <= names
         and not missing,
         'offline --help shows every one of the %d verbs a running host has' % len(live),
         'missing: %s' % missing)


def test_strict(t, g):
    rc, out = g.ctl('devices', 'extra')
    t.ok(rc == 1 and 'unexpected argument' in out, 'an extra argument is refused', out)
    rc, out = g.ctl('rescind', '0x1')
    t.ok(rc == 1 and 'decimal' in out, 'rescind 0x1 is refused, not read as relid 1', out)
    rc, dev = g.ctl('devices')
    t.ok(dev.startswith('ok\n1 '), 'relid 1 is still offered', dev)
    rc, out = g.ctl('fault', 'bad-gpadl-created', '200')
    t.ok(rc == 1 and 'no channel' in out, 'a fault on a relid nobody has is refused', out)
    rc, out = g.ctl('time', 'shift', '-13000000000000')
    t.ok(rc == 1 and 'out of range' in out, 'a time shift past 50 years is refused', out)
    rc, out = g.ctl('time', 'drift', '10001')
    t.ok(rc == 1 and 'out of range' in out, 'a time drift past 1% is refused', out)
    rc, out = g.ctl('kvp', 'get', '--pool', '1x', 'k')
    t.ok(rc == 1, 'a malformed --pool is refused', out)


def test_json(t, g):
    rc, j = ctl_json(g, 'devices')
    t.ok(rc == 0 and j.get('ok') is True and
         any(d.get('class') == 'kvp' for d in j.get('data') or []),
         '--json devices: one object, data lists the kvp channel', j)
    rc, j = ctl_json(g, 'rescind', '0x1')
    t.ok(rc == 1 and j.get('ok') is False and 'decimal' in j.get('error', ''),
         '--json error: ok false with the reason', j)
    rc, j = ctl_json(g, 'stats')
    t.ok(rc == 0 and isinstance((j.get('data') or {}).get('channels'), list),
         '--json stats: channels with counters', str(j)[:300])
    for verb in (['status'], ['heartbeat'], ['time'], ['kvp', 'status'],
                 ['version'], ['help'], ['shutdown', 'status']):
        rc, j = ctl_json(g, *verb)
        t.ok(rc == 0 and j.get('ok') is True and 'text' in j,
             '--json %s parses' % ' '.join(verb), str(j)[:300])
    # Device verbs, on a host that offers none of those devices: data
    # still says so in JSON (empty lists, closed devices), or ok false.
    rc, j = ctl_json(g, 'disk', 'list')
    t.ok(rc == 0 and j.get('data') == [], '--json disk list: [] without a controller', j)
    rc, j = ctl_json(g, 'nic', 'list')
    t.ok(rc == 0 and j.get('data') == [], '--json nic list: [] without a NIC', j)
    rc, j = ctl_json(g, 'hid')
    d = j.get('data') or {}
    t.ok(rc == 0 and d.get('mouse', {}).get('open') is False and
         d.get('keyboard', {}).get('open') is False,
         '--json hid: keyboard and mouse, neither open', j)
    for verb in (['disk', 'stats'], ['video'], ['vss'], ['clipboard'], ['vnc'],
                 ['disk', 'remove', '9']):
        rc, j = ctl_json(g, *verb)
        t.ok(rc == 1 and j.get('ok') is False and j.get('error'),
             '--json %s without the device: ok false, why' % ' '.join(verb), j)


def guest_kvp(g, pool, key):
    rc, out = g.sh('enl-kvp --pool %d get %s' % (pool, key))
    return rc, out


def test_kvp_bytes(t, g):
    g.sh('enl-kvpd -f > /tmp/kvp.log 2>&1 &')
    ok = wait_until(lambda: g.ctl('kvp', 'set', 'Ready', '1')[0] == 0, 60)
    t.ok(ok, 'kvp: enl-kvpd answers', g.ctl('kvp', 'status')[1])
    rc, out = g.ctl('kvp', 'set', 'Multi', 'line1\nline2 \'"$x')
    t.ok(rc == 0, 'kvp: a value with a newline and quotes is sent', out)
    got = wait_until(lambda: guest_kvp(g, 0, 'Multi')[1]
                     if 'line2' in guest_kvp(g, 0, 'Multi')[1] else None, 60)
    t.ok(got and 'line1\nline2 \'"$x' in got, 'kvp: the guest has it byte for byte', got)

    forged = "x\\nFORGED=1\\033[2J"
    g.sh("enl-kvp --pool 1 set Forge \"$(printf '%s')\"" % forged)

    def host_sees():
        rc, j = ctl_json(g, 'kvp', 'get', 'Forge')
        v = (j.get('data') or {}).get('value')
        return v if v and 'FORGED' in v else None
    v = wait_until(host_sees, 60, 0.5)
    t.ok(v == 'x\nFORGED=1\x1b[2J', 'kvp: --json gives the guest\'s value exactly', repr(v))
    rc, out = g.ctl('kvp', 'get', 'Forge')
    t.ok(rc == 0 and '\x1b' not in out and '\nFORGED' not in out and
         'x\\nFORGED=1\\x1b[2J' in out,
         'kvp: text output escapes the guest\'s newline and ESC', repr(out))
    rc, out = g.ctl('kvp', 'list', '--pool', '1')
    t.ok('\x1b' not in out and '\nFORGED' not in out,
         'kvp: list escapes guest text too', repr(out[-300:]))


def test_slow_readers(t, g):
    # A reply bigger than a socket buffer: ~300 pairs of 1 KB in pool 0.
    value = 'v' * 1000
    failed = 0
    for i in range(300):
        rc, _ = g.ctl('kvp', 'set', 'Big%03d' % i, value)
        failed += rc != 0
    # The list shows what the guest has answered: every SET first (each
    # is one round trip to enl-kvpd; a loaded guest takes a while).
    wait_until(lambda: re.search(r'queued 0\b', g.ctl('kvp', 'status')[1]), 120)
    rc, out = g.ctl('kvp', 'list', '--pool', '0')
    t.ok(failed == 0 and len(out) > 250000, 'kvp: 300 pairs of 1 KB set (%d bytes listed)'
         % len(out), 'failed %d' % failed)
    sleepers = []
    for _ in range(8):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(g.ctl_path)
        s.sendall(b'kvp list --pool 0\n')
        sleepers.append(s)
    time.sleep(0.5)
    worst = 0.0
    for _ in range(5):
        t0 = time.monotonic()
        rc, out = g.ctl('version')
        worst = max(worst, time.monotonic() - t0)
    # A loop blocked on a sleeper never answers (ctl gives up after 30 s);
    # a free one answers in ~0.01 s here. 5 s is room for starting the
    # ctl process on a busy 2-core machine, far from a blocked loop.
    t.ok(rc == 0 and worst < 5.0,
         'ctl answers in %.2f s while 8 clients never read 250 KB replies' % worst, out)
    rc, out = g.sh('true')
    t.ok(rc == 0, 'the guest is still served')
    rc, out = g.ctl('kvp', 'set', 'After', 'stall')
    got = wait_until(lambda: 'stall' in guest_kvp(g, 0, 'After')[1], 60)
    t.ok(rc == 0 and got, 'host and guest still exchange KVP pairs', out)
    for s in sleepers:
        s.close()
    # A reader that reads slowly still gets the whole reply.
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(g.ctl_path)
    s.sendall(b'kvp list --pool 0\n')
    time.sleep(1)
    data = b''
    s.settimeout(10)
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        data += chunk
    s.close()
    t.ok(data.startswith(b'ok\n') and data.count(b'Big') >= 300,
         'a late reader gets the whole reply (%d bytes)' % len(data))


def test_second_device(t, g):
    """A second device of a class gets /dev/vmbus/<service>-<relid>, and the
    kernel says nothing alarming about it (chardev.c)."""
    nodes = {}
    for cls in ('kvp', 'echo', 'echo'):
        rc, j = ctl_json(g, 'offer', cls)
        relid = (j.get('data') or {}).get('relid')
        t.ok(rc == 0 and relid, 'offer %s: relid %s' % (cls, relid), j)
        nodes.setdefault(cls, []).append(relid)
    want = ['/dev/vmbus/kvp-%d' % nodes['kvp'][0], '/dev/vmbus/echo']
    want += ['/dev/vmbus/echo-%d' % nodes['echo'][1]]
    ok = g.wait_sh(' && '.join('test -c %s' % w for w in want), 60)
    t.ok(ok, 'nodes of their own: %s' % ', '.join(want), g.sh('ls -l /dev/vmbus')[1])
    rc, out = g.sh('dmesg | grep -iE "sysfs: cannot create duplicate|Call Trace|WARNING" || true')
    t.ok(out.strip() == '', 'no stack trace for a second device of a class', out)
    for cls in ('kvp', 'echo'):
        for relid in nodes[cls]:
            g.ctl('rescind', str(relid))
    ok = g.wait_sh('! test -e %s' % want[0], 60)
    t.ok(ok, 'rescinded: the extra node goes', g.sh('ls -l /dev/vmbus')[1])


def offer_until(t, g, cls, relid_min, offered):
    """Offer cls until one has relid_min or more; its relid, or None."""
    for _ in range(200):
        rc, j = ctl_json(g, 'offer', cls)
        relid = (j.get('data') or {}).get('relid')
        if rc != 0 or not relid:
            t.ok(False, 'offer %s: relid %s' % (cls, relid), j)
            return None
        offered.append(relid)
        if relid >= relid_min:
            return relid
    return None


def test_high_relid(t, g):
    """Events past the first 64 and the first 128 of the SynIC's event
    flags reach their channel: enl_vmbus scans the flags only as far as
    the highest relid offered. The guest has 64 /dev/vmbus nodes at most
    and relids go lowest-free, so IDE controllers, which nothing binds in
    this guest, take the relids in between; an echo channel in the second
    word of the flags and one in the third must answer."""
    offered, echoes = [], []
    for word in (1, 2):
        if offer_until(t, g, 'ide', 64 * word - 1, offered) is None:
            break
        relid = offer_until(t, g, 'echo', 0, offered)
        if relid is None:
            break
        echoes.append(relid)
    t.ok([r // 64 for r in echoes] == [1, 2],
         'echo channels at relids %s (%d offers in all)' % (echoes, len(offered)))
    # The first device of a class is /dev/vmbus/echo, the next echo-RELID.
    for i, relid in enumerate(echoes):
        node = '/dev/vmbus/echo' + ('-%d' % relid if i else '')
        if t.ok(g.wait_sh('test -c %s' % node, 120), '%s exists' % node,
                g.sh('ls /dev/vmbus | tail -5')[1]):
            rc, out = g.sh('enl-echo -n 200 -s 64 -d %s' % node, timeout=180)
            # Its counters of packets end with the open; signals stay.
            _, stats = g.ctl('stats')
            m = re.search(r'^channel %d echo .* signals_out=(\d+) .*opens=1 ' % relid,
                          stats, re.M)
            t.ok(rc == 0 and m and int(m.group(1)) >= 1,
                 'relid %d: 200 echo round trips (%s signals to the guest on it)'
                 % (relid, m.group(1) if m else 'no'), out + stats)
    for relid in offered:
        g.ctl('rescind', str(relid))
    ok = g.wait_sh('! ls /dev/vmbus/echo-* >/dev/null 2>&1', 120)
    t.ok(ok, 'the extra channels rescinded', g.sh('ls /dev/vmbus')[1])


def run(t, g):
    test_offline_help(t, g)
    test_strict(t, g)
    test_json(t, g)
    test_kvp_bytes(t, g)
    test_slow_readers(t, g)
    test_second_device(t, g)
    test_high_relid(t, g)
    ok, bad = g.dmesg_clean()
    t.ok(ok, 'guest dmesg has no oops or warning', bad)


if __name__ == '__main__':
    sys.exit(run_suite(OFFERS, run))
