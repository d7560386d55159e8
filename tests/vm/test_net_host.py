#!/usr/bin/env python3
"""VM ring, the network VSP's host side (enl-host --nic) as far as it goes
without the guest's driver: enl-host runs in a network namespace of its
own (vmtest.NetNs) and creates a multi-queue TAP with virtio-net headers
there; the guest's enl_vmbus sees the NIC offered as a network device
with the relid `ctl nic list` names; a second NIC is hot-added (offered
to the running guest, its TAP created) and hot-removed (rescinded, its
TAP gone); `ctl nic link`, `speed`, `stats` and `fault` answer (a fault needs an
open NIC: refused while no driver has it); no oops."""
import json
import subprocess
import sys

from vmtest import run_suite, wait_until

TAP = 'enlt0'
MAC = '00:15:5d:4e:00:01'
SYSBUS = '/sys/bus/enl_vmbus/devices'
NETDEVS = ('{ for d in %s/*; do [ "$(cat $d/class_name)" = network ] && '
           'cat $d/relid; done; true; }' % SYSBUS)


def guest_nics(g):
    rc, out = g.sh(NETDEVS)
    return sorted(int(x) for x in out.split()) if rc == 0 else []


def nic_list(g):
    rc, out = g.ctl('nic', 'list', '--json')
    try:
        # The reply's first line is "ok".
        return json.loads(out.split('\n', 1)[1]) if rc == 0 else None
    except ValueError:
        return None


def run(t, g):
    ns = g.netns
    rc, out = ns.run('ip', '-d', 'link', 'show', TAP)
    t.ok(rc == 0 and 'tun type tap' in out and 'vnet_hdr on' in out
         and 'multi_queue' in out,
         '--nic tap=%s: a multi-queue TAP with virtio-net headers in the '
         'namespace' % TAP, out)
    rc, out = ns.run('ip', 'link', 'show', TAP)
    t.ok(rc == 0 and 'mtu 1500' in out, 'mtu=1500 set on the TAP', out)
    rc, out = ns.tap_up(TAP, '10.0.77.1/24')
    t.ok(rc == 0, 'the TAP up with 10.0.77.1/24 in the namespace', out)
    rc = subprocess.run(['ip', 'link', 'show', TAP],
                        capture_output=True).returncode
    t.ok(rc != 0, 'and not in the machine\'s own namespace')

    nics = nic_list(g)
    ok = nics is not None and len(nics) == 1
    t.ok(ok and nics[0]['tap'] == TAP and nics[0]['mac'] == MAC
         and nics[0]['queues'] == 2 and nics[0]['mtu'] == 1500
         and nics[0]['link'] == 'up',
         'ctl nic list --json: one NIC, its TAP, MAC, 2 queues, MTU, link up',
         nics)
    relid = nics[0]['relid'] if ok else -1
    t.ok(g.wait_sh('[ -n "$(%s)" ]' % NETDEVS, 60) and guest_nics(g) == [relid],
         'the guest sees it offered as a network device, relid %d' % relid,
         guest_nics(g))

    rc, out = g.ctl('nic', 'fault', 'rndis-short')
    t.ok(rc == 1 and 'not opened' in out,
         'nic fault before any driver opened the NIC: refused', out)
    rc, out = g.ctl('nic', 'fault', 'list')
    t.ok(rc == 0 and 'xfer-past-buffer' in out and 'ppi-size-zero' in out,
         'nic fault list names the kinds', out)
    rc, out = g.ctl('nic', 'link', 'down', TAP)
    nics = nic_list(g) or [{}]
    t.ok(rc == 0 and nics[0].get('link') == 'down',
         'nic link down %s: the NIC says link down' % TAP, out)
    g.ctl('nic', 'link', 'up')
    rc, out = g.ctl('nic', 'speed', '2500', TAP)
    nics = nic_list(g) or [{}]
    t.ok(rc == 0 and nics[0].get('speed_mbps') == 2500,
         'nic speed 2500 %s: the NIC says 2500 Mbit/s' % TAP, out)
    rc, out = g.ctl('nic', 'speed', 'fast')
    t.ok(rc == 1 and 'want 1..' in out, 'nic speed fast: refused', out)
    rc, out = g.ctl('nic', 'stats')
    t.ok(rc == 0 and 'tx_packets=0' in out and 'opens=0' in out,
         'nic stats: counters, nothing opened yet', out)

    # Hot add and remove while the guest runs.
    rc, out = g.ctl('nic', 'add', 'tap=enlt1,queues=1')
    t.ok(rc == 0 and out.startswith('ok') and 'relid' in out,
         'nic add tap=enlt1: offered', out)
    rc2, out2 = ns.run('ip', 'link', 'show', 'enlt1')
    t.ok(rc2 == 0, 'its TAP enlt1 exists', out2)
    t.ok(g.wait_sh('[ "$(%s | wc -l)" = 2 ]' % NETDEVS, 60),
         'the guest sees a second network device', guest_nics(g))
    rc, out = g.ctl('nic', 'remove', 'enlt1')
    t.ok(rc == 0, 'nic remove enlt1', out)
    t.ok(g.wait_sh('[ "$(%s)" = "%d" ]' % (NETDEVS, relid), 60),
         'the guest sees it rescinded; the first stays', guest_nics(g))
    t.ok(bool(wait_until(lambda: ns.run('ip', 'link', 'show', 'enlt1')[0] != 0,
                         60)),
         'its TAP is gone once the guest released the channel')
    nics = nic_list(g)
    t.ok(nics is not None and [n['tap'] for n in nics] == [TAP],
         'nic list: the first NIC only', nics)
    for bad in ('tap=bad/name', 'tap=enlt1,nvsp=3', 'tap=enlt1,speed=0'):
        rc, out = g.ctl('nic', 'add', bad)
        t.ok(rc == 1 and 'want tap=NAME' in out, 'a bad spec is refused: %s' % bad, out)

    clean, bad = g.dmesg_clean()
    t.ok(clean, 'no oops or warning in the guest', bad)


if __name__ == '__main__':
    sys.exit(run_suite(('echo',), run,
                       nics=('tap=%s,mac=%s,queues=2,mtu=1500' % (TAP, MAC),)))
