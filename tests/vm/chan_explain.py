"""Why a VMBus channel went quiet, from both sides at once: for a VM test
whose wait for an answer timed out. It prints enl-host's per-relid counters
and ring indices (`ctl stats`), what waits between the guest and enl-host
(`ctl status`: signals the guest posted that no host thread took, event
flags and messages the guest did not take) and the guest's own view of each
channel (ring_state: its rings, tasklet, interrupts and signals), then a
verdict per channel that has packets waiting: which side holds the lost
wakeup."""
import re

RING = r'(\d+)/(\d+)/(\d+)/(\d+)'
CONN_BASE = 0x10000


def host_channels(stats, cls):
    """{relid: {counters, 'in': (w, r, mask, pending), 'out': ...}} of a
    class's channels in `ctl stats`; in: guest -> host, out: host -> guest."""
    chans = {}
    for line in stats.splitlines():
        m = re.match(r'channel (\d+) %s (\S+) (.*)$' % re.escape(cls), line)
        if not m:
            continue
        c = {k: int(v) for k, v in re.findall(r'(\w+)=(\d+)(?=\s|$)', m.group(3))}
        for name, key in (('ring_in', 'in'), ('ring_out', 'out')):
            r = re.search(r'%s=%s' % (name, RING), m.group(3))
            c[key] = tuple(int(x) for x in r.groups()) if r else None
        c['state'] = m.group(2)
        chans[int(m.group(1))] = c
    return chans


def pending(status):
    """(posted signal connection ids, {(vp, sint): event flags}) from
    `ctl status`."""
    posted = set()
    m = re.search(r'^posted-signals:(.*)$', status, re.M)
    if m:
        posted = {int(c, 16) for c in re.findall(r'0x([0-9a-f]+)@', m.group(1))}
    events = {}
    for m in re.finditer(r'^vp(\d+) sint(\d+): .* events ([\d ]+)', status, re.M):
        events[(int(m.group(1)), int(m.group(2)))] = {int(x) for x in m.group(3).split()}
    return posted, events


def guest_channels(ring_state):
    """{relid: fields} from a device's ring_state lines."""
    chans = {}
    for line in ring_state.splitlines():
        f = dict(re.findall(r'(\w+)=(\S+)', line))
        if 'relid' in f:
            chans[int(f['relid'])] = f
    return chans


def verdict(relid, h, posted, flagged, gst):
    """One line naming the side that holds relid's lost wakeup, or None
    when nothing waits on it."""
    why = []
    if h.get('in') and h['in'][0] != h['in'][1]:
        w, r, mask, _ = h['in']
        if CONN_BASE + relid in posted:
            why.append('guest -> host: %d bytes unread by enl-host while the guest\'s '
                       'posted signal waits in BAR2, untaken (host: doorbell or scan)'
                       % ((w - r) % (1 << 32)))
        elif mask:
            why.append('guest -> host: unread, and enl-host left its ring masked '
                       '(host: pass ended masked)')
        else:
            why.append('guest -> host: unread, unmasked, no posted signal: the guest '
                       'wrote without signalling or enl-host\'s pass took the signal '
                       'and missed the packet (guest signals=%s, host signals_in=%s '
                       'passes=%s)' % (gst.get('signals', '?'), h.get('signals_in', '?'),
                                       h.get('passes', '?')))
    if h.get('out') and h['out'][0] != h['out'][1]:
        _, _, mask, _ = h['out']
        if relid in flagged:
            why.append('host -> guest: unread while its event flag is still set in '
                       'the guest\'s SIEFP (guest: SynIC event drain)')
        elif 'scheduled' in gst.get('tasklet', ''):
            why.append('host -> guest: unread, the guest\'s tasklet is scheduled '
                       'but has not run (guest)')
        elif mask:
            why.append('host -> guest: unread, the guest left its ring masked (guest)')
        else:
            why.append('host -> guest: unread, unmasked, no event flag: enl-host '
                       'wrote without signalling or the guest took the event and '
                       'missed the packet (host signals_out=%s, guest interrupts=%s)'
                       % (h.get('signals_out', '?'), gst.get('interrupts', '?')))
    return 'relid %d: %s' % (relid, '; '.join(why)) if why else None


def explain_channels(g, cls, dev):
    """Both sides' view of cls's channels (dev: the primary's sysfs
    directory in the guest, or None) and a verdict per stuck channel."""
    rc, stats = g.ctl('stats')
    rc, status = g.ctl('status')
    rc, rs = g.sh('cat %s/ring_state' % dev) if dev else (1, '')
    rc, irqs = g.sh('grep -i enl /proc/interrupts; grep TASKLET /proc/softirqs')
    hosts = host_channels(stats, cls)
    posted, events = pending(status)
    flagged = set().union(*events.values()) if events else set()
    guests = guest_channels(rs)
    verdicts = [v for v in (verdict(r, h, posted, flagged, guests.get(r, {}))
                            for r, h in sorted(hosts.items())) if v]
    lines = ['--- verdict:'] + (verdicts or ['no channel of %s has packets waiting' % cls])
    lines += ['--- enl-host ctl stats, %s channels:' % cls]
    lines += [l for l in stats.splitlines() if re.match(r'channel \d+ %s ' % re.escape(cls), l)]
    lines += ['--- enl-host ctl status, what waits:']
    lines += [l for l in status.splitlines()
              if l.startswith(('posted-', 'sint-pending')) or re.match(r'vp\d+ sint', l)]
    lines += ['--- guest ring_state (in/out: write/read/interrupt_mask/pending_send_sz):']
    lines += rs.splitlines()
    lines += ['--- guest interrupts:'] + irqs.splitlines()
    return '\n'.join(lines)
