#!/usr/bin/env python3
"""VM ring, clipboard: enl-clipboardd and enl-clip in the guest against
enl-host's clipboard service (`enl-host ctl clipboard`), both ways, text and
PNG, a multi-MiB transfer intact, and the socket's SO_PEERCRED check; a
connection that sends nothing is closed after idle-timeout, and a user is
held to max-connections-per-user (issue 13)."""
import hashlib
import os
import struct
import sys
import time
import zlib

from vmtest import run_suite, wait_until


def png(w, h, seed):
    """A valid RGB PNG whose pixels depend on seed."""
    def chunk(kind, data):
        c = struct.pack('>I', len(data)) + kind + data
        return c + struct.pack('>I', zlib.crc32(kind + data) & 0xffffffff)
    raw = b''.join(b'\0' + bytes((x * seed + y) & 0xff for x in range(w * 3))
                   for y in range(h))
    return (b'\x89PNG\r\n\x1a\n' +
            chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 8, 2, 0, 0, 0)) +
            chunk(b'IDAT', zlib.compress(raw)) + chunk(b'IEND', b''))


def octal(data):
    return ''.join('\\%03o' % b for b in data)


SOCK = '/run/enlighten/clipboard.sock'


def wait_host(g, pattern, timeout=30):
    return g.wait_ctl(('clipboard',), pattern, timeout)


def restart_clipd(g, conf, path, log, timeout=30):
    """enl-clipboardd again with conf (printf text) in path: once the old
    one is gone (and its socket with it), until the new one listens for
    everyone (it opens its channel, binds, listens, then makes the socket
    0666) and the host sees its channel ready."""
    g.sh('killall enl-clipboardd')
    g.wait_sh('! pidof enl-clipboardd', timeout)
    g.sh('rm -f %s; printf "[clipboard]\\n%s" > %s; '
         'enl-clipboardd -f -c %s > %s 2>&1 &' % (SOCK, conf, path, path, log))
    g.wait_sh('[ "$(stat -c %%a %s)" = 666 ]' % SOCK, timeout)
    return wait_host(g, r'^channel: ready', timeout)


def guest_gets(g, cmd, good, timeout=30, sh_timeout=60):
    """Run cmd in the guest until good(rc, out) (the guest daemon has
    taken the host's new clipboard: how soon depends on the machine, so
    no fixed wait), at most timeout s; the last (rc, out)."""
    last = [1, '']

    def probe():
        last[:] = g.sh(cmd, timeout=sh_timeout)
        return good(*last)
    wait_until(probe, timeout, 0.3)
    return tuple(last)


def md5(data):
    return hashlib.md5(data).hexdigest()


def test_text(t, g, tmp):
    text = 'host → guest: grüße ✓'
    rc, out = g.ctl('clipboard', 'set', text)
    t.ok(rc == 0 and 'host owns' in out, 'host: clipboard set text', out)
    rc, out = guest_gets(g, 'enl-clip paste', lambda rc, out: rc == 0 and out == text)
    t.ok(rc == 0 and out == text, 'guest: enl-clip paste gets the host text', repr(out))
    rc, out = g.sh("printf 'guest → host\\nline 2' | enl-clip copy")
    t.ok(rc == 0, 'guest: enl-clip copy', out)
    ok, out = wait_host(g, r'^owner: guest')
    t.ok(ok, 'host sees the guest own the clipboard', out)
    path = os.path.join(tmp, 'got.txt')
    rc, out = g.ctl('clipboard', 'get', '--out', path)
    got = open(path, 'rb').read() if os.path.exists(path) else b''
    t.ok(rc == 0 and got == 'guest → host\nline 2'.encode(),
         'host: clipboard get returns the guest text byte for byte', repr(got) + out)
    rc, out = g.ctl('clipboard', 'get', '--type', 'png', '--out', path)
    t.ok(rc == 1 and 'no png' in out, 'host: get of a format not offered is a clear error', out)


def test_png(t, g, tmp):
    img = png(64, 48, 7)
    path = os.path.join(tmp, 'host.png')
    open(path, 'wb').write(img)
    rc, out = g.ctl('clipboard', 'set', '--type', 'png', '@' + path)
    t.ok(rc == 0, 'host: clipboard set --type png @file (%d bytes)' % len(img), out)
    rc, out = guest_gets(g, 'enl-clip paste --type png > /tmp/h.png && md5sum < /tmp/h.png',
                         lambda rc, out: rc == 0 and out.split()[:1] == [md5(img)])
    t.ok(rc == 0 and out.split()[:1] == [md5(img)],
         'guest: enl-clip paste --type png is the host image', out)
    rc, out = g.sh('enl-clip paste --type text')
    t.ok(rc != 0 and 'no such format' in out, 'guest: text is not offered now', out)
    img2 = png(20, 10, 3)
    rc, out = g.sh("printf '%s' > /tmp/g.png && enl-clip copy --type png < /tmp/g.png"
                   % octal(img2))
    t.ok(rc == 0, 'guest: enl-clip copy --type png', out)
    wait_host(g, r'^  png: %d bytes' % len(img2))
    path = os.path.join(tmp, 'guest.png')
    rc, out = g.ctl('clipboard', 'get', '--type', 'png', '--out', path)
    got = open(path, 'rb').read() if os.path.exists(path) else b''
    t.ok(rc == 0 and got == img2, 'host: clipboard get --type png is the guest image', out)
    rc, out = g.sh("echo 'not a png' | enl-clip copy --type png")
    t.ok(rc != 0 and 'not valid' in out, 'guest: a non-PNG copied as png is refused', out)


def test_big(t, g, tmp):
    n = 600000
    data = ''.join('%d\n' % i for i in range(1, n + 1)).encode()
    rc, out = g.sh('seq 1 %d | enl-clip copy' % n, timeout=120)
    t.ok(rc == 0, 'guest: copy %.1f MiB of text' % (len(data) / 2**20), out)
    wait_host(g, r'^  text: %d bytes' % len(data))
    path = os.path.join(tmp, 'big.txt')
    t0 = time.monotonic()
    rc, out = g.ctl('clipboard', 'get', '--out', path, timeout=60)
    el = time.monotonic() - t0
    got = open(path, 'rb').read() if os.path.exists(path) else b''
    t.ok(rc == 0 and got == data,
         'guest -> host: %.1f MiB intact' % (len(data) / 2**20), out)
    t.diag('guest -> host: %.1f MiB in %.2f s (%.1f MiB/s)'
           % (len(data) / 2**20, el, len(data) / 2**20 / el))
    big = bytes((i * 7 + 13) % 95 + 32 for i in range(6 * 2**20 - 5))
    path = os.path.join(tmp, 'big-host.txt')
    open(path, 'wb').write(big)
    rc, out = g.ctl('clipboard', 'set', '@' + path)
    t.ok(rc == 0, 'host: set %.1f MiB of text' % (len(big) / 2**20), out)
    t0 = time.monotonic()
    rc, out = guest_gets(g, 'enl-clip paste | md5sum',
                         lambda rc, out: rc == 0 and out.split()[:1] == [md5(big)],
                         timeout=60, sh_timeout=120)
    el = time.monotonic() - t0
    t.ok(rc == 0 and out.split()[:1] == [md5(big)],
         'host -> guest: %.1f MiB intact' % (len(big) / 2**20), out)
    t.diag('host -> guest: %.1f MiB in %.2f s (%.1f MiB/s, agent round trip included)'
           % (len(big) / 2**20, el, len(big) / 2**20 / el))
    rc, out = g.ctl('clipboard')
    t.diag(out)


def test_access(t, g):
    g.sh('grep -q "^nobody:" /etc/passwd 2>/dev/null || '
         'echo "nobody:x:65534:65534:nobody:/:/bin/sh" >> /etc/passwd; '
         'grep -q "^nogroup:" /etc/group 2>/dev/null || '
         'echo "nogroup:x:65534:" >> /etc/group; '
         # The initramfs root comes from a mktemp -d (0700): let others in.
         'chmod 755 /')
    rc, out = g.sh('su nobody -s /bin/sh -c "enl-clip paste --type png" 2>&1')
    t.ok(rc != 0 and 'permission denied' in out,
         'another user (no logind, not in allow-users) is refused', out)
    restart_clipd(g, 'allow-users=nobody\\n', '/tmp/clip.conf', '/tmp/clipd.out')
    rc, out = g.ctl('clipboard', 'set', 'for nobody')
    rc, out = guest_gets(g, 'su nobody -s /bin/sh -c "enl-clip paste" 2>&1',
                         lambda rc, out: rc == 0 and out == 'for nobody')
    t.ok(rc == 0 and out == 'for nobody', 'a user in allow-users is served', out)


def held(out):
    """enl-unixhold's report: {connection: [(ms, line or EOF), ...]}."""
    got = {}
    for line in out.splitlines():
        parts = line.split(' ', 2)
        if len(parts) == 3 and parts[0].isdigit() and parts[1].isdigit():
            got.setdefault(int(parts[0]), []).append((int(parts[1]), parts[2]))
    return got


def test_limits(t, g):
    restart_clipd(g, 'allow-users=nobody\\nidle-timeout=2\\nmax-connections-per-user=4\\n',
                  '/tmp/clip2.conf', '/tmp/clipd2.out')
    rc, out = g.sh('enl-unixhold /run/enlighten/clipboard.sock 1 8')
    got = held(out).get(0, [])
    t.ok(len(got) == 2 and got[0][1] == 'ERR idle timeout' and got[1][1] == 'EOF' and
         1500 <= got[0][0] <= 6000,
         'a connection that sends nothing is closed after idle-timeout (2 s)', out)
    rc, out = g.sh('su nobody -s /bin/sh -c "enl-unixhold /run/enlighten/clipboard.sock '
                   '6 3 WATCH" 2>&1')
    got = held(out)
    first = [v[0][1] if v else '' for k, v in sorted(got.items())]
    t.ok(first.count('OK') == 4 and first.count('ERR too many connections') == 2,
         'a user gets 4 connections (max-connections-per-user), the rest are refused',
         out)


def run(t, g):
    t.ok(g.wait_sh('test -c /dev/vmbus/clipboard'), '/dev/vmbus/clipboard exists')
    g.sh('enl-clipboardd -f > /tmp/clipd.out 2>&1 &')
    ok, out = wait_host(g, r'^channel: ready')
    t.ok(ok, 'enl-clipboardd negotiated with the host', out)
    test_text(t, g, g.dir)
    test_png(t, g, g.dir)
    test_big(t, g, g.dir)
    test_access(t, g)
    test_limits(t, g)
    clean, bad = g.dmesg_clean()
    t.ok(clean, 'no oops/BUG/WARNING in the guest', bad)


if __name__ == '__main__':
    sys.exit(run_suite(('clipboard',), run))
