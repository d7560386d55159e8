#!/usr/bin/env python3
"""Echo benchmark: guest <-> enl-host channel throughput and latency.

Boots one guest per vCPU count (1 and 2) under enl-host and measures, in
the same run:
  - the driver path: enl_echo_mq (tests/vm/kmod/enl_echo_mq), a kernel VSC
    using sub-channels, in-place receive and request ids: packets of
    1..4000 B pumped over one channel, then over one channel per vCPU (a
    task bound to each channel's CPU), and a QD1 ping-pong of 16 B;
  - the baseline: today's character-device path, /dev/vmbus/echo with
    enl-echo (tests/vm/guest/echo.c; one process per echo device and vCPU
    for the per-vCPU figure) and enl-pingpong (tests/vm/guest/pingpong.c).
Every byte echoed is checked on both paths. Prints packets/s and MB/s (one
way, payload bytes) and the round trip mean and p99, with the ratio of the
driver path to the baseline. ENL_BENCH_PACKETS and ENL_BENCH_ROUNDS scale
the runs."""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'vm'))
from vmtest import Guest, GuestError  # noqa: E402

PACKETS = int(os.environ.get('ENL_BENCH_PACKETS', '40000'))
ROUNDS = int(os.environ.get('ENL_BENCH_ROUNDS', '4000'))
FIND_DEV = ('for d in /sys/bus/enl_vmbus/devices/*; do '
            '[ "$(cat $d/class_name)" = echo-mq ] && echo $d; done')


class BenchError(Exception):
    pass


def sh(g, cmd, timeout=600):
    rc, out = g.sh(cmd, timeout)
    if rc:
        raise BenchError('guest: %s -> %d\n%s' % (cmd, rc, out))
    return out


def kv(text):
    return dict(re.findall(r'(\w+)=(\S+)', text))


def mq_pump(g, dev, nchan):
    out = sh(g, 'echo "%d %d" > %s/pump && cat %s/result' % (PACKETS, nchan, dev, dev))
    r = kv(out.splitlines()[0])
    if int(r['errors']) or int(r['packets']) != PACKETS:
        raise BenchError('pump failed:\n' + out)
    s = int(r['elapsed_ns']) / 1e9
    return int(r['packets']) / s, int(r['bytes']) / s / 1e6


def mq_pingpong(g, dev):
    out = sh(g, 'echo "%d 0" > %s/pingpong && cat %s/result' % (ROUNDS, dev, dev))
    r = kv(out)
    if int(r['errors']) or int(r['rounds']) != ROUNDS:
        raise BenchError('pingpong failed:\n' + out)
    return int(r['mean_ns']) / 1e3, int(r['p99_ns']) / 1e3


def now(g):
    return float(sh(g, 'enl-now').strip())


def chardev_pump(g, devs):
    """enl-echo on each device at once, one per CPU; the wall time in the
    guest covers them all."""
    per = PACKETS // len(devs)
    jobs = ' '.join('taskset -c %d enl-echo -n %d -s %d -d %s >/tmp/echo%d.out 2>&1 & '
                    'pids="$pids $!";' % (i, per, i + 1, d, i) for i, d in enumerate(devs))
    out = sh(g, 'rm -f /tmp/echo*.out; pids=; t0=$(enl-now); %s fail=0; '
             'for j in $pids; do wait $j || fail=1; done; '
             't1=$(enl-now); cat /tmp/echo*.out; echo "t0=$t0 t1=$t1 fail=$fail"' % jobs)
    r = kv(out.splitlines()[-1])
    if r['fail'] != '0':
        raise BenchError('enl-echo failed:\n' + out)
    got = [(int(a), int(b)) for a, b in
           re.findall(r'echoed (\d+) packets, (\d+) bytes', out)]
    if len(got) != len(devs) or sum(p for p, _ in got) != per * len(devs):
        raise BenchError('enl-echo output:\n' + out)
    s = float(r['t1']) - float(r['t0'])
    return sum(p for p, _ in got) / s, sum(b for _, b in got) / s / 1e6


def chardev_pingpong(g):
    out = sh(g, 'enl-pingpong %d' % ROUNDS)
    m = re.search(r'mean (\d+) us.*p99 (\d+) us', out)
    if not m:
        raise BenchError('enl-pingpong output:\n' + out)
    return float(m.group(1)), float(m.group(2))


def measure(ncpu):
    # One echo device per vCPU for the baseline, and the echo-mq device.
    g = Guest(offers=('echo',) * ncpu + ('echo-mq',), cpus=ncpu, mem='768M')
    try:
        sh(g, 'modprobe enl_echo_mq')
        if not g.wait_sh('test -n "$(%s)"' % FIND_DEV, 30):
            raise BenchError('enl_echo_mq did not bind:\n' + g.logs())
        dev = sh(g, FIND_DEV).strip()
        if not g.wait_sh('test $(ls /dev/vmbus | grep -c "^echo") = %d' % ncpu, 30):
            raise BenchError('no %d /dev/vmbus/echo*' % ncpu)
        devs = sorted('/dev/vmbus/' + d for d in sh(g, 'ls /dev/vmbus').split()
                      if d.startswith('echo'))
        res = {
            'cd1': chardev_pump(g, devs[:1]),
            'mq1': mq_pump(g, dev, 1),
            'cdn': chardev_pump(g, devs),
            'mqn': mq_pump(g, dev, ncpu),
            'cdpp': chardev_pingpong(g),
            'mqpp': mq_pingpong(g, dev),
            'synics': sh(g, 'cat /sys/bus/enl_vmbus/synics').strip(),
        }
        clean, bad = g.dmesg_clean()
        if not clean:
            raise BenchError('guest oops/WARNING:\n' + bad)
        return res
    finally:
        g.close()


def ratio(a, b):
    return '%.2fx' % (a / b) if b else '-'


def main():
    print('echo benchmark: %d packets of 1..4000 B per figure, %d QD1 round trips of 16 B'
          % (PACKETS, ROUNDS))
    print('baseline: /dev/vmbus/echo (enl-echo, enl-pingpong); driver: enl_echo_mq '
          '(in-place receive, request ids, sub-channels)')
    rows = []
    status = 0
    for ncpu in (1, 2):
        try:
            r = measure(ncpu)
        except (GuestError, BenchError, KeyError, ValueError) as e:
            print('%d vCPU: FAILED: %s' % (ncpu, e))
            status = 1
            continue
        for key, name in (('1', '1 channel'), ('n', '%d channel(s), 1/vCPU' % ncpu)):
            b, d = r['cd' + key], r['mq' + key]
            rows.append('%-6d %-22s %9.0f p/s %6.2f MB/s %9.0f p/s %6.2f MB/s %8s'
                        % (ncpu, name, b[0], b[1], d[0], d[1], ratio(d[0], b[0])))
        b, d = r['cdpp'], r['mqpp']
        rows.append('%-6d %-22s mean %5.0f us p99 %5.0f   mean %5.0f us p99 %5.0f   %8s'
                    % (ncpu, 'QD1 ping-pong', b[0], b[1], d[0], d[1],
                       ratio(b[0], d[0])))
        rows.append('%-6d (SynICs in the guest: %s)' % (ncpu, r['synics']))
    print('%-6s %-22s %-28s %-28s %s' % ('vCPUs', 'figure', 'baseline (chardev)',
                                         'driver (enl_echo_mq)', 'ratio'))
    for row in rows:
        print(row)
    print('ratio: driver / baseline packets per second; for ping-pong, baseline / driver mean')
    return status


if __name__ == '__main__':
    sys.exit(main())
