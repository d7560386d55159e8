#!/usr/bin/env python3
"""Host side of the image tests (test_switch.py, tests/bench/boot): boots
the Debian 12 image of `make image` under enl-host, either from its
emulated IDE disk through SeaBIOS and the image's GRUB, or with its kernel
and initramfs (scripts/image/boot-files.sh) and its disk offered only as a
synthetic one; measures the time to the login prompt on ttyS0; and runs
commands in the guest through the root shell the image keeps on ttyS1
(the host's end is enl-host's --serial2 UNIX socket)."""
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

from vmtest import BUILD, ENL_HOST, TOP, GuestError, NetNs, read_until, wait_until

IMAGE = os.path.join(BUILD, 'image', 'debian12.img')
IMAGE_ENV = os.path.join(BUILD, 'image', 'image.env')
BUILD_IMAGE = os.path.join(TOP, 'scripts', 'image', 'build.sh')
BOOT_FILES = os.path.join(TOP, 'scripts', 'image', 'boot-files.sh')
# Every integration service enl-host serves (make run offers the same).
IC_OFFERS = ('heartbeat', 'shutdown', 'timesync', 'kvp', 'vss', 'clipboard')
# Emulated devices beyond the IDE disk: QEMU's own, added to enl-host's QEMU
# command line by a wrapper first in PATH (enl-host runs QEMU with
# -nodefaults and offers only what a Hyper-V host would).
QEMU_WRAPPER = '''#!/bin/sh
exec {qemu} "$@" {extra}
'''


def build_image():
    """make image (cached): (ok, seconds, output)."""
    t0 = time.monotonic()
    r = subprocess.run([BUILD_IMAGE], capture_output=True, text=True)
    return r.returncode == 0, time.monotonic() - t0, r.stdout + r.stderr


def image_env():
    env = {}
    with open(IMAGE_ENV) as f:
        for line in f:
            k, _, v = line.strip().partition('=')
            if k:
                env[k] = v
    return env


def copy_disk(dest):
    """A scratch copy of the image (sparse), so the cached one stays clean."""
    subprocess.run(['cp', '--sparse=always', IMAGE, dest], check=True)


class ImageGuest:
    """One boot of the image. mode 'emulated': BIOS boots the disk as
    --ide, no VMBus device offered. mode 'synthetic': --kernel/--initrd
    from the disk, the disk as --disk (SCSI), every IC offered. emulated:
    QEMU device arguments of emulated hardware to add (e1000, VGA).
    netns: run enl-host in a network namespace of its own (vmtest.NetNs,
    self.netns), where the TAPs of its --nic arguments are made."""

    def __init__(self, disk, mode, emulated=(), offers=None, mem='1G',
                 extra_args=(), workdir=None, netns=False):
        self.dir = workdir or tempfile.mkdtemp(prefix='enl-image-')
        self.netns = None
        self.mode = mode
        self.ctl_path = os.path.join(self.dir, 'ctl.sock')
        self.ttys1 = os.path.join(self.dir, 'ttyS1.sock')
        self.console = os.path.join(self.dir, 'console-%s.log' % mode)
        cmd = [ENL_HOST, 'run', '--mem', mem, '--console', self.console,
               '--serial2', self.ttys1, '--ctl', self.ctl_path]
        if mode == 'emulated':
            cmd += ['--ide', disk]
            offers = offers or ()
        else:
            boot = os.path.join(self.dir, 'boot')
            r = subprocess.run([BOOT_FILES, disk, boot], capture_output=True, text=True)
            if r.returncode:
                raise GuestError('boot-files.sh: ' + r.stdout + r.stderr)
            uuid = image_env()['ENL_IMAGE_UUID']
            cmd += ['--kernel', os.path.join(boot, 'vmlinuz'),
                    '--initrd', os.path.join(boot, 'initrd.img'),
                    '--append', 'root=UUID=%s ro' % uuid, '--disk', disk]
            offers = IC_OFFERS if offers is None else offers
        for o in offers:
            cmd += ['--offer', o]
        cmd += list(extra_args)
        env = dict(os.environ)
        if emulated:
            qemu = shutil.which('qemu-system-x86_64', path=env.get('PATH')) \
                or 'qemu-system-x86_64'
            wdir = os.path.join(self.dir, 'qemu-%s' % mode)
            os.makedirs(wdir, exist_ok=True)
            w = os.path.join(wdir, 'qemu-system-x86_64')
            with open(w, 'w') as f:
                f.write(QEMU_WRAPPER.format(qemu=qemu, extra=' '.join(emulated)))
            os.chmod(w, 0o755)
            env['PATH'] = wdir + ':' + env.get('PATH', '')
        if netns:
            self.netns = NetNs()
            # ip netns exec keeps the environment (PATH: the QEMU wrapper).
            cmd = self.netns.cmd(*cmd)
        self.cmd = cmd
        self.t0 = time.monotonic()
        self.host_log = open(os.path.join(self.dir, 'enl-host-%s.log' % mode), 'w')
        self.proc = subprocess.Popen(cmd, stdout=self.host_log,
                                     stderr=subprocess.STDOUT, env=env)
        self.sock = None
        self.buf = b''
        self.login_s = None

    # ---- boot ----

    def console_text(self):
        try:
            with open(self.console, errors='replace') as f:
                return f.read()
        except OSError:
            return ''

    def logs(self, lines=60):
        out = []
        for name in ('enl-host-%s.log' % self.mode, os.path.basename(self.console)):
            p = os.path.join(self.dir, name)
            if os.path.exists(p):
                text = open(p, errors='replace').read().splitlines()[-lines:]
                out.append('--- %s' % name)
                out.extend(text)
        return '\n'.join(out)

    def wait_login(self, timeout=900):
        """Seconds from enl-host's start to the login prompt on ttyS0."""
        def probe():
            if self.proc.poll() is not None:
                raise GuestError('enl-host exited with %d during boot:\n%s'
                                 % (self.proc.returncode, self.logs()))
            return re.search(r'^\S+ login: ', self.console_text(), re.M)
        if not wait_until(probe, timeout, 0.5):
            raise GuestError('no login prompt on ttyS0 within %d s:\n%s'
                             % (timeout, self.logs()))
        self.login_s = time.monotonic() - self.t0
        return self.login_s

    def connect(self, timeout=300):
        """The root shell on ttyS1: quiet (no echo, no prompt), in step."""
        deadline = time.monotonic() + timeout
        while not self.sock:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise GuestError('ttyS1 socket never appeared:\n' + self.logs())
            try:
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(self.ttys1)
                self.sock = s
            except OSError:
                time.sleep(0.2)
        # Probe until the shell answers; probes sent before agetty opened
        # the port are lost, the others all run, in order.
        k = 0
        while True:
            k += 1
            self.sock.sendall(b"\nstty -echo -onlcr; PS1=; PS2=; unset PROMPT_COMMAND; "
                              b"export TERM=dumb SYSTEMD_PAGER= PAGER=cat SYSTEMD_COLORS=0; "
                              b"printf '@@SY%%s\\n' 'NC%d'\n" % k)
            try:
                self._read_until(b'@@SYNC%d\n' % k, 5)
                break
            except GuestError:
                if time.monotonic() > deadline:
                    raise GuestError('no shell on ttyS1 within %d s:\n%s'
                                     % (timeout, self.logs()))
        self.buf = b''

    def _read_until(self, marker, timeout):
        return read_until(self, marker, timeout, 'ttyS1', with_logs=False)

    def sh(self, cmd, timeout=120):
        """Run one line in the guest's shell: (status, output)."""
        if '\n' in cmd:
            raise ValueError('one line per command')
        self.sock.sendall(cmd.encode() + b"\nprintf '@@%s %d\\n' END $?\n")
        try:
            data = self._read_until(b'@@END ', timeout)
            tail = self._read_until(b'\n', 5)
        except GuestError as e:
            raise GuestError('%s: %s\n%s' % (cmd, e, self.logs()))
        out = data[:-len(b'@@END ')].decode(errors='replace')
        return int(tail.strip() or b'1'), out

    def wait_sh(self, cmd, timeout=60):
        return bool(wait_until(lambda: self.sh(cmd)[0] == 0, timeout, 1.0))

    def ctl(self, *args, timeout=30):
        r = subprocess.run([ENL_HOST, 'ctl', '--ctl', self.ctl_path] + list(args),
                           capture_output=True, text=True, timeout=timeout)
        return r.returncode, r.stdout + r.stderr

    def send(self, cmd):
        self.sock.sendall(cmd.encode() + b'\n')

    def wait_exit(self, timeout=180):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def close(self):
        self.kill()
        if self.sock:
            self.sock.close()
        self.host_log.close()
        if self.netns:
            self.netns.close()
            self.netns = None
