#!/usr/bin/env python3
"""Storage benchmark: the synthetic disk (enl_storvsc on enl-host's storage
VSP) against QEMU's virtio-blk, emulated IDE (PIIX) and AHCI, and against
fio on the host as the limit.

One raw file on tmpfs backs every disk. For each vCPU count (1 and 2) one
guest boots with all four disks attached at once, the synthetic one by
`enl-host --disk`, the others by `--qemu-arg` with the devices of
/work/shared/MACHINE-NOTES.md (cache=none, aio=threads; AHCI as an ICH9
AHCI controller on the same pc machine); file locking is off because
QEMU and enl-host hold the same file, which only one disk uses at a time.
fio (libaio, direct) runs in the guest on each disk in turn, workload by
workload:
  4k randread QD32, 4k randwrite QD32 (IOPS), 4k randread QD1 (mean and
  p99 latency), 1M read and write QD4 (MB/s).
The QD1 latency is fio's total latency ("lat": from fio setting up the I/O
to fio seeing it complete), the time the application waits. fio splits it
into the submission ("slat", up to io_submit's return) and the completion
("clat", after it); the table shows both parts too. Which part holds a
device's work depends on where its driver and QEMU do it: virtio-blk's
notify exit and the clock reads beside it take much of its latency inside
io_submit, which clat alone would not count.
Each workload runs PASSES times over the disks, the order changing from
pass to pass (forward, then reversed, then rotated: ABBA for two disks),
so that no disk always runs first or right after the same neighbour, and
a change of the machine's load hits every device alike. The table gives
each disk's median over the passes and, per workload, the synthetic
disk's ratio to each other disk as the median of the per-pass ratios (the
two runs of a pass are minutes apart at most); a second table gives the
spread: each disk's min/median/max and the per-pass ratios' range, so a
reader sees how far identical runs moved. The same jobs run on the host
against the file (once). The load average is printed beside each guest,
since the machine is shared.

ENL_BENCH_SHORT=1 (or --short): a quick sanity run, 1 vCPU, 2 s a job, 2
passes. Throughput moves with the machine's load; the CPU time QEMU and
enl-host spend per I/O (their utime+stime over the job, from /proc,
divided by fio's I/O count; guest CPU is QEMU's) moves much less, and is
printed too: it is what a driver saves. For the synthetic disk the host's
counters give, per I/O, the guest's doorbells, the host's signals to the
guest and the host's passes over the ring.

The synthetic disk runs with the I/O scheduler our udev rule gives it
(packaging/udev/60-enlighten-storage.rules, read from there): the test
initramfs runs no udev, so the bench sets it as udev would on an installed
guest; the other disks keep the kernel's default. The device
"synthetic-kdef" (not in the default set) is the same synthetic disk with
the kernel's default scheduler, switched before each of its runs: the
rule's effect, measured in the same guest. The schedulers used are printed.

ENL_BENCH_PROFILE=1 (or --profile): after the passes, each workload
runs once more on each disk with perf recording inside the guest
(tests/bench/guestprof.py), and a table per workload gives the guest CPU
per I/O (per MB for the 1M jobs) by stage: the clock reads, io_submit,
the driver's queue_rq and doorbell, interrupts, the block and SCSI
completions, each disk's busiest functions. That is where a short row's
time goes; those runs' own rates are printed with them and never enter
the tables above.

ENL_BENCH_RUNTIME (seconds, default 4), ENL_BENCH_PASSES (3),
ENL_BENCH_CPUS ("1 2"), ENL_BENCH_DEVICES ("synthetic virtio ide ahci";
also "synthetic-kdef")
and ENL_BENCH_JOBS (workload names, comma-separated, e.g. "4k randread
QD32,4k randread QD1") narrow it. Only the storage bench at 1 vCPU, after
`make bench` built the guest once:
  ENL_BENCH_CPUS=1 python3 tests/bench/storage/bench-storage.py"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'vm'))
sys.path.insert(0, os.path.join(HERE, '..'))
from vmtest import BUILD, Guest, GuestError, wait_until  # noqa: E402
from passes import median, pass_order, ratio_fmt, ratio_range, spread  # noqa: E402
from hostevents import host_events  # noqa: E402
import guestprof  # noqa: E402
from guestprof import ProfError, append_programs  # noqa: E402

PROFILE = os.environ.get('ENL_BENCH_PROFILE') == '1' or '--profile' in sys.argv[1:]
SHORT = os.environ.get('ENL_BENCH_SHORT') == '1' or '--short' in sys.argv[1:]
RUNTIME = int(os.environ.get('ENL_BENCH_RUNTIME', '2' if SHORT else '4'))
PASSES = max(1, int(os.environ.get('ENL_BENCH_PASSES', '2' if SHORT else '3')))
# No ramp: the CPU time per I/O below covers the whole fio run.
RAMP = 0
CPUS = [int(c) for c in os.environ.get('ENL_BENCH_CPUS', '1' if SHORT else '1 2').split()]
DEVICES = os.environ.get('ENL_BENCH_DEVICES', 'synthetic virtio ide ahci').split()
FILE_MB = 256 if SHORT else 1024
MEM = '1024M'

# name, fio arguments, what is reported
JOBS = [
    ('4k randread QD32', '--rw=randread --bs=4k --iodepth=32', 'iops'),
    ('4k randwrite QD32', '--rw=randwrite --bs=4k --iodepth=32', 'iops'),
    ('4k randread QD1', '--rw=randread --bs=4k --iodepth=1 --lat_percentiles=1', 'lat'),
    ('1M read QD4', '--rw=read --bs=1M --iodepth=4', 'mbs'),
    ('1M write QD4', '--rw=write --bs=1M --iodepth=4', 'mbs'),
]
if os.environ.get('ENL_BENCH_JOBS'):
    _want = [w.strip() for w in os.environ['ENL_BENCH_JOBS'].split(',')]
    JOBS = [j for j in JOBS if j[0] in _want]
NAMES = {'synthetic': 'synthetic', 'synthetic-kdef': 'syn-kdef', 'virtio': 'virtio-blk',
         'ide': 'IDE', 'ahci': 'AHCI'}
# The synthetic disk is attached when either of its two entries is asked for.
SYN = any(d.startswith('synthetic') for d in DEVICES)
RULE = os.path.join(HERE, '..', '..', '..', 'packaging', 'udev', '60-enlighten-storage.rules')


def rule_scheduler():
    """The scheduler our udev rule gives enl_storvsc disks."""
    with open(RULE) as f:
        m = re.search(r'^DRIVERS=="enl_storvsc",.*ATTR\{queue/scheduler\}="([^"]+)"', f.read(),
                      re.M)
    if not m:
        raise BenchError('no scheduler for enl_storvsc disks in ' + RULE)
    return m.group(1)


class BenchError(Exception):
    pass


def qemu_args(img):
    """The QEMU devices to compare with, all on img."""
    drive = 'file=%s,format=raw,cache=none,aio=threads,file.locking=off' % img
    a = []
    if 'virtio' in DEVICES:
        a += ['-drive', drive + ',if=none,id=vd0', '-device', 'virtio-blk-pci,drive=vd0']
    if 'ide' in DEVICES:
        a += ['-drive', drive + ',if=ide,index=0,media=disk']
    if 'ahci' in DEVICES:
        a += ['-device', 'ahci,id=ahci0', '-drive', drive + ',if=none,id=ad0',
              '-device', 'ide-hd,drive=ad0,bus=ahci0.0']
    return a


def fio_initrd(out):
    """The VM ring's initramfs with fio (and perf when profiling) and their
    libraries appended."""
    append_programs(os.path.join(BUILD, 'vm', 'test.cpio.gz'), out,
                    ['fio'] + (['perf'] if PROFILE else []))


def fill(img):
    """Data everywhere, so that reads are not of holes."""
    subprocess.run(['dd', 'if=/dev/urandom', 'of=' + img, 'bs=1M', 'count=%d' % FILE_MB,
                    'status=none'], check=True)


def load():
    return open('/proc/loadavg').read().split()[0]


def cpu_ticks(pid):
    """utime + stime of pid and its children (QEMU under enl-host), in
    clock ticks."""
    total = 0
    kids = []
    try:
        for t in os.listdir('/proc/%d/task' % pid):
            with open('/proc/%d/task/%s/children' % (pid, t)) as f:
                kids += [int(k) for k in f.read().split()]
        with open('/proc/%d/stat' % pid) as f:
            st = f.read().rsplit(')', 1)[1].split()
        total = int(st[11]) + int(st[12])
    except OSError:
        return 0
    return total + sum(cpu_ticks(k) for k in kids)


def fio_args(dev, job, runtime=RUNTIME):
    ramp = ' --ramp_time=%d' % RAMP if RAMP else ''
    return ('--name=b --filename=%s --ioengine=libaio --direct=1 %s --size=%dM '
            '--time_based --runtime=%d%s --norandommap --randrepeat=0 '
            '--output-format=json' % (dev, job, FILE_MB, runtime, ramp))


def parse(text, kind):
    """The figure a job reports from fio's JSON: IOPS, MB/s or for latency
    (mean us, p99 us) of the total latency, then of the completion part
    (clat), then the submission part's (slat) mean."""
    i = text.find('{')
    if i < 0:
        raise BenchError('no fio JSON in:\n' + text[-1500:])
    j = json.loads(text[i:text.rindex('}') + 1])['jobs'][0]
    if j.get('error'):
        raise BenchError('fio error %s' % j['error'])
    d = j['read'] if j['read']['io_bytes'] else j['write']
    if kind == 'ios':
        return d['total_ios']
    if kind == 'iops':
        return d['iops']
    if kind == 'mbs':
        return d['bw_bytes'] / 1e6
    lat, clat = d['lat_ns'], d['clat_ns']
    return (lat['mean'] / 1e3, lat['percentile']['99.000000'] / 1e3,
            clat['mean'] / 1e3, clat['percentile']['99.000000'] / 1e3,
            d['slat_ns']['mean'] / 1e3)


def guest_disks(g):
    """{device: /dev/node} for the disks the guest found."""
    found = {}

    def probe():
        rc, out = g.sh('for b in /sys/block/sd* /sys/block/vd*; do [ -e "$b" ] || continue; '
                       'p=$(readlink -f $b/device); h=${p%%/target*}; h=${h##*/}; '
                       'echo "${b##*/} $(cat /sys/class/scsi_host/$h/proc_name 2>/dev/null)"; '
                       'done')
        for line in out.splitlines():
            f = line.split()
            if f and f[0].startswith('vd'):
                found['virtio'] = '/dev/' + f[0]
            elif len(f) == 2:
                d = {'enl_storvsc': 'synthetic', 'ata_piix': 'ide', 'ahci': 'ahci'}.get(f[1])
                if d:
                    found[d] = '/dev/' + f[0]
        if 'synthetic' in found:
            found['synthetic-kdef'] = found['synthetic']
        return all(d in found for d in DEVICES)
    wait_until(probe, 60, 1)
    return found


def scheduler(g, dev):
    """The scheduler the kernel uses for /dev/<dev> now."""
    rc, out = g.sh('cat /sys/block/%s/queue/scheduler' % dev[len('/dev/'):])
    m = re.search(r'\[(\S+)\]', out)
    if rc or not m:
        raise BenchError('no scheduler for %s: %s' % (dev, out))
    return m.group(1)


def set_scheduler(g, dev, name):
    rc, out = g.sh('echo %s > /sys/block/%s/queue/scheduler' % (name, dev[len('/dev/'):]))
    if rc or scheduler(g, dev) != name:
        raise BenchError('could not set %s\'s scheduler to %s: %s' % (dev, name, out))


# Stages of the guest's I/O path for the profile: (label, kernel functions
# whose inclusive shares add up). A disk without a function shows "-".
STAGES = (
    ('system calls', ('do_syscall_64',)),
    ('  io_submit', ('__x64_sys_io_submit',)),
    ('    block layer submit (submit_bio)', ('submit_bio_noacct_nocheck',)),
    ('      driver queue_rq', ('scsi_queue_rq', 'virtio_queue_rq')),
    ('        enl_storvsc / virtio-blk / libata issue',
     ('stor_queuecommand', 'virtblk_prep_rq.isra.0', 'virtqueue_add_split', 'ata_scsi_queuecmd')),
    ('        doorbell (MMIO write, an exit)', ('pci_signal_event', 'vp_notify')),
    ('  io_getevents', ('__x64_sys_io_getevents',)),
    ('  clock_gettime (fio)', ('__x64_sys_clock_gettime',)),
    ('device interrupts (and softirqs on their exit)', ('asm_common_interrupt',)),
    ('softirqs, wherever they ran', ('handle_softirqs', '__do_softirq')),
    ('  block completion softirq', ('blk_complete_reqs',)),
    ('    SCSI midlayer completion', ('scsi_io_completion',)),
    ('  enl_vmbus channel tasklet', ('chan_tasklet',)),
    # Every driver's completion calls both, neither inside the other.
    ('request completion (bios, then the request)', ('blk_update_request',
                                                     '__blk_mq_end_request')),
    ('HPET clock reads, all callers', ('read_hpet',)),
    ('scheduler (__schedule)', ('__schedule',)),
    ('timer interrupt', ('asm_sysvec_apic_timer_interrupt',)),
)
PROF_LEAD = 1.5


def profile(g, devs, sched, ncpu):
    """Each workload once more on each disk under perf in the guest:
    {workload: [(disk, Profile, us per unit scale, rate)]}."""
    guestprof.prepare(g)
    got = {}
    for name, job, kind in JOBS:
        for d in DEVICES:
            if d.startswith('synthetic'):
                set_scheduler(g, devs[d], sched[d])
            args = fio_args(devs[d], job, runtime=RUNTIME + PROF_LEAD + 3)
            out = guestprof.record(g, 'fio ' + args, PROF_LEAD, RUNTIME)
            rate = parse(out, 'mbs' if kind == 'mbs' else 'iops')
            prof = guestprof.report(g)
            got.setdefault(name, []).append((NAMES[d], prof, ncpu * 1e6 / rate if rate else 0,
                                             rate))
    return got


def run_fio(g, dev, job, what, runtime=RUNTIME):
    """fio's JSON output of job on dev in the guest."""
    rc, out = g.sh('fio %s >/tmp/fio.json 2>/tmp/fio.err; r=$?; cat /tmp/fio.json '
                   '/tmp/fio.err; exit $r' % fio_args(dev, job, runtime),
                   timeout=runtime + RAMP + 300)
    if rc:
        raise BenchError('fio on %s failed:\n%s' % (what, out[-1500:]))
    return out


def boot(ncpu, img, initrd, extra_qemu=()):
    """A guest with every disk of DEVICES on img, ready for fio: (guest,
    {device: /dev/node}, {device: the I/O scheduler it runs with})."""
    disks = [img] if SYN else []
    g = Guest(offers=(), cpus=ncpu, mem=MEM, disks=disks,
              qemu_args=qemu_args(img) + list(extra_qemu), initrd=initrd)
    try:
        rc, out = g.sh('modprobe -a sd_mod enl_storvsc ata_piix ahci virtio_pci virtio_blk')
        if rc:
            raise BenchError('modprobe: ' + out)
        devs = guest_disks(g)
        missing = [d for d in DEVICES if d not in devs]
        if missing:
            raise BenchError('the guest did not find %s:\n%s' % (
                ', '.join(missing), g.sh('ls -l /sys/block; dmesg | tail -30')[1]))
        # fio seeds from /dev/urandom. Until the guest's CRNG is ready
        # (under TCG, without RDRAND, that takes a while after boot) such a
        # read spins gathering jitter entropy, which the first job's first
        # disk would pay for. A read of /dev/random waits for it here.
        rc, out = g.sh('head -c 16 /dev/random | wc -c', timeout=600)
        if rc or out.strip() != '16':
            raise BenchError('the guest\'s CRNG did not come up: ' + out)
        # What each disk runs with: the kernel's default, but the synthetic
        # disk as our udev rule sets it.
        sched = {d: scheduler(g, devs[d]) for d in DEVICES}
        if 'synthetic' in DEVICES:
            sched['synthetic'] = rule_scheduler()
        return g, devs, sched
    except BaseException:
        g.close()
        raise


def measure(ncpu, img, initrd):
    load0 = load()
    g, devs, sched = boot(ncpu, img, initrd)
    try:
        res = {}
        res['sched'] = ', '.join('%s %s' % (NAMES[d], sched[d]) for d in DEVICES)
        hz = os.sysconf('SC_CLK_TCK')
        for name, job, kind in JOBS:
            for p in range(PASSES):
                for d in pass_order(p, DEVICES):
                    if d.startswith('synthetic'):
                        set_scheduler(g, devs[d], sched[d])
                    c0, e0 = cpu_ticks(g.proc.pid), host_events(g, 'scsi') if d == 'synthetic' else None
                    out = run_fio(g, devs[d], job, '%s (%s)' % (d, name))
                    ios = parse(out, 'ios')
                    cpu = (cpu_ticks(g.proc.pid) - c0) / hz * 1e6 / ios if ios else None
                    res.setdefault((name, d), []).append(parse(out, kind))
                    res.setdefault((name, d, 'cpu'), []).append(cpu)
                    if e0 is not None and ios:
                        e1 = host_events(g, 'scsi')
                        res.setdefault((name, 'events'), []).append(
                            [(b - a) / ios for a, b in zip(e0, e1)])
        if PROFILE:
            res['profile'] = profile(g, devs, sched, ncpu)
        clean, bad = g.dmesg_clean()
        if not clean:
            raise BenchError('guest oops/WARNING:\n' + bad)
        res['queues'] = g.sh('cat /sys/class/scsi_host/host*/enl_queues 2>/dev/null')[1].strip()
        res['load'] = '%s..%s' % (load0, load())
        return res
    finally:
        g.close()


def summary(kind, runs):
    """The median run's figure: for latency the median mean and the median
    p99, taken apart."""
    runs = [r for r in runs or [] if r is not None]
    if not runs:
        return None
    if kind == 'lat':
        return (median([r[0] for r in runs]),
                None if runs[0][1] is None else median([r[1] for r in runs]))
    return median(runs)


def pass_ratios(kind, ours, theirs):
    """The synthetic disk's ratio to another in each pass (above 1 is
    better for ours)."""
    out = []
    for o, t in zip(ours or [], theirs or []):
        if o is None or t is None:
            continue
        if kind == 'lat':
            if o[0]:
                out.append(t[0] / o[0])
        elif kind == 'cpu':
            if o:
                out.append(t / o)
        elif t:
            out.append(o / t)
    return out


def host_limit(img):
    res = {}
    for name, job, kind in JOBS:
        r = subprocess.run('fio ' + fio_args(img, job), shell=True, capture_output=True,
                           text=True)
        if r.returncode:
            raise BenchError('host fio (%s):\n%s' % (name, (r.stdout + r.stderr)[-1500:]))
        res[name] = parse(r.stdout, kind)
    return res


def lat_part(runs, part):
    """The latency runs' completion (clat mean, p99) or submission (slat
    mean, -) part, in the shape of a latency run."""
    return [None if x is None else (x[2], x[3]) if part == 'clat' else (x[4], None)
            for x in runs or []]


def runs_of(r, name, d, part=None):
    """A disk's runs of a job, or of one part of their latency."""
    runs = r.get((name, d))
    return runs if part is None else lat_part(runs, part)


def print_parts(ncpu, r, name, base):
    """The QD1 rows' clat and slat, each with its ratios."""
    for part in ('clat', 'slat'):
        row = '%-5d %-18s' % (ncpu, '  of it ' + part)
        row += ''.join('%13s' % fmt('lat', summary('lat', runs_of(r, name, d, part)))
                       for d in DEVICES)
        row += '%13s' % ''
        syn = runs_of(r, name, 'synthetic', part)
        row += ''.join(' %10s' % ratio_fmt(pass_ratios('lat', syn, runs_of(r, name, d, part)))
                       for d in base)
        print(row)


def fmt(kind, v):
    if v is None:
        return '-'
    if kind == 'lat':
        return '%.0f' % v[0] if v[1] is None else '%.0f/%.0f' % v[:2]
    return '%.0f' % v


def spread_of(kind, runs):
    """min/median/max of a disk's passes (latency: of the means)."""
    return spread([r[0] if kind == 'lat' else r for r in runs or [] if r is not None])


def main():
    print('storage benchmark: fio libaio direct=1, %d s a job%s, %d passes over the disks in '
          'changing order, one %d MiB raw file on tmpfs behind every disk%s' % (
              RUNTIME, ' after a %d s ramp' % RAMP if RAMP else '', PASSES, FILE_MB,
              ' (short mode)' if SHORT else ''))
    print('units: IOPS; QD1: mean/p99 total latency in us (then its parts: clat, after '
          'io_submit returned, mean/p99; slat, io_submit, mean); 1M: MB/s; CPU us/IO: QEMU\'s '
          'and enl-host\'s CPU time per I/O. Figures are medians over the passes; ratios are '
          'the synthetic disk\'s (latency, CPU: theirs/ours), the median of the per-pass '
          'ratios, above 1 is better')
    tmp = tempfile.mkdtemp(prefix='enl-bench-stor-', dir='/dev/shm')
    img = os.path.join(tmp, 'disk.img')
    initrd = os.path.join(BUILD, 'vm', 'bench-storage.cpio.gz')
    status = 0
    results = {}
    try:
        fill(img)
        fio_initrd(initrd)
        for ncpu in CPUS:
            try:
                results[ncpu] = measure(ncpu, img, initrd)
            except (GuestError, BenchError, ProfError, KeyError, ValueError) as e:
                print('%d vCPU: FAILED: %s' % (ncpu, e))
                status = 1
        try:
            hl, hload = host_limit(img), load()
        except BenchError as e:
            print('host fio: FAILED: %s' % e)
            hl, hload, status = {}, '-', 1
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    cols = [NAMES[d] for d in DEVICES]
    head = '%-5s %-18s' % ('vCPUs', 'workload') + ''.join('%13s' % c for c in cols)
    # The synthetic disk against each emulated one measured in this run.
    base = [d for d in ('synthetic-kdef', 'virtio', 'ide', 'ahci')
            if d in DEVICES] if 'synthetic' in DEVICES else []
    head += '%13s' % 'host' + ''.join(' %10s' % ('syn/' + NAMES[d]) for d in base)
    print(head)
    for ncpu, r in sorted(results.items()):
        for name, _, kind in JOBS:
            row = '%-5d %-18s' % (ncpu, name)
            row += ''.join('%13s' % fmt(kind, summary(kind, r.get((name, d)))) for d in DEVICES)
            row += '%13s' % fmt(kind, hl.get(name))
            syn = r.get((name, 'synthetic'))
            row += ''.join(' %10s' % ratio_fmt(pass_ratios(kind, syn, r.get((name, d))))
                           for d in base)
            print(row)
            if kind == 'lat':
                print_parts(ncpu, r, name, base)
        for name, _, kind in JOBS:
            row = '%-5d %-18s' % (ncpu, 'CPU/IO ' + name.replace('rand', '').replace(' QD', '@'))
            cpu = [summary('cpu', r.get((name, d, 'cpu'))) for d in DEVICES]
            row += ''.join('%13s' % ('%.0f' % c if c else '-') for c in cpu)
            syn = r.get((name, 'synthetic', 'cpu'))
            row += '%13s' % '' + ''.join(
                ' %10s' % ratio_fmt(pass_ratios('cpu', syn, r.get((name, d, 'cpu'))))
                for d in base)
            print(row)
        print('%-5d load average (1 min) %s while this guest ran' % (ncpu, r['load']))
        print('%-5d I/O schedulers: %s (synthetic: our udev rule\'s, set by the bench; '
              'others: the kernel\'s default)' % (ncpu, r['sched']))
        if r['queues']:
            print('%-5d synthetic queues: %s' % (ncpu, ' | '.join(r['queues'].splitlines())))
    for ncpu, r in sorted(results.items()):
        print('%-5d spread over %d passes: each disk\'s min/median/max (QD1: of the mean '
              'latency); the per-pass ratios\' min..max' % (ncpu, PASSES))
        print('%-5s %-18s' % ('vCPUs', 'workload') + ''.join('%16s' % c for c in cols) +
              ''.join(' %11s' % ('syn/' + NAMES[d]) for d in base))
        for name, _, kind in JOBS:
            # QD1: the total latency's row, then its completion part's.
            for label, part in [(name, None)] + ([('  of it clat', 'clat')]
                                                 if kind == 'lat' else []):
                row = '%-5d %-18s' % (ncpu, label)
                row += ''.join('%16s' % spread_of(kind, runs_of(r, name, d, part))
                               for d in DEVICES)
                syn = runs_of(r, name, 'synthetic', part)
                row += ''.join(' %11s' % ratio_range(pass_ratios(kind, syn,
                                                                 runs_of(r, name, d, part)))
                               for d in base)
                print(row)
        if any((name, 'events') in r for name, _, _ in JOBS):
            print('%-5d synthetic, per I/O (median of passes): guest doorbells, host signals '
                  'to the guest, host passes' % ncpu)
            for name, _, kind in JOBS:
                ev = r.get((name, 'events'))
                if ev:
                    print('%-5d %-18s %s' % (ncpu, name, ' '.join(
                        '%.2f' % median([e[i] for e in ev]) for i in range(3))))
    for ncpu, r in sorted(results.items()):
        for name, _, kind in JOBS:
            runs = r.get('profile', {}).get(name)
            if not runs:
                continue
            guestprof.table('%d vCPU, %s, profiled in the guest (its own run; rate under perf: %s)'
                            % (ncpu, name, ', '.join('%s %.0f %s' % (
                                d, rate, 'MB/s' if kind == 'mbs' else 'IOPS')
                                for d, _, _, rate in runs)),
                            'MB' if kind == 'mbs' else 'I/O', STAGES,
                            [(d, p, sc) for d, p, sc, _ in runs])
    print('host fio ran with load average %s; uptime: %s' % (
        hload, subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()))
    return status


if __name__ == '__main__':
    t0 = time.monotonic()
    rc = main()
    print('took %.0f s' % (time.monotonic() - t0))
    sys.exit(rc)
