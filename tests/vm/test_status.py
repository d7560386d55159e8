#!/usr/bin/env python3
"""VM ring, enl-status: in the busybox guest with enl_vmbus loaded and an
echo channel offered, plus an emulated IDE disk and e1000 NIC (added to
QEMU's command line by a wrapper first in PATH, since enl-host runs QEMU
with -nodefaults), enl-status must report VMBus connected, the echo
channel with live counters, and "not enlightened" naming ata_piix and
e1000; its --json must parse and agree with the text."""
import json
import os
import shutil
import sys
import tempfile

from vmtest import run_suite

WRAPPER = '''#!/bin/sh
# enl-host's QEMU, with the emulated disk and NIC a guest without
# Enlighten's storage and network drivers runs on.
exec {qemu} "$@" -drive file={disk},if=ide,index=0,format=raw,media=disk \\
    -netdev user,id=enlnet0 -device e1000,netdev=enlnet0
'''


def status(g, args=''):
    rc, out = g.sh('enl-status %s 2>/tmp/status.err; rc=$?; cat /tmp/status.err >&2; exit $rc'
                   % args, timeout=60)
    return rc, out


def run(t, g):
    rc, out = g.sh('modprobe ata_piix && modprobe sd_mod && modprobe e1000')
    t.ok(rc == 0, 'guest loads ata_piix, sd_mod and e1000', out)
    t.ok(g.wait_sh('test -e /sys/block/sda && test -e /sys/class/net/eth0', 60),
         'the emulated disk (sda) and NIC (eth0) appear')
    t.ok(g.wait_sh('test -c /dev/vmbus/echo'), '/dev/vmbus/echo exists')

    rc, out = status(g, '--json')
    try:
        doc = json.loads(out)
    except ValueError as e:
        t.ok(False, 'enl-status --json prints JSON', '%s\n%s' % (e, out))
        return
    t.ok(rc == 1 and doc['enlightened'] is False,
         'enl-status --json exits 1: not enlightened', 'rc %d\n%s' % (rc, out))
    vb = doc['vmbus']
    t.ok(vb['loaded'] and vb['connected'] and vb['transport'] == 'pci'
         and vb['version'] not in (None, '0.0'),
         'VMBus connected over the pci transport (version %s)' % vb.get('version'), vb)
    echo = [c for c in doc['channels'] if c['class'] == 'echo']
    t.ok(len(echo) == 1 and isinstance(echo[0]['relid'], int)
         and all(isinstance(echo[0][k], int) for k in ('in_packets', 'out_packets',
                                                         'interrupts', 'signals')),
         'the echo channel, with its relid and counters', doc['channels'])
    devs = {d['name']: d for d in doc['devices']}
    sda, eth0 = devs.get('sda', {}), devs.get('eth0', {})
    t.ok(sda.get('driver') == 'ata_piix' and sda.get('kind') == 'emulated'
         and eth0.get('driver') == 'e1000' and eth0.get('kind') == 'emulated',
         'sda on ata_piix and eth0 on e1000, both emulated', doc['devices'])
    reasons = doc['reasons']
    # Without enl_netvsc in the guest's kernel the NIC cannot be synthetic:
    # enl-status lists it as not yet synthetic, naming the missing driver.
    has_netvsc = g.sh("grep -q '/enl_netvsc\\.ko' /lib/modules/$(uname -r)/modules.dep")[0] == 0
    net_list = reasons if has_netvsc else doc['not_yet']
    net_want = 'not-synthetic' if has_netvsc else 'not-yet-synthetic'
    t.ok(any('sda is on ata_piix' in r for r in reasons)
         and any('eth0 is on e1000' in r for r in net_list)
         and doc['classes']['storage'] == 'not-synthetic'
         and doc['classes']['network'] == net_want,
         'the reasons name the emulated disk, the NIC is %s (guest %s enl_netvsc)'
         % (net_want, 'has' if has_netvsc else 'has no'), doc)
    t.ok(not any(d['offered'] for d in doc['daemons'])
         and not any('enl-' in r and '.service' in r for r in reasons),
         'no integration service offered, so no daemon stands in the way', doc['daemons'])

    before = echo[0] if echo else {}
    rc, out = g.sh('enl-echo -n 200 -s 3', timeout=300)
    rc2, out2 = status(g, '--json')
    after = [c for c in json.loads(out2)['channels'] if c['class'] == 'echo'] if rc2 in (0, 1) else []
    t.ok(rc == 0 and after and before
         and after[0]['out_packets'] >= before['out_packets'] + 200
         and after[0]['in_packets'] >= before['in_packets'] + 200,
         'echo counters grow by the 200 packets echoed (out %s -> %s)'
         % (before.get('out_packets'), after[0]['out_packets'] if after else None),
         out + out2)

    rc, text = status(g)
    t.ok(rc == 1 and 'VMBus: connected' in text and 'Not enlightened:' in text
         and 'storage sda is on ata_piix (emulated)' in text
         and 'network eth0 is on e1000 (emulated)' in text,
         'text: VMBus connected, not enlightened, the emulated drivers named', text)
    t.diag(text)


def main():
    tmp = tempfile.mkdtemp(prefix='enl-status-vm-')
    try:
        disk = os.path.join(tmp, 'disk.img')
        with open(disk, 'wb') as f:
            f.truncate(8 << 20)
        qemu = shutil.which('qemu-system-x86_64') or 'qemu-system-x86_64'
        wrapper = os.path.join(tmp, 'qemu-system-x86_64')
        with open(wrapper, 'w') as f:
            f.write(WRAPPER.format(qemu=qemu, disk=disk))
        os.chmod(wrapper, 0o755)
        os.environ['PATH'] = tmp + ':' + os.environ.get('PATH', '')
        return run_suite(('echo',), run)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
