/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The on-disk form of one pool, and the reader of Debian hyperv-daemons'
 * pool files for the one-time import.
 *
 * Enlighten's format (all integers little-endian):
 *	"ENLKVP01"			magic and format version
 *	u32 count
 *	count x { u16 key_len, u16 value_len, key, value }   UTF-8, no NULs
 *	u32 crc32 (IEEE) of every byte before it
 * The file is only ever replaced whole (store.c), so the checksum is not
 * what makes it crash-safe; it catches a file damaged some other way
 * (disk, an editor) so that it is refused instead of half believed.
 */
#ifndef ENL_KVP_POOLFILE_H
#define ENL_KVP_POOLFILE_H

#include <stddef.h>
#include <glib.h>

#include "pool.h"

/* hyperv-daemons' record: key[512] + value[2048], NUL-padded UTF-8. */
#define ENL_KVP_LEGACY_RECORD	(ENL_KVP_MAX_KEY_SIZE + ENL_KVP_MAX_VALUE_SIZE)

GByteArray *enl_kvp_poolfile_encode(const struct enl_kvp_table *p);

/*
 * Parse a whole file into p (emptied first; p->max applies). 0, or
 * -EBADMSG with *why; p is left empty on error.
 */
int enl_kvp_poolfile_parse(const void *buf, size_t len, struct enl_kvp_table *p,
			   const char **why);

/*
 * Add the records of a hyperv-daemons pool file to p. Records that are not
 * valid UTF-8 or exceed the wire limits are skipped and counted in
 * *skipped; a trailing partial record is ignored. Returns records added.
 */
size_t enl_kvp_poolfile_parse_legacy(const void *buf, size_t len,
				     struct enl_kvp_table *p, size_t *skipped);

#endif /* ENL_KVP_POOLFILE_H */
