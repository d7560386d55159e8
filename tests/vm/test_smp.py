#!/usr/bin/env python3
"""VM ring, two vCPUs: channels bound to either CPU keep working (the pci
transport takes every SINT on VP 0's SynIC, whichever CPU the MSI-X lands
on), and echo traffic from tasks on both CPUs stays intact."""
import re
import sys

from vmtest import run_suite

SYSBUS = '/sys/bus/enl_vmbus/devices'


def run(t, g):
    rc, out = g.sh('nproc')
    t.ok(out.strip() == '2', 'the guest runs two CPUs', out)
    t.ok(g.wait_sh('test -c /dev/vmbus/echo'), '/dev/vmbus/echo exists')
    rc, cpu = g.sh('cat %s/*/target_cpu' % SYSBUS)
    t.diag('echo channel target_cpu: %s' % cpu.strip())
    for c in (0, 1):
        rc, out = g.sh('taskset -c %d enl-echo -n 20000 -s %d' % (c, 40 + c), timeout=300)
        t.ok(rc == 0, 'echo: 20000 packets from a task on CPU %d, every byte checked' % c, out)
    rc, out = g.sh('taskset -c 1 enl-chardev', timeout=120)
    t.ok(rc == 0 and 'not ok' not in out, 'chardev contract holds from CPU 1', out)
    rc, out = g.sh('cat /proc/interrupts')
    lines = [l for l in out.splitlines() if re.search(r'ivshmem|enl', l, re.I)]
    t.diag('\n'.join(lines))
    t.ok(lines, 'the SINT vector shows up in /proc/interrupts', out)
    clean, bad = g.dmesg_clean()
    t.ok(clean, 'no oops/BUG/WARNING with two CPUs', bad)


if __name__ == '__main__':
    sys.exit(run_suite(('echo',), run, cpus=2))
