#!/usr/bin/env python3
"""Where a short network row's guest time goes, exactly: the guest
instructions each NIC costs per ping round trip and per UDP datagram sent,
counted by a QEMU TCG plugin (tests/bench/tcg/insncount.c, built by
`make`) while one guest per NIC runs, as bench-net.py boots them, with
ENL_INSNS_CPUS vCPUs (default 1; with more, the counts are as exact but
the plugin calls out on every block, so the guests run slower still, and
each ping's instructions are also given by vCPU).

Under TCG a sampling profiler stretches whatever it interrupts; a count of
executed instructions does not. Per round and NIC: the idle guest's
instruction rate over 2 s (timer ticks and the like), then
ENL_INSNS_PINGS pings (default 200, -i 0.01) with that idle rate taken
out, then (ENL_INSNS_UDP_ROUNDS times, default 3: the first run of a guest
costs more) a 5 s iperf3 UDP run as the bench's
udp_g2h row sends it. The rounds take the NICs in turn. The rates these
runs show are under the plugin's own cost and never stand for the bench's
rows. ENL_INSNS_ROUNDS (default 4) and ENL_BENCH_NICS pick how much.

ENL_INSNS_IO=1 also counts, per ping, the guest's MMIO accesses by device
region (each an exit to QEMU's slow path: the HPET's clock reads, the
APIC's end-of-interrupt, each NIC's doorbell or registers) and the times
the vCPU halted. That puts a callback on every guest memory access: the
pings run several times slower, and only the counts mean anything.

ENL_INSNS_PROF=1 also counts each translated block's instructions by its
address and names them from the guest's /proc/kallsyms: per NIC, the
guest functions that run the most instructions per ping, and where ours
runs more or fewer than the first other NIC (an exact flat profile;
TOP=ENL_INSNS_TOP lines, default 25)."""
import json
import os
import sys
import tempfile
import time
import importlib.util

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('bench_net', os.path.join(HERE, 'bench-net.py'))
bn = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bn)
sys.path.insert(0, os.path.join(HERE, '..', 'tcg'))
import insns  # noqa: E402
median = bn.median  # tests/bench/passes.py's
NICS = os.environ.get('ENL_BENCH_NICS', 'synthetic virtio-net e1000').split()
ROUNDS = int(os.environ.get('ENL_INSNS_ROUNDS', '4'))
PINGS = int(os.environ.get('ENL_INSNS_PINGS', '200'))
UDP_ROUNDS = int(os.environ.get('ENL_INSNS_UDP_ROUNDS', '3'))
IO = os.environ.get('ENL_INSNS_IO') == '1'
PROF = os.environ.get('ENL_INSNS_PROF') == '1'
TOP = int(os.environ.get('ENL_INSNS_TOP', '25'))
CPUS = int(os.environ.get('ENL_INSNS_CPUS', '1'))


class Counted:
    """Guests booted with the plugin, each counting into its own file."""

    def __init__(self, wd):
        self.wd, self.live, self.paths, self.next = wd, {}, {}, None
        self.syms = {}
        real = bn.Guest

        def guest(*a, **kw):
            kw['qemu_args'] = tuple(kw.get('qemu_args', ())) + insns.qemu_args(self.next, IO, PROF)
            return real(*a, **kw)
        bn.Guest = guest

    def start(self, kind):
        self.next = self.paths[kind] = os.path.join(self.wd, 'insns-' + kind)
        got = bn.start(kind, CPUS, self.wd)
        if isinstance(got, str):
            raise bn.BenchError('%s: %s' % (kind, got))
        self.live[kind] = got
        if PROF:
            self.syms[kind] = insns.Symbols(bn.sh(got[0], 'cat /proc/kallsyms'))

    def count(self, kind):
        return insns.count(self.paths[kind])

    def read(self, kind):
        return insns.read(self.paths[kind])

    def profile(self, kind):
        return insns.profile(self.paths[kind]) if PROF else {}

    def close(self):
        for v in self.live.values():
            bn.stop(v)


def ping_round(c, kind):
    """(guest instructions per ping less the idle rate, median ping in us,
    every count per ping, instructions per ping by function)."""
    e0, p0, t0 = c.read(kind), c.profile(kind), time.time()
    time.sleep(2)
    e1, p1, t1 = c.read(kind), c.profile(kind), time.time()
    idle = insns.per(e0, e1, t1 - t0)
    fidle = insns.by_function(p0, p1, c.syms[kind], t1 - t0) if PROF else {}
    e0, p0, t0 = c.read(kind), c.profile(kind), time.time()
    times = bn.ping_times(c.live[kind][0].netns, PINGS)
    e1, p1, t1 = c.read(kind), c.profile(kind), time.time()
    ev = insns.per(e0, e1, len(times), idle, t1 - t0)
    fn = insns.by_function(p0, p1, c.syms[kind], len(times), fidle,
                           t1 - t0) if PROF else {}
    return ev['insns'], median(times), ev, fn


def udp_round(c, kind):
    """(guest instructions per datagram sent, Gbit/s sent)."""
    g = c.live[kind][0]
    n0 = c.count(kind)
    out = bn.sh(g, bn.iperf_cmd(5, 1, False, '-u -b 0 -l 1400'), timeout=90)
    n1 = c.count(kind)
    s = json.loads(out[out.find('{'):out.rindex('}') + 1])['end']['sum']
    packets = s.get('packets') or s['bytes'] / 1400
    return (n1 - n0) / packets, s['bits_per_second'] / 1e9


def rounds(c, n, measure, line):
    """n rounds of measure(c, kind) taking the NICs in turn, each printed
    with line: {kind: [(instructions, rate[, events]), ...]}."""
    got = {k: [] for k in NICS}
    for r in range(n):
        for k in NICS:
            res = measure(c, k)
            got[k].append(res)
            print('# ' + line % ((r, k) + res[:2]) +
                  ('; ' + insns.vcpu_line(res[2]) if CPUS > 1 and len(res) > 2 else '') +
                  ('; ' + insns.mmio_line(res[2]) if IO and len(res) > 2 else ''),
                  flush=True)
    return got


def medians(rounds):
    """Each name's median over the rounds' {name: value} (0 where absent)."""
    names = set().union(*rounds)
    return {n: median([r.get(n, 0) for r in rounds]) for n in names}


def print_profile(ping):
    """Per NIC its busiest functions per ping, then the first NIC against
    the second by function (medians over the rounds)."""
    fn = {}
    for k in NICS:
        fn[k] = medians([x[3] for x in ping[k]])
        print('guest instructions per ping by function, %s:' % k)
        for n, v in sorted(fn[k].items(), key=lambda kv: -kv[1])[:TOP]:
            print('  %8.0f  %s' % (v, n))
    if len(NICS) > 1:
        a, b = NICS[0], NICS[1]
        d = {n: fn[a].get(n, 0) - fn[b].get(n, 0) for n in set(fn[a]) | set(fn[b])}
        print('%s minus %s per ping, the largest differences (sum %+.0f):'
              % (a, b, sum(d.values())))
        for n, v in sorted(d.items(), key=lambda kv: -abs(kv[1]))[:TOP]:
            print('  %+8.0f  %s (%.0f, %.0f)' % (v, n, fn[a].get(n, 0), fn[b].get(n, 0)))


def main():
    why = insns.missing()
    if why:
        print('guest-insns: ' + why, file=sys.stderr)
        return 1
    c = Counted(tempfile.mkdtemp(prefix='enl-insns-'))
    try:
        for k in NICS:
            c.start(k)
        ping = rounds(c, ROUNDS, ping_round, 'ping round %d %-10s %8.0f insns/ping '
                      '(ping median %.0f us)')
        udp = rounds(c, UDP_ROUNDS, udp_round, 'udp round %d %-10s %8.0f '
                     'insns/datagram (%.2f Gbit/s sent)')
    finally:
        c.close()
    base = NICS[1] if len(NICS) > 1 else NICS[0]
    print('%-10s %14s %10s' % ('NIC', 'insns/ping', 'vs ' + base)
          + (' %16s %10s' % ('insns/datagram', 'vs ' + base) if UDP_ROUNDS else ''))
    pb = median([x[0] for x in ping[base]])
    ub = median([x[0] for x in udp[base]]) if UDP_ROUNDS else None
    for k in NICS:
        p = median([x[0] for x in ping[k]])
        line = '%-10s %14.0f %9.2fx' % (k, p, p / pb)
        if UDP_ROUNDS:  # ENL_INSNS_UDP_ROUNDS=0 counts the pings alone
            u = median([x[0] for x in udp[k]])
            line += ' %16.0f %9.2fx' % (u, u / ub)
        print(line)
    if PROF:
        print_profile(ping)
        for k in NICS:
            used, missed = insns.profile_missed(c.paths[k])
            if missed:
                print('%s: the profile table was full (%d slots): %d translated '
                      'blocks are missing from it' % (k, used, missed))
    if CPUS > 1:
        print('per ping by vCPU, medians over the rounds:')
        for k in NICS:
            print('%-10s %s' % (k, insns.vcpu_line(medians([x[2] for x in ping[k]]))))
    if IO:
        print('per ping, medians over the rounds:')
        for k in NICS:
            print('%-10s %s' % (k, insns.mmio_line(medians([x[2] for x in ping[k]]), top=6)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
