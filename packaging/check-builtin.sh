#!/bin/sh
# Say clearly when a kernel has hv_vmbus built in: then the kernel's own
# Hyper-V stack owns VMBus from boot, modprobe.d/enlighten.conf cannot keep
# it away, and enl_vmbus never gets the bus. Run by the enlighten-dkms
# package after installing (for the running kernel); enl-status(1) makes
# the same check.
# Usage: check-builtin [KERNEL_RELEASE]  (default: the running kernel)
# Exit status: 0 when hv_vmbus is not built in (or the kernel has no
# modules.builtin to say), 1 when it is (with the message on stderr).
# ENL_ROOT: look below this directory instead of / (for tests).
set -eu
kver=${1:-$(uname -r)}
list=${ENL_ROOT:-}/lib/modules/$kver/modules.builtin
[ -r "$list" ] || exit 0
grep -qE '(^|/)hv_vmbus\.ko$' "$list" || exit 0
cat >&2 <<MSG
enlighten: hv_vmbus is built into kernel $kver (listed in $list).
enlighten: The kernel's own Hyper-V stack owns VMBus on that kernel and cannot
enlighten: be replaced: Enlighten's enl_vmbus will not get the bus there, and
enlighten: its modprobe.d blacklist has no effect on built-in drivers.
enlighten: Boot a kernel built with CONFIG_HYPERV=m (Debian's and Fedora's
enlighten: are) to use Enlighten's drivers.
MSG
exit 1
