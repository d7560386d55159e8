#!/usr/bin/env python3
"""enl-host's lifecycle (issue 13): whenever enl-host dies, even by kill -9
early in boot, no guest RAM stays behind in /dev/shm (or anywhere), and its
run directory goes too (at once, or swept by the next enl-host)."""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from vmtest import ENL_HOST, GuestError, Tap, kernel_paths, wait_until  # noqa: E402


def children(pid):
    try:
        with open('/proc/%d/task/%d/children' % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def ram_names(pid):
    """Named files enl-host maps shared (its guest RAM), e.g. /dev/shm/..."""
    names = set()
    try:
        with open('/proc/%d/maps' % pid) as f:
            for line in f:
                m = re.search(r'\s(/\S+)( \(deleted\))?$', line.strip())
                if m and (m.group(1).startswith('/dev/shm') or 'enl-host-ram' in m.group(1)):
                    names.add(os.path.dirname(m.group(1)) if 'enl-host-ram' in m.group(1)
                              else m.group(1))
    except OSError:
        pass
    return names


def start(tmp, kernel, initrd):
    env = dict(os.environ, TMPDIR=tmp)
    log = open(os.path.join(tmp, '..', 'host-%d.log' % time.monotonic_ns()), 'w')
    return subprocess.Popen([ENL_HOST, 'run', '--kernel', kernel, '--initrd', initrd,
                             '--mem', '256M', '--append', 'enl.mode=test',
                             '--console', os.path.join(tmp, '..', 'console.log'),
                             '--ctl', os.path.join(tmp, '..', 'ctl.sock'),
                             '--offer', 'heartbeat'],
                            env=env, stdout=log, stderr=subprocess.STDOUT)


def run_dirs(tmp):
    return [e for e in os.listdir(tmp) if e.startswith('enl-host-')]


def kill9_at(t, tmp, kernel, initrd, after, what):
    p = start(tmp, kernel, initrd)
    time.sleep(after)
    shm_before = set(os.listdir('/dev/shm')) if os.path.isdir('/dev/shm') else set()
    names = ram_names(p.pid)
    qemus = children(p.pid)
    p.send_signal(signal.SIGKILL)
    p.wait()
    # QEMU dies with enl-host (PR_SET_PDEATHSIG); give it time to go.
    gone = wait_until(lambda: not any(os.path.exists('/proc/%d' % q) for q in qemus), 20)
    t.ok(gone and qemus, 'kill -9 %s: QEMU (%s) went with enl-host' % (what, qemus))
    left = [n for n in names if os.path.exists(n)]
    t.ok(not left, 'kill -9 %s: no guest RAM left behind by name %s' % (what, sorted(names)),
         'still there: %s' % left)
    shm_after = set(os.listdir('/dev/shm')) if os.path.isdir('/dev/shm') else set()
    mine = [e for e in shm_before & shm_after if 'enl-host-ram' in e and
            any(e in n for n in names)]
    t.ok(not mine, 'kill -9 %s: nothing of it in /dev/shm' % what, str(mine))


def run():
    t = Tap()
    try:
        kernel, initrd = kernel_paths()
    except GuestError as e:
        t.ok(False, 'guest kernel and initramfs', str(e))
        return t.done()
    top = tempfile.mkdtemp(prefix='enl-vm-life-')
    tmp = os.path.join(top, 'tmp')
    os.mkdir(tmp)
    try:
        kill9_at(t, tmp, kernel, initrd, 0.3, 'at 0.3 s (before QEMU is up)')
        stale = run_dirs(tmp)
        kill9_at(t, tmp, kernel, initrd, 4.0, 'at 4 s (early boot)')
        # The next enl-host sweeps what the dead ones left; its own run
        # directory goes once QEMU is connected, and on SIGTERM.
        p = start(tmp, kernel, initrd)
        swept = wait_until(lambda: not [d for d in run_dirs(tmp) if d not in
                                        ['enl-host-%d' % p.pid]
                                        and not d.startswith('enl-host-%d-' % p.pid)], 10)
        t.ok(swept, 'a later enl-host sweeps dead ones\' run directories (%s)' % stale,
             str(run_dirs(tmp)))
        own_gone = wait_until(lambda: not run_dirs(tmp), 30)
        t.ok(own_gone, 'a running enl-host\'s run directory goes once QEMU is in',
             str(run_dirs(tmp)))
        p.send_signal(signal.SIGTERM)
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
        t.ok(not run_dirs(tmp) and not os.listdir(tmp),
             'after SIGTERM nothing is left in its TMPDIR', str(os.listdir(tmp)))
    finally:
        if not t.failed:
            shutil.rmtree(top, ignore_errors=True)
        else:
            t.diag('logs kept in %s' % top)
    return t.done()


if __name__ == '__main__':
    sys.exit(run())
