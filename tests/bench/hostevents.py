"""enl-host's per-channel counters the benches divide by the work done:
the guest's doorbells, enl-host's signals to the guest and its passes over
the rings, summed over the channels of one device class."""

KEYS = ('signals_in', 'signals_out', 'passes')


def host_events(g, cls):
    """[doorbells, signals, passes] summed over class cls's channels (scsi,
    network, ...) from `enl-host ctl --json stats`."""
    rc, data = g.ctl_json('stats')
    tot = [0] * len(KEYS)

    def walk(o):
        if isinstance(o, dict):
            if o.get('class') == cls and KEYS[0] in o:
                for i, k in enumerate(KEYS):
                    tot[i] += int(o.get(k, 0))
                return
            o = list(o.values())
        if isinstance(o, list):
            for v in o:
                walk(v)
    walk(data)
    return tot
