#!/usr/bin/env python3
"""VM ring: a crash kernel takes VMBus over without UNLOAD. The guest boots
with memory reserved for a crash kernel, loads one (kexec -p, the minimal
initramfs that mkinitramfs.sh nests in /boot) and crashes with the echo
channel open. Nothing runs .shutdown, so enl-host is still connected to the
dead kernel: the crash kernel's enl_vmbus must find VP 0's SynIC left on and
switch it off before INITIATE_CONTACT, which makes enl-host drop that
connection with its channels and GPADLs; then echo works again."""
import re
import sys

from vmtest import run_suite
from test_kexec import check_echo_back, host_stats


def run(t, g):
    t.ok(g.wait_sh('test -c /dev/vmbus/echo'), '/dev/vmbus/echo exists')
    rc, boot_id = g.sh('cat /proc/sys/kernel/random/boot_id')
    rc, out = g.sh('sleep 100000 </dev/vmbus/echo >/dev/null 2>&1 &')
    ok, _ = g.wait_ctl(['stats'], r'^channel \d+ echo open ', 60)
    before = host_stats(g)
    t.diag('host before the crash: unloads=%s gpadls=%s echo=%s'
           % (before['unloads'], before['gpadls'], before['echo']))
    t.ok(ok and before['gpadls'] and before['gpadls'] >= 1,
         'the echo channel is open with a GPADL on the host', before['raw'])

    rc, out = g.sh('kexec -p /boot/vmlinuz --initrd=/boot/initrd.cpio.gz '
                   '--append="$(sed s/crashkernel=[^\\ ]*// /proc/cmdline) '
                   'nr_cpus=1 reset_devices" && cat /sys/kernel/kexec_crash_loaded',
                   timeout=120)
    t.ok(rc == 0 and out.strip().endswith('1'), 'kexec -p loads a crash kernel', out)
    if rc != 0:
        return
    if not g.replace_kernel(t, 'echo c >/proc/sysrq-trigger', 'the crash kernel'):
        return
    rc, new_id = g.sh('cat /proc/sys/kernel/random/boot_id')
    t.ok(rc == 0 and new_id.strip() != boot_id.strip(), 'a new kernel runs')

    rc, dmesg = g.sh('dmesg')
    t.ok('SynIC left on by the previous kernel' in dmesg,
         'the crash kernel found the SynIC on and switched it off', dmesg[-3000:])
    t.ok(re.search(r'VMBus version \S+ negotiated over the pci transport',
                   dmesg), 'enl_vmbus of the crash kernel is up', dmesg[-3000:])
    hostlog = open(g.dir + '/enl-host.log', errors='replace').read()
    t.ok(re.search(r'SINT \d+ of vp 0 disabled: connection reset', hostlog),
         'enl-host reset the old connection', hostlog[-2000:])
    after = host_stats(g)
    t.diag('host after the crash: unloads=%s gpadls=%s echo=%s'
           % (after['unloads'], after['gpadls'], after['echo']))
    t.ok(after['unloads'] == before['unloads'],
         'no UNLOAD was sent (the crashed kernel ran no .shutdown)', after['raw'])
    t.ok(after['gpadls'] == 0 and after['echo'][0] == 'offered',
         'no GPADL or open channel left from the crashed kernel', after['raw'])
    check_echo_back(t, g, 'in the crash kernel', 'in the crash kernel', 9)


if __name__ == '__main__':
    sys.exit(run_suite(('echo',), run, append='crashkernel=160M'))
