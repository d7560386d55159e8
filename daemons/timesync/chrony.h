/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Feed host time to chrony as a SOCK refclock ("refclock SOCK <path>" in
 * chrony.conf): one datagram per sample in chrony's documented format.
 */
#ifndef ENL_CHRONY_H
#define ENL_CHRONY_H

#include <stdint.h>

/* Send one sample (taken at at_ns, host - guest = offset_ns): 0 or -errno. */
int enl_chrony_send(const char *path, int64_t at_ns, int64_t offset_ns);

#endif /* ENL_CHRONY_H */
