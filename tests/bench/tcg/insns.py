"""The guest counters of tests/bench/tcg/insncount.c, as the benchmarks'
counting scripts use them: QEMU's -plugin arguments that make a guest
count into a file, and reading those counts."""
import bisect
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
PLUGIN = os.path.join(HERE, '..', '..', '..', 'build', 'meson', 'tests', 'bench', 'tcg',
                      'insncount.so')
VCPU_SLOTS = 8
HEAD = struct.Struct('<QQ%dQ' % VCPU_SLOTS)   # insns, idles, insns by vCPU
SLOT = struct.Struct('<QQQ40s')
SLOTS = 64
PROF = struct.Struct('<QQ')
PROF_SLOTS = 1 << 17
# Regions QEMU leaves unnamed (a page of a small device's registers, shared
# through a page-sized piece), by their page on the pc machine.
PAGES = {0xfed00000: 'hpet'}


def missing():
    """Why the counter cannot be used, or None."""
    if not os.path.exists(PLUGIN):
        return '%s is missing: run make first' % os.path.normpath(PLUGIN)
    return None


def qemu_args(path, io=False, prof=False):
    """QEMU arguments that load the counter, counting into path; io also
    counts every MMIO access by region (and slows the guest a lot), prof
    the instructions of each translated block by its address."""
    return ('-plugin', '%s,out=%s%s%s' % (os.path.normpath(PLUGIN), path,
                                          ',io=on' if io else '',
                                          ',prof=on' if prof else ''))


def count(path):
    """The guest's instructions so far."""
    with open(path, 'rb') as f:
        return struct.unpack('<Q', f.read(8))[0]


def vcpu_line(events):
    """'vcpu0 n, vcpu1 n' instructions from a per() result."""
    return ', '.join('%s %.0f' % (k.split()[1], v) for k, v in sorted(events.items())
                     if k.startswith('insns vcpu'))


def read(path):
    """Every count so far: {'insns': n, 'idles': n (vCPU halts), 'insns
    vcpuN': n (each vCPU's share, where it ran any), and with io, 'REGION r'
    and 'REGION w': MMIO reads and writes}."""
    with open(path, 'rb') as f:
        b = f.read(HEAD.size + SLOTS * SLOT.size)
    head = HEAD.unpack_from(b, 0)
    got = dict(zip(('insns', 'idles'), head[:2]))
    for i, n in enumerate(head[2:]):
        if n:
            got['insns vcpu%d' % i] = n
    for i in range(SLOTS):
        r, w, addr, name = SLOT.unpack_from(b, HEAD.size + i * SLOT.size)
        name = name.split(b'\0')[0].decode(errors='replace')
        if not name:
            continue
        if name.startswith('anon'):
            name = PAGES.get(addr & ~0xfff, 'page %#x' % (addr & ~0xfff))
        for k, v in (('%s r' % name, r), ('%s w' % name, w)):
            got[k] = got.get(k, 0) + v
    return got


def per(before, after, n, idle=None, secs=0.0):
    """Each count's growth from before to after per unit (n units), less
    secs of an idle rate ({name: per second}) when given."""
    idle = idle or {}
    return {k: (after[k] - before.get(k, 0) - idle.get(k, 0) * secs) / n for k in after}


def mmio_line(events, top=4):
    """'MMIO n (region r/w n, ...), idles n' from a per() result."""
    mmio = {k: v for k, v in events.items() if k != 'idles' and not k.startswith('insns')}
    busiest = sorted(((v, k) for k, v in mmio.items() if v >= 0.05), reverse=True)[:top]
    return 'MMIO %.1f (%s), idles %.2f' % (
        sum(mmio.values()), ', '.join('%s %.2f' % (k, v) for v, k in busiest) or 'none',
        events.get('idles', 0))


PROF_HEAD = struct.Struct('<QQ')     # slots taken, blocks that found none


def profile_missed(path):
    """(profile slots taken, translated blocks left out of the profile
    because its table was full) (prof=on)."""
    with open(path, 'rb') as f:
        f.seek(HEAD.size + SLOTS * SLOT.size)
        return PROF_HEAD.unpack(f.read(PROF_HEAD.size))


def profile(path):
    """{block start address: guest instructions so far} (prof=on)."""
    with open(path, 'rb') as f:
        f.seek(HEAD.size + SLOTS * SLOT.size + PROF_HEAD.size)
        b = f.read(PROF_SLOTS * PROF.size)
    got = {}
    for vaddr, n in PROF.iter_unpack(b):
        if vaddr:
            got[vaddr] = n
    return got


class Symbols:
    """The guest's /proc/kallsyms text, for naming profile addresses."""

    def __init__(self, kallsyms):
        syms = []
        for line in kallsyms.splitlines():
            f = line.split()
            if len(f) >= 3 and f[1] in 'tTwW':
                syms.append((int(f[0], 16), f[2] + (' ' + f[3] if len(f) > 3 else '')))
        syms.sort()
        self.addrs = [a for a, _ in syms]
        self.names = [n for _, n in syms]

    def name(self, addr):
        i = bisect.bisect_right(self.addrs, addr) - 1
        return self.names[i] if i >= 0 and self.addrs[i] else '[user]' if addr < 1 << 47 else '?'


def by_function(before, after, syms, n, idle=None, secs=0.0):
    """Instructions per unit (n units) by guest function from two
    profile() snapshots, less secs of an idle rate by function."""
    got = {}
    for addr, v in after.items():
        d = v - before.get(addr, 0)
        if d:
            k = syms.name(addr)
            got[k] = got.get(k, 0) + d
    idle = idle or {}
    return {k: (v - idle.get(k, 0) * secs) / n for k, v in got.items()}
