#!/usr/bin/env python3
"""Synthetic keyboard and mouse end to end: enl_hid against enl-host's
keyboard and mouse VSPs, one guest for the whole suite.

`ctl type` and `ctl key` reach the guest's evdev as the right key codes
(through atkbd: scancode set 1, E0 prefixes, shift); `ctl mouse` as the
right absolute positions, buttons and wheel (through the HID core, with the
host's report descriptor); lock LEDs set in the guest reach the host;
malformed host messages of every kind are counted by the driver and
nothing oopses; a bad report descriptor fails only the mouse's probe;
rescinding both devices while readers hold them open gives the readers
ENODEV, and offering them again brings them back."""
import json
import re
import sys
import time

from vmtest import run_suite, wait_until

EV_KEY, EV_REL, EV_ABS = 1, 2, 3
ABS_X, ABS_Y, REL_WHEEL = 0, 1, 8
BTN_LEFT, BTN_RIGHT, BTN_MIDDLE = 0x110, 0x111, 0x112
KEY_LEFTSHIFT = 42

# A US keyboard by rows, unshifted and shifted: Linux key codes of set 1
# keys equal their make codes (KEY_1 = 2 ... KEY_SLASH = 53).
ROWS = [(2, '1234567890-=', '!@#$%^&*()_+'),
        (16, 'qwertyuiop[]', 'QWERTYUIOP{}'),
        (30, "asdfghjkl;'`", 'ASDFGHJKL:"~'),
        (43, '\\zxcvbnm,./', '|ZXCVBNM<>?')]


def char_key(c):
    """(key code, shifted) of a character on a US keyboard."""
    if c == ' ':
        return 57, False
    if c == '\n':
        return 28, False
    for first, plain, shifted in ROWS:
        if c in plain:
            return first + plain.index(c), False
        if c in shifted:
            return first + shifted.index(c), True
    raise ValueError(c)


def typed(text):
    """The (code, value) key events typing text should produce."""
    out = []
    for c in text:
        code, shift = char_key(c)
        if shift:
            out.append((KEY_LEFTSHIFT, 1))
        out += [(code, 1), (code, 0)]
        if shift:
            out.append((KEY_LEFTSHIFT, 0))
    return out


def hid_dev(g, cls):
    """The enl_vmbus device name of the keyboard or mouse, or ''."""
    rc, out = g.sh('for d in /sys/bus/enl_vmbus/devices/*; do '
                   '[ "$(cat $d/class_name 2>/dev/null)" = %s ] && basename $d; done; true' % cls)
    return out.strip().splitlines()[0] if out.strip() else ''


def evdev(g, cls):
    name = 'AT Translated' if cls == 'keyboard' else 'synthetic mouse'
    dev = hid_dev(g, cls)
    if not dev:
        return ''
    rc, out = g.sh('enl-evdev find "%s" %s' % (name, dev[:24]))
    return out.strip() if rc == 0 else ''


def counters(g, cls):
    dev = hid_dev(g, cls)
    rc, out = g.sh('cat /sys/bus/enl_vmbus/devices/%s/counters' % dev)
    return dict((k, int(v)) for k, v in re.findall(r'^(\w+) (\d+)$', out, re.M))


def record(g, dev, action, tag, first_ms=8000, idle_ms=1500):
    """Start a reader on dev, run action() on the host, return the events
    the reader saw: a list of (type, code, value). The reader's quiet
    spells (first_ms for the first event, idle_ms after one) count only
    once action() has returned (its DONE file): a slow host between two
    ctl calls cannot end it early."""
    done = '/tmp/ev.%s.done' % tag
    g.sh('rm -f /tmp/ev.%s %s; enl-evdev read %s %d %d %s > /tmp/ev.%s 2>&1 &'
         % (tag, done, dev, first_ms, idle_ms, done, tag))
    wait_until(lambda: 'ready' in g.sh('cat /tmp/ev.%s' % tag)[1], 60, 0.2)
    action()
    g.sh('touch %s' % done)
    wait_until(lambda: 'end' in g.sh('cat /tmp/ev.%s' % tag)[1],
               (first_ms + idle_ms) / 1000 + 60, 0.5)
    rc, out = g.sh('cat /tmp/ev.%s' % tag)
    return [tuple(int(x) for x in l.split())
            for l in out.splitlines() if re.match(r'^\d+ \d+ -?\d+$', l)]


def keys_of(events):
    return [(c, v) for t, c, v in events if t == EV_KEY]


def key_lines(g, tag):
    """Key events the reader of tag has printed so far."""
    return sum(1 for l in g.sh('cat /tmp/ev.%s' % tag)[1].splitlines()
               if l.startswith('%d ' % EV_KEY))


def in_steps(g, tag, steps):
    """An action for record(): run each (ctl args, key events it makes)
    in turn, each once the reader has seen the ones before. A guest vCPU
    starved by a loaded host takes whatever piled up in its ring in one
    go, and an evdev client's buffer holds about 20 keys: more at once
    would be dropped (SYN_DROPPED) before the reader runs."""
    def action():
        seen = 0
        for args, n in steps:
            g.ctl(*args)
            seen += n
            wait_until(lambda: key_lines(g, tag) >= seen, 60, 0.2)
    return action


def body(t, g):
    rc, out = g.sh('modprobe evdev && modprobe hid_generic && modprobe enl_hid')
    t.ok(rc == 0, 'evdev, hid_generic and enl_hid load', out)
    ok, st = g.wait_ctl(['hid'], r'mouse: open=1 ready=1.*\n.*keyboard: open=1 ready=1', 30)
    t.ok(ok, 'the host sees both devices open and past their handshake', st)
    kbd = wait_until(lambda: evdev(g, 'keyboard'), 20)
    mouse = wait_until(lambda: evdev(g, 'mouse'), 20)
    t.ok(kbd and mouse, 'atkbd and the HID core made input devices of them (%s, %s)'
         % (kbd, mouse), g.sh('cat /proc/bus/input/devices; dmesg | tail -30')[1])
    if not (kbd and mouse):
        return
    rc, out = g.sh('enl-status --json')
    try:
        st = json.loads(out)
        synth = [d for d in st['devices'] if d['class'] == 'input' and d['synthetic']]
        ok = st['classes']['input'] == 'synthetic' and len(synth) == 2
    except (ValueError, KeyError) as e:
        ok, synth = False, repr(e)
    t.ok(ok, 'enl-status counts both as synthetic input devices', '%s\n%s' % (synth, out))

    keyboard(t, g, kbd)
    pointer(t, g, mouse)
    leds(t, g, kbd)
    faults(t, g, kbd)
    bad_descriptor(t, g)
    rescind(t, g)


def keyboard(t, g, kbd):
    text = 'Hello, World! 42 {x|y} ~`\'"'
    chunks = [text[i:i + 4] for i in range(0, len(text), 4)]
    ev = keys_of(record(g, kbd, in_steps(g, 'type', [(('type', c), len(typed(c)))
                                                    for c in chunks]), 'type'))
    want = typed(text)
    t.ok(ev == want, 'ctl type: every key code and shift in order (%d events)' % len(ev),
         'got  %s\nwant %s' % (ev, want))
    steps = [(('key', 'ctrl+alt+f2', 'Return'), 8), (('key', 'shift+Right', 'kp7'), 6),
             (('key', 'super', 'rctrl+Home'), 6), (('key', 'kpenter', 'delete', 'f12'), 6)]
    ev = keys_of(record(g, kbd, in_steps(g, 'key', steps), 'key'))
    # KEY_* codes: E0 keys have codes of their own (RIGHT 106, RIGHTCTRL 97...).
    want = [(29, 1), (56, 1), (60, 1), (60, 0), (56, 0), (29, 0),
            (28, 1), (28, 0), (42, 1), (106, 1), (106, 0), (42, 0),
            (71, 1), (71, 0), (125, 1), (125, 0), (97, 1), (102, 1), (102, 0), (97, 0),
            (96, 1), (96, 0), (111, 1), (111, 0), (88, 1), (88, 0)]
    t.ok(ev == want, 'ctl key: combos with E0 keys reach evdev as their key codes',
         'got  %s\nwant %s' % (ev, want))
    c = counters(g, 'keyboard')
    t.ok(c.get('bad_length') == 0 and c.get('bad_type') == 0 and c.get('bad_code') == 0
         and c.get('delivered', 0) >= len(typed(text)),
         'no message refused so far (%d scancodes delivered)' % c.get('delivered', 0), str(c))


def pointer(t, g, mouse):
    rc, out = g.sh('enl-evdev absinfo %s' % mouse)
    t.ok('x 0 32767' in out and 'y 0 32767' in out,
         'the host\'s report descriptor made absolute axes 0..32767', out)

    def moves():
        for args in (['1000', '2000'], ['1000', '2000', 'left'], ['1000', '2000'],
                     ['32767', '0', 'right+middle'], ['32767', '0', 'none', '--wheel', '-1'],
                     ['16384', '8192', '--wheel', '2']):
            g.ctl('mouse', *args)
    ev = record(g, mouse, moves, 'mouse')
    absx = [v for ty, c, v in ev if ty == EV_ABS and c == ABS_X]
    absy = [v for ty, c, v in ev if ty == EV_ABS and c == ABS_Y]
    t.ok(absx == [1000, 32767, 16384] and absy == [2000, 0, 8192],
         'ctl mouse: absolute positions in order (x %s, y %s)' % (absx, absy), str(ev))
    btn = [(c, v) for ty, c, v in ev if ty == EV_KEY]
    t.ok(btn == [(BTN_LEFT, 1), (BTN_LEFT, 0), (BTN_RIGHT, 1), (BTN_MIDDLE, 1),
                 (BTN_RIGHT, 0), (BTN_MIDDLE, 0)],
         'buttons press and release as reported', str(btn))
    wheel = [v for ty, c, v in ev if ty == EV_REL and c == REL_WHEEL]
    t.ok(wheel == [-1, 2], 'the wheel turns by the reported notches', str(ev))
    rc, st = g.ctl_json('hid')
    mouse = (st or {}).get('mouse', {})
    t.ok(mouse.get('x') == 16384 and mouse.get('y') == 8192,
         'ctl hid shows the last report', str(st))


def leds(t, g, kbd):
    dev = hid_dev(g, 'keyboard')
    g.sh('enl-evdev led %s caps 1' % kbd)
    ok, st = g.wait_ctl(['hid', 'leds'], r'^leds=caps ', 60)
    t.ok(ok, 'Caps Lock set in the guest reaches the host', st)
    g.sh('enl-evdev led %s num 1' % kbd)
    ok, st = g.wait_ctl(['hid', 'leds'], r'^leds=caps,num ', 60)
    t.ok(ok, 'then Num Lock too', st)
    g.sh('enl-evdev led %s caps 0; enl-evdev led %s num 0; enl-evdev led %s scroll 1'
         % (kbd, kbd, kbd))
    ok, st = g.wait_ctl(['hid', 'leds'], r'^leds=scroll ', 60)
    t.ok(ok, 'and off again, Scroll Lock on', st)
    rc, out = g.sh('cat /sys/bus/enl_vmbus/devices/%s/leds' % dev)
    t.ok(out.startswith('0x1 '), 'the driver shows what it told the host', out)


def faults(t, g, kbd):
    """Each malformed message is refused and counted where it belongs."""
    kinds = [('keyboard', 'kbd-short', 'bad_length'), ('keyboard', 'kbd-bad-type', 'bad_type'),
             ('keyboard', 'kbd-bad-code', 'bad_code'), ('mouse', 'mouse-bad-pipe', 'bad_type'),
             ('mouse', 'mouse-short', 'bad_length'), ('mouse', 'mouse-lying-size', 'bad_length'),
             ('mouse', 'mouse-long-report', 'bad_length'), ('mouse', 'mouse-bad-type', 'bad_type')]
    for cls, kind, field in kinds:
        before = counters(g, cls).get(field, 0)
        rc, out = g.ctl('hid', 'fault', kind)
        got = wait_until(lambda: counters(g, cls).get(field, 0) == before + 1, 30, 0.3)
        t.ok(rc == 0 and got, 'fault %s: counted as %s' % (kind, field),
             out + str(counters(g, cls)))
    clean, bad = g.dmesg_clean()
    t.ok(clean, 'no oops or warning after the malformed messages', bad)
    ev = keys_of(record(g, kbd, lambda: g.ctl('type', 'ok'), 'after'))
    t.ok(ev == typed('ok'), 'the keyboard still types after them', str(ev))


def bad_descriptor(t, g):
    """A report descriptor longer than its message fails the mouse's probe
    only; the next handshake, with a good one, works again."""
    rc, out = g.ctl('hid', 'fault', 'mouse-bad-desc')
    t.ok(rc == 0, 'a bad report descriptor is armed for the next handshake', out)
    rc, out = g.sh('rmmod enl_hid && modprobe enl_hid')
    # The mouse's handshake runs after modprobe returns: wait for its word.
    ok = g.wait_sh('dmesg | tail -40 | grep -q "no usable device info"', timeout=30)
    t.ok(ok, 'the mouse\'s probe refuses it', out + g.sh('dmesg | tail -20')[1])
    ok, st = g.wait_ctl(['hid'], r'keyboard: open=1 ready=1', 60)
    t.ok(ok and wait_until(lambda: evdev(g, 'keyboard'), 60),
         'the keyboard is unaffected', st)
    rc, out = g.sh('rmmod enl_hid && modprobe enl_hid')
    ok, st = g.wait_ctl(['hid'], r'mouse: open=1 ready=1', 60)
    t.ok(ok and wait_until(lambda: evdev(g, 'mouse'), 60),
         'reloaded, the mouse works again', st)
    clean, bad = g.dmesg_clean()
    t.ok(clean, 'no oops or warning', bad)


def rescind(t, g):
    kbd, mouse = evdev(g, 'keyboard'), evdev(g, 'mouse')
    g.sh('enl-evdev hold %s 300 > /tmp/hold.k 2>&1 &' % kbd)
    g.sh('enl-evdev hold %s 300 > /tmp/hold.m 2>&1 &' % mouse)
    wait_until(lambda: g.sh('cat /tmp/hold.k /tmp/hold.m')[1].count('open') == 2, 60)
    rc, out = g.ctl('devices')
    relids = re.findall(r'^(\d+) (keyboard|mouse) ', out, re.M)
    for relid, cls in relids:
        g.ctl('rescind', relid)
    gone = wait_until(lambda: g.sh('cat /tmp/hold.k /tmp/hold.m')[1].count('gone 19') == 2, 60)
    t.ok(len(relids) == 2 and gone, 'rescinded under open readers: both see ENODEV',
         g.sh('cat /tmp/hold.k /tmp/hold.m')[1])
    t0 = time.monotonic()
    gone = wait_until(lambda: not hid_dev(g, 'keyboard') and not hid_dev(g, 'mouse'), 60)
    t.ok(gone, 'both devices are gone from the guest (%.1f s)' % (time.monotonic() - t0),
         g.sh('ls -l /sys/bus/enl_vmbus/devices/; cat /sys/bus/enl_vmbus/devices/*/state; '
              'dmesg | tail -20')[1])
    clean, bad = g.dmesg_clean()
    t.ok(clean, 'no oops or warning after the rescind', bad)
    g.ctl('offer', 'keyboard')
    g.ctl('offer', 'mouse')
    ok, st = g.wait_ctl(['hid'], r'mouse: open=1 ready=1.*\n.*keyboard: open=1 ready=1', 30)
    kbd = wait_until(lambda: evdev(g, 'keyboard'), 20)
    t.ok(ok and kbd and wait_until(lambda: evdev(g, 'mouse'), 20),
         'offered again, both come back', st)
    if kbd:
        ev = keys_of(record(g, kbd, lambda: g.ctl('type', 'back'), 'back'))
        t.ok(ev == typed('back'), 'and the keyboard types', str(ev))


if __name__ == '__main__':
    sys.exit(run_suite(('keyboard', 'mouse'), body))
