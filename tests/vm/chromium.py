"""Headless Chromium for the browser console test, driven over the DevTools
protocol on its pipe (--remote-debugging-pipe: the browser reads commands
on fd 3 and writes answers and events on fd 4, each a JSON object ended by
a NUL byte). A pipe needs no port, so nothing can race for one, and the
standard library is enough: open a URL, evaluate JavaScript in the page,
send key and mouse events as a user's."""
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time


class BrowserError(Exception):
    pass


# What a user's key press is made of in a DevTools key event: the DOM key
# and code, the Windows virtual key code Chromium wants, the text it types.
KEYS = {
    'Enter': ('Enter', 'Enter', 13, '\r'),
    'Escape': ('Escape', 'Escape', 27, None),
    'Backspace': ('Backspace', 'Backspace', 8, None),
    'Tab': ('Tab', 'Tab', 9, None),
    ' ': (' ', 'Space', 32, ' '),
}
for _c in 'abcdefghijklmnopqrstuvwxyz':
    KEYS[_c] = (_c, 'Key' + _c.upper(), ord(_c.upper()), _c)
for _c in '0123456789':
    KEYS[_c] = (_c, 'Digit' + _c, ord(_c), _c)


class Chromium:
    """One headless Chromium with one page. Starting it returns at once (it
    comes up while the caller does other things); the first command waits
    for it."""

    def __init__(self, workdir=None, binary=None, width=1280, height=900):
        binary = binary or shutil.which('chromium')
        if not binary:
            raise BrowserError('chromium not installed (make deps installs it)')
        self.dir = tempfile.mkdtemp(prefix='enl-chromium-', dir=workdir)
        self.log_path = os.path.join(self.dir, 'chromium.log')
        cmd = [binary, '--headless', '--remote-debugging-pipe',
               # As root, Chromium refuses to start with its sandbox.
               '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
               '--user-data-dir=' + os.path.join(self.dir, 'profile'),
               '--no-first-run', '--no-default-browser-check',
               '--disable-extensions', '--disable-sync',
               '--disable-background-networking', '--disable-component-update',
               '--mute-audio', '--window-size=%d,%d' % (width, height),
               'about:blank']
        to_child, self.wfd = os.pipe()
        self.rfd, from_child = os.pipe()
        # bash puts the child's ends on 3 and 4, where Chromium looks, from
        # above 9 (so neither is 3 or 4 already; dash takes one digit only).
        to_child, from_child = _above9(to_child), _above9(from_child)
        cmd = ['bash', '-c', 'exec "$@" 3<&%d 4>&%d %d<&- %d>&-'
               % (to_child, from_child, to_child, from_child), 'bash'] + cmd
        self.log = open(self.log_path, 'w')
        self.t0 = time.monotonic()
        try:
            # Its own session: close() can end its helper processes too.
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                         stdout=self.log, stderr=subprocess.STDOUT,
                                         pass_fds=(to_child, from_child),
                                         start_new_session=True)
        finally:
            os.close(to_child)
            os.close(from_child)
        self.next_id = 0
        self.buf = b''
        self.events = []
        self.session = None
        self.ready_s = None
        self.starter = None
        self.start_error = None

    # ---- The protocol ----

    def _send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {'id': self.next_id, 'method': method, 'params': params or {}}
        if session:
            msg['sessionId'] = session
        data = json.dumps(msg).encode() + b'\0'
        while data:
            try:
                n = os.write(self.wfd, data)
            except BrokenPipeError:
                raise BrowserError('chromium is gone:\n' + self.logs())
            data = data[n:]
        return self.next_id

    def _message(self, deadline):
        while b'\0' not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise BrowserError('chromium did not answer in time:\n' + self.logs())
            r, _, _ = select.select([self.rfd], [], [], min(left, 1.0))
            if not r:
                if self.proc.poll() is not None:
                    raise BrowserError('chromium exited with %d:\n%s'
                                       % (self.proc.returncode, self.logs()))
                continue
            data = os.read(self.rfd, 1 << 20)
            if not data:
                raise BrowserError('chromium closed its pipe:\n' + self.logs())
            self.buf += data
        raw, self.buf = self.buf.split(b'\0', 1)
        return json.loads(raw)

    def call(self, method, params=None, timeout=60, page=True):
        """One command (to the page's session unless page is False); its
        result. Events that come meanwhile are kept in self.events."""
        mid = self._send(method, params, self.session if page else None)
        deadline = time.monotonic() + timeout
        while True:
            msg = self._message(deadline)
            if msg.get('id') == mid:
                if 'error' in msg:
                    raise BrowserError('%s: %s' % (method, msg['error']))
                return msg.get('result', {})
            if 'method' in msg:
                self.events.append(msg)

    def start_in_background(self, timeout=120):
        """start() on a thread of its own, so that the time the browser
        takes to come up is measured while the caller does other things;
        the next start() (or open()) waits for it."""
        def run():
            try:
                self.start(timeout)
            except BrowserError as e:
                self.start_error = e
        self.starter = threading.Thread(target=run, daemon=True)
        self.starter.start()

    def start(self, timeout=120):
        """Wait until the browser answers and attach to its page; the
        seconds it took to come up."""
        if self.starter and self.starter is not threading.current_thread():
            self.starter.join()
            self.starter = None
        if self.start_error:
            raise self.start_error
        if self.ready_s is not None:
            return self.ready_s
        targets = self.call('Target.getTargets', timeout=timeout, page=False)
        pages = [t for t in targets.get('targetInfos', []) if t.get('type') == 'page']
        if not pages:
            raise BrowserError('chromium has no page: %r' % targets)
        r = self.call('Target.attachToTarget', {'targetId': pages[0]['targetId'],
                                                'flatten': True}, page=False)
        self.session = r['sessionId']
        # Headless, the window never gets the system's focus: let the page
        # behave as focused, as noVNC's keyboard wants.
        self.call('Emulation.setFocusEmulationEnabled', {'enabled': True})
        self.ready_s = time.monotonic() - self.t0
        return self.ready_s

    # ---- What a test does with the page ----

    def open(self, url, timeout=60):
        self.start()
        r = self.call('Page.navigate', {'url': url}, timeout=timeout)
        if r.get('errorText'):
            raise BrowserError('%s: %s' % (url, r['errorText']))

    def eval(self, expr, timeout=60):
        """The value of a JavaScript expression in the page (a promise is
        awaited); JSON-able values only."""
        r = self.call('Runtime.evaluate', {'expression': expr, 'returnByValue': True,
                                           'awaitPromise': True}, timeout=timeout)
        if 'exceptionDetails' in r:
            d = r['exceptionDetails']
            raise BrowserError('JavaScript: %s' % d.get('exception', {}).get(
                'description', d.get('text')))
        return r.get('result', {}).get('value')

    def key(self, name):
        """Press and release one key (a name in KEYS), as a user's typing."""
        key, code, vk, text = KEYS[name]
        down = {'type': 'keyDown', 'key': key, 'code': code,
                'windowsVirtualKeyCode': vk, 'nativeVirtualKeyCode': vk}
        if text:
            down['text'] = down['unmodifiedText'] = text
        self.call('Input.dispatchKeyEvent', down)
        self.call('Input.dispatchKeyEvent', {'type': 'keyUp', 'key': key, 'code': code,
                                             'windowsVirtualKeyCode': vk,
                                             'nativeVirtualKeyCode': vk})

    def click(self, x, y):
        """A left click at (x, y) CSS pixels of the page."""
        self.call('Input.dispatchMouseEvent', {'type': 'mouseMoved', 'x': x, 'y': y})
        for kind in ('mousePressed', 'mouseReleased'):
            self.call('Input.dispatchMouseEvent', {'type': kind, 'x': x, 'y': y,
                                                   'button': 'left', 'clickCount': 1})

    def logs(self, lines=30):
        try:
            text = open(self.log_path, errors='replace').read().splitlines()
        except OSError:
            return ''
        return '\n'.join(['--- chromium.log'] + text[-lines:])

    def close(self, keep=False):
        if self.proc.poll() is None:
            try:
                self._send('Browser.close')
                self.proc.wait(10)
            except (BrowserError, OSError, subprocess.TimeoutExpired):
                pass
        if self.proc.poll() is None:
            # Its renderer and GPU processes are in its group.
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()
        for fd in (self.rfd, self.wfd):
            try:
                os.close(fd)
            except OSError:
                pass
        self.log.close()
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)


def _above9(fd):
    """fd moved to the lowest free number above 9."""
    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return new
