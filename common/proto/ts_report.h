/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's time sync report (ENL_TS_REPORT_KEY in enlighten/
 * ic_timesync.h): written by enl-timesyncd, read by enl-host from its KVP
 * mirror. The host's side is guest text: parsed strictly, every field in
 * range, anything else refused.
 */
#ifndef ENL_TS_REPORT_H
#define ENL_TS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct enl_ts_report {
	int64_t offset_ns, err_ns, delay_ns, at_ns;
};

/* Bounds a parsed report must be within (the same the guest can measure). */
#define ENL_TS_REPORT_MAX_OFFSET_NS	(100LL * 366 * 24 * 3600 * 1000000000)
#define ENL_TS_REPORT_MAX_ERR_NS	(3600LL * 1000000000)
#define ENL_TS_REPORT_MAX_DELAY_NS	(3600LL * 1000000000)

/* The value text into buf: its length, or -1 if it does not fit. */
int enl_ts_report_format(const struct enl_ts_report *r, char *buf,
			 size_t size);
/* true and *r filled when text is exactly a report within the bounds. */
bool enl_ts_report_parse(const char *text, struct enl_ts_report *r);

#endif /* ENL_TS_REPORT_H */
