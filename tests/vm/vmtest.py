#!/usr/bin/env python3
"""Host side of the VM test ring: boots a guest under enl-host, talks to the
in-guest agent (tests/vm/agent) over a second serial port and to enl-host over
its control socket, and prints TAP. Used by tests/vm/run.sh."""
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import traceback

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
BUILD = os.path.join(TOP, 'build')
# ENL_HOST_BIN: run the suites against another enl-host (e.g. main's, to
# see a new test fail on the code it is meant to catch).
ENL_HOST = os.environ.get('ENL_HOST_BIN') or os.path.join(BUILD, 'meson', 'host', 'enl-host')


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, what, detail=''):
        self.n += 1
        if not cond:
            self.failed += 1
        print('%sok %d - %s' % ('' if cond else 'not ', self.n, what), flush=True)
        if detail and not cond:
            self.diag(detail)
        return cond

    def diag(self, text):
        for line in str(text).rstrip().splitlines():
            print('# ' + line, flush=True)

    def crashed(self, e, logs=''):
        """A point for an exception that ended the test early. Its name and
        message go in the point's line and the traceback comes last: CI
        shows a failing suite's last lines and the failure list, not the
        guest's logs above them."""
        msg = ' '.join(str(e).split())[:160]
        self.ok(False, 'test ran to the end (%s%s)' % (type(e).__name__, ': ' + msg if msg else ''),
                '\n'.join(p for p in (logs, traceback.format_exc()) if p))

    def done(self):
        print('1..%d' % self.n, flush=True)
        return 1 if self.failed else 0


class GuestError(Exception):
    pass


# A guest boots in 10-30 s here (TCG); CI's 2 cores may be slower or busy.
# These bound only a guest that never comes up, so they are generous.
AGENT_SOCKET_S = 60
BOOT_S = 240


def wait_until(probe, timeout, interval=0.3):
    """Call probe() until it returns something true or timeout seconds
    pass; returns its last result."""
    deadline = time.monotonic() + timeout
    while True:
        got = probe()
        if got or time.monotonic() >= deadline:
            return got
        time.sleep(interval)


def kernel_paths(initrd=None):
    kver_file = os.path.join(BUILD, 'kernel', 'kver')
    if not os.path.exists(kver_file):
        raise GuestError('no guest kernel: run make kernel (build/kernel/kver missing)')
    kver = open(kver_file).read().strip()
    vmlinuz = os.path.join(BUILD, 'kernel', kver, 'boot', 'vmlinuz-' + kver)
    initrd = initrd or os.path.join(BUILD, 'vm', 'test.cpio.gz')
    for p in (vmlinuz, initrd, ENL_HOST):
        if not os.path.exists(p):
            raise GuestError('missing %s' % p)
    if not shutil.which('qemu-system-x86_64'):
        raise GuestError('qemu-system-x86_64 not installed')
    return vmlinuz, initrd


class NetNs:
    """A network namespace of a guest's own: enl-host runs in it, so the TAPs
    its --nic creates, their addresses and every host-side iperf3 or ping
    are private to the test and cannot meet another test's or the
    machine's. Needs root (ip netns)."""

    def __init__(self):
        self.name = 'enl-%d-%s' % (os.getpid(), os.urandom(3).hex())
        self.procs = []
        self.dirs = []
        subprocess.run(['ip', 'netns', 'add', self.name], check=True,
                       capture_output=True)
        self.run('ip', 'link', 'set', 'lo', 'up')

    def cmd(self, *args):
        """args as a command line that runs inside the namespace."""
        return ['ip', 'netns', 'exec', self.name] + [str(a) for a in args]

    def run(self, *args, timeout=60):
        """Run a command in the namespace; (status, stdout + stderr)."""
        r = subprocess.run(self.cmd(*args), capture_output=True, text=True,
                           timeout=timeout)
        return r.returncode, r.stdout + r.stderr

    def popen(self, *args, **kw):
        return subprocess.Popen(self.cmd(*args), **kw)

    def tap_up(self, tap, addr=None, mtu=None):
        """Bring a TAP (made by enl-host --nic) up, with addr (a.b.c.d/n)
        on it; (status, output)."""
        rc, out = self.run('ip', 'link', 'set', tap, 'up')
        if rc == 0 and mtu:
            rc, out = self.run('ip', 'link', 'set', tap, 'mtu', mtu)
        if rc == 0 and addr:
            rc, out = self.run('ip', 'addr', 'replace', addr, 'dev', tap)
        return rc, out

    def dhcp(self, tap, mac, addr, server='10.0.2.2'):
        """Serve addr/24 to mac by DHCP on tap (busybox udhcpd in the
        namespace; server/24 on the TAP, also the router and DNS it names),
        as QEMU's user network does for a guest that configures its NIC by
        DHCP. It stops with close()."""
        rc, out = self.tap_up(tap, server + '/24')
        if rc:
            return rc, out
        d = tempfile.mkdtemp(prefix='enl-dhcp-')
        self.dirs.append(d)
        conf = os.path.join(d, 'udhcpd.conf')
        open(os.path.join(d, 'leases'), 'w').close()
        with open(conf, 'w') as f:
            f.write('start %s\nend %s\ninterface %s\nlease_file %s\n'
                    'pidfile %s\nstatic_lease %s %s\n'
                    'option subnet 255.255.255.0\noption router %s\n'
                    'option dns %s\noption lease 86400\n'
                    % (addr, addr, tap, os.path.join(d, 'leases'),
                       os.path.join(d, 'pid'), mac, addr, server, server))
        self.procs.append(self.popen('busybox', 'udhcpd', '-f', conf,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL))
        return 0, ''

    def close(self):
        for p in self.procs:
            p.terminate()
            p.wait()
        for d in self.dirs:
            shutil.rmtree(d, ignore_errors=True)
        subprocess.run(['ip', 'netns', 'del', self.name], capture_output=True)


def read_until(g, marker, timeout, what, with_logs=True):
    """Read g.sock into g.buf until marker; return the bytes up to and
    including it. g has sock, buf, proc and logs(); what names the
    connection in errors, which carry g's logs unless the caller adds them."""
    deadline = time.monotonic() + timeout
    while marker not in g.buf:
        left = deadline - time.monotonic()
        if left <= 0 or g.proc.poll() is not None:
            raise GuestError('guest did not answer within %ds%s' % (
                timeout, ':\n' + g.logs() if with_logs else ''))
        g.sock.settimeout(min(left, 1.0))
        try:
            data = g.sock.recv(65536)
        except socket.timeout:
            continue
        if not data:
            raise GuestError('%s connection closed:\n%s' % (what, g.logs()))
        g.buf += data
    i = g.buf.index(marker) + len(marker)
    got, g.buf = g.buf[:i], g.buf[i:]
    return got


class Guest:
    """One guest under enl-host, with its agent connection."""

    def __init__(self, offers=('echo',), mem='512M', cpus=1, append='',
                 disks=(), nics=(), netns=None, qemu=None, extra=(),
                 qemu_args=(), initrd=None):
        """disks: `enl-host run --disk` arguments, FILE[,ro][,wt][,ide][,lun=N]
        (the storage VSP offers a controller for them); `ctl disk ...`
        changes them while the guest runs. nics: `enl-host run --nic`
        arguments, tap=NAME[,mac=M][,queues=N][,mtu=N]; with them (or
        netns=True) enl-host runs in a network namespace of its own,
        self.netns (NetNs), where the TAPs are made: self.netns.tap_up()
        and self.netns.run() work on the host's side. qemu: another QEMU
        binary or wrapper (enl-host --qemu). qemu_args: more QEMU
        arguments (`--qemu-arg`), e.g. the emulated devices a benchmark
        compares with. initrd: instead of build/vm/test.cpio.gz."""
        vmlinuz, initrd = kernel_paths(initrd)
        self.netns = NetNs() if (nics or netns) else None
        self.dir = tempfile.mkdtemp(prefix='enl-vm-')
        self.ctl_path = os.path.join(self.dir, 'ctl.sock')
        self.agent_path = os.path.join(self.dir, 'agent.sock')
        self.console = os.path.join(self.dir, 'console.log')
        cmd = [ENL_HOST, 'run', '--kernel', vmlinuz, '--initrd', initrd,
               '--mem', mem, '--cpus', str(cpus),
               '--append', ('enl.mode=test ' + append).strip(),
               '--console', self.console,
               '--serial2', self.agent_path, '--ctl', self.ctl_path,
               # Time sync serves a clock this machine's own steps (an NTP
               # step, a resumed VM) do not move: those would be shifts no
               # test made (test_daemons judges the guest against it).
               '--host-clock', 'steady']
        for o in offers:
            cmd += ['--offer', o]
        for d in disks:
            cmd += ['--disk', d]
        for n in nics:
            cmd += ['--nic', n]
        if qemu:
            cmd += ['--qemu', qemu]
        cmd += list(extra)      # further `enl-host run` options (--vnc ...)
        for a in qemu_args:
            cmd += ['--qemu-arg=' + a]
        if self.netns:
            cmd = self.netns.cmd(*cmd)
        try:
            self._start(cmd)
        except BaseException:
            # A guest that never came up must not outlive the test: its
            # enl-host (and QEMU) would keep running, orphaned.
            if getattr(self, 'proc', None):
                self.kill()
            if self.netns:
                self.netns.close()
            raise

    def _start(self, cmd):
        self.t0 = time.monotonic()
        self.host_log = open(os.path.join(self.dir, 'enl-host.log'), 'w')
        self.proc = subprocess.Popen(cmd, stdout=self.host_log,
                                     stderr=subprocess.STDOUT)
        self.sock = None
        self.buf = b''
        # Generous: QEMU makes the agent socket within a second or two on
        # an idle machine; a busy 2-core CI machine may take much longer,
        # and only a guest that never comes up pays for the wait.
        deadline = time.monotonic() + AGENT_SOCKET_S
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise GuestError('enl-host exited with %d before the guest '
                                 'came up:\n%s' % (self.proc.returncode, self.logs()))
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.agent_path)
                self.sock = s
                break
            except OSError:
                time.sleep(0.1)
        if not self.sock:
            self.kill()
            raise GuestError('agent socket never appeared:\n' + self.logs())
        self._read_until(b'@@READY\n', BOOT_S)
        self.ready_s = time.monotonic() - self.t0

    def logs(self, lines=40):
        out = []
        for name in ('enl-host.log', 'console.log'):
            p = os.path.join(self.dir, name)
            if os.path.exists(p):
                text = open(p, errors='replace').read().splitlines()[-lines:]
                out.append('--- %s' % name)
                out.extend(text)
        return '\n'.join(out)

    def _read_until(self, marker, timeout):
        return read_until(self, marker, timeout, 'agent')

    def sh(self, cmd, timeout=60):
        """Run cmd in the guest; (status, output)."""
        if '\n' in cmd:
            raise ValueError('one line per command')
        self.sock.sendall(cmd.encode() + b'\n')
        data = self._read_until(b'@@END ', timeout)
        tail = self._read_until(b'\n', 30)
        out = data[:-len(b'@@END ')].decode(errors='replace')
        return int(tail.strip() or b'1'), out

    def send(self, cmd):
        """Start cmd in the guest without waiting for its answer (for
        commands that end the running kernel, like kexec -e)."""
        if '\n' in cmd:
            raise ValueError('one line per command')
        self.sock.sendall(cmd.encode() + b'\n')

    def wait_ready(self, timeout=BOOT_S):
        """Wait for a fresh @@READY: the agent of a newly started kernel
        (the serial socket belongs to QEMU and stays connected). Whatever
        came before it is dropped; returns the seconds it took."""
        t0 = time.monotonic()
        self._read_until(b'@@READY\n', timeout)
        self.buf = b''
        return time.monotonic() - t0

    def replace_kernel(self, t, cmd, what, timeout=240):
        """Run cmd, which ends the running kernel (kexec -e, a crash into
        kdump), and wait for the new kernel's agent; one TAP point. True
        when it came back."""
        self.send(cmd)
        try:
            secs = self.wait_ready(timeout)
        except Exception as e:
            t.ok(False, '%s\'s agent comes back' % what, str(e))
            return False
        t.ok(True, '%s\'s agent comes back (%.1f s)' % (what, secs))
        return True

    def ctl(self, *args, timeout=30):
        r = subprocess.run([ENL_HOST, 'ctl', '--ctl', self.ctl_path] + list(args),
                           capture_output=True, text=True, timeout=timeout)
        return r.returncode, r.stdout + r.stderr

    def ctl_json(self, *args, timeout=30):
        """`enl-host ctl --json args...`: (exit status, data) when the host
        answered ok, else (status, None); what its text says is not parsed
        (docs/ctl.md)."""
        rc, out = self.ctl('--json', *args, timeout=timeout)
        try:
            j = json.loads(out)
        except ValueError:
            return rc, None
        return rc, j.get('data') if j.get('ok') is True else None

    def wait_sh(self, cmd, timeout=60):
        """Poll a guest command until it succeeds; True if it did."""
        return bool(wait_until(lambda: self.sh(cmd)[0] == 0, timeout))

    def wait_ctl(self, args, pattern, timeout=30):
        """Poll `enl-host ctl args...` until its reply matches pattern;
        (matched, last reply)."""
        last = ['']

        def probe():
            rc, last[0] = self.ctl(*args)
            return rc == 0 and re.search(pattern, last[0], re.M) is not None
        return bool(wait_until(probe, timeout, 0.5)), last[0]

    def start_daemon(self, cmd, pidfile, ctl_args, tries=3, timeout=60):
        """Start cmd in the background (its pid in pidfile) until enl-host's
        `ctl ctl_args...` says "channel: ready"; start it again only if it
        exited, as systemd would restart it, because the channel of the one
        before was still closing (EBUSY) when it opened. A second one
        started beside a slow first one would fail, and pidfile would name
        the dead one. (ready, last reply)."""
        last = ['']

        def ready_or_gone():
            rc, last[0] = self.ctl(*ctl_args)
            if rc == 0 and re.search(r'^channel: ready', last[0], re.M):
                return 'ready'
            if self.sh('kill -0 $(cat %s) 2>/dev/null' % pidfile)[0]:
                return 'gone'
            return None
        for _ in range(tries):
            self.sh('%s & echo $! > %s' % (cmd, pidfile))
            got = wait_until(ready_or_gone, timeout, 0.5)
            if got != 'gone':
                break
        return got == 'ready', last[0]

    def wait_open(self, cls, timeout=60):
        """Wait until enl-host lists a channel of class cls as open (the
        guest's OPENCHANNEL arrived): a background guest command has its
        channel, whatever the machine's speed. (opened, last reply)."""
        return self.wait_ctl(['devices'], r'^\d+ %s \S+ \S+ open\b' % re.escape(cls),
                             timeout)

    def dmesg_clean(self):
        rc, out = self.sh('dmesg')
        bad = [l for l in out.splitlines()
               if re.search(r'Oops|BUG:|WARNING:|general protection|Call Trace', l)]
        return not bad, '\n'.join(bad[:20])

    def poweroff(self, status=0, timeout=60):
        try:
            self.sock.sendall(b'enl-exit %d\n' % status)
        except OSError:
            pass
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def close(self, keep=False):
        self.kill()
        if self.netns:
            self.netns.close()
        self.host_log.close()
        if not keep:
            shutil.rmtree(self.dir, ignore_errors=True)


# What enl-host says, and exits with, when its --vnc (or --vnc-web) port is
# taken (host/console/console.c, http.c).
VNC_PORT_TAKEN = 'cannot listen on port'


def vnc_guest(web=False, extra=(), tries=10, **kw):
    """A Guest (kw as Guest's) with a VNC console on 127.0.0.1 (`--vnc :N`,
    and the browser console with web); (guest, N). rfb.free_display()
    finds a display whose ports are free, but another process (a parallel
    suite, a user's console) may bind one before enl-host does. enl-host
    then exits at once, before QEMU starts, saying so; the guest is started
    again on another display, so the race costs a retry, never a failure."""
    import rfb
    tried = []
    while True:
        n = rfb.free_display(skip=tried, web=web)
        tried.append(n)
        try:
            g = Guest(extra=['--vnc', ':%d' % n] + (['--vnc-web'] if web else []) +
                      list(extra), **kw)
            return g, n
        except GuestError as e:
            if VNC_PORT_TAKEN not in str(e) or len(tried) >= tries:
                raise
            print('# display :%d was taken before enl-host could bind it; '
                  'trying another' % n, flush=True)


# SLUB counts the free objects of each CPU's own slabs as in use, so
# /proc/slabinfo moves by hundreds with no leak at all (-125..+554 over one
# 100-round reload churn, 2 vCPUs). A debug flag on the kmalloc caches keeps
# them off the per-CPU fast path, and their counts exact (that churn: +7,
# +1): a suite that checks for leaks with kmalloc_objects() boots with this
# on its command line. F (sanity checks) is the cheapest flag.
SLAB_EXACT = 'slub_debug=F,kmalloc-*'


def kmalloc_objects(g):
    """Objects in use in the guest's kmalloc caches (exact under SLAB_EXACT)."""
    rc, out = g.sh('cat /proc/slabinfo')
    return sum(int(line.split()[1]) for line in out.splitlines()
               if line.startswith('kmalloc-'))


def run_suite(offers, body, cpus=1, append='', disks=(), nics=()):
    """Boot one guest with offers, run body(t, g), print TAP; the exit
    status for sys.exit. Logs are kept when anything failed."""
    t = Tap()
    try:
        g = Guest(offers=offers, cpus=cpus, append=append, disks=disks,
                  nics=nics)
    except GuestError as e:
        t.ok(False, 'guest boots with %s offered' % ', '.join(offers), str(e))
        return t.done()
    t.ok(True, 'guest boots with %s offered (ready in %.1f s)'
         % (', '.join(offers), g.ready_s))
    try:
        body(t, g)
    except GuestError as e:
        t.ok(False, 'guest stayed reachable', str(e))
    except Exception as e:
        t.crashed(e, g.logs())
    finally:
        g.close(keep=t.failed > 0)
        if t.failed:
            t.diag('logs kept in %s' % g.dir)
    return t.done()
