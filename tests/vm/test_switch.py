#!/usr/bin/env python3
"""VM ring, the switch (issue 12): the Debian 12 image of `make image`
(Enlighten's .debs installed in it as an image pipeline installs them)
boots first on emulated devices only (SeaBIOS and the image's GRUB from an
IDE disk, e1000 on QEMU's user network, VGA, PS/2) and enl-status says
"not enlightened", naming the emulated drivers; then the same disk, MAC
and configuration boot again on synthetic devices only: the disk offered
as a synthetic one (kernel and initramfs taken from the image), the NIC
as enl-host's --nic in a network namespace where DHCP gives the MAC the
same address, the display as the synthvid offer on a VNC console,
keyboard and mouse, and every integration service. Root is mounted from
enl_storvsc, systemd reaches its default target, root logs in on the VNC
console by keys typed through enl_hid, every daemon is ready, the network
has the same configuration on a NIC of the same name (enl-keep-netnames,
started by udev for the emulated NIC in the first boot, pinned it to the
MAC), a static address the host injects over KVP is applied by networkd
and answers ping (then by NetworkManager; by networkd again once NM is
stopped; IPv4 and IPv6 together; and back to DHCP), every class is
synthetic and enl-status exits 0.

CLASSES says, per class, which Enlighten driver serves it and how
enl-host offers its device. A class whose driver DKMS did not build keeps
its emulated device in the second boot and must be reported "not yet
synthetic" by enl-status; a driver without an entry fails the test, and
so does an enl_* module this test does not know: it would otherwise never
be required."""
import json
import os
import shutil
import sys
import tempfile

import rfb
from imageguest import ImageGuest, build_image, copy_disk, IC_OFFERS
from vmtest import Tap, GuestError, wait_until

MAC = '52:54:00:e1:7e:01'
# The address QEMU's user network gives the emulated NIC by DHCP; the
# synthetic boot's DHCP server (vmtest.NetNs.dhcp) gives the same MAC the
# same, so the guest's configuration (networkd, DHCP on any Ethernet link)
# comes up alike on either driver.
GUEST_IP = '10.0.2.15'
# The static addresses the host injects over KVP in the synthetic boot:
# with networkd running, then with NetworkManager, then with networkd again.
KVP_IP = '10.0.2.77'
KVP_IP_NM = '10.0.2.78'
KVP_IP_BACK = '10.0.2.79'
# Then both families at once, then back to DHCP.
KVP_IP_DUAL = ('10.0.2.80', 'fd00:e1::80')
HOST_IP6 = 'fd00:e1::1'
TAP = 'enlsw0'
XK_RETURN = 0xff0d
# Per class: Enlighten's driver module, the emulated device the first boot
# has (QEMU arguments added to enl-host's), and enl-host's arguments that
# offer the synthetic one instead ({dir}: the test's work directory; None:
# not known yet, the owner of a new driver fills it in when it lands).
CLASSES = {
    'storage': ('enl_storvsc', (), ()),
    'network': ('enl_netvsc', ('-netdev', 'user,id=enlnet0',
                               '-device', 'e1000,netdev=enlnet0,mac=' + MAC),
                ('--nic', 'tap=%s,mac=%s,queues=1' % (TAP, MAC))),
    'display': ('enl_fb', ('-device', 'VGA'),
                ('--offer', 'video', '--vnc', 'unix:{dir}/vnc.sock')),
    'input': ('enl_hid', (), ('--offer', 'keyboard', '--offer', 'mouse')),
}
OTHER_MODULES = ('enl_vmbus',)
DAEMONS = ('enl-heartbeatd', 'enl-timesyncd', 'enl-kvpd', 'enl-vssd', 'enl-clipboardd')


def status(g):
    rc, out = g.sh('enl-status --json 2>&1', timeout=120)
    try:
        return rc, json.loads(out)
    except ValueError:
        return rc, {'unparsed': out}


def boot(t, g, what):
    try:
        secs = g.wait_login()
    except GuestError as e:
        t.ok(False, '%s: login prompt on ttyS0' % what, str(e))
        return False
    t.ok(True, '%s: login prompt on ttyS0 after %.1f s' % (what, secs))
    g.connect()
    rc, out = g.sh('systemctl is-system-running --wait', timeout=600)
    failed = '' if out.strip() == 'running' else g.sh('systemctl --failed --no-legend')[1]
    t.ok(out.strip() == 'running', '%s: systemd reached its default target (%s)'
         % (what, out.strip()), failed)
    return True


def first_boot(t, disk, work, emulated):
    g = ImageGuest(disk, 'emulated', emulated=emulated, workdir=work)
    facts = {}
    try:
        if not boot(t, g, 'emulated boot (BIOS, GRUB, IDE)'):
            return None
        rc, out = g.sh('findmnt -no SOURCE /')
        facts['root_dev'] = out.strip()
        # What DKMS built into the image, for its kernel.
        rc, out = g.sh('cd /lib/modules/$(uname -r)/updates/dkms && ls')
        mods = set(m.split('.ko')[0] for m in out.split() if '.ko' in m)
        facts['modules'] = mods
        known = set(c[0] for c in CLASSES.values()) | set(OTHER_MODULES)
        t.ok(rc == 0 and 'enl_vmbus' in mods and 'enl_storvsc' in mods
             and not mods - known,
             'emulated: DKMS built %s for the image kernel, each known to this test'
             % ' '.join(sorted(mods)), 'unknown: %s' % ' '.join(sorted(mods - known)))
        rc, doc = status(g)
        t.ok(rc == 1 and doc.get('enlightened') is False,
             'emulated: enl-status exits 1, not enlightened', doc)
        devs = {d['name']: d for d in doc.get('devices', [])}
        root = os.path.basename(facts['root_dev']).rstrip('0123456789')
        t.ok(devs.get(root, {}).get('driver') == 'ata_piix'
             and any('%s is on ata_piix' % root in r for r in doc.get('reasons', [])),
             'emulated: root %s is on ata_piix, and enl-status names it' % facts['root_dev'],
             doc.get('devices'))
        for cls, (mod, _, _) in CLASSES.items():
            got = doc.get('classes', {}).get(cls)
            if cls == 'storage':
                continue
            named = [r for r in doc.get('reasons', []) + doc.get('not_yet', [])
                     if r.startswith(cls)]
            want = 'not-synthetic' if mod in mods else 'not-yet-synthetic'
            t.ok(got == want and named,
                 'emulated: %s is %s, the emulated driver named (%s)'
                 % (cls, want, '; '.join(named)), doc)
        g.wait_sh("ip -o -4 addr show scope global | grep -q .", 60)
        rc, out = g.sh("ip -o -4 addr show scope global | awk '{print $4}'; "
                       "cat /sys/class/net/*/address | grep -v '^00:00:00'")
        facts['net'] = out.split()
        t.ok(MAC in facts['net'] and any(a.startswith('10.0.2.') for a in facts['net']),
             'emulated: the NIC %s got its address by DHCP (%s)'
             % (MAC, ' '.join(facts['net'])), out)
        rc, out = g.sh("for n in /sys/class/net/*; do [ \"$(cat $n/address)\" = %s ] && "
                       "echo ${n##*/}; done; true" % MAC)
        facts['nic'] = out.strip()
        link = '/etc/systemd/network/10-enlighten-%s.link' % facts['nic']
        ok = facts['nic'] and g.wait_sh('grep -qx "Name=%s" %s && grep -qx '
                                        '"MACAddress=%s" %s' % (facts['nic'], link, MAC, link), 60)
        t.ok(ok, 'emulated: udev ran enl-keep-netnames, which pinned the name %s to the '
             'MAC (%s)' % (facts['nic'], link),
             g.sh('ls -l /etc/systemd/network; cat %s; systemctl status '
                  'enl-keep-netnames.service' % link)[1])
        g.send('systemctl poweroff')
        rc = g.wait_exit()
        t.ok(rc == 0, 'emulated: systemctl poweroff ends enl-host with 0 (%s)' % rc,
             g.logs())
        facts['login_s'] = g.login_s
        return facts
    finally:
        g.close()


def serve_dhcp(t, g):
    """The synthetic NIC's TAP (made by enl-host in the guest's network
    namespace) gets a DHCP server that hands the MAC the address QEMU's
    user network gave it in the first boot."""
    ok = wait_until(lambda: g.netns.run('ip', 'link', 'show', TAP)[0] == 0
                    or g.proc.poll() is not None, 120, 0.5)
    rc, out = g.netns.dhcp(TAP, MAC, GUEST_IP) if ok and g.proc.poll() is None \
        else (1, 'no TAP %s' % TAP)
    t.ok(rc == 0, 'synthetic: DHCP on %s serves %s to %s' % (TAP, GUEST_IP, MAC), out)


def type_line(cl, text):
    for ch in text:
        cl.key(ord(ch), True)
        cl.key(ord(ch), False)
    cl.key(XK_RETURN, True)
    cl.key(XK_RETURN, False)


def vnc_console(t, g, path):
    """The VNC console: fbcon on enl_fb's framebuffer shows tty1, where
    getty waits; logging in there with the synthetic keyboard (VNC keys go
    to enl_hid) starts a root session on tty1."""
    rc, out = g.sh('cat /sys/class/graphics/fb0/name; '
                   'readlink -f /sys/class/graphics/fb0/device/driver; '
                   'grep -l "frame buffer" /sys/class/vtconsole/vtcon*/name | '
                   'while read n; do cat ${n%/name}/bind; done; '
                   'systemctl is-active getty@tty1.service')
    lines = out.split()
    t.ok(rc == 0 and lines[-1:] == ['active'] and '1' in lines
         and any(l.endswith('/enl_fb') for l in lines),
         'synthetic: fbcon is bound to enl_fb\'s framebuffer, getty@tty1 active', out)
    try:
        cl = rfb.Rfb(path)
    except (OSError, rfb.RfbError) as e:
        t.ok(False, 'synthetic: VNC console answers on %s' % path, str(e))
        return
    try:
        cl.frame()
        px = set(cl.pixel(x, y) for y in range(0, cl.h, 4) for x in range(0, cl.w, 4))
        t.ok(len(px) > 1, 'synthetic: the VNC console (%dx%d) shows the text console '
             '(%d colours)' % (cl.w, cl.h, len(px)))
        type_line(cl, 'root')
        # The password only once login asks for it: PAM turns echo off
        # with TCSAFLUSH, which throws away whatever was typed before
        # (agetty had turned echo back on before it ran login).
        at_password = g.wait_sh('pgrep -t tty1 -x login >/dev/null && '
                                'stty -F /dev/tty1 -a | grep -qw -- -echo', 60)
        type_line(cl, 'enlighten')
        logged = g.wait_sh("who | grep -q '^root *tty1 '", 60)
        rc, who = g.sh('who')
        t.ok(at_password and logged, 'synthetic: root logs in on the VNC console '
             '(tty1, typed through enl_hid)', who)
    except (OSError, rfb.RfbError) as e:
        t.ok(False, 'synthetic: VNC console', str(e))
    finally:
        cl.close()


def inject(g, nic, ip):
    """The host injects ip/24 for MAC over KVP (ctl ip set): (ctl's and
    ping's output, whether the address came up on nic and answers ping from
    the host's side)."""
    rc, out = g.ctl('ip', 'set', MAC, 'static', ip, '255.255.255.0')
    got = rc == 0 and g.wait_sh("ip -o -4 addr show dev %s | grep -q ' %s/24 '"
                                % (nic, ip), 90)
    prc, pout = g.netns.run('ping', '-c', '3', '-W', '5', ip) if got else (1, '')
    return out + '\n' + pout, got and prc == 0


def kvp_ip(t, g, nic):
    """The host injects a static address (KVP SET_IP_INFO, as Hyper-V does
    on a failover): enl-kvpd writes networkd's file for the NIC, which must
    win over the image's DHCP on any Ethernet link, and has networkd apply
    it; the address answers ping from the host's side."""
    out, ok = inject(g, nic, KVP_IP)
    t.ok(ok,
         'synthetic: an address the host injects (ctl ip set %s static %s) is applied '
         'by networkd on %s and answers ping' % (MAC, KVP_IP, nic),
         '%s\n%s' % (out, g.sh('ip -o addr; ls -l /etc/systemd/network; '
                                'networkctl status %s 2>&1 | head -20; journalctl '
                                '-b -u enl-kvpd -u systemd-networkd | tail -30'
                                % nic)[1]))


def kvp_ip_nm(t, g, nic):
    """The same through enl-kvpd's other backend, NetworkManager (what RHEL,
    Fedora and Ubuntu desktops run; the image has it installed, disabled):
    with networkd stopped and NM running, enl-kvpd writes NM's keyfile
    (root only, as NM demands) and has nmcli load it and bring it up."""
    rc, out = g.sh('systemctl stop systemd-networkd.service systemd-networkd.socket && '
                   'ip -4 addr flush dev %s && systemctl start NetworkManager.service && '
                   'nmcli -w 30 general status' % nic, timeout=90)
    t.ok(rc == 0, 'synthetic: networkd stopped, NetworkManager started', out)
    if rc != 0:
        return False
    out, ok = inject(g, nic, KVP_IP_NM)
    path = '/etc/NetworkManager/system-connections/enlighten-%s.nmconnection' % nic
    _, con = g.sh('stat -c %%a %s && nmcli -g GENERAL.CONNECTION device show %s'
                  % (path, nic))
    return t.ok(ok and con.split() == ['600', 'enlighten-' + nic],
         'synthetic: an address the host injects (ctl ip set %s static %s) is applied '
         'by NetworkManager on %s (connection enlighten-%s from a 0600 keyfile) and '
         'answers ping' % (MAC, KVP_IP_NM, nic, nic),
         '%s\n%s\n%s' % (out, con, g.sh('ip -o addr; nmcli connection; ls -l %s; '
                                        'journalctl -b -u enl-kvpd -u NetworkManager '
                                        '| tail -30' % path)[1]))


def kvp_ip_back(t, g, nic):
    """NetworkManager stopped, networkd started again: /run/NetworkManager is
    still there (it stays until reboot), but enl-kvpd asks the bus who runs
    and writes networkd's file, not NM's keyfile that nothing would read."""
    nm = '/etc/NetworkManager/system-connections/enlighten-%s.nmconnection' % nic
    rc, out = g.sh('systemctl stop NetworkManager.service && ip -4 addr flush dev %s && '
                   'systemctl start systemd-networkd.service && test -d /run/NetworkManager '
                   '&& networkctl list' % nic, timeout=90)
    t.ok(rc == 0, 'synthetic: NetworkManager stopped (/run/NetworkManager left), '
         'networkd started again', out)
    if rc != 0:
        return False
    out, ok = inject(g, nic, KVP_IP_BACK)
    _, files = g.sh('grep -c %s /etc/systemd/network/10-enlighten-%s.network; '
                    'grep -c %s %s' % (KVP_IP_BACK, nic, KVP_IP_BACK, nm))
    return t.ok(ok and files.split() == ['1', '0'],
         'synthetic: with NetworkManager stopped an address the host injects (%s) goes '
         'to networkd, which applies it, not to the keyfile NM left' % KVP_IP_BACK,
         '%s\n%s\n%s' % (out, files, g.sh('ip -o addr; ls -l /run/NetworkManager; '
                                         'journalctl -b -u enl-kvpd | tail -20')[1]))


def kvp_ip_dual_dhcp(t, g, nic):
    """An IPv4 and an IPv6 address in one SET_IP_INFO (lists separated by
    ';', the IPv6 mask a prefix length), both answering ping; then the host
    asks for DHCP again and the static addresses give way to the lease."""
    v4, v6 = KVP_IP_DUAL
    g.netns.run('ip', '-6', 'addr', 'add', HOST_IP6 + '/64', 'dev', TAP, 'nodad')
    rc, out = g.ctl('ip', 'set', MAC, 'static', '%s;%s' % (v4, v6), '255.255.255.0;64')
    got = rc == 0 and g.wait_sh("ip -o addr show dev %s | grep -q ' %s/24 ' && "
                                "ip -o addr show dev %s | grep ' %s/64 ' | grep -qv tentative"
                                % (nic, v4, nic, v6), 90)
    p4 = g.netns.run('ping', '-c', '2', '-W', '5', v4) if got else (1, '')
    p6 = g.netns.run('ping', '-6', '-c', '2', '-W', '5', v6) if got else (1, '')
    t.ok(got and p4[0] == 0 and p6[0] == 0,
         'synthetic: IPv4 and IPv6 injected together (%s/24, %s/64) are applied by '
         'networkd and both answer ping' % (v4, v6),
         '%s\n%s\n%s\n%s' % (out, p4[1], p6[1], g.sh(
             'ip -o addr; cat /etc/systemd/network/10-enlighten-%s.network; '
             'journalctl -b -u enl-kvpd | tail -20' % nic)[1]))
    rc, out = g.ctl('ip', 'set', MAC, 'dhcp')
    back = rc == 0 and g.wait_sh("a=$(ip -o addr show dev %s); echo \"$a\" | grep -q ' %s/24 ' "
                                 "&& ! echo \"$a\" | grep -q ' %s/24 ' && "
                                 "! echo \"$a\" | grep -q ' %s/64 '" % (nic, GUEST_IP, v4, v6),
                                 90)
    p = g.netns.run('ping', '-c', '2', '-W', '5', GUEST_IP) if back else (1, '')
    t.ok(back and p[0] == 0,
         'synthetic: ctl ip set %s dhcp: networkd takes the DHCP lease (%s) again and '
         'drops the injected addresses' % (MAC, GUEST_IP),
         '%s\n%s\n%s' % (out, p[1], g.sh(
             'ip -o addr; cat /etc/systemd/network/10-enlighten-%s.network; '
             'journalctl -b -u enl-kvpd -u systemd-networkd | tail -20' % nic)[1]))


def second_boot(t, disk, work, emulated, synthetic_args, facts):
    nic = '--nic' in synthetic_args
    g = ImageGuest(disk, 'synthetic', emulated=emulated, extra_args=synthetic_args,
                   workdir=work, netns=nic)
    try:
        if nic:
            serve_dhcp(t, g)
        if not boot(t, g, 'synthetic boot (root on enl_storvsc)'):
            return None
        if '--vnc' in synthetic_args:
            vnc_console(t, g, synthetic_args[synthetic_args.index('--vnc') + 1][5:])
        rc, src = g.sh('findmnt -no SOURCE /')
        dev = os.path.basename(src.strip()).rstrip('0123456789')
        # Walk up from the disk: some device on the way sits on enl_vmbus.
        rc, drv = g.sh('d=$(readlink -f /sys/block/%s/device); while [ "$d" != /sys ] && '
                       '[ "$d" != / ]; do s=$(readlink -f "$d/subsystem" 2>/dev/null); '
                       'echo "$d ${s##*/}"; d=${d%%/*}; done' % dev)
        rc, doc = status(g)
        devs = {d['name']: d for d in doc.get('devices', [])}
        on_piix = [n for n, d in devs.items() if d.get('driver') == 'ata_piix']
        t.ok(' enl_vmbus\n' in drv and not on_piix,
             'synthetic: root %s is a disk under enl_vmbus, no disk is on ata_piix'
             % src.strip(), drv + repr(on_piix))
        t.ok(devs.get(dev, {}).get('driver') == 'enl_storvsc'
             and doc.get('classes', {}).get('storage') == 'synthetic',
             'synthetic: enl-status sees %s on enl_storvsc, storage synthetic' % dev,
             doc.get('devices'))
        ds = {d['unit']: d for d in doc.get('daemons', [])}
        t.ok(all(ds.get(u + '.service', {}).get('offered') and ds[u + '.service']['ready']
                 for u in DAEMONS),
             'synthetic: every integration daemon is offered and ready (%s)'
             % ', '.join(DAEMONS), doc.get('daemons'))
        chans = sorted(c['class'] for c in doc.get('channels', []))
        t.ok(all(c in chans for c in IC_OFFERS) and 'scsi' in chans,
             'synthetic: channels %s' % ' '.join(chans), chans)
        for cls, (mod, _, synth) in CLASSES.items():
            if cls == 'storage':
                continue
            got = doc.get('classes', {}).get(cls)
            if mod in facts['modules']:
                drivers = sorted(set(d.get('driver') for d in doc.get('devices', [])
                                     if d.get('class') == cls))
                t.ok(got == 'synthetic',
                     'synthetic: %s is synthetic on %s (the image has %s%s; drivers: %s)'
                     % (cls, mod, mod, '' if synth is not None else
                        '; test_switch.py does not yet know how enl-host offers it: '
                        'fill in CLASSES', ' '.join(map(str, drivers))), doc)
            else:
                named = [r for r in doc.get('not_yet', []) if r.startswith(cls)]
                t.ok(got in ('not-yet-synthetic', 'absent') and
                     any('no %s' % mod in r for r in named),
                     'synthetic: %s not yet synthetic (no %s in this Enlighten), and '
                     'enl-status says so' % (cls, mod), doc)
        g.wait_sh("ip -o -4 addr show scope global | grep -q .", 60)
        rc, out = g.sh("ip -o -4 addr show scope global | awk '{print $4}'; "
                       "cat /sys/class/net/*/address | grep -v '^00:00:00'")
        t.ok(sorted(out.split()) == sorted(facts['net']),
             'synthetic: the network has the same configuration (%s)' % ' '.join(out.split()),
             'before %s, now %s' % (facts['net'], out.split()))
        rc, out = g.sh("for n in /sys/class/net/*; do [ \"$(cat $n/address)\" = %s ] && "
                       "echo ${n##*/} $(basename $(readlink $n/device/driver)); done; true"
                       % MAC)
        t.ok(out.split() == [facts['nic'], 'enl_netvsc'],
             'synthetic: the NIC keeps its name %s on enl_netvsc' % facts['nic'], out)
        kvp_ip(t, g, facts['nic'])
        if kvp_ip_nm(t, g, facts['nic']) and kvp_ip_back(t, g, facts['nic']):
            kvp_ip_dual_dhcp(t, g, facts['nic'])
        rc, text = g.sh('enl-status', timeout=120)
        classes = doc.get('classes', {})
        every = all(classes.get(c) == 'synthetic' for c in CLASSES)
        t.ok(every, 'synthetic: every class (%s) is present and synthetic: %s'
             % (', '.join(CLASSES), classes), doc)
        t.ok(rc == 0 and every and doc.get('enlightened') is True,
             'synthetic: enl-status exits 0, fully enlightened, with every class '
             'synthetic', text)
        t.diag(text)
        rc, out = g.ctl('shutdown')
        t.ok(rc == 0, 'synthetic: enl-host ctl shutdown asks the guest to power off', out)
        rc = g.wait_exit()
        t.ok(rc == 0, 'synthetic: the guest powered off through enl-heartbeatd '
             '(enl-host exits %s)' % rc, g.logs())
        return g.login_s
    finally:
        g.close()


def main():
    t = Tap()
    ok, secs, out = build_image()
    t.ok(ok, 'make image: the Debian 12 image is built or up to date (%.0f s)' % secs, out)
    if not ok:
        return t.done()
    work = tempfile.mkdtemp(prefix='enl-switch-')
    keep = False
    try:
        disk = os.path.join(work, 'disk.img')
        copy_disk(disk)
        emulated = []
        for cls, (_, emu, _) in CLASSES.items():
            emulated += list(emu)
        facts = first_boot(t, disk, work, emulated)
        if facts:
            # Classes with a driver in the tree lose their emulated device.
            emulated2, synth_args = [], []
            for cls, (mod, emu, synth) in CLASSES.items():
                if mod in facts['modules'] and synth is not None:
                    synth_args += [a.format(dir=work) for a in synth]
                else:
                    emulated2 += list(emu)
            login2 = second_boot(t, disk, work, emulated2, synth_args, facts)
            if login2:
                t.diag('time to login prompt: emulated %.1f s, synthetic %.1f s'
                       % (facts['login_s'], login2))
    except GuestError as e:
        t.ok(False, 'guest stayed reachable', str(e))
    except Exception as e:
        t.crashed(e)
    finally:
        keep = t.failed > 0
        if keep:
            t.diag('logs kept in %s (the disk copy removed)' % work)
            try:
                os.unlink(os.path.join(work, 'disk.img'))
            except OSError:
                pass
        else:
            shutil.rmtree(work, ignore_errors=True)
    return t.done()


if __name__ == '__main__':
    sys.exit(main())
