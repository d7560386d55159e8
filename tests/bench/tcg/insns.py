"""The guest instruction counter of tests/bench/tcg/insncount.c, as the
benchmarks' counting scripts use it: QEMU's -plugin arguments that make a
guest count into a file, and reading that count."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
PLUGIN = os.path.join(HERE, '..', '..', '..', 'build', 'meson', 'tests', 'bench', 'tcg',
                      'insncount.so')


def missing():
    """Why the counter cannot be used, or None."""
    if not os.path.exists(PLUGIN):
        return '%s is missing: run make first' % os.path.normpath(PLUGIN)
    return None


def qemu_args(path):
    """QEMU arguments that load the counter, counting into path."""
    return ('-plugin', '%s,out=%s' % (os.path.normpath(PLUGIN), path))


def count(path):
    """The guest's instructions so far."""
    with open(path, 'rb') as f:
        return struct.unpack('<Q', f.read(8))[0]
