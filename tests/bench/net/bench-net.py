#!/usr/bin/env python3
"""Network benchmark: the synthetic NIC (enl_netvsc on enl-host --nic)
against QEMU's virtio-net and e1000, each on a TAP in a network namespace
of its own, in the same run, with 1 and 2 vCPUs.

For each vCPU count one guest per NIC boots under enl-host, all of them
up together (the emulated NICs are added to QEMU's command line by a
wrapper, `-netdev tap` in the same namespace, as the baselines in
MACHINE-NOTES were measured); each guest gets 10.0.88.2/24, its TAP
10.0.88.1/24, in a namespace of its own. Measured: iperf3 TCP with 1 and
4 streams guest to host and host to guest (the guest is the client; -R
for host to guest), each row NIC after NIC while the other guests idle,
ENL_BENCH_PASSES times (default 3) in an order that changes from pass to
pass (tests/bench/passes.py: the figure is each NIC's median over the
passes, a ratio the median of the per-pass ratios, and a spread table
shows how far the passes moved), then the ping round trip from the host
(mean and p99 of ENL_BENCH_PINGS pings per NIC, in 10 rounds that take
the NICs in turn). The host's own loopback iperf3 is the limit. Also UDP
guest to host (1400-byte datagrams, unlimited rate, what the host
received), and for every run where the guest's CPU time
went (from its /proc/stat: user, system, hardware and soft interrupts,
idle, as % of all vCPU time), the answer to "why is a row short", and
per packet the NIC moved the guest's interrupts on its vectors (for the
synthetic NIC also enl-host's doorbells from the guest, signals to it and
passes over its rings, from `ctl --json stats`). A
synthetic row says "n/a: enl_netvsc not loaded" while the guest
has no such module (it is measured, never made up). Prints one table,
then the synthetic NIC's ratios against virtio-net and e1000 per row.
ENL_BENCH_SECONDS (default 10) is each iperf3 run's length; ENL_BENCH_CPUS
(default "1 2") and ENL_BENCH_NICS (default "synthetic virtio-net e1000")
pick rows.

ENL_BENCH_PROFILE=1 (or --profile): after the passes, each row runs once
more on each NIC with perf recording inside the guest
(tests/bench/guestprof.py), and a table per row gives the guest CPU per
MB moved by stage (send and receive system calls, the driver's transmit
and doorbell, the NAPI poll, IP/TCP receive, interrupts, softirqs, clock
reads) with each NIC's busiest functions: where a short row's time goes
in the guest. Those runs' own rates are printed with them and never
enter the tables above."""
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'vm'))
sys.path.insert(0, os.path.join(HERE, '..'))
from vmtest import BUILD, Guest, GuestError, NetNs  # noqa: E402
from passes import median, pass_order, ratio_fmt, ratio_range, spread  # noqa: E402
from hostevents import host_events  # noqa: E402
import guestprof  # noqa: E402
from guestprof import ProfError  # noqa: E402

SECONDS = int(os.environ.get('ENL_BENCH_SECONDS', '10'))
PINGS = int(os.environ.get('ENL_BENCH_PINGS', '200'))
PING_ROUNDS = 10
PASSES = max(1, int(os.environ.get('ENL_BENCH_PASSES', '3')))
CPUS = [int(c) for c in os.environ.get('ENL_BENCH_CPUS', '1 2').split()]
PROFILE = os.environ.get('ENL_BENCH_PROFILE') == '1' or '--profile' in sys.argv[1:]
PROF_LEAD = 1.5
# Stages of the guest's network path for the profile: (label, kernel
# functions whose inclusive shares add up); "-" where a NIC has none.
STAGES = (
    ('system calls', ('do_syscall_64',)),
    ('  send (tcp/udp_sendmsg)', ('tcp_sendmsg', 'udp_sendmsg')),
    ('  receive (tcp/udp_recvmsg)', ('tcp_recvmsg', 'udp_recvmsg')),
    ('    copy to user space', ('skb_copy_datagram_iter',)),
    ('transmit to the driver', ('dev_hard_start_xmit',)),
    ('  driver xmit', ('nv_start_xmit', 'start_xmit', 'e1000_xmit_frame')),
    ('  doorbell (MMIO write, an exit)', ('pci_signal_event', 'vp_notify')),
    ('device interrupts (and softirqs on their exit)', ('asm_common_interrupt',)),
    ('softirqs, wherever they ran', ('handle_softirqs', '__do_softirq')),
    ('  NAPI polls (driver receive and the stack above)', ('__napi_poll',)),
    ('    driver poll', ('nv_poll', 'virtnet_poll', 'e1000_clean')),
    ('    IP and TCP/UDP receive', ('ip_list_rcv', 'ip_rcv')),
    ('  enl_vmbus channel tasklet', ('chan_tasklet',)),
    ('  TX completion (net_tx_action)', ('net_tx_action',)),
    ('HPET clock reads, all callers', ('read_hpet',)),
    ('scheduler (__schedule)', ('__schedule',)),
    ('timer interrupt', ('asm_sysvec_apic_timer_interrupt',)),
)
HOST_IP, GUEST_IP = '10.0.88.1', '10.0.88.2'
TAP = 'enlbench0'
MAC = '00:15:5d:be:00:01'
EMU_MAC = '52:54:00:be:00:02'
KINDS = tuple(os.environ.get('ENL_BENCH_NICS',
                             'synthetic virtio-net e1000').split())
COLS = ('g2h_1', 'g2h_4', 'h2g_1', 'h2g_4', 'udp_g2h', 'ping_mean', 'ping_p99')
# column, iperf3 streams, host to guest (-R), more iperf3 arguments
ROWS = (('g2h_1', 1, False, ''), ('g2h_4', 4, False, ''),
        ('h2g_1', 1, True, ''), ('h2g_4', 4, True, ''),
        ('udp_g2h', 1, False, '-u -b 0 -l 1400'))
RUNS = tuple(r[0] for r in ROWS)
# /proc/stat's cpu line: user nice system idle iowait irq softirq steal
CPU_FIELDS = ('usr', 'sys', 'irq', 'sirq', 'idle')

WRAPPER = '''#!/bin/sh
# enl-host's QEMU with an emulated NIC on a TAP (in enl-host's namespace).
exec qemu-system-x86_64 "$@" \\
    -netdev tap,id=benchnet,ifname={tap},script=no,downscript=no,vhost=off \\
    -device {model},netdev=benchnet,mac={mac}
'''


class BenchError(Exception):
    pass


def sh(g, cmd, timeout=600):
    rc, out = g.sh(cmd, timeout)
    if rc:
        raise BenchError('guest: %s -> %d\n%s' % (cmd, rc, out))
    return out


def iperf_gbps(out):
    """The receiver's rate from iperf3 -J output, Gbit/s."""
    i = out.find('{')
    if i < 0:
        raise BenchError('no iperf3 JSON:\n' + out[-2000:])
    doc = json.loads(out[i:out.rindex('}') + 1])
    if 'error' in doc:
        raise BenchError('iperf3: ' + doc['error'])
    end = doc['end']
    if 'sum_received' in end:
        return end['sum_received']['bits_per_second'] / 1e9
    # Older UDP reports: the sender's rate less what was lost.
    s = end['sum']
    return s['bits_per_second'] * (1 - s.get('lost_percent', 0) / 100) / 1e9


def guest_cpu(g):
    """The guest's cpu line of /proc/stat, as the fields we show."""
    v = [int(x) for x in sh(g, 'head -1 /proc/stat').split()[1:9]]
    return {'usr': v[0] + v[1], 'sys': v[2], 'idle': v[3] + v[4],
            'irq': v[5], 'sirq': v[6]}


def iperf_cmd(seconds, streams, reverse, extra=''):
    """The guest's iperf3 client command line for one run."""
    return 'iperf3 -c %s -t %d -P %d -i 0 -J %s %s' % (
        HOST_IP, seconds, streams, '-R' if reverse else '', extra)


# A NIC's interrupt lines in the guest's /proc/interrupts.
IRQ_NAMES = {'synthetic': 'enl_vmbus', 'virtio-net': 'virtio', 'e1000': 'eth'}


def nic_events(g, kind):
    """(the NIC's guest interrupts, packets it sent and received; for the
    synthetic NIC also enl-host's doorbells from the guest, signals to it
    and passes over its rings, from `ctl --json stats`)."""
    out = sh(g, 'grep -E "%s|ens" /proc/interrupts; echo --; for i in /sys/class/net/*; do '
                '[ $i = /sys/class/net/lo ] || cat $i/statistics/tx_packets '
                '$i/statistics/rx_packets; done' % IRQ_NAMES[kind])
    irq_part, pkt_part = out.split('--\n', 1)
    irqs = sum(int(x) for line in irq_part.splitlines() for x in line.split()[1:]
               if x.isdigit())
    pkts = sum(int(x) for x in pkt_part.split())
    host = host_events(g, 'network') if kind == 'synthetic' else [0, 0, 0]
    return [irqs, pkts] + host


def iperf_client(g, streams, reverse, extra='', kind=None):
    """Gbit/s, the guest's CPU time during the run in % per field, and per
    packet the NIC moved: its guest interrupts and (synthetic) the host's
    doorbells, signals and passes (nic_events)."""
    ev0 = nic_events(g, kind) if kind else None
    before = guest_cpu(g)
    out = sh(g, iperf_cmd(SECONDS, streams, reverse, extra), timeout=SECONDS + 60)
    after = guest_cpu(g)
    ev1 = nic_events(g, kind) if kind else None
    d = {k: after[k] - before[k] for k in CPU_FIELDS}
    all_ = sum(d.values()) or 1
    per_pkt = None
    if ev0 and ev1[1] > ev0[1]:
        moved = [b - a for a, b in zip(ev0, ev1)]
        pkts = moved.pop(1)     # the divisor, not a figure of its own
        per_pkt = [m / pkts for m in moved]
    return iperf_gbps(out), {k: 100.0 * d[k] / all_ for k in CPU_FIELDS}, per_pkt


def ping_times(ns, count):
    rc, out = ns.run('ping', '-c', count, '-i', '0.01', '-W', '1', GUEST_IP,
                     timeout=count + 30)
    times = [float(x) * 1000 for x in re.findall(r'time=([\d.]+) ms', out)]
    if len(times) < count * 9 // 10:
        raise BenchError('ping: %d of %d answered\n%s' % (len(times), count,
                                                          out[-1000:]))
    return times


def ping_interleaved(nss):
    """{kind: (mean, p99), or the error that stopped its pings} of PINGS
    pings to each guest, in PING_ROUNDS rounds that take the NICs in turn
    (each round starting with the next one): this machine's latency moves
    by a third from one minute to the next, and a NIC pinged as a block of
    its own would carry that drift into its ratio. A NIC whose pings fail
    is left out of the later rounds; the others go on."""
    times = {k: [] for k in nss}
    out = {}
    kinds = list(nss)
    for r in range(PING_ROUNDS):
        for i in range(len(kinds)):
            k = kinds[(r + i) % len(kinds)]
            if k in out:
                continue
            try:
                times[k] += ping_times(nss[k], max(1, PINGS // PING_ROUNDS))
            except ERRORS as e:
                out[k] = e
    for k, t in times.items():
        if k not in out:
            t.sort()
            out[k] = (statistics.mean(t),
                      t[min(len(t) - 1, int(len(t) * 0.99))])
    return out


def guest_iface(g, mac):
    out = sh(g, 'for i in /sys/class/net/*; do [ "$(cat $i/address)" = %s ] '
                '&& basename $i; done; true' % mac)
    return out.strip()


def boot(kind, cpus, wrapper_dir):
    """A guest with the NIC of kind: (guest, its interface, None), or
    (guest, None, why not); a guest that failed to come up is closed and
    raises."""
    initrd = PROF_INITRD if PROFILE else None
    if kind == 'synthetic':
        g = Guest(offers=(), mem='1024M', cpus=cpus, initrd=initrd,
                  nics=('tap=%s,mac=%s,queues=%d' % (TAP, MAC, max(cpus, 1)),))
        mac = MAC
    else:
        model = 'virtio-net-pci' if kind == 'virtio-net' else 'e1000'
        wrapper = os.path.join(wrapper_dir, 'qemu-%s' % kind)
        with open(wrapper, 'w') as f:
            f.write(WRAPPER.format(tap=TAP, model=model, mac=EMU_MAC))
        os.chmod(wrapper, 0o755)
        g = Guest(offers=(), mem='1024M', cpus=cpus, netns=True, qemu=wrapper,
                  initrd=initrd)
        mac = EMU_MAC
    try:
        if kind == 'synthetic':
            if g.sh('modprobe enl_netvsc')[0]:
                return g, None, 'n/a: enl_netvsc not loaded'
        else:
            sh(g, 'modprobe %s' % ('virtio_pci && modprobe virtio_net'
                                   if kind == 'virtio-net' else 'e1000'))
        iface = ''
        # A driver with sub-channels attaches after they open: slow on TCG.
        for _ in range(300):
            iface = guest_iface(g, mac)
            if iface:
                break
            time.sleep(0.2)
        if not iface:
            return g, None, 'n/a: no interface with MAC %s in the guest' % mac
        sh(g, 'ip link set %s up && ip addr add %s/24 dev %s'
           % (iface, GUEST_IP, iface))
        rc, out = g.netns.tap_up(TAP, HOST_IP + '/24')
        if rc:
            raise BenchError('host TAP: ' + out)
        return g, iface, None
    except BaseException:
        g.close()
        raise


def start(kind, cpus, wrapper_dir):
    """Boot kind's guest, its iperf3 server on the host's side, and wait
    for its first ping: (guest, server) or a string saying why not."""
    g, iface, why = boot(kind, cpus, wrapper_dir)
    if why:
        g.close()
        return why
    server = g.netns.popen('iperf3', '-s', '-B', HOST_IP,
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    for _ in range(50):
        if g.netns.run('ping', '-c', '1', '-W', '1', GUEST_IP)[0] == 0:
            break
        time.sleep(0.2)
    else:
        stop((g, server))
        return 'n/a: the guest never answered ping'
    time.sleep(0.5)
    return g, server


def stop(live):
    g, server = live
    server.terminate()
    server.wait()
    g.close()


def summarise(runs):
    """A NIC's row from its runs ({column: [(Gbit/s, guest CPU, events per
    packet) or None per pass]}): each column's median over the passes, the
    guest's CPU split averaged over them, the events' medians, and the
    passes' rates for the ratios."""
    row = {'cpu': {}, 'passes': {}, 'events': {}}
    for col in RUNS:
        got = [r for r in runs.get(col, ()) if r is not None]
        row['passes'][col] = [r and r[0] for r in runs.get(col, ())]
        row[col] = median([r[0] for r in got]) if got else 0.0
        row['cpu'][col] = {f: sum(r[1][f] for r in got) / max(1, len(got))
                           for f in CPU_FIELDS}
        ev = [r[2] for r in got if r[2]]
        row['events'][col] = [median([e[i] for e in ev]) for i in range(4)] if ev else None
    return row


def fail(results, key, e):
    results[key] = 'failed: %s' % str(e).splitlines()[0]
    print('# %s, %d vCPU: %s' % (key[1], key[0], e), flush=True)


ERRORS = (GuestError, BenchError, ProfError, subprocess.TimeoutExpired,
          ValueError, KeyError)
PROF_INITRD = os.path.join(BUILD, 'vm', 'bench-net-perf.cpio.gz')


def profile(live, cpus, results):
    """Each row once more on each live NIC under perf in the guest:
    results[cpus, 'profile'][col] = [(NIC, Profile, us per MB scale,
    Gbit/s)]."""
    got = results.setdefault((cpus, 'profile'), {})
    for kind in live:
        guestprof.prepare(live[kind][0])
    for col, streams, rev, extra in ROWS:
        for kind in [k for k in KINDS if k in live]:
            g = live[kind][0]
            out = guestprof.record(g, iperf_cmd(SECONDS + PROF_LEAD + 2, streams, rev, extra),
                                   PROF_LEAD, SECONDS)
            gbps = iperf_gbps(out)
            got.setdefault(col, []).append(
                (kind, guestprof.report(g), cpus * 1e6 / (gbps * 125) if gbps else 0, gbps))


def measure(cpus, wrapper_dir, results):
    """Every NIC's guest up at once (each idle while another is measured,
    so all run beside the same company); each throughput row NIC after
    NIC, PASSES times over in changing order, then the pings interleaved;
    False if any failed."""
    live, ok = {}, True
    try:
        for kind in KINDS:
            try:
                r = start(kind, cpus, wrapper_dir)
            except ERRORS as e:
                fail(results, (cpus, kind), e)
                ok = False
                continue
            if isinstance(r, str):
                results[cpus, kind] = r
            else:
                live[kind] = r
        runs = {k: {} for k in live}
        for p in range(PASSES):
            for col, streams, rev, extra in ROWS:
                for kind in pass_order(p, [k for k in KINDS if k in live]):
                    try:
                        got = iperf_client(live[kind][0], streams, rev, extra, kind)
                    except ERRORS as e:
                        fail(results, (cpus, kind), e)
                        ok = False
                        stop(live.pop(kind))
                        continue
                    runs[kind].setdefault(col, [None] * PASSES)[p] = got
        for kind in live:
            results[cpus, kind] = summarise(runs[kind])
        if PROFILE:
            try:
                profile(live, cpus, results)
            except ERRORS as e:
                print('# %d vCPU profile: %s' % (cpus, e), flush=True)
                ok = False
        pings = ping_interleaved({k: v[0].netns for k, v in live.items()})
        for kind, got in pings.items():
            if isinstance(got, Exception):
                fail(results, (cpus, kind), got)
                ok = False
                continue
            row = results[cpus, kind]
            row['ping_mean'], row['ping_p99'] = got
        return ok
    finally:
        for v in live.values():
            stop(v)


def loopback():
    """iperf3 over the host's loopback, in a namespace of its own."""
    ns = NetNs()
    server = ns.popen('iperf3', '-s', '-B', '127.0.0.1',
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(0.5)
        got = []
        for streams in (1, 4):
            rc, out = ns.run('iperf3', '-c', '127.0.0.1', '-t', SECONDS,
                             '-P', streams, '-i', '0', '-J',
                             timeout=SECONDS + 60)
            got.append(iperf_gbps(out))
        return got
    finally:
        server.terminate()
        server.wait()
        ns.close()


def per_pass(syn, base, col):
    """The synthetic NIC's rate over base's, pass by pass."""
    return [a / b for a, b in zip(syn['passes'][col], base['passes'][col])
            if a is not None and b]


def fmt(v, col):
    return '%7.0f' % v if col.startswith('ping') else '%7.2f' % v


def row_table(results, cell):
    """A line per vCPU count and NIC: cell(row, column, NIC) for each run."""
    for cpus in CPUS:
        for kind in KINDS:
            r = results[cpus, kind]
            if isinstance(r, dict):
                print('%-5d %-11s %s' % (cpus, kind, '  '.join(
                    '%s %s' % (c, cell(r, c, kind)) for c in RUNS)))


def main():
    wrapper_dir = tempfile.mkdtemp(prefix='enl-bench-net-')
    results = {}
    failed = False
    if PROFILE:
        guestprof.append_programs(os.path.join(BUILD, 'vm', 'test.cpio.gz'), PROF_INITRD,
                                  ['perf'])
    try:
        for cpus in CPUS:
            if not measure(cpus, wrapper_dir, results):
                failed = True
        lo = loopback()
    finally:
        shutil.rmtree(wrapper_dir, ignore_errors=True)

    print('iperf3 TCP Gbit/s (%d s each; g2h = guest to host, _1/_4 streams), '
          'UDP guest to host Gbit/s received, ping RTT us from the host '
          '(%d pings)' % (SECONDS, PINGS))
    print('%-5s %-11s %7s %7s %7s %7s %7s %9s %8s' % (
        'vCPU', 'NIC', 'g2h_1', 'g2h_4', 'h2g_1', 'h2g_4', 'udp_g2h',
        'ping_mean', 'ping_p99'))
    for cpus in CPUS:
        for kind in KINDS:
            r = results[cpus, kind]
            if isinstance(r, str):
                print('%-5d %-11s %s' % (cpus, kind, r))
            else:
                print('%-5d %-11s %s' % (cpus, kind, ' '.join(
                    fmt(r[c], c).rjust(9 if c == 'ping_mean' else
                                       8 if c == 'ping_p99' else 7)
                    for c in COLS)))
    print('host loopback: %.2f Gbit/s (1 stream), %.2f (4 streams)' % tuple(lo))
    print('guest CPU during each run, %% of all vCPU time: %s'
          % '/'.join(CPU_FIELDS))
    row_table(results, lambda r, c, kind: '/'.join('%.0f' % r['cpu'][c][f]
                                                   for f in CPU_FIELDS))
    print('per packet the NIC moved (sent and received in the guest; medians of the '
          'passes): the guest\'s interrupts on its vectors; for the synthetic NIC also '
          'enl-host\'s doorbells from the guest, signals to it, passes over its rings')
    row_table(results, lambda r, c, kind: (
        '-' if not r['events'][c] else '%.3f' % r['events'][c][0] if kind != 'synthetic'
        else '/'.join('%.3f' % x for x in r['events'][c])))
    print('synthetic / baseline (throughput: the median of the %d passes\' '
          'ratios, higher is better; ping: lower is better)' % PASSES)
    pairs = []
    for cpus in CPUS:
        syn = results.get((cpus, 'synthetic'), 'not measured')
        for base in ('virtio-net', 'e1000'):
            b = results.get((cpus, base), 'not measured')
            if isinstance(syn, str) or isinstance(b, str):
                why = syn if isinstance(syn, str) else b
                print('%-5d vs %-10s %s' % (cpus, base, why))
                continue
            pairs.append((cpus, base, syn, b))
            print('%-5d vs %-10s %s' % (cpus, base, ' '.join(
                ['%s=%s' % (c, ratio_fmt(per_pass(syn, b, c))) for c in RUNS] +
                ['%s=%.2fx' % (c, syn[c] / b[c]) for c in COLS
                 if c not in RUNS and b[c]])))
    print('spread over %d passes: each NIC\'s min/median/max Gbit/s, then '
          'the per-pass ratios\' min..max' % PASSES)
    for cpus in CPUS:
        for kind in KINDS:
            r = results.get((cpus, kind))
            if isinstance(r, dict):
                print('%-5d %-11s %s' % (cpus, kind, '  '.join(
                    '%s %s' % (c, spread(r['passes'][c], '%.2f'))
                    for c in RUNS)))
    for cpus, base, syn, b in pairs:
        print('%-5d vs %-10s %s' % (cpus, base, '  '.join(
            '%s %s' % (c, ratio_range(per_pass(syn, b, c))) for c in RUNS)))
    for cpus in CPUS:
        for col in RUNS:
            runs = results.get((cpus, 'profile'), {}).get(col)
            if runs:
                guestprof.table('%d vCPU, %s, profiled in the guest (its own run; Gbit/s under '
                                'perf: %s)' % (cpus, col, ', '.join(
                                    '%s %.2f' % (k, r) for k, _, _, r in runs)),
                                'MB', STAGES, [(k, p, sc) for k, p, sc, _ in runs])
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
