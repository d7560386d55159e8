"""Where the guest's CPU time goes: perf inside the guest, for the
benchmarks' "why is a row short".

The guest's perf (the host's, Debian's linux-perf for the same 6.1
kernel, with its libraries, appended to the bench's initramfs) samples
every vCPU on cpu-clock, the hrtimer event: TCG emulates no PMU. A sample
lands where the vCPU was when the timer interrupt got in, so time spent
with interrupts off shows up at the point they came back on
(_raw_spin_unlock_irqrestore and the like); the call chains (-g) put it
back under its caller, which is why the stages below are inclusive
("children") shares. Under TCG a sample's time is host time spent running
that guest code, device exits (an MMIO read of the HPET, a doorbell
write) included.

A profiled run is a run of its own, after the measured passes, with the
workload running first and perf recording a window inside it: perf costs
the guest time too (10-25% fewer I/Os here), so its rate is printed
beside the profile and never mixes with the measured figures.

A stage is a label and the kernel functions whose inclusive shares it
sums (each bench names its own); stages may nest (a driver's queue_rq
inside io_submit). A share becomes guest CPU microseconds per unit of
work: share x vCPUs x 1e6 / the workload's rate in units a second."""
import os
import re
import shutil
import subprocess
import tempfile

DATA = '/tmp/enl-prof.data'
OUT = '/tmp/enl-prof.out'
HZ = 1000
# Idle: where a halted vCPU's samples land.
IDLE = ('native_safe_halt', 'default_idle', 'acpi_safe_halt')


class ProfError(Exception):
    pass


def append_programs(base, out, programs):
    """Write base (a gzipped initramfs) followed by a second archive with
    programs in /bin and the libraries they load (the kernel unpacks
    concatenated archives in order)."""
    root = tempfile.mkdtemp(prefix='enl-initrd-')
    try:
        os.makedirs(os.path.join(root, 'bin'))
        for prog in programs:
            path = shutil.which(prog) or prog
            if not os.path.isfile(path):
                raise ProfError('%s not installed (make deps)' % prog)
            shutil.copy(path, os.path.join(root, 'bin', os.path.basename(path)))
            ldd = subprocess.run(['ldd', path], capture_output=True, text=True,
                                 check=True).stdout
            for lib in re.findall(r'(/\S+) \(0x', ldd):
                dst = os.path.join(root, lib.lstrip('/'))
                if not os.path.exists(dst):
                    os.makedirs(os.path.dirname(dst), exist_ok=True)
                    shutil.copy(lib, dst)
        files = subprocess.run('cd %s && find . | cpio -o -H newc --quiet | gzip -1' % root,
                               shell=True, capture_output=True, check=True).stdout
    finally:
        shutil.rmtree(root, ignore_errors=True)
    with open(out, 'wb') as f:
        with open(base, 'rb') as b:
            shutil.copyfileobj(b, f)
        f.write(files)


def _sh(g, cmd, timeout):
    rc, out = g.sh(cmd, timeout)
    if rc:
        raise ProfError('guest: %s -> %d\n%s' % (cmd, rc, out[-1500:]))
    return out


def prepare(g):
    """Let perf see kernel addresses and every CPU."""
    _sh(g, 'echo 0 > /proc/sys/kernel/kptr_restrict && '
           'echo -1 > /proc/sys/kernel/perf_event_paranoid && perf --version', 60)


def record(g, workload, lead, seconds):
    """Run workload (a shell command, which must last longer than lead +
    seconds) in the background, record every vCPU for seconds after lead
    seconds, wait for the workload and return its output."""
    out = _sh(g, '(%s) >%s 2>&1 & sleep %s; perf record -q -e cpu-clock -F %d -a -g -o %s '
                 '-- sleep %d >/dev/null 2>&1; r=$?; wait; cat %s; exit $r'
              % (workload, OUT, lead, HZ, DATA, seconds, OUT), lead + seconds + 300)
    return out


class Profile:
    """One recording's inclusive and own shares (%) by kernel function,
    and the share spent in user space."""

    def __init__(self, text):
        self.children, self.own, self.user = {}, {}, 0.0
        for m in re.finditer(r'^\s*([\d.]+)%\s+([\d.]+)%\s+\[(.)\]\s+(\S+)', text, re.M):
            inc, own, where, sym = float(m.group(1)), float(m.group(2)), m.group(3), m.group(4)
            if where == 'k':
                self.children[sym] = inc
                self.own[sym] = own
            else:
                self.user += own
        if not self.children:
            raise ProfError('no samples in the guest\'s perf report:\n' + text[-1500:])

    def share(self, syms):
        return sum(self.children.get(s, 0.0) for s in syms)

    def busy(self):
        return 100.0 - sum(self.own.get(s, 0.0) for s in IDLE)

    def top_own(self, n):
        return sorted(self.own.items(), key=lambda kv: -kv[1])[:n]


def report(g):
    """The last recording, as a Profile."""
    text = _sh(g, 'perf report -i %s --stdio --children --sort sym -g none '
                  '--percent-limit 0.05 2>/dev/null' % DATA, 600)
    _sh(g, 'rm -f %s' % DATA, 60)
    return Profile(text)


def table(title, unit, stages, runs, top=8):
    """Print each stage's guest CPU per unit for every profiled device.
    runs: [(device, Profile, scale)] with scale = vCPUs x 1e6 / rate, so
    that a share of 100% is scale microseconds per unit."""
    print(title)
    print('  guest CPU us per %s (inclusive; stages may nest)%s' % (
        unit, ''.join('%14s' % d for d, _, _ in runs)))

    def row(label, values):
        print('  %-46s%s' % (label, ''.join(
            '%14s' % ('-' if v is None else '%.1f' % v) for v in values)))
    row('busy (all but halted)', [p.busy() / 100 * s for _, p, s in runs])
    row('user space (the workload)', [p.user / 100 * s for _, p, s in runs])
    for label, syms in stages:
        vals = []
        for _, p, s in runs:
            v = p.share(syms)
            vals.append(v / 100 * s if v else None)
        row(label, vals)
    for d, p, s in runs:
        print('  %s, top own time: %s' % (d, ', '.join(
            '%s %.1f' % (sym, pct / 100 * s) for sym, pct in p.top_own(top))))
