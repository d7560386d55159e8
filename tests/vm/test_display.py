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
the same picture; headless Chromium (chromium.py, over its DevTools pipe)
opens that URL, noVNC connects and its canvas holds the same pixels as
`ctl screenshot`. A mode change to 1280x720 reaches the host and the VNC
client (DesktopSize) with the new picture; small damage makes small VNC
updates; a cursor plane becomes the host's pointer and the VNC cursor; a
VNC client's key and click, and keys typed into Chromium's page and a
click on its canvas, reach the guest's evdev through the synthetic
keyboard and mouse; the page with a wrong token gets no connection. Fault
injection: malformed host messages are counted by the guest (sysfs
enl_fb_stats), with no oops. Version fallback: a host capped at WIN8, then
WIN7, gets 3.2 (32 bpp) and 3.0 (16 bpp, RGB565) after a reload. Last,
with a VNC client on the console, the host rescinds the keyboard and the
mouse (the client's input is dropped), then the display while fbcon has it
open: the devices leave the guest without a hang or an oops, and the
client sees the console go blank."""
import base64
import json
import operator
import os
import re
import socket
import struct
import subprocess
import sys
import time
import urllib.parse
import urllib.request

from vmtest import GuestError, Tap, vnc_guest, wait_until
from chromium import BrowserError, Chromium
import rfb

SYSBUS = '/sys/bus/enl_vmbus'
# Seconds the headless Chromium points take (the time they add).
BROWSER_S = [0.0]


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
    rc, out = g.sh('modprobe enl_fb')
    # The fbdev emulation comes last: its line says enl_fb is all set up.
    up = rc == 0 and g.wait_sh('dmesg | grep -q "fb0: enl_fb"', timeout=60)
    out += g.sh('dmesg | grep -E "enl_fb|fb0"')[1]
    t.ok(up and 'synthvid 3.5' in out, 'enl_fb loads and agrees synthvid 3.5', out)
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
    g.sh(r'printf "\033[2J\033[HENLIGHTEN CONSOLE TEST\n" > /dev/tty1')
    # fbcon's damage reaches the host a little later: look until it shows.
    last = {}

    def shows():
        res, out = shot(g, tmp + '/console.png')
        last.update(res=res, out=out)
        if not res:
            return False
        w, h, px = res
        last['lit'] = lit = [(i % w, i // w) for i, p in enumerate(px) if p]
        last['top'] = top = [p for p in lit if p[1] < 16]
        return w == 1024 and h == 768 and len(top) > 200 and \
            all(x < 23 * 8 for x, y in top) and all(y < 32 for x, y in lit)
    ok = wait_until(shows, 30, 0.5)
    if not last.get('res'):
        t.ok(False, 'screenshot of the console', last.get('out'))
        return
    t.ok(ok, 'the console text shows in the screenshot (%d lit pixels, all in the first line)'
         % len(last['lit']), 'lit %d top %d' % (len(last['lit']), len(last['top'])))


def draw(t, g, vnc, tmp, cl, br):
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
    url = browser(t, g, vnc)
    t0 = time.monotonic()
    chromium_shows(t, g, br, url, tmp)
    BROWSER_S[0] += time.monotonic() - t0
    stop_drawing(g)
    return url


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
    return url


# The browser console's state in noVNC's page: connected (its own class on
# the document), its status line, the canvas' size and place, and whether
# the canvas is what shows at its middle (nothing of the page covers it).
PAGE_STATE_JS = """(() => {
  const c = document.querySelector('#noVNC_container canvas');
  const st = document.getElementById('noVNC_status');
  const r = c ? c.getBoundingClientRect() : null;
  const mid = r ? document.elementFromPoint(r.left + r.width / 2,
                                            r.top + r.height / 2) : null;
  return {connected: document.documentElement.classList.contains('noVNC_connected'),
          status: st ? st.textContent : '',
          w: c ? c.width : 0, h: c ? c.height : 0,
          rect: r ? [r.left, r.top, r.width, r.height] : null,
          shown: mid !== null && mid === c};
})()"""

# The canvas' pixels: [width, height, base64 of RGBA].
CANVAS_JS = """(() => {
  const c = document.querySelector('#noVNC_container canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let s = '';
  for (let i = 0; i < d.length; i += 0x8000)
    s += String.fromCharCode.apply(null, d.subarray(i, i + 0x8000));
  return [c.width, c.height, btoa(s)];
})()"""


def page_state(br):
    try:
        return br.eval(PAGE_STATE_JS) or {}
    except BrowserError as e:
        return {'error': str(e)}


def wait_page(br, w, h, timeout=60):
    """Wait until noVNC is connected and shows a w x h canvas; the state."""
    last = {}

    def probe():
        last.update(page_state(br))
        return last.get('connected') and (last.get('w'), last.get('h')) == (w, h) \
            and last.get('shown')
    wait_until(probe, timeout, 0.5)
    return last


def canvas_and_screenshot(br, g, path):
    """noVNC's canvas and `ctl screenshot` taken right after it, each as
    three planes (R, G, B bytes): (w, h, canvas, host), or a string saying
    why not."""
    w, h, b64 = br.eval(CANVAS_JS)
    data = base64.b64decode(b64)
    res, out = shot(g, path)
    if not res:
        return out
    sw, sh, px = res
    if (w, h) != (sw, sh):
        return 'canvas %dx%d, screenshot %dx%d' % (w, h, sw, sh)
    return w, h, (data[0::4], data[1::4], data[2::4]), \
        (bytes((p >> 16) & 0xff for p in px), bytes((p >> 8) & 0xff for p in px),
         bytes(p & 0xff for p in px))


def differ(a, b):
    """How planes a differ from planes b: pixels that differ, the largest
    and the mean difference of a channel, the first pixel that differs
    (index, a's, b's)."""
    d = [list(map(abs, map(operator.sub, pa, pb))) for pa, pb in zip(a, b)]
    most = list(map(max, *d))
    bad = len(most) - most.count(0)
    if not bad:
        return 0, 0, 0.0, None
    i = next(i for i, v in enumerate(most) if v)
    return bad, max(most), sum(map(sum, d)) / (3.0 * len(most)), \
        (i, [p[i] for p in a], [p[i] for p in b])


def canvas_matches(br, g, path, good, timeout=30):
    """Compare noVNC's canvas with `ctl screenshot` until good(d) holds or
    timeout seconds pass; d is differ()'s answer and the screenshot's lit
    pixels (red not 0). Returns (ok, the last d or why there was none)."""
    last = [None]

    def check():
        got = canvas_and_screenshot(br, g, path)
        if isinstance(got, str):
            last[0] = got
            return False
        canvas, host = got[2:]
        last[0] = differ(canvas, host) + (len(host[0]) - host[0].count(0),)
        return good(last[0])
    return bool(wait_until(check, timeout, 0.5)), last[0]


def chromium_shows(t, g, br, url, tmp):
    """Headless Chromium opens the page enl-host printed; noVNC connects
    over the WebSocket with the page's token, and its canvas holds the
    guest's screen: the same pixels as `ctl screenshot`."""
    if br is None or not url:
        t.ok(False, 'headless Chromium opens the browser console',
             'no browser' if br is None else 'no URL')
        return
    try:
        up = br.start()
        t0 = time.monotonic()
        br.open(url)
        st = wait_page(br, 800, 600)
        t.ok(st.get('connected') and st.get('shown') and (st['w'], st['h']) == (800, 600),
             'headless Chromium opens the printed URL and noVNC connects, an 800x600 '
             'canvas in view (browser up in %.1f s, connected %.1f s after opening)'
             % (up, time.monotonic() - t0), str(st))
        # The first picture follows the connection: look until it is all
        # there. noVNC asks for Tight with JPEG (quality 6), and the
        # pattern has every colour: what it gets is close, not exact (a
        # mean difference of about 3 of 255 here; a black canvas would be
        # about 128 away). The text console below, of two colours, goes
        # without loss and is compared pixel for pixel.
        ok, got = canvas_matches(br, g, tmp + '/browser.png', lambda d: d[2] < 8)
        t.ok(ok, 'the page\'s canvas shows the guest\'s 800x600 screen as ctl screenshot '
             'does, through noVNC\'s JPEG (mean difference %.1f of 255)'
             % (got[2] if not isinstance(got, str) else -1), str(got))
    except BrowserError as e:
        t.ok(False, 'headless Chromium shows the browser console', str(e))


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


def input_devices(t, g):
    """enl_hid's keyboard and mouse in the guest: (their evdev nodes)."""
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
        devs[cls] = wait_until(find, 60)
    kbd, mouse = devs['keyboard'], devs['mouse']
    t.ok(rc == 0 and kbd and mouse, 'enl_hid gives the guest a keyboard and a mouse (%s, %s)'
         % (kbd, mouse), out)
    return kbd, mouse


def guest_events(g, kbd, mouse, send, first_ms=8000, idle_ms=1500):
    """Read the guest's keyboard and mouse (enl-evdev) while send() makes
    input at the host: {'k': [(type, code, value)...], 'm': [...]}."""
    # The readers' quiet spells count only once send() has returned (the
    # DONE file): a slow host cannot end them before its input is made.
    for dev, tag in ((kbd, 'k'), (mouse, 'm')):
        g.sh('rm -f /tmp/ev.%s /tmp/ev.done; enl-evdev read %s %d %d /tmp/ev.done '
             '> /tmp/ev.%s 2>&1 &' % (tag, dev, first_ms, idle_ms, tag))
        wait_until(lambda: 'ready' in g.sh('cat /tmp/ev.%s' % tag)[1], 60, 0.2)
    send()
    g.sh('touch /tmp/ev.done')
    evs = {}
    for tag in ('k', 'm'):
        wait_until(lambda: 'end' in g.sh('cat /tmp/ev.%s' % tag)[1],
                   (first_ms + idle_ms) / 1000 + 60, 0.5)
        evs[tag] = [tuple(int(x) for x in l.split())
                    for l in g.sh('cat /tmp/ev.%s' % tag)[1].splitlines()
                    if re.match(r'^\d+ \d+ -?\d+$', l)]
    return evs


def vnc_input(t, g, vnc, kbd, mouse):
    """A VNC client's key and click reach the guest's evdev through the
    synthetic keyboard and mouse (host/vsp/hid)."""
    cl = rfb.Rfb(('127.0.0.1', 5900 + vnc))
    try:
        def send():
            cl.key(0x61, True)                  # XK_a
            cl.key(0x61, False)
            cl.pointer(512, 384, 1)
            cl.pointer(512, 384, 0)
        evs = guest_events(g, kbd, mouse, send)
        t.ok((1, 30, 1) in evs['k'] and (1, 30, 0) in evs['k'],
             'a VNC key (a) reaches the guest as KEY_A down and up', str(evs['k']))
        t.ok((1, 272, 1) in evs['m'] and (1, 272, 0) in evs['m'] and
             any(e[0] == 3 for e in evs['m']),
             'a VNC click reaches the guest as an absolute position and BTN_LEFT', str(evs['m']))
    finally:
        cl.close()


def abs_at(v, size):
    """host/vsp/hid/console.c's scale(): pixel v of size on 0..32767."""
    return v * 32767 // (size - 1)


def chromium_types(t, g, br, kbd, mouse, tmp):
    """Keys typed into the browser console's page, and a click on its
    canvas, reach the guest's evdev: noVNC turns them into RFB events over
    the WebSocket, enl-host into synthetic keyboard scancodes and absolute
    mouse reports."""
    if br is None or br.session is None:
        t.ok(False, 'keys typed into the browser console reach the guest', 'no browser page')
        return
    try:
        # The console is back at 1024x768 after the DRM programs.
        st = wait_page(br, 1024, 768)
        if not t.ok(st.get('connected') and st.get('shown'),
                    'the page follows the guest to 1024x768 and stays connected', str(st)):
            return
        # Two colours: Tight sends the text console without loss, so the
        # canvas must be the screenshot exactly. A steady cursor keeps the
        # two the same picture.
        g.sh('echo 0 > /sys/class/graphics/fbcon/cursor_blink; '
             r'printf "\033[2J\033[HENLIGHTEN BROWSER CONSOLE\n" > /dev/tty1')
        ok, got = canvas_matches(br, g, tmp + '/browser-console.png',
                                 lambda d: d[0] == 0 and d[4] > 200)
        t.ok(ok,
             'the page\'s canvas holds the text console exactly as ctl screenshot does '
             '(1024x768, every pixel, %s lit)' % (got[4] if not isinstance(got, str) else '-'),
             str(got))
        left, top, cw, ch = st['rect']
        # The middle of pixel (300, 200), in the page's coordinates (not
        # where the VNC client clicked: evdev reports only what changed).
        x = left + (300 + 0.5) * cw / 1024
        y = top + (200 + 0.5) * ch / 768

        def send():
            # What a user's click on the console does first: noVNC's
            # keyboard listens on its canvas.
            br.eval("document.querySelector('#noVNC_container canvas').focus()")
            for k in ('h', 'i', 'Enter'):
                br.key(k)
            br.click(x, y)
        evs = guest_events(g, kbd, mouse, send, 20000, 3000)
    except BrowserError as e:
        t.ok(False, 'keys typed into the browser console reach the guest', str(e))
        return
    # KEY_H, KEY_I, KEY_ENTER: each down then up, in the order typed.
    keys = [e for e in evs['k'] if e[0] == 1]
    want = [(1, 35, 1), (1, 35, 0), (1, 23, 1), (1, 23, 0), (1, 28, 1), (1, 28, 0)]
    t.ok(keys == want, 'keys typed into the page (h, i, Enter) reach the guest\'s evdev as '
         'KEY_H, KEY_I, KEY_ENTER down and up, in order', str(evs['k']))
    m = evs['m']
    down = m.index((1, 272, 1)) if (1, 272, 1) in m else -1
    ax = [e[2] for e in m[:down] if e[:2] == (3, 0)] if down >= 0 else []
    ay = [e[2] for e in m[:down] if e[:2] == (3, 1)] if down >= 0 else []
    # Within a pixel of (300, 200), however the page rounds.
    ok = down >= 0 and (1, 272, 0) in m[down:] and ax and ay and \
        abs_at(299, 1024) <= ax[-1] <= abs_at(301, 1024) and \
        abs_at(199, 768) <= ay[-1] <= abs_at(201, 768)
    t.ok(ok, 'a click on the page\'s canvas at (300, 200) reaches the guest as BTN_LEFT '
         'at that absolute position (%s, %s of 32767; %d, %d expected)'
         % (ax[-1] if ax else '-', ay[-1] if ay else '-', abs_at(300, 1024), abs_at(200, 768)),
         str(m))


def chromium_refused(t, g, br, url):
    """The same page with a wrong token (same length, one digit changed):
    no connection; enl-host counts the refusal."""
    if br is None or br.session is None or not url:
        t.ok(False, 'a page with a wrong token gets no connection', 'no browser page')
        return
    m = re.search(r'token%3D([0-9a-f]+)', url)
    if not m:
        t.ok(False, 'a page with a wrong token gets no connection', 'no token in ' + url)
        return
    tok = m.group(1)
    bad = url.replace(tok, tok[:-1] + ('0' if tok[-1] != '0' else '1'))

    def vnc():
        rc, out = g.ctl('vnc', '--json')
        line = [ln for ln in out.splitlines() if ln.startswith('{')] if rc == 0 else []
        return json.loads(line[0]) if line else {}
    before = vnc()
    try:
        br.open(bad)
        last = {}

        def refused():
            last.update(page_state(br), vnc=vnc())
            return 'Failed to connect' in last.get('status', '') and \
                last['vnc'].get('web_refused', 0) > before.get('web_refused', 0)
        wait_until(refused, 60, 0.5)
    except BrowserError as e:
        last = {'error': str(e)}
    after = last.get('vnc', {})
    t.ok(not last.get('connected') and 'Failed to connect' in last.get('status', '') and
         after.get('web_refused', 0) == before.get('web_refused', 0) + 1 and
         after.get('web_clients') == before.get('web_clients'),
         'the page with a wrong token gets no connection (noVNC: "%s"; enl-host '
         'counts it refused)' % last.get('status', '').strip(),
         'before %s, after %s, page %s' % (before, after, last))


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
    wait_until(counted, 60, 0.5)
    t.ok(d == want,
         'malformed host messages are counted by reason', str(d))
    rc, out = g.sh('echo still here > /dev/tty1 && cat /sys/class/graphics/fb0/name')
    t.ok(rc == 0, 'the display still works after them', out)


def fallback(t, g, tmp):
    for cap, want, depth in (('win8', '3.2', 32), ('win7', '3.0', 16)):
        g.ctl('video', 'max-version', cap)
        rc, out = g.sh('rmmod enl_fb && modprobe enl_fb')
        st = {}
        if rc == 0:
            wait_until(lambda: st.update(stats(g)) or st.get('version') == want, 60, 0.5)
        t.ok(rc == 0 and st.get('version') == want and st.get('depth') == str(depth),
             'a host capped at %s: synthvid %s, %d bpp' % (cap, want, depth), out + str(st))
        ok = wait_mode(g, 1024, 768, depth)
        res, out = shot(g, tmp + '/console-%s.png' % cap)
        t.ok(ok and res and res[0] == 1024, 'the console shows at %d bpp' % depth,
             str(video(g)) + out)
    g.ctl('video', 'max-version', 'win10')
    rc, out = g.sh('rmmod enl_fb && modprobe enl_fb')
    ok = rc == 0 and wait_until(lambda: stats(g).get('version') == '3.5', 60, 0.5)
    t.ok(ok, 'back to 3.5', out + str(stats(g)))


def rescind(t, g, vnc):
    """The host rescinds the keyboard and the mouse, then the display,
    while a VNC client is connected to the console and fbcon has the
    display: input from the client finds no device and is dropped, the
    client sees the console go blank, the guest lives on."""
    cl = rfb.Rfb(('127.0.0.1', 5900 + vnc))
    try:
        cl.frame()
        rc, out = g.ctl('devices')
        hid = re.findall(r'^(\d+) (?:keyboard|mouse) ', out, re.M)
        res = [g.ctl('rescind', r) for r in hid]
        gone = len(hid) == 2 and all(rc == 0 for rc, _ in res) and g.wait_sh(
            '! grep -qE "^(keyboard|mouse)$" %s/devices/*/class_name' % SYSBUS, timeout=60)
        t.ok(gone, 'ctl rescind of the keyboard and mouse with a VNC client on the console: '
             'they leave the guest', out + str(res))
        # The client's key and click now have nowhere to go.
        cl.key(0x61, True)
        cl.key(0x61, False)
        cl.pointer(10, 10, 1)
        cl.pointer(10, 10, 0)
        rc, out = g.ctl('type', 'x')
        t.ok(g.proc.poll() is None and rc != 0 and 'no keyboard' in out,
             'the client\'s input after it is dropped; enl-host lives on and says '
             'there is no keyboard', out)
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
        # The console shows its blank 640x480 (host/console/console.c).
        deadline = time.monotonic() + 30
        try:
            while (cl.w, cl.h) != (640, 480) and time.monotonic() < deadline:
                cl.request()
                cl.update()
            if (cl.w, cl.h) == (640, 480):
                cl.frame()
        except (socket.timeout, rfb.RfbError) as e:
            t.diag('VNC client: %s' % e)
        lit = sum(1 for i in range(0, len(cl.fb), 4) if cl.fb[i:i + 3] != b'\0\0\0')
        t.ok((cl.w, cl.h) == (640, 480) and lit == 0,
             'the VNC client stays connected and sees the console go blank (640x480, black)',
             'size %dx%d, %d pixels not black' % (cl.w, cl.h, lit))
    finally:
        cl.close()


def main():
    t = Tap()
    # Chromium comes up while the guest boots.
    br, why = None, ''
    try:
        br = Chromium()
        br.start_in_background()
    except BrowserError as e:
        why = str(e)
    try:
        g, vnc = vnc_guest(web=True, offers=('video', 'keyboard', 'mouse'))
    except GuestError as e:
        t.ok(False, 'guest boots with video offered', str(e))
        if br:
            br.close()
        return t.done()
    t.ok(True, 'guest boots with video offered and a VNC console on :%d (ready in %.1f s)'
         % (vnc, g.ready_s))
    tmp = g.dir
    try:
        if not br:
            t.diag('no browser: ' + why)
        load(t, g)
        console_text(t, g, tmp)
        cl = rfb.Rfb(('127.0.0.1', 5900 + vnc))
        try:
            url = draw(t, g, vnc, tmp, cl, br)
            mode_change(t, g, cl)
            small_updates(t, g, cl)
        finally:
            cl.close()
        cursor(t, g, vnc)
        kbd, mouse = input_devices(t, g)
        if kbd and mouse:
            vnc_input(t, g, vnc, kbd, mouse)
            t0 = time.monotonic()
            chromium_types(t, g, br, kbd, mouse, tmp)
            BROWSER_S[0] += time.monotonic() - t0
        t0 = time.monotonic()
        chromium_refused(t, g, br, url)
        BROWSER_S[0] += time.monotonic() - t0
        t.diag('headless Chromium: up in %.1f s (while the guest booted); its points took %.1f s'
               % (br.ready_s or -1 if br else -1, BROWSER_S[0]))
        faults(t, g)
        fallback(t, g, tmp)
        rescind(t, g, vnc)
        ok, bad = g.dmesg_clean()
        t.ok(ok, 'no oops or warning in dmesg', bad)
    except GuestError as e:
        t.ok(False, 'guest stayed reachable', str(e))
    except Exception as e:
        t.crashed(e, g.logs())
    finally:
        if br:
            br.close(keep=t.failed > 0)
        g.close(keep=t.failed > 0)
        if t.failed:
            t.diag('logs kept in %s%s' % (g.dir, ' and ' + br.dir if br else ''))
    return t.done()

if __name__ == '__main__':
    sys.exit(main())
