#!/usr/bin/env python3
"""Where a storage row's guest time goes, exactly: the guest instructions
each disk costs per I/O, counted by a QEMU TCG plugin
(tests/bench/tcg/insncount.c, built by `make`) in one guest with every
disk attached and ENL_INSNS_CPUS vCPUs (default 1; more count as exactly,
but slower), booted as bench-storage.py boots it (same raw file on
tmpfs, same devices, the synthetic disk with our udev rule's scheduler).

Under TCG the guest's instructions per I/O decide much of a row (issue 9
says so), and a sampling profiler stretches what it interrupts; a count
does not. Per round and disk, each job runs twice, for SHORT and LONG
seconds: the difference of the two counts over the difference of their
I/O counts is the cost of one more I/O in steady state, with fio's own
start and exit (the same on every disk) taken out. The timer ticks of
those extra seconds stay in, a share that grows as a disk's I/O rate
falls. The rounds take the disks in the bench's changing order. Rates under
the plugin are printed beside, and never stand for the bench's rows.

ENL_INSNS_ROUNDS (default 3), ENL_BENCH_DEVICES (the bench's default set),
ENL_INSNS_JOBS (default "4k randread QD1,4k randread QD32")."""
import importlib.util
import os
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('bench_storage',
                                              os.path.join(HERE, 'bench-storage.py'))
bs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bs)
sys.path.insert(0, os.path.join(HERE, '..', 'tcg'))
import insns  # noqa: E402

ROUNDS = int(os.environ.get('ENL_INSNS_ROUNDS', '3'))
CPUS = int(os.environ.get('ENL_INSNS_CPUS', '1'))
WANT = [w.strip() for w in os.environ.get('ENL_INSNS_JOBS',
                                          '4k randread QD1,4k randread QD32').split(',')]
JOBS = [j for j in bs.JOBS if j[0] in WANT]
SHORT, LONG = 2, 6


def per_io(g, path, dev, job, what):
    """(guest instructions per I/O, I/O per second of the long run)."""
    got = []
    for secs in (SHORT, LONG):
        n0 = insns.count(path)
        out = bs.run_fio(g, dev, job, what, runtime=secs)
        got.append((insns.count(path) - n0, bs.parse(out, 'ios')))
    (n_s, io_s), (n_l, io_l) = got
    if io_l <= io_s:
        raise bs.BenchError('%s: the %d s run did no more I/O than the %d s one (%d, %d)'
                            % (what, LONG, SHORT, io_l, io_s))
    return (n_l - n_s) / (io_l - io_s), io_l / LONG


def main():
    why = insns.missing()
    if why:
        print('guest-insns: ' + why, file=sys.stderr)
        return 1
    tmp = tempfile.mkdtemp(prefix='enl-insns-stor-', dir='/dev/shm')
    img = os.path.join(tmp, 'disk.img')
    path = os.path.join(tmp, 'insns')
    initrd = os.path.join(bs.BUILD, 'vm', 'bench-storage.cpio.gz')
    got = {}
    try:
        bs.fill(img)
        bs.fio_initrd(initrd)
        g, devs, sched = bs.boot(CPUS, img, initrd, insns.qemu_args(path))
        try:
            print('# I/O schedulers: ' + ', '.join('%s %s' % (bs.NAMES[d], sched[d])
                                                   for d in bs.DEVICES), flush=True)
            for r in range(ROUNDS):
                for name, job, _ in JOBS:
                    for d in bs.pass_order(r, bs.DEVICES):
                        if d.startswith('synthetic'):
                            bs.set_scheduler(g, devs[d], sched[d])
                        n, iops = per_io(g, path, devs[d], job, '%s (%s)' % (d, name))
                        got.setdefault((name, d), []).append(n)
                        print('# round %d %-18s %-10s %8.0f insns/IO (%.0f IOPS under the '
                              'plugin)' % (r, name, bs.NAMES[d], n, iops), flush=True)
            clean, bad = g.dmesg_clean()
            if not clean:
                raise bs.BenchError('guest oops/WARNING:\n' + bad)
        finally:
            g.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    base = [d for d in ('virtio', 'ide', 'ahci') if d in bs.DEVICES]
    print('%-18s' % 'insns per I/O' + ''.join('%12s' % bs.NAMES[d] for d in bs.DEVICES) +
          ''.join('%16s' % ('syn/' + bs.NAMES[d]) for d in base if 'synthetic' in bs.DEVICES))
    for name, _, _ in JOBS:
        med = {d: bs.median(got[(name, d)]) for d in bs.DEVICES}
        row = '%-18s' % name + ''.join('%12.0f' % med[d] for d in bs.DEVICES)
        if 'synthetic' in bs.DEVICES:
            row += ''.join('%15.2fx' % (med['synthetic'] / med[d]) for d in base)
        print(row)
    print('(medians over %d rounds; syn/X below 1: the synthetic disk runs fewer guest '
          'instructions per I/O)' % ROUNDS)
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except bs.BenchError as e:
        print('guest-insns: FAILED: %s' % e, file=sys.stderr)
        sys.exit(1)
