#!/usr/bin/env python3
"""VM ring, synthetic display: the guest's enl_fb against enl-host's video
VSP and its VNC console (`enl-host run --vnc`), in one boot.

enl_fb loads, agrees synthvid 3.5 (WIN10), places VRAM in the hvif MMIO
window and sets the host's preferred mode; enl-status calls the display
synthetic. The text console (fbcon on the fbdev emulation) shows in
`ctl screenshot`. A guest program (enl-drmdraw: dumb buffer, ADDFB,
SETCRTC, DIRTYFB) draws a known pattern at 800x600; the host's screenshot
matches it pixel for pixel, and so does a VNC client's picture (a small
RFB client here, and vncsnapshot, a real one, gets a picture of the same
size). The browser console (`--vnc-web`): noVNC's page loads from the
URL enl-host gives, and RFB inside a WebSocket with the page's token gets
the same picture. A mode change to 1280x720 reaches the host and the VNC client
(DesktopSize) with the new picture; small damage makes small VNC updates;
a cursor plane becomes the host's pointer and the VNC cursor; a VNC
client's key and click reach the guest's evdev through the synthetic
keyboard and mouse. Fault
injection: malformed host messages are counted by the guest (sysfs
enl_fb_stats), with no oops. Version fallback: a host capped at WIN8, then
WIN7, gets 3.2 (32 bpp) and 3.0 (16 bpp, RGB565) after a reload. Last, the
host rescinds the display while fbcon has it open: the device leaves the
guest without a hang or an oops."""
import json
import os
import re
import socket
import struct
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from vmtest import Guest, GuestError, Tap, wait_until
import rfb

SYSBUS = '/sys/bus/enl_vmbus'


def pattern(x, y):
    """tests/vm/guest/drmdraw.c's pattern()."""
    return (((x * 3 + y) & 0xff) << 16 | ((y * 5 + (x >> 2)) & 0xff) << 8 |
            ((x ^ y) & 0xff))


def video(g):
    rc, out = g.ctl('video', 'status', '--json')
    if rc:
        return {}
    return json.loads(out.split('\n', 1)[1])


def stats(g):
    rc, out = g.sh('cat %s/devices/*/enl_fb_stats 2>/dev/null' % SYSBUS)
    return dict(kv.split('=', 1) for kv in out.split()) if rc == 0 and out.strip() else {}


def shot(g, path):
    rc, out = g.ctl('screenshot', path)
    if rc:
        return None, out
    return rfb.read_png(path), out


def wait_mode(g, w, h, depth=32, timeout=60):
    def probe():
        v = video(g)
        return v.get('active') and v.get('width') == w and v.get('height') == h \
            and v.get('depth') == depth
    return wait_until(probe, timeout)


def stop_drawing(g):
    """End enl-drmdraw and wait until it is gone (DRM master is free)."""
    g.sh('killall enl-drmdraw')
    g.wait_sh('! pidof enl-drmdraw', timeout=30)


def drawn(px, w, h):
    """How many pixels differ from the pattern (and the first one)."""
    bad, first = 0, None
    for y in range(h):
        for x in range(w):
            if px[y * w + x] != pattern(x, y):
                bad += 1
                if first is None:
                    first = (x, y, px[y * w + x], pattern(x, y))
    return bad, first


def load(t, g):
    rc, out = g.sh('modprobe enl_fb && sleep 1 && dmesg | grep -E "enl_fb|fb0"')
    t.ok(rc == 0 and 'synthvid 3.5' in out, 'enl_fb loads and agrees synthvid 3.5', out)
    rc, out = g.sh('ls /dev/dri/card0 /dev/fb0')
    t.ok(rc == 0, 'a DRM card and the fbdev emulation exist', out)
    st = stats(g)
    t.ok(st.get('version') == '3.5' and st.get('dirt_needed') == '1' and
         st.get('depth') == '32', 'sysfs enl_fb_stats: 3.5, 32 bpp, the host wants dirt', str(st))
    rc, out = g.sh('grep -A2 "enl_vmbus MMIO window" /proc/iomem')
    t.ok(rc == 0 and re.search(r'^\s+fd?[0-9a-f]+-[0-9a-f]+ : [0-9a-f-]{36}$', out, re.M)
         is not None, 'VRAM lies in the hvif MMIO window (/proc/iomem)', out)
    t.ok(wait_mode(g, 1024, 768), 'the host shows the preferred mode, 1024x768x32', str(video(g)))
    rc, out = g.sh('enl-status --json')
    try:
        st = json.loads(out)
        disp = [d for d in st['devices'] if d['class'] == 'display']
        ok = st['classes']['display'] == 'synthetic' and disp and \
            disp[0]['driver'] == 'enl_fb' and disp[0]['synthetic']
    except (ValueError, KeyError):
        ok = False
    t.ok(ok, 'enl-status: the display is synthetic (enl_fb)', out[:600])


def console_text(t, g, tmp):
    """fbcon draws on the fbdev emulation: text written to tty1 shows."""
    (w, h, before), _ = shot(g, tmp + '/console0.png')
    g.sh(r'printf "\033[2J\033[HENLIGHTEN CONSOLE TEST\n" > /dev/tty1; sleep 1')
    res, out = shot(g, tmp + '/console1.png')
    if not res:
        t.ok(False, 'screenshot of the console', out)
        return
    w, h, px = res
    lit = [(i % w, i // w) for i, p in enumerate(px) if p]
    top = [p for p in lit if p[1] < 16]
    t.ok(w == 1024 and h == 768 and len(top) > 200 and
         all(x < 23 * 8 for x, y in top) and all(y < 32 for x, y in lit),
         'the console text shows in the screenshot (%d lit pixels, all in the first line)'
         % len(lit), 'lit %d top %d' % (len(lit), len(top)))


def draw(t, g, vnc, tmp, cl):
    # Held until killed below, however slow the checks in between.
    g.sh('enl-drmdraw draw 800 600 3600 > /tmp/draw.log 2>&1 &')
    t.ok(wait_mode(g, 800, 600), 'a modeset to 800x600 reaches the host', str(video(g)))
    # The pattern lands after the mode: look until it is all there.
    last = {}

    def matches():
        res, out = shot(g, tmp + '/draw.png')
        last.update(res=res, out=out)
        if not res or res[:2] != (800, 600):
            return False
        last['bad'], last['first'] = drawn(res[2], 800, 600)
        return last['bad'] == 0
    wait_until(matches, 30, 1)
    res, out = last.get('res'), last.get('out')
    bad, first = last.get('bad', -1), last.get('first')
    w, h = res[:2] if res else (0, 0)
    t.ok(res and w == 800 and h == 600 and bad == 0,
         'ctl screenshot matches the guest\'s pattern pixel for pixel',
         out if not res else '%d pixels differ, first %r' % (bad, first))
    cl.frame()
    bad = sum(1 for y in range(0, 600) for x in range(0, 800)
              if cl.pixel(x, y) != pattern(x, y)) if (cl.w, cl.h) == (800, 600) else -1
    t.ok(bad == 0, 'a VNC client gets the same picture (800x600, every pixel)',
         'size %dx%d, %d differ' % (cl.w, cl.h, bad))
    jpg = tmp + '/snap.jpg'
    r = subprocess.run(['vncsnapshot', '-quiet', '127.0.0.1:%d' % vnc, jpg],
                       capture_output=True, text=True, timeout=60)
    size = None
    if r.returncode == 0 and os.path.exists(jpg):
        data = open(jpg, 'rb').read()
        m = re.search(rb'\xff\xc0..\x08(..)(..)', data, re.S)
        size = struct.unpack('>HH', m.group(1) + m.group(2))[::-1] if m else None
    t.ok(size == (800, 600), 'vncsnapshot (a real VNC client) gets an 800x600 picture',
         '%s %s rc=%d %s' % (size, r.stdout, r.returncode, r.stderr))
    browser(t, g, vnc)
    stop_drawing(g)


def browser(t, g, vnc):
    """The browser console (--vnc-web): noVNC's page from its URL, and RFB
    in a WebSocket with the page's token shows the same picture."""
    rc, out = g.ctl('vnc', '--json')
    line = [ln for ln in out.splitlines() if ln.startswith('{')] if rc == 0 else []
    url = json.loads(line[0]).get('web_url') if line else None
    page = b''
    try:
        page = urllib.request.urlopen(url, timeout=30).read() if url else b''
    except OSError as e:
        out += str(e)
    t.ok(b'noVNC' in page, 'the browser console\'s page (noVNC) loads from %s' % url, out)
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(url or '').query)
    path = '/' + q.get('path', [''])[0]
    bad, size = -1, None
    try:
        ws = rfb.Rfb(('127.0.0.1', int(q.get('port', ['0'])[0])), ws_path=path)
        try:
            ws.frame()
            size = (ws.w, ws.h)
            bad = sum(1 for y in range(0, 600, 2) for x in range(0, 800, 2)
                      if ws.pixel(x, y) != pattern(x, y)) if size == (800, 600) else -1
        finally:
            ws.close()
    except (OSError, rfb.RfbError) as e:
        out = str(e)
    t.ok(bad == 0, 'over WebSocket with the page\'s token, RFB shows the same picture',
         'path %s size %s, %d sampled pixels differ %s' % (path, size, bad, out))


def mode_change(t, g, cl):
    cl.request()
    g.sh('enl-drmdraw draw 1280 720 3600 > /tmp/draw2.log 2>&1 &')
    t.ok(wait_mode(g, 1280, 720), 'a mode change to 1280x720 reaches the host', str(video(g)))
    deadline = time.monotonic() + 30
    while (cl.w, cl.h) != (1280, 720) and time.monotonic() < deadline:
        cl.update()
        cl.request()
    # The new picture follows the mode: look until it is all there.
    bad = [-1]

    def matches():
        cl.frame()
        bad[0] = sum(1 for y in range(0, 720, 3) for x in range(0, 1280, 3)
                     if cl.pixel(x, y) != pattern(x, y)) if (cl.w, cl.h) == (1280, 720) else -1
        return bad[0] == 0
    wait_until(matches, 30, 1)
    bad = bad[0]
    t.ok(bad == 0, 'the VNC client follows (DesktopSize 1280x720) and shows the new picture',
         'size %dx%d, %d sampled pixels differ' % (cl.w, cl.h, bad))
    stop_drawing(g)


def small_updates(t, g, cl):
    """64x64 of damage: the VNC updates carry about that, not the screen."""
    cl.frame()
    g.sh('(enl-drmdraw bench 1024 768 40 rect > /tmp/bench.log 2>&1; echo done >> /tmp/bench.log) &')
    sizes = []
    deadline = time.monotonic() + 60
    cl.request()
    cl.s.settimeout(5)
    while time.monotonic() < deadline:
        try:
            rects, n = cl.update()
        except (socket.timeout, rfb.RfbError):
            break
        if any(r[4] == rfb.DESKTOPSIZE for r in rects):
            cl.request(incremental=False)
            continue
        if all(r[2] * r[3] <= 64 * 64 for r in rects if r[4] == rfb.RAW):
            sizes.append(n)
        cl.request()
        if len(sizes) >= 10:
            break
    cl.s.settimeout(30)
    g.wait_sh('grep -q done /tmp/bench.log', timeout=120)
    t.ok(len(sizes) >= 5 and max(sizes) <= 64 * 64 * 4 + 64,
         'small damage makes small VNC updates (%d updates, at most %d bytes; the screen is %d)'
         % (len(sizes), max(sizes) if sizes else 0, 1024 * 768 * 4), str(sizes))


def cursor(t, g, vnc):
    cl = rfb.Rfb(('127.0.0.1', 5900 + vnc), cursor=True)
    try:
        g.sh('enl-drmdraw cursor 1024 768 3600 > /tmp/cursor.log 2>&1 &')
        ok = wait_until(lambda: video(g).get('pointer_shapes', 0) > 0, 30)
        t.ok(ok, 'the cursor plane reaches the host as a pointer shape', str(video(g)))
        cl.request(incremental=False)
        deadline = time.monotonic() + 30
        while cl.cursor is None or cl.cursor[2:4] != (32, 32):
            if time.monotonic() > deadline:
                break
            cl.update()
            cl.request()
        t.ok(cl.cursor is not None and cl.cursor[:4] == (3, 4, 32, 32),
             'the VNC client gets it as its cursor (32x32, hotspot 3,4)',
             str(cl.cursor[:4]) if cl.cursor else 'none')
    finally:
        cl.close()
    stop_drawing(g)
    t.ok(wait_mode(g, 1024, 768), 'the console comes back after the program', str(video(g)))


def vnc_input(t, g, vnc):
    """A VNC client's key and click reach the guest's evdev through the
    synthetic keyboard and mouse (host/vsp/hid)."""
    rc, out = g.sh('modprobe evdev && modprobe hid_generic && modprobe enl_hid')
    devs = {}
    for cls, name in (('keyboard', 'AT Translated'), ('mouse', 'synthetic mouse')):
        def find():
            r, o = g.sh('for d in /sys/bus/enl_vmbus/devices/*; do '
                        '[ "$(cat $d/class_name 2>/dev/null)" = %s ] && basename $d; done; true' % cls)
            if not o.strip():
                return ''
            # The device's own evdev node (phys names the VMBus device), not
            # the pc machine's PS/2 keyboard.
            r, o = g.sh('enl-evdev find "%s" %s' % (name, o.strip().splitlines()[0][:24]))
            return o.strip() if r == 0 else ''
        devs[cls] = wait_until(find, 20)
    kbd, mouse = devs['keyboard'], devs['mouse']
    t.ok(rc == 0 and kbd and mouse, 'enl_hid gives the guest a keyboard and a mouse (%s, %s)'
         % (kbd, mouse), out)
    if not (kbd and mouse):
        return
    cl = rfb.Rfb(('127.0.0.1', 5900 + vnc))
    try:
        for dev, tag in ((kbd, 'k'), (mouse, 'm')):
            g.sh('rm -f /tmp/ev.%s; enl-evdev read %s 8000 1500 > /tmp/ev.%s 2>&1 &'
                 % (tag, dev, tag))
            wait_until(lambda: 'ready' in g.sh('cat /tmp/ev.%s' % tag)[1], 10, 0.2)
        cl.key(0x61, True)                  # XK_a
        cl.key(0x61, False)
        cl.pointer(512, 384, 1)
        cl.pointer(512, 384, 0)
        evs = {}
        for tag in ('k', 'm'):
            wait_until(lambda: 'end' in g.sh('cat /tmp/ev.%s' % tag)[1], 40, 0.5)
            evs[tag] = [tuple(int(x) for x in l.split())
                        for l in g.sh('cat /tmp/ev.%s' % tag)[1].splitlines()
                        if re.match(r'^\d+ \d+ -?\d+$', l)]
        t.ok((1, 30, 1) in evs['k'] and (1, 30, 0) in evs['k'],
             'a VNC key (a) reaches the guest as KEY_A down and up', str(evs['k']))
        t.ok((1, 272, 1) in evs['m'] and (1, 272, 0) in evs['m'] and
             any(e[0] == 3 for e in evs['m']),
             'a VNC click reaches the guest as an absolute position and BTN_LEFT', str(evs['m']))
    finally:
        cl.close()


def faults(t, g):
    before = stats(g)
    for kind in ('short', 'type', 'size', 'rescount', 'resindex'):
        rc, out = g.ctl('video', 'inject', kind)
        if rc:
            t.ok(False, 'ctl video inject %s' % kind, out)
    want = {'bad_msg': 2, 'bad_type': 1, 'bad_value': 1, 'unexpected': 1}
    d = {}

    def counted():
        after = stats(g)
        d.update({k: int(after.get(k, 0)) - int(before.get(k, 0)) for k in want})
        return all(d[k] >= want[k] for k in want)
    # The guest counts as the messages arrive; then the counts must be exact.
    wait_until(counted, 20, 0.5)
    t.ok(d == want,
         'malformed host messages are counted by reason', str(d))
    rc, out = g.sh('echo still here > /dev/tty1 && cat /sys/class/graphics/fb0/name')
    t.ok(rc == 0, 'the display still works after them', out)


def fallback(t, g, tmp):
    for cap, want, depth in (('win8', '3.2', 32), ('win7', '3.0', 16)):
        g.ctl('video', 'max-version', cap)
        rc, out = g.sh('rmmod enl_fb && modprobe enl_fb && sleep 1')
        st = stats(g)
        t.ok(rc == 0 and st.get('version') == want and st.get('depth') == str(depth),
             'a host capped at %s: synthvid %s, %d bpp' % (cap, want, depth), out + str(st))
        ok = wait_mode(g, 1024, 768, depth)
        res, out = shot(g, tmp + '/console-%s.png' % cap)
        t.ok(ok and res and res[0] == 1024, 'the console shows at %d bpp' % depth,
             str(video(g)) + out)
    g.ctl('video', 'max-version', 'win10')
    rc, out = g.sh('rmmod enl_fb && modprobe enl_fb && sleep 1')
    t.ok(rc == 0 and stats(g).get('version') == '3.5', 'back to 3.5', out)


def rescind(t, g):
    rc, out = g.ctl('devices')
    relid = re.findall(r'^(\d+) video ', out, re.M)
    g.sh('echo console open > /dev/tty1')
    rc, res = g.ctl('rescind', relid[0]) if relid else (1, 'no video device in:\n' + out)
    t.ok(rc == 0, 'ctl rescind of the display with fbcon on it', res)
    ok = g.wait_sh('! ls /dev/fb0 /dev/dri/card0 2>/dev/null', timeout=60)
    t.ok(ok, 'the display leaves the guest', g.sh('ls /dev/dri /dev/fb* 2>&1')[1])
    rc, out = g.sh('echo alive')
    t.ok(rc == 0 and 'alive' in out, 'the guest lives on', out)
    v = video(g)
    t.ok(not v.get('active'), 'the host shows no mode', str(v))


def main():
    t = Tap()
    vnc = rfb.free_display(web=True)
    try:
        g = Guest(offers=('video', 'keyboard', 'mouse'),
                  extra=['--vnc', ':%d' % vnc, '--vnc-web'])
    except GuestError as e:
        t.ok(False, 'guest boots with video offered', str(e))
        return t.done()
    t.ok(True, 'guest boots with video offered and a VNC console on :%d (ready in %.1f s)'
         % (vnc, g.ready_s))
    tmp = g.dir
    try:
        load(t, g)
        console_text(t, g, tmp)
        cl = rfb.Rfb(('127.0.0.1', 5900 + vnc))
        try:
            draw(t, g, vnc, tmp, cl)
            mode_change(t, g, cl)
            small_updates(t, g, cl)
        finally:
            cl.close()
        cursor(t, g, vnc)
        vnc_input(t, g, vnc)
        faults(t, g)
        fallback(t, g, tmp)
        rescind(t, g)
        ok, bad = g.dmesg_clean()
        t.ok(ok, 'no oops or warning in dmesg', bad)
    except GuestError as e:
        t.ok(False, 'guest stayed reachable', str(e))
    except Exception as e:
        import traceback
        t.ok(False, 'test ran to the end', '%s\n%s' % (traceback.format_exc(), g.logs()))
    finally:
        g.close(keep=t.failed > 0)
        if t.failed:
            t.diag('logs kept in %s' % g.dir)
    return t.done()


if __name__ == '__main__':
    sys.exit(main())
