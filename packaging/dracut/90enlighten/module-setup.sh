#!/bin/bash
# dracut module: put Enlighten's VMBus and storage drivers into the
# initramfs, so that the root file system can live on a synthetic disk.
# udev loads them there by modalias; our modprobe.d file goes in too, so
# the in-tree hv_* stack stays away in early boot as well.
# tests/packaging/check-initramfs.sh runs it under Debian's dracut.

# The modules the list names that exist for the kernel being packed
# ($srcmods: its module tree, as given to dracut with --kmoddir or not).
enl_modules() {
    local list=${ENL_INITRAMFS_MODULES:-/usr/share/enlighten/initramfs.modules}
    local m
    [[ -r $list ]] || return 0
    sed -e 's/#.*//' "$list" | while read -r m; do
        [[ $m ]] || continue
        # enl_storvsc may not exist for this kernel (or at all yet).
        [[ $(find "$srcmods" -name "$m.ko*" -print -quit 2>/dev/null) ]] && echo "$m"
    done
}

# Included only where dkms built enl_vmbus for the kernel in question.
check() {
    [[ $(enl_modules) ]]
}

depends() {
    return 0
}

installkernel() {
    local m
    for m in $(enl_modules); do
        hostonly='' instmods "$m"
    done
}

install() {
    inst_multiple -o /usr/lib/modprobe.d/enlighten.conf /lib/modprobe.d/enlighten.conf
}
