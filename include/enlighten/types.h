/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Enlighten wire-format basics shared by the kernel modules, the daemons and
 * enl-host. No libc here: <linux/types.h> gives __u8..__u64 in both worlds
 * (kernel headers, or linux-libc-dev in userspace). Everything that crosses
 * VMBus is little-endian; Hyper-V guests are x86-64/arm64, both little-endian.
 */
#ifndef _ENLIGHTEN_TYPES_H
#define _ENLIGHTEN_TYPES_H

#include <linux/types.h>

#define ENL_PACKED __attribute__((__packed__))

/* Compile-time checks of every size and offset that crosses the wire. */
#define ENL_ASSERT_SIZE(type, size) \
	_Static_assert(sizeof(type) == (size), "sizeof(" #type ") != " #size)
#define ENL_ASSERT_OFFSET(type, member, off) \
	_Static_assert(__builtin_offsetof(type, member) == (off), \
		       "offsetof(" #type ", " #member ") != " #off)

/*
 * A GUID in its wire encoding: the first three fields little-endian, the last
 * eight bytes in order, i.e. the same bytes as the kernel's guid_t.
 */
struct enl_guid {
	__u8 b[16];
};

#define ENL_GUID_INIT(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7)	\
	{ { (a) & 0xff, ((a) >> 8) & 0xff, ((a) >> 16) & 0xff,	\
	    ((a) >> 24) & 0xff, (b) & 0xff, ((b) >> 8) & 0xff,	\
	    (c) & 0xff, ((c) >> 8) & 0xff,				\
	    (d0), (d1), (d2), (d3), (d4), (d5), (d6), (d7) } }

ENL_ASSERT_SIZE(struct enl_guid, 16);

#endif /* _ENLIGHTEN_TYPES_H */
