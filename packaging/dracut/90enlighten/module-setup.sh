#!/bin/bash
# dracut module: put Enlighten's VMBus and storage drivers into the
# initramfs, so that the root file system can live on a synthetic disk.
# udev loads them there by modalias; our modprobe.d file goes in too, so
# the in-tree hv_* stack stays away in early boot as well.

enl_modules() {
    local list=${ENL_INITRAMFS_MODULES:-/usr/share/enlighten/initramfs.modules}
    [[ -r $list ]] || return 0
    sed -e 's/#.*//' "$list" | while read -r m; do
        [[ $m ]] && echo "$m"
    done
}

# Included only where dkms built enl_vmbus for the kernel in question.
check() {
    modinfo -k "$kernel" enl_vmbus >/dev/null 2>&1 || return 1
    return 0
}

depends() {
    return 0
}

installkernel() {
    local m
    for m in $(enl_modules); do
        # enl_storvsc may not exist for this kernel (or at all yet).
        modinfo -k "$kernel" "$m" >/dev/null 2>&1 && hostonly='' instmods "$m"
    done
    return 0
}

install() {
    inst_multiple -o /usr/lib/modprobe.d/enlighten.conf /lib/modprobe.d/enlighten.conf
}
