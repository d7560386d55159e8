#!/usr/bin/env python3
"""Display benchmark: console update rate at a VNC client, synthetic
display vs QEMU's emulated VGA, same run, same resolution (1024x768x32).

Two guests, one after the other, each with enl-drmdraw (tests/vm/guest/
drmdraw.c) drawing through DRM:
  - synthetic: enl_fb under enl-host with `--offer video --vnc`, enl-host's
    VNC console (libvncserver over the guest's VRAM, updates from DIRT);
  - baseline: QEMU's emulated VGA (`-device VGA`, the guest's bochs DRM
    driver) with QEMU's own VNC server (`-vnc`), same kernel, initramfs,
    memory and vCPU count, started without enl-host.
For each: full-screen redraws, then changes of one 64x64 rectangle, each
followed by DIRTYFB, for at least ENL_BENCH_FULL / ENL_BENCH_RECT frames
and ENL_BENCH_SECS seconds (10; ENL_BENCH_SHORT=1: 5), while a VNC client
(tests/vm/rfb.py: Raw encoding only, so bytes mean pixels) asks for
incremental updates as fast as it gets them. fbcon's blinking cursor is
off (it would be damage too). Prints the guest's drawing rate, the
client's updates/s, screens/s and bytes per update, the ratios synthetic /
VGA, and for the synthetic path the DIRT the guest sent and the damage the
console passed on (where the time goes)."""
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', 'vm'))
from vmtest import Guest, GuestError, kernel_paths, vnc_guest  # noqa: E402
import rfb  # noqa: E402

SHORT = os.environ.get('ENL_BENCH_SHORT') == '1'
FULL = int(os.environ.get('ENL_BENCH_FULL', '20' if SHORT else '60'))
RECT = int(os.environ.get('ENL_BENCH_RECT', '200' if SHORT else '600'))
# Each run also lasts at least this long: the client needs many updates.
SECS = int(os.environ.get('ENL_BENCH_SECS', '5' if SHORT else '10'))
W, H = 1024, 768
RECT_W, RECT_H = 64, 64     # enl-drmdraw's rectangle (tests/vm/guest/drmdraw.c)
# fbcon's blinking cursor is damage too (5 a second, forever): off, so the
# client counts only what enl-drmdraw draws.
QUIET = 'echo 0 > /sys/class/graphics/fbcon/cursor_blink'


class BenchError(Exception):
    pass


class VgaGuest(Guest):
    """The same guest under plain QEMU with an emulated VGA and QEMU's VNC
    server: no enl-host, no VMBus; the agent on ttyS1 as in the VM tests."""

    def __init__(self, vnc):
        vmlinuz, initrd = kernel_paths()
        self.dir = tempfile.mkdtemp(prefix='enl-bench-vga-')
        self.ctl_path = None
        self.netns = None
        self.agent_path = os.path.join(self.dir, 'agent.sock')
        self.console = os.path.join(self.dir, 'console.log')
        cmd = ['qemu-system-x86_64', '-accel', 'tcg', '-m', '512M',
               '-smp', 'cpus=1,maxcpus=2', '-nodefaults', '-no-user-config',
               '-no-reboot', '-display', 'none', '-monitor', 'none',
               '-device', 'VGA', '-vnc', '127.0.0.1:%d' % vnc,
               '-kernel', vmlinuz, '-initrd', initrd,
               '-append', 'console=ttyS0 panic=-1 enl.mode=test',
               '-serial', 'file:' + self.console,
               '-chardev', 'socket,id=s2,path=%s,server=on,wait=off' % self.agent_path,
               '-serial', 'chardev:s2',
               '-device', 'isa-debug-exit,iobase=0xf4,iosize=0x04']
        self.t0 = time.monotonic()
        self.host_log = open(os.path.join(self.dir, 'qemu.log'), 'w')
        self.proc = subprocess.Popen(cmd, stdout=self.host_log,
                                     stderr=subprocess.STDOUT)
        self.sock = None
        self.buf = b''
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not self.sock:
            if self.proc.poll() is not None:
                raise GuestError('QEMU exited with %d:\n%s'
                                 % (self.proc.returncode, self.logs()))
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.agent_path)
                self.sock = s
            except OSError:
                time.sleep(0.1)
        if not self.sock:
            self.kill()
            raise GuestError('agent socket never appeared:\n' + self.logs())
        self._read_until(b'@@READY\n', 180)
        self.ready_s = time.monotonic() - self.t0

    def logs(self, lines=40):
        out = []
        for name in ('qemu.log', 'console.log'):
            p = os.path.join(self.dir, name)
            if os.path.exists(p):
                out.append('--- %s' % name)
                out.extend(open(p, errors='replace').read().splitlines()[-lines:])
        return '\n'.join(out)


def sh(g, cmd, timeout=120):
    rc, out = g.sh(cmd, timeout)
    if rc:
        raise BenchError('guest: %s -> %d\n%s' % (cmd, rc, out))
    return out


def run(g, addr, n, kind):
    """Draw (at least n frames and SECS seconds) of kind in the guest while
    a VNC client takes every update it can. Counting starts after the
    mode's first picture has settled (quiet for 1 s once enl-drmdraw says
    ready); the first update after that starts the clock. Returns a dict:
    guest frames/s; the client's updates, their rate, bytes and pixels
    each; frames/s at the client (pixels received over the seconds they
    took, in units of the damaged area: the screen, or the rectangle)."""
    area = W * H if kind == 'full' else RECT_W * RECT_H
    cl = rfb.Rfb(addr)
    try:
        cl.frame(timeout=60)
        log = '/tmp/bench-%s.log' % kind
        sh(g, 'rm -f %s; (enl-drmdraw bench %d %d %d %s %d > %s 2>&1; echo done >> %s) &'
           % (log, W, H, n, kind, SECS, log, log))
        updates = nbytes = pixels = 0
        armed = False
        first = last = None
        cl.request()
        cl.s.settimeout(1)
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            try:
                rects, size = cl.update()
            except socket.timeout:
                # Quiet for 1 s: before the run, the picture has settled;
                # after enl-drmdraw's last frame (it holds it 3 s), the end.
                out = g.sh('cat %s' % log)[1]
                if 'frames' in out:
                    break
                if 'ready' in out:
                    armed = True
                cl.request()
                continue
            if any(r[4] == rfb.DESKTOPSIZE for r in rects):
                cl.request(incremental=False)
                continue
            px = sum(r[2] * r[3] for r in rects if r[4] in (rfb.RAW, rfb.COPYRECT))
            if px and armed:
                now = time.monotonic()
                if first is None:
                    first = now
                else:
                    last = now
                    updates += 1
                    nbytes += size
                    pixels += px
            cl.request()
        if not g.wait_sh('grep -q done %s' % log, timeout=60):
            raise BenchError('enl-drmdraw did not end')
        out = sh(g, 'cat %s' % log)
        m = re.search(r'frames (\d+) seconds ([\d.]+)', out)
        if not m:
            raise BenchError('enl-drmdraw: ' + out)
        span = (last - first) if last else 0.0
        return {
            'gfps': int(m.group(1)) / max(float(m.group(2)), 1e-6),
            'frames': int(m.group(1)),
            'updates': updates,
            'ups': updates / span if span else 0.0,
            'fps': pixels / area / span if span else 0.0,
            'bpu': nbytes / updates if updates else 0.0,
            'pxu': pixels / updates if updates else 0.0,
        }
    finally:
        cl.close()


def measure(name, g, addr, setup, counters=None):
    sh(g, setup)
    res = {}
    for kind, n in (('full', FULL), ('rect', RECT)):
        before = counters() if counters else None
        res[kind] = r = run(g, addr, n, kind)
        print('%-9s %-4s guest %7.1f frames/s  client %6.1f updates/s %6.1f frames/s  '
              '%9.0f bytes/update %8.0f pixels/update  (%d frames, %d updates)'
              % (name, kind, r['gfps'], r['ups'], r['fps'], r['bpu'], r['pxu'],
                 r['frames'], r['updates']))
        if counters:
            after = counters()
            print('          %s path: %s' % (kind, ', '.join(
                '%s +%d' % (k, after[k] - before.get(k, 0)) for k in after)))
        sys.stdout.flush()
    return res


def synthetic_counters(g):
    """Where the synthetic path spent its updates: DIRT messages and
    rectangles the guest sent, rectangles the host took, damage passed to
    the VNC console."""
    rc, out = g.sh('cat /sys/bus/enl_vmbus/devices/*/enl_fb_stats 2>/dev/null')
    st = dict(kv.split('=', 1) for kv in out.split()) if rc == 0 else {}
    rc, vnc = g.ctl('vnc', '--json')
    # The reply's JSON line (ctl puts a status line before it).
    line = [ln for ln in vnc.splitlines() if ln.startswith('{')] if rc == 0 else []
    v = json.loads(line[0]) if line else {}
    return {'guest dirt_msgs': int(st.get('dirt_msgs', 0)),
            'guest dirt_rects': int(st.get('dirt_rects', 0)),
            'console updates': int(v.get('updates', 0))}


def main():
    syn = vga = None
    try:
        g, vnc = vnc_guest(offers=('video',))
        try:
            syn = measure('synthetic', g, ('127.0.0.1', 5900 + vnc),
                          'modprobe enl_fb && sleep 1 && ls /dev/dri/card0 && ' + QUIET,
                          lambda: synthetic_counters(g))
        finally:
            g.close()
        vnc2 = rfb.free_display(skip=(vnc,))
        g = VgaGuest(vnc2)
        try:
            vga = measure('vga', g, ('127.0.0.1', 5900 + vnc2),
                          'modprobe bochs && sleep 1 && ls /dev/dri/card0 && ' + QUIET)
        finally:
            g.close()
    except (GuestError, BenchError, rfb.RfbError) as e:
        print('bench-display: %s' % e)
        return 1
    print('%dx%dx32: full redraws (at least %d) and changes of a %dx%d '
          'rectangle (at least %d), each run at least %d s; RFB Raw encoding'
          % (W, H, FULL, RECT_W, RECT_H, RECT, SECS))
    print('%-34s %12s %12s %8s' % ('', 'synthetic', 'emulated VGA', 'ratio'))
    rows = (('full', 'gfps', 'full: guest frames/s'),
            ('full', 'ups', 'full: client updates/s'),
            ('full', 'fps', 'full: client screens/s'),
            ('full', 'bpu', 'full: bytes/update'),
            ('rect', 'gfps', 'rect: guest frames/s'),
            ('rect', 'ups', 'rect: client updates/s'),
            ('rect', 'bpu', 'rect: bytes/update'),
            ('rect', 'pxu', 'rect: pixels/update'))
    for kind, key, label in rows:
        a, b = syn[kind][key], vga[kind][key]
        print('%-34s %12.1f %12.1f %7.2fx' % (label, a, b, a / b if b else 0))
    raw = RECT_W * RECT_H * 4 + 4 + 12
    print('rect bytes/update over one %dx%d Raw update (%d B): synthetic %.2fx, '
          'vga %.2fx' % (RECT_W, RECT_H, raw, syn['rect']['bpu'] / raw,
                         vga['rect']['bpu'] / raw))
    return 0


if __name__ == '__main__':
    sys.exit(main())
