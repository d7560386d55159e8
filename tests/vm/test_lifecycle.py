#!/usr/bin/env python3
"""enl-host's lifecycle (issue 13): whenever enl-host dies, even by kill -9
early in boot, no guest RAM stays behind in /dev/shm (or anywhere), and its
run directory goes too (at once, or swept by the next enl-host)."""
import os
import re
import shutil
import signal
import socket
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


def marked(mark):
    """pids of live processes whose environment holds mark (enl-host and
    whatever it started: QEMU inherits its environment)."""
    pids = []
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            with open('/proc/%s/environ' % d, 'rb') as f:
                env = f.read().split(b'\0')
            with open('/proc/%s/stat' % d) as f:
                zombie = f.read().rsplit(')', 1)[1].split()[0] == 'Z'
        except (OSError, IndexError):
            continue
        if mark.encode() in env and not zombie:
            pids.append(int(d))
    return pids


def start(tmp, kernel, initrd, mark=''):
    env = dict(os.environ, TMPDIR=tmp)
    if mark:
        env['ENL_LIFE_MARK'] = mark
    log = open(os.path.join(tmp, '..', 'host-%d.log' % time.monotonic_ns()), 'w')
    return subprocess.Popen([ENL_HOST, 'run', '--kernel', kernel, '--initrd', initrd,
                             '--mem', '256M', '--append', 'enl.mode=test',
                             '--console', os.path.join(tmp, '..', 'console.log'),
                             '--ctl', os.path.join(tmp, '..', 'ctl.sock'),
                             '--offer', 'heartbeat'],
                            env=env, stdout=log, stderr=subprocess.STDOUT)


def run_dirs(tmp):
    return [e for e in os.listdir(tmp) if e.startswith('enl-host-')]


def dead_run_dir(tmp):
    """A run directory as a dead enl-host leaves it (its socket inside),
    for when the kills above left none: whether they do depends on how far
    QEMU got by then, and the sweep must be tested either way."""
    p = subprocess.Popen(['true'])
    p.wait()
    # enl-host's own template: enl-host-<pid>-XXXXXX, six characters.
    d = os.path.join(tmp, 'enl-host-%d-%s' % (p.pid, os.urandom(3).hex()))
    os.mkdir(d, 0o700)
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(os.path.join(d, 'qmp.sock'))
    s.close()
    return os.path.basename(d)


def kill9_at(t, tmp, kernel, initrd, after, what, need_qemu):
    """kill -9 enl-host `after` s after its start. need_qemu: QEMU must
    be up by then (waited for, event-driven, if the machine is slow);
    otherwise it may or may not have been started yet (at 0.3 s it
    depends on the machine's speed), and whatever was started must go."""
    mark = 'ENL_LIFE_MARK=%s-%d' % (what.split()[1], time.monotonic_ns())
    p = start(tmp, kernel, initrd, mark.split('=', 1)[1])
    time.sleep(after)
    if need_qemu:
        wait_until(lambda: children(p.pid), 60, 0.1)
    shm_before = set(os.listdir('/dev/shm')) if os.path.isdir('/dev/shm') else set()
    names = ram_names(p.pid)
    qemus = children(p.pid)
    p.send_signal(signal.SIGKILL)
    p.wait()
    # QEMU dies with enl-host (PR_SET_PDEATHSIG); give it time to go.
    # Every process carrying this run's mark counts, also a QEMU spawned
    # between the look at enl-host's children and the kill.
    gone = wait_until(lambda: not marked(mark), 30)
    t.ok(gone and (qemus or not need_qemu),
         'kill -9 %s: QEMU (%s) went with enl-host' % (what, qemus),
         'still running: %s' % marked(mark))
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
        kill9_at(t, tmp, kernel, initrd, 0.3, 'at 0.3 s (before QEMU is up)', False)
        kill9_at(t, tmp, kernel, initrd, 4.0, 'at 4 s (early boot)', True)
        stale = run_dirs(tmp) or [dead_run_dir(tmp)]
        # The next enl-host sweeps what the dead ones left; its own run
        # directory goes once QEMU is connected, and on SIGTERM.
        p = start(tmp, kernel, initrd)
        swept = wait_until(lambda: not [d for d in run_dirs(tmp) if d not in
                                        ['enl-host-%d' % p.pid]
                                        and not d.startswith('enl-host-%d-' % p.pid)], 30)
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
