"""What the VM benchmarks share: every workload runs once per device in
each of several passes, the devices' order changing from pass to pass, and
the figures are medians over the passes.

This machine's speed moves by a third from one minute to the next, so a
device measured as a block of its own carries that drift into its ratio,
and one that always runs right after the same neighbour inherits its
leftovers. The two runs compared within a pass are minutes apart at most,
so a ratio is the median of the per-pass ratios, not the ratio of two
medians."""


def median(v):
    v = sorted(v)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def pass_order(p, items):
    """items' order in pass p: forward, reversed, then rotated by half of
    them, reversed again, and so on (ABBA BAAB for two; for four, the
    first runs first, last, then third)."""
    items = list(items)
    n = len(items)
    k = (p // 2) * max(1, n // 2) % n if n else 0
    order = items[k:] + items[:k]
    return order[::-1] if p % 2 else order


def spread(v, form='%.0f'):
    """min/median/max of a device's passes, '-' with none."""
    v = [x for x in v if x is not None]
    if not v:
        return '-'
    return '/'.join(form % x for x in (min(v), median(v), max(v)))


def ratio_fmt(ratios):
    """The median of the per-pass ratios."""
    return '%.2fx' % median(ratios) if ratios else '-'


def ratio_range(ratios):
    """The per-pass ratios' min..max, '-' with none."""
    return '%.2f..%.2f' % (min(ratios), max(ratios)) if ratios else '-'
