#!/usr/bin/env python3
"""VM ring: kexec hands VMBus over cleanly. With the echo channel open, the
guest runs `kexec -e` into the same kernel (booting the minimal initramfs
that mkinitramfs.sh nests in /boot). The pci transport's .shutdown must
UNLOAD (enl-host then holds no channel or GPADL of the old kernel), switch
the SynIC off and quiesce MSI-X; the new kernel's enl_vmbus negotiates again
as on a first boot, and echo works."""
import re
import sys

from vmtest import run_suite, wait_until

SYSBUS = '/sys/bus/enl_vmbus/devices'


def host_stats(g):
    rc, out = g.ctl('stats')
    st = {'raw': out}
    for key in ('unloads', 'gpadls'):
        m = re.search(r'^%s (\d+)$' % key, out, re.M)
        st[key] = int(m.group(1)) if m else None
    m = re.search(r'^version (\S+)', out, re.M)
    st['version'] = m.group(1) if m else None
    m = re.search(r'^channel \d+ echo (\S+) .*opens=(\d+)', out, re.M)
    st['echo'] = (m.group(1), int(m.group(2))) if m else (None, None)
    return st


def check_echo_back(t, g, when, where, seed):
    """The next kernel's echo device works and leaves the host clean."""
    t.ok(g.wait_sh('test -c /dev/vmbus/echo'), '/dev/vmbus/echo exists again')
    rc, out = g.sh('enl-echo -n 2000 -s %d' % seed, timeout=300)
    t.ok(rc == 0, 'echo works %s' % when, out)
    ok = wait_until(lambda: host_stats(g)['gpadls'] == 0, 60)
    t.ok(ok, 'closing echo leaves no GPADL on the host', host_stats(g)['raw'])
    clean, bad = g.dmesg_clean()
    t.ok(clean, 'no oops/BUG/WARNING %s' % where, bad)


def run(t, g):
    t.ok(g.wait_sh('test -c /dev/vmbus/echo'), '/dev/vmbus/echo exists')
    rc, out = g.sh('enl-echo -n 2000 -s 7', timeout=300)
    t.ok(rc == 0, 'echo works before kexec', out)
    rc, boot_id = g.sh('cat /proc/sys/kernel/random/boot_id')
    rc, out = g.sh('ls -l /boot && kexec --version')
    t.ok(rc == 0 and 'vmlinuz' in out and 'initrd.cpio.gz' in out,
         'kexec, the kernel and the nested initramfs are in the guest', out)

    # Keep the echo channel open across kexec: its ring GPADL is live on
    # the host when the old kernel goes.
    rc, out = g.sh('sleep 100000 </dev/vmbus/echo >/dev/null 2>&1 &')
    ok, _ = g.wait_ctl(['stats'], r'^channel \d+ echo open ', 60)
    before = host_stats(g)
    t.diag('host before kexec: unloads=%s gpadls=%s version=%s echo=%s'
           % (before['unloads'], before['gpadls'], before['version'],
              before['echo']))
    t.ok(ok and before['gpadls'] and before['gpadls'] >= 1,
         'the echo channel is open with a GPADL on the host before kexec',
         before['raw'])

    rc, out = g.sh('kexec -l /boot/vmlinuz --initrd=/boot/initrd.cpio.gz '
                   '--append="$(cat /proc/cmdline)"', timeout=120)
    t.ok(rc == 0, 'kexec -l loads the kernel', out)
    if rc != 0:
        return
    if not g.replace_kernel(t, 'kexec -e', 'the kexec\'d kernel'):
        return

    console = open(g.console, errors='replace').read()
    t.ok(re.search(r'shutdown: VMBus unloaded, SynIC and MSI-X off', console),
         'the old kernel unloaded VMBus in .shutdown',
         '\n'.join(console.splitlines()[-40:]))

    rc, new_id = g.sh('cat /proc/sys/kernel/random/boot_id')
    t.ok(rc == 0 and new_id.strip() != boot_id.strip(),
         'a new kernel runs (boot_id %s -> %s)' % (boot_id.strip()[:8],
                                                   new_id.strip()[:8]))
    after = host_stats(g)
    t.diag('host after kexec: unloads=%s gpadls=%s version=%s echo=%s'
           % (after['unloads'], after['gpadls'], after['version'],
              after['echo']))
    t.ok(after['unloads'] == before['unloads'] + 1,
         'the host counted one UNLOAD (%s -> %s)'
         % (before['unloads'], after['unloads']), after['raw'])
    t.ok(after['gpadls'] == 0 and after['echo'][0] == 'offered',
         'no GPADL or open channel left from the old kernel', after['raw'])
    t.ok(after['version'] and after['version'] != 'none'
         and after['version'] == before['version'],
         'the new kernel negotiated VMBus %s again' % after['version'],
         after['raw'])

    rc, dmesg = g.sh('dmesg')
    t.ok(re.search(r'VMBus version \S+ negotiated over the pci transport',
                   dmesg), 'enl_vmbus of the new kernel is up', dmesg[-3000:])
    t.ok('left on by the previous kernel' not in dmesg,
         'the new kernel found the SynIC off', dmesg[-3000:])
    check_echo_back(t, g, 'after kexec', 'in the new kernel', 8)


if __name__ == '__main__':
    sys.exit(run_suite(('echo',), run))
