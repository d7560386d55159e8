"""A small RFB (VNC) client and PNG reader for the display tests and the
display benchmark: enough of RFB 3.8 to log in (no auth or VNC auth is not
needed: the tests' consoles are loopback or UNIX sockets without password),
ask for 32-bit true colour, and take Raw, CopyRect and DesktopSize updates,
counting the bytes each update took on the wire. Also over a WebSocket, as
the browser console's noVNC talks to enl-host."""
import base64
import hashlib
import os
import socket
import struct
import time
import zlib

RAW, COPYRECT, DESKTOPSIZE, CURSOR = 0, 1, -223, -239


class RfbError(Exception):
    pass


def free_display(skip=(), web=False):
    """A VNC display number N (not in skip) whose port 5900+N (and 5800+N,
    the browser console's, with web) is free on 127.0.0.1 now."""
    for n in range(40 + os.getpid() % 40, 100):
        if n in skip:
            continue
        socks = []
        try:
            for port in (5900 + n, 5800 + n) if web else (5900 + n,):
                s = socket.socket()
                socks.append(s)
                s.bind(('127.0.0.1', port))
            return n
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RfbError('no free VNC port')


class WebSocket:
    """A client WebSocket (RFC 6455) on a TCP socket, with the few socket
    methods Rfb uses: binary frames out (masked), payload in as a stream."""

    def __init__(self, addr, path, timeout):
        self.sock = socket.create_connection(addr, timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(('GET %s HTTP/1.1\r\nHost: %s:%d\r\n'
                           'Origin: http://%s:%d\r\nUpgrade: websocket\r\n'
                           'Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n'
                           'Sec-WebSocket-Version: 13\r\n'
                           'Sec-WebSocket-Protocol: binary\r\n\r\n'
                           % (path, addr[0], addr[1], addr[0], addr[1] - 100,
                              key)).encode())
        head = b''
        while not head.endswith(b'\r\n\r\n'):
            c = self.sock.recv(1)
            if not c:
                raise RfbError('WebSocket handshake refused: %r' % head)
            head += c
        want = base64.b64encode(hashlib.sha1(
            (key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').encode()).digest())
        if not head.startswith(b'HTTP/1.1 101') or \
                b'Sec-WebSocket-Accept: ' + want + b'\r\n' not in head:
            raise RfbError('WebSocket handshake failed: %r' % head)
        self.pending = b''

    def _exact(self, n):
        out = b''
        while len(out) < n:
            c = self.sock.recv(n - len(out))
            if not c:
                return b''
            out += c
        return out

    def recv(self, n):
        while not self.pending:
            h = self._exact(2)
            if not h:
                return b''
            ln = h[1] & 0x7f
            if ln == 126:
                ln = struct.unpack('>H', self._exact(2))[0]
            elif ln == 127:
                ln = struct.unpack('>Q', self._exact(8))[0]
            data = self._exact(ln) if ln else b''
            if h[0] & 0x0f == 8:            # close
                return b''
            if h[0] & 0x0f in (0, 2):
                self.pending = data
        out, self.pending = self.pending[:n], self.pending[n:]
        return out

    def sendall(self, data):
        mask = os.urandom(4)
        n = len(data)
        head = bytes([0x82]) + (bytes([0x80 | n]) if n < 126 else
                                bytes([0x80 | 126]) + struct.pack('>H', n))
        self.sock.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def settimeout(self, t):
        self.sock.settimeout(t)

    def close(self):
        self.sock.close()


class Rfb:
    def __init__(self, addr, timeout=30, cursor=False, ws_path=None):
        """addr: (host, port) or a UNIX socket path; ws_path: RFB inside a
        WebSocket to that path (a browser console's)."""
        if ws_path:
            self.s = WebSocket(addr, ws_path, timeout)
        else:
            if isinstance(addr, str):
                self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            else:
                self.s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.s.settimeout(timeout)
            self.s.connect(addr)
        self.rx = 0
        ver = self._recv(12)
        if not ver.startswith(b'RFB 003.'):
            raise RfbError('not an RFB server: %r' % ver)
        self.s.sendall(b'RFB 003.008\n')
        n = self._recv(1)[0]
        if n == 0:
            raise RfbError('server refused: %r' % self._reason())
        types = self._recv(n)
        if 1 not in types:
            raise RfbError('server wants authentication (types %r)' % list(types))
        self.s.sendall(b'\x01')
        if struct.unpack('>I', self._recv(4))[0] != 0:
            raise RfbError('security failed: %r' % self._reason())
        self.s.sendall(b'\x01')                       # shared
        w, h = struct.unpack('>HH', self._recv(4))
        self._recv(16)                                # server's pixel format
        self.name = self._recv(struct.unpack('>I', self._recv(4))[0])
        self.w, self.h = w, h
        self.fb = bytearray(w * h * 4)
        self.cursor = None
        # 32 bpp, depth 24, little endian, true colour, r<<16 g<<8 b.
        self.s.sendall(struct.pack('>B3xBBBBHHHBBB3x', 0, 32, 24, 0, 1,
                                   255, 255, 255, 16, 8, 0))
        encs = [RAW, COPYRECT, DESKTOPSIZE] + ([CURSOR] if cursor else [])
        self.s.sendall(struct.pack('>BxH', 2, len(encs)) +
                       b''.join(struct.pack('>i', e) for e in encs))

    def _reason(self):
        return self._recv(struct.unpack('>I', self._recv(4))[0])

    def _recv(self, n):
        out = bytearray()
        while len(out) < n:
            chunk = self.s.recv(n - len(out))
            if not chunk:
                raise RfbError('server closed the connection')
            out += chunk
        self.rx += n
        return bytes(out)

    def request(self, incremental=True):
        self.s.sendall(struct.pack('>BBHHHH', 3, 1 if incremental else 0,
                                   0, 0, self.w, self.h))

    def update(self):
        """Read messages until one FramebufferUpdate is applied; return
        (rects, bytes on the wire)."""
        while True:
            t = self._recv(1)[0]
            if t == 0:
                break
            if t == 1:                                # colour map entries
                _, _, n = struct.unpack('>xHH', self._recv(5))
                self._recv(6 * n)
            elif t == 2:                              # bell
                pass
            elif t == 3:                              # server cut text
                self._recv(3)
                self._recv(struct.unpack('>I', self._recv(4))[0])
            else:
                raise RfbError('unknown server message %d' % t)
        start = self.rx - 1
        n = struct.unpack('>xH', self._recv(3))[0]
        rects = []
        for _ in range(n):
            x, y, w, h, enc = struct.unpack('>HHHHi', self._recv(12))
            if enc == RAW:
                data = self._recv(w * h * 4)
                for row in range(h):
                    o = ((y + row) * self.w + x) * 4
                    self.fb[o:o + w * 4] = data[row * w * 4:(row + 1) * w * 4]
            elif enc == COPYRECT:
                sx, sy = struct.unpack('>HH', self._recv(4))
                rows = [bytes(self.fb[((sy + r) * self.w + sx) * 4:
                                      ((sy + r) * self.w + sx + w) * 4])
                        for r in range(h)]
                for r, row in enumerate(rows):
                    o = ((y + r) * self.w + x) * 4
                    self.fb[o:o + w * 4] = row
            elif enc == DESKTOPSIZE:
                self.w, self.h = w, h
                self.fb = bytearray(w * h * 4)
            elif enc == CURSOR:
                pix = self._recv(w * h * 4)
                mask = self._recv(((w + 7) // 8) * h)
                self.cursor = (x, y, w, h, pix, mask)
            else:
                raise RfbError('unexpected encoding %d' % enc)
            rects.append((x, y, w, h, enc))
        return rects, self.rx - start

    def key(self, keysym, down):
        self.s.sendall(struct.pack('>BBxxI', 4, 1 if down else 0, keysym))

    def pointer(self, x, y, buttons=0):
        self.s.sendall(struct.pack('>BBHH', 5, buttons, x, y))

    def pixel(self, x, y):
        return struct.unpack_from('<I', self.fb, (y * self.w + x) * 4)[0] & 0xffffff

    def frame(self, timeout=30):
        """Read updates until one covers the whole screen (asking for it,
        non-incremental): the picture as it is now."""
        self.request(incremental=False)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rects, _ = self.update()
            if any(r[4] == DESKTOPSIZE for r in rects):
                self.request(incremental=False)
                continue
            area = sum(r[2] * r[3] for r in rects if r[4] in (RAW, COPYRECT))
            if area >= self.w * self.h:
                return
            self.request(incremental=False)
        raise RfbError('no full frame in %d s' % timeout)

    def close(self):
        self.s.close()


def read_png(path):
    """(width, height, [0xRRGGBB per pixel]) of an 8-bit RGB PNG."""
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('not a PNG')
    pos, idat, w = 8, b'', 0
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
            if depth != 8 or ctype != 2:
                raise ValueError('want 8-bit RGB')
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * 3
    prev = bytearray(stride)
    px = []
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - 3] if i >= 3 else 0
            b = prev[i]
            c = prev[i - 3] if i >= 3 else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xff
            elif f == 2:
                line[i] = (line[i] + b) & 0xff
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xff
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 0xff
        px.extend(line[3 * x] << 16 | line[3 * x + 1] << 8 | line[3 * x + 2]
                  for x in range(w))
        prev = line
    return w, h, px
