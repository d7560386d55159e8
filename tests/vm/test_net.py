#!/usr/bin/env python3
"""VM ring, synthetic network: the guest's enl_netvsc.

Without a NIC: enl_netvsc loads against enl_vmbus, registers on the
enl_vmbus bus under its own name, makes no net_device, and unloads with a
clean dmesg."""
import re
import sys

from vmtest import Guest, GuestError, Tap

SYSBUS = '/sys/bus/enl_vmbus'


def smoke(t):
    """The module on its own: no network device is offered."""
    try:
        g = Guest()
    except GuestError as e:
        t.ok(False, 'guest boots', str(e))
        return
    try:
        rc, before = g.sh('ls /sys/class/net')
        rc, out = g.sh('modprobe enl_netvsc && lsmod')
        t.ok(rc == 0 and re.search(r'^enl_netvsc ', out, re.M) is not None,
             'enl_netvsc loads (with enl_vmbus)', out)
        rc, out = g.sh('ls %s/drivers' % SYSBUS)
        t.ok(rc == 0 and 'enl_netvsc' in out.split(),
             'enl_netvsc registered on the enl_vmbus bus', out)
        rc, after = g.sh('ls /sys/class/net')
        t.ok(rc == 0 and sorted(after.split()) == sorted(before.split()),
             'no net_device without a network offer', after)
        rc, out = g.sh('rmmod enl_netvsc && ! lsmod | grep -q "^enl_netvsc "')
        t.ok(rc == 0, 'enl_netvsc unloads', out)
        rc, out = g.sh('modprobe enl_netvsc && rmmod enl_netvsc')
        t.ok(rc == 0, 'enl_netvsc loads and unloads a second time', out)
        ok, bad = g.dmesg_clean()
        t.ok(ok, 'no oops or warning in dmesg', bad)
    except GuestError as e:
        t.ok(False, 'guest stayed reachable', str(e))
    finally:
        g.close(keep=t.failed > 0)


def main():
    t = Tap()
    smoke(t)
    return t.done()


if __name__ == '__main__':
    sys.exit(main())
