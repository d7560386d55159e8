/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's offset for the host: a pair in the KVP guest pool
 * (ENL_TS_REPORT_KEY), written through enl-kvpd's store (daemons/kvp/
 * store.h) like enl-kvp does, so enl-kvpd hands it to the host at its next
 * enumeration. docs/timesync.md says why KVP.
 */
#ifndef ENL_TS_KVPREPORT_H
#define ENL_TS_KVPREPORT_H

#include <stdint.h>

#include "ts_report.h"

struct enl_ts_kvpreport {
	const char *pool_dir;
	unsigned int max_records;
	int64_t interval_ns;		/* at most one write per interval */
	int64_t last_ns;		/* monotonic, of the last write */
	unsigned long written, failed;
};

/*
 * Write r unless the last write is younger than the interval (mono_ns: a
 * monotonic clock): 1 written, 0 not due, -errno (logged, rate-limited).
 */
int enl_ts_kvpreport_put(struct enl_ts_kvpreport *k, int64_t mono_ns,
			 const struct enl_ts_report *r);

#endif /* ENL_TS_KVPREPORT_H */
