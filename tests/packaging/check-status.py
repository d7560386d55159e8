#!/usr/bin/env python3
"""enl-status against fake sysfs trees, as TAP.

Each tree is laid out as the kernel lays out sysfs (relative symlinks from
/sys/block, /sys/class/* and /sys/bus/* into /sys/devices), for a guest that
is emulated (QEMU's IDE, e1000, bochs, PS/2), partly enlightened (enl_vmbus
up, storage synthetic, the rest not, one daemon failed) and fully
enlightened. Daemon states come from a stand-in `systemctl` first in PATH
that prints what each case says systemd would. The JSON (--json) and the
exit status are checked against what enl-status(1) defines; hostile text
(escape sequences, bytes that are not UTF-8) must come out escaped.

Usage: check-status.py [ENL_STATUS_BINARY]   (default: build/meson's)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
BIN = (sys.argv[1] if len(sys.argv) > 1 else
       os.path.join(TOP, 'build', 'meson', 'tools', 'enl-status', 'enl-status'))
KVER = '6.1.0-57-amd64'
PCI = '/sys/devices/pci0000:00'
HOSTILE = b'evil\x1b]0;owned\x07\x1b[2J\x9b1m\xc2\x9b\xff\xfe name'

n = 0
failed = 0


def ok(cond, what, detail=''):
    global n, failed
    n += 1
    if not cond:
        failed += 1
    print('%sok %d - %s' % ('' if cond else 'not ', n, what), flush=True)
    if detail and not cond:
        for line in str(detail).splitlines():
            print('# ' + line)
    return cond


class Tree:
    """A fake root: /sys, /proc/sys/kernel/osrelease, /lib/modules."""

    def __init__(self, base, name):
        self.root = os.path.join(base, name)
        self.units = os.path.join(base, name + '.units')
        os.makedirs(self.units)
        self.write('/proc/sys/kernel/osrelease', KVER + '\n')
        self.write('/lib/modules/%s/modules.builtin' % KVER,
                   'kernel/drivers/block/loop.ko\nkernel/fs/ext4/ext4.ko\n')

    def p(self, path):
        return self.root + path

    def write(self, path, data):
        os.makedirs(os.path.dirname(self.p(path)), exist_ok=True)
        with open(self.p(path), 'wb') as f:
            f.write(data if isinstance(data, bytes) else data.encode())

    def link(self, path, target):
        """A relative symlink at path to target, both absolute in the tree."""
        os.makedirs(os.path.dirname(self.p(path)), exist_ok=True)
        os.makedirs(self.p(target), exist_ok=True)
        os.symlink(os.path.relpath(self.p(target), os.path.dirname(self.p(path))),
                   self.p(path))

    def dev(self, path, bus, driver=None, attrs=None):
        """A device directory on a bus, optionally bound to a driver."""
        os.makedirs(self.p(path), exist_ok=True)
        self.link(path + '/subsystem', '/sys/bus/' + bus)
        if driver:
            self.link(path + '/driver', '/sys/bus/%s/drivers/%s' % (bus, driver))
        for k, v in (attrs or {}).items():
            self.write(path + '/' + k, v if isinstance(v, bytes) else v + '\n')
        if bus == 'enl_vmbus':
            self.link('/sys/bus/enl_vmbus/devices/' + os.path.basename(path), path)

    def cls(self, clsdir, name, devpath, attrs=None):
        """/sys/<clsdir>/<name> for a class device under devpath."""
        node = '%s/%s/%s' % (devpath, os.path.basename(clsdir), name)
        os.makedirs(self.p(node), exist_ok=True)
        self.link(node + '/device', devpath)
        for k, v in (attrs or {}).items():
            self.write(node + '/' + k, v if isinstance(v, bytes) else v + '\n')
        self.link('/sys/%s/%s' % (clsdir, name), node)

    def virtual(self, clsdir, name):
        node = '/sys/devices/virtual/%s/%s' % (os.path.basename(clsdir), name)
        os.makedirs(self.p(node), exist_ok=True)
        self.link('/sys/%s/%s' % (clsdir, name), node)

    def scsi_disk(self, adapter, host, name, model, scsi_type='0', drv='sd'):
        sdev = '%s/host%d/target%d:0:0/%d:0:0:0' % (adapter, host, host, host)
        self.dev(sdev, 'scsi', drv, {'type': scsi_type, 'model': model})
        self.cls('block', name, sdev)

    def vmbus(self, version='5.3', transport='pci'):
        self.dev(PCI + '/0000:00:04.0', 'pci', 'enl_vmbus')
        os.makedirs(self.p(PCI + '/0000:00:04.0/enl_vmbus'), exist_ok=True)
        for k, v in (('version', version), ('transport', transport),
                     ('bad_msg', '0'), ('bad_relid', '0'),
                     ('unexpected', '0'), ('post_fail', '2')):
            self.write('/sys/bus/enl_vmbus/' + k, v + '\n')
        os.makedirs(self.p('/sys/bus/enl_vmbus/devices'), exist_ok=True)

    def channel(self, guid, cls, relid, driver=None, counters=None):
        path = PCI + '/0000:00:04.0/enl_vmbus/' + guid
        attrs = {'class_name': cls, 'class_id': '0000-' + cls, 'relid': str(relid),
                 'state': 'open', 'target_cpu': '0', 'device_id': guid}
        for i, c in enumerate(('in_packets', 'in_bytes', 'out_packets', 'out_bytes',
                               'interrupts', 'signals', 'ring_full', 'ring_corrupt')):
            attrs[c] = str(relid * 100 + i)
        attrs.update(counters or {})
        self.dev(path, 'enl_vmbus', driver, attrs)
        return path

    def unit(self, name, active, sub, result='success', status=b''):
        with open(os.path.join(self.units, name), 'wb') as f:
            f.write(b'LoadState=loaded\nActiveState=%s\nSubState=%s\nResult=%s\n'
                    b'StatusText=%s\n' % (active.encode(), sub.encode(),
                                          result.encode(), status))


def emulated_base(t, nic=True, display=True):
    """QEMU pc: IDE disk and CD-ROM, e1000, bochs, PS/2, a power button."""
    ide = PCI + '/0000:00:01.1'
    t.dev(ide, 'pci', 'ata_piix')
    t.scsi_disk(ide + '/ata1', 0, 'sda', 'QEMU HARDDISK   ')
    t.scsi_disk(ide + '/ata2', 1, 'sr0', 'QEMU DVD-ROM    ', '5', 'sr')
    t.virtual('block', 'loop0')
    t.virtual('class/net', 'lo')
    if nic:
        t.dev(PCI + '/0000:00:03.0', 'pci', 'e1000')
        t.cls('class/net', 'eth0', PCI + '/0000:00:03.0')
    if display:
        t.dev(PCI + '/0000:00:02.0', 'pci', 'bochs-drm')
        t.cls('class/drm', 'card0', PCI + '/0000:00:02.0')
        t.cls('class/drm', 'card0-Virtual-1', PCI + '/0000:00:02.0')
        t.cls('class/graphics', 'fb0', PCI + '/0000:00:02.0')
    i8042 = '/sys/devices/platform/i8042'
    t.dev(i8042, 'platform', 'i8042')
    t.dev(i8042 + '/serio0', 'serio', 'atkbd')
    t.cls('class/input', 'input1', i8042 + '/serio0',
          {'name': 'AT Translated Set 2 keyboard'})
    t.dev(i8042 + '/serio1', 'serio', 'psmouse')
    t.cls('class/input', 'input3', i8042 + '/serio1',
          {'name': 'ImExPS/2 Generic Explorer Mouse'})
    t.dev('/sys/devices/LNXSYSTM:00/LNXPWRBN:00', 'acpi', 'button')
    t.cls('class/input', 'input0', '/sys/devices/LNXSYSTM:00/LNXPWRBN:00',
          {'name': 'Power Button'})


def build_emulated(base):
    t = Tree(base, 'emulated')
    emulated_base(t)
    return t


def build_partly(base):
    t = Tree(base, 'partly')
    emulated_base(t)
    t.vmbus()
    t.channel('11111111-0000-0000-0000-000000000001', 'echo', 1, 'enl_vmbus_ic')
    t.channel('11111111-0000-0000-0000-000000000002', 'heartbeat', 2, 'enl_vmbus_ic')
    t.channel('11111111-0000-0000-0000-000000000003', 'kvp', 3, 'enl_vmbus_ic',
              {'in_bytes': '12abc'})
    scsi = t.channel('11111111-0000-0000-0000-000000000004', 'scsi', 4, 'enl_storvsc')
    t.scsi_disk(scsi, 2, 'sdb', b'Virtual Disk\x1b[31m')
    t.unit('enl-heartbeatd.service', 'active', 'running', status=b'Heartbeat: answering')
    t.unit('enl-kvpd.service', 'failed', 'failed', 'exit-code', HOSTILE)
    return t


def build_fully(base, builtin=False):
    t = Tree(base, 'fully-builtin' if builtin else 'fully')
    # The emulated PS/2 devices, an optical drive and a power button stay.
    ide = PCI + '/0000:00:01.1'
    t.dev(ide, 'pci', 'ata_piix')
    t.scsi_disk(ide + '/ata2', 1, 'sr0', 'QEMU DVD-ROM    ', '5', 'sr')
    i8042 = '/sys/devices/platform/i8042'
    t.dev(i8042, 'platform', 'i8042')
    t.dev(i8042 + '/serio0', 'serio', 'atkbd')
    t.cls('class/input', 'input1', i8042 + '/serio0',
          {'name': 'AT Translated Set 2 keyboard'})
    t.dev('/sys/devices/LNXSYSTM:00/LNXPWRBN:00', 'acpi', 'button')
    t.cls('class/input', 'input0', '/sys/devices/LNXSYSTM:00/LNXPWRBN:00',
          {'name': 'Power Button'})
    t.virtual('class/net', 'lo')
    t.vmbus()
    g = '22222222-0000-0000-0000-0000000000%02d'
    scsi = t.channel(g % 1, 'scsi', 1, 'enl_storvsc')
    t.scsi_disk(scsi, 2, 'sda', 'Virtual Disk    ')
    net = t.channel(g % 2, 'network', 2, 'enl_netvsc')
    t.cls('class/net', 'eth0', net)
    vid = t.channel(g % 3, 'video', 3, 'enl_fb')
    t.cls('class/drm', 'card0', vid)
    # An input device whose driver is generic HID, under a VMBus device.
    mouse = t.channel(g % 4, 'mouse', 4, 'enl_hid')
    t.dev(mouse + '/0006:045E:0621.0001', 'hid', 'hid-generic')
    t.cls('class/input', 'input5', mouse + '/0006:045E:0621.0001',
          {'name': HOSTILE})
    kbd = t.channel(g % 5, 'keyboard', 5, 'enl_hid')
    t.cls('class/input', 'input6', kbd, {'name': 'Enlighten keyboard'})
    units = {'heartbeat': 'enl-heartbeatd', 'shutdown': 'enl-heartbeatd',
             'timesync': 'enl-timesyncd', 'kvp': 'enl-kvpd', 'vss': 'enl-vssd',
             'clipboard': 'enl-clipboardd'}
    for i, svc in enumerate(units, 6):
        t.channel(g % i, svc, i, 'enl_vmbus_ic')
    t.channel(g % 12, 'echo', 12, 'enl_vmbus_ic')
    for u in set(units.values()):
        t.unit(u + '.service', 'active', 'running', status=b'Ready')
    if builtin:
        t.write('/lib/modules/%s/modules.builtin' % KVER,
                'kernel/drivers/block/loop.ko\nkernel/drivers/hv/hv_vmbus.ko\n')
    return t


def modules_dep(t, mods):
    """A modules.dep listing these Enlighten modules (and a kernel one)."""
    t.write('/lib/modules/%s/modules.dep' % KVER,
            'kernel/drivers/net/ethernet/intel/e1000/e1000.ko.xz:\n' +
            ''.join('updates/dkms/%s.ko.xz: updates/dkms/enl_vmbus.ko.xz\n' % m
                    for m in mods))


def build_emulated_dep(base):
    """The emulated guest of a kernel with enl_vmbus and enl_storvsc only."""
    t = Tree(base, 'emulated-dep')
    emulated_base(t)
    modules_dep(t, ('enl_vmbus', 'enl_storvsc'))
    return t


def build_storage_only(base):
    """Root on enl_storvsc, every service ready, e1000, bochs and PS/2
    left: the kernel has no enl_netvsc, enl_fb or enl_hid (modules.dep
    lists an enl_netvsc2, which is not enl_netvsc)."""
    t = Tree(base, 'storage-only')
    emulated_base(t)
    # The IDE disk went: root is on the synthetic one.
    os.unlink(t.p('/sys/block/sda'))
    t.vmbus()
    scsi = t.channel('33333333-0000-0000-0000-000000000001', 'scsi', 1, 'enl_storvsc')
    t.scsi_disk(scsi, 2, 'sda', 'Virtual Disk    ')
    t.channel('33333333-0000-0000-0000-000000000002', 'heartbeat', 2, 'enl_vmbus_ic')
    t.unit('enl-heartbeatd.service', 'active', 'running', status=b'Ready')
    modules_dep(t, ('enl_vmbus', 'enl_storvsc', 'enl_netvsc2'))
    return t


FAKE_SYSTEMCTL = r'''#!/bin/sh
# Stand-in for systemctl show: prints the case's unit state file, or what
# systemd says of a unit it does not know.
for u; do :; done
if [ -f "$ENL_FAKE_UNITS/$u" ]; then
	cat "$ENL_FAKE_UNITS/$u"
else
	printf 'LoadState=not-found\nActiveState=inactive\nSubState=dead\nResult=success\nStatusText=\n'
fi
'''


def run(t, bindir, *args):
    env = dict(os.environ, PATH=bindir + ':' + os.environ.get('PATH', ''),
               ENL_FAKE_UNITS=t.units)
    env.pop('ENL_STATUS_ROOT', None)
    r = subprocess.run([BIN, '--root', t.root] + list(args), env=env,
                       capture_output=True, timeout=30)
    return r.returncode, r.stdout, r.stderr


def device(doc, name):
    return next((d for d in doc['devices'] if d['name'] == name), None)


def daemon(doc, unit):
    return next((d for d in doc['daemons'] if d['unit'] == unit), None)


def text_is_safe(out):
    """No byte a terminal would act on, apart from the newlines."""
    bad = [b for b in out if (b < 0x20 and b != 0x0a) or b == 0x7f]
    try:
        s = out.decode('utf-8')
    except UnicodeDecodeError as e:
        return False, 'not UTF-8: %s' % e
    c1 = [c for c in s if 0x80 <= ord(c) <= 0x9f]
    return not bad and not c1, 'raw bytes %r, C1 %r' % (bad[:5], c1[:5])


def check_case(name, t, bindir, expect_rc, check):
    rc, out, err = run(t, bindir, '--json')
    try:
        doc = json.loads(out.decode('utf-8'))
    except (UnicodeDecodeError, ValueError) as e:
        ok(False, '%s: --json is valid UTF-8 JSON' % name, '%s\n%r' % (e, out[:400]))
        return
    ok(rc == expect_rc, '%s: --json exits %d' % (name, expect_rc),
       'exit %d, stderr %s, reasons %r' % (rc, err, doc.get('reasons')))
    check(doc)
    trc, tout, terr = run(t, bindir)
    safe, why = text_is_safe(tout)
    ok(trc == expect_rc and safe, '%s: text exits %d and carries no control bytes'
       % (name, expect_rc), 'exit %d; %s\n%s' % (trc, why, tout.decode(errors='replace')))


def main():
    if not os.access(BIN, os.X_OK):
        print('1..1\nnot ok 1 - %s is built (run make)' % BIN)
        return 1
    base = tempfile.mkdtemp(prefix='enl-status-')
    try:
        bindir = os.path.join(base, 'bin')
        os.makedirs(bindir)
        with open(os.path.join(bindir, 'systemctl'), 'w') as f:
            f.write(FAKE_SYSTEMCTL)
        os.chmod(os.path.join(bindir, 'systemctl'), 0o755)

        def emulated(doc):
            ok(doc['enlightened'] is False and not doc['vmbus']['loaded'],
               'emulated: not enlightened, enl_vmbus not loaded', doc['vmbus'])
            ok(doc['classes'] == {'storage': 'not-synthetic', 'network': 'not-synthetic',
                                  'display': 'not-synthetic', 'input': 'not-synthetic'},
               'emulated: every class not synthetic', doc['classes'])
            want = {'sda': ('ata_piix', 'emulated', True), 'sr0': ('ata_piix', 'emulated', False),
                    'eth0': ('e1000', 'emulated', True), 'card0': ('bochs-drm', 'emulated', True),
                    'input1': ('atkbd', 'emulated', True), 'input3': ('psmouse', 'emulated', True),
                    'input0': ('button', 'other', False)}
            got = {d['name']: (d['driver'], d['kind'], d['counted']) for d in doc['devices']}
            ok(got == want, 'emulated: devices, drivers through the SCSI layer, kinds, counted',
               'got %r' % got)
            ok(any('sda is on ata_piix' in r for r in doc['reasons']) and
               any('eth0 is on e1000' in r for r in doc['reasons']) and
               any('card0 is on bochs-drm' in r for r in doc['reasons']) and
               any('input has no synthetic' in r for r in doc['reasons']),
               'emulated: the reasons name the emulated drivers', doc['reasons'])

        def partly(doc):
            vb = doc['vmbus']
            ok(vb['connected'] and vb['version'] == '5.3' and vb['transport'] == 'pci'
               and vb['errors']['post_fail'] == 2,
               'partly: VMBus connected, version, transport, error counters', vb)
            chans = {c['class']: c for c in doc['channels']}
            ok(sorted(chans) == ['echo', 'heartbeat', 'kvp', 'scsi'] and
               chans['echo']['relid'] == 1 and chans['echo']['out_bytes'] == 103 and
               chans['echo']['driver'] == 'enl_vmbus_ic' and chans['echo']['state'] == 'open',
               'partly: channels with relid, state, driver and counters', doc['channels'])
            ok(chans['kvp']['in_bytes'] is None and chans['kvp']['in_packets'] == 300,
               'partly: a counter that is not a number is null', chans.get('kvp'))
            ok(doc['classes']['storage'] == 'not-synthetic' and
               device(doc, 'sdb')['kind'] == 'synthetic' and
               device(doc, 'sdb')['driver'] == 'enl_storvsc',
               'partly: the disk under enl_storvsc is synthetic, the IDE one keeps storage '
               'not synthetic', doc['devices'])
            ok(device(doc, 'sdb')['label'] == 'Virtual Disk\x1b[31m',
               'partly: JSON carries the model exactly (escaped, not dropped)',
               device(doc, 'sdb'))
            hb, kvp, vss = (daemon(doc, 'enl-heartbeatd.service'), daemon(doc, 'enl-kvpd.service'),
                            daemon(doc, 'enl-vssd.service'))
            ok(hb['offered'] and hb['ready'] and hb['running'] and hb['status'] == 'Heartbeat: answering',
               'partly: enl-heartbeatd offered, ready, running, status text', hb)
            ok(kvp['offered'] and not kvp['ready'] and kvp['result'] == 'exit-code' and
               kvp['status'] == HOSTILE.decode('utf-8', 'replace'),
               'partly: enl-kvpd failed, last error exit-code, hostile status as U+FFFD', kvp)
            ok(not vss['offered'] and vss['load_state'] == 'not-found',
               'partly: enl-vssd not offered', vss)
            ok(any('enl-kvpd.service is failed' in r for r in doc['reasons']) and
               not any('heartbeatd' in r for r in doc['reasons']) and
               not any('vssd' in r for r in doc['reasons']),
               'partly: only the offered daemon that is not ready is a reason', doc['reasons'])

        def fully(doc):
            ok(doc['enlightened'] is True and doc['reasons'] == [],
               'fully: enlightened, no reasons', doc['reasons'])
            ok(doc['classes'] == {'storage': 'synthetic', 'network': 'synthetic',
                                  'display': 'synthetic', 'input': 'synthetic'},
               'fully: every class synthetic', doc['classes'])
            got = {d['name']: (d['driver'], d['kind'], d['counted']) for d in doc['devices']}
            want = {'sda': ('enl_storvsc', 'synthetic', True),
                    'sr0': ('ata_piix', 'emulated', False),
                    'eth0': ('enl_netvsc', 'synthetic', True),
                    'card0': ('enl_fb', 'synthetic', True),
                    'input0': ('button', 'other', False),
                    'input1': ('atkbd', 'emulated', True),
                    'input5': ('hid-generic', 'synthetic', True),
                    'input6': ('enl_hid', 'synthetic', True)}
            ok(got == want, 'fully: devices on the enl_vmbus bus are synthetic whatever '
               'their driver', 'got %r' % got)
            ok(all(d['ready'] for d in doc['daemons']) and len(doc['channels']) == 12,
               'fully: 12 channels, every daemon ready', doc['daemons'])
            ok(device(doc, 'input5')['label'] == HOSTILE.decode('utf-8', 'replace'),
               'fully: hostile input name kept in JSON with U+FFFD for bad bytes',
               device(doc, 'input5'))

        def builtin(doc):
            ok(doc['enlightened'] is False and doc['vmbus']['hv_vmbus_builtin'] and
               any('built into kernel %s' % KVER in r for r in doc['reasons']),
               'hv_vmbus built in (modules.builtin): not enlightened, and says why',
               doc['reasons'])

        def emulated_dep(doc):
            ok(doc['classes'] == {'storage': 'not-synthetic', 'network': 'not-yet-synthetic',
                                  'display': 'not-yet-synthetic', 'input': 'not-yet-synthetic'},
               'emulated, modules.dep without enl_netvsc/enl_fb/enl_hid: storage not '
               'synthetic, the others not yet', doc['classes'])
            ok(any('sda is on ata_piix' in r for r in doc['reasons']) and
               not any('e1000' in r or 'bochs' in r or 'input' in r for r in doc['reasons']) and
               any('no enl_netvsc' in r for r in doc['not_yet']) and
               any('eth0 is on e1000' in r for r in doc['not_yet']) and
               any('input has no synthetic' in r for r in doc['not_yet']),
               'emulated, modules.dep: the IDE disk is a reason, the rest is listed as '
               'not yet synthetic with its missing driver', doc)

        def storage_only(doc):
            ok(doc['enlightened'] is False and doc['reasons'] == [] and doc['not_yet'],
               'storage only: not enlightened, the three missing drivers the only cause',
               doc['reasons'])
            ok(doc['classes'] == {'storage': 'synthetic', 'network': 'not-yet-synthetic',
                                  'display': 'not-yet-synthetic', 'input': 'not-yet-synthetic'},
               'storage only: the classes without a driver are not yet synthetic',
               doc['classes'])

        def fb_loaded(doc):
            ok(doc['classes']['display'] == 'not-synthetic' and
               any('card0 is on bochs-drm' in r for r in doc['reasons']),
               'enl_fb loaded (sys/module) though not in modules.dep: display is '
               'not synthetic, and card0 on bochs-drm is a reason', doc)

        check_case('emulated', build_emulated(base), bindir, 1, emulated)
        check_case('emulated-dep', build_emulated_dep(base), bindir, 1, emulated_dep)
        check_case('partly', build_partly(base), bindir, 1, partly)
        check_case('fully', build_fully(base), bindir, 0, fully)
        check_case('builtin', build_fully(base, builtin=True), bindir, 1, builtin)
        st = build_storage_only(base)
        check_case('storage-only', st, bindir, 1, storage_only)
        r = subprocess.run([BIN, '--root', st.root],
                           env=dict(os.environ, PATH=bindir + ':' + os.environ['PATH'],
                                    ENL_FAKE_UNITS=st.units), capture_output=True)
        text = r.stdout.decode()
        ok('Not yet synthetic (this kernel has no Enlighten driver for them):' in text and
           'network: kernel %s has no enl_netvsc' % KVER in text and
           'network eth0 is on e1000 (emulated)' in text and
           'Not enlightened:\n  - no Enlighten driver in this kernel for: network display input (above)' in text and
           'Fully enlightened' not in text,
           'storage only, text: what is not yet synthetic, and the verdict', text)
        os.makedirs(st.p('/sys/module/enl_fb'))
        check_case('storage-only+enl_fb', st, bindir, 1, fb_loaded)

        rc = subprocess.run([BIN, '--root', '/nonexistent/dir'],
                            capture_output=True).returncode
        ok(rc == 2, 'a root that is not a directory is a usage error (exit 2)')
        tdir = os.path.join(base, 'fully')
        env = dict(os.environ, ENL_STATUS_ROOT=tdir,
                   PATH=bindir + ':' + os.environ['PATH'],
                   ENL_FAKE_UNITS=tdir + '.units')
        r = subprocess.run([BIN, '--json'], env=env, capture_output=True)
        ok(r.returncode == 0 and json.loads(r.stdout)['enlightened'],
           'ENL_STATUS_ROOT points it at a tree like --root', r.stdout[:300])
        r = subprocess.run([BIN], env=env, capture_output=True)
        text = r.stdout.decode()
        ok('\\x1b]0;owned\\x07' in text and '\\x9b1m\\u{009b}\\xff\\xfe' in text
           and 'Fully enlightened.' in text,
           'text shows hostile bytes as \\x and \\u{} escapes', text)
    finally:
        if failed:
            print('# trees kept in ' + base)
        else:
            shutil.rmtree(base, ignore_errors=True)
    print('1..%d' % n)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
