// SPDX-License-Identifier: GPL-2.0-only
/* The guest's time sync report: format and strict parse (ts_report.h). */
#include "ts_report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <enlighten/ic_timesync.h>

int enl_ts_report_format(const struct enl_ts_report *r, char *buf,
			 size_t size)
{
	int n = snprintf(buf, size, ENL_TS_REPORT_FMT,
			 (long long)r->offset_ns, (long long)r->err_ns,
			 (long long)r->delay_ns, (long long)r->at_ns);

	return n < 0 || (size_t)n >= size ? -1 : n;
}

/* "name=" then a decimal integer in [min, max], then sep. */
static bool field(const char **p, const char *name, long long min,
		  long long max, char sep, int64_t *out)
{
	size_t len = strlen(name);
	long long v;
	char *end;

	if (strncmp(*p, name, len) || (*p)[len] != '=')
		return false;
	*p += len + 1;
	/* strtoll takes spaces and a '+': the format has neither. */
	if (**p != '-' && (**p < '0' || **p > '9'))
		return false;
	errno = 0;
	v = strtoll(*p, &end, 10);
	if (errno || end == *p || *end != sep || v < min || v > max)
		return false;
	*p = sep ? end + 1 : end;
	*out = v;
	return true;
}

bool enl_ts_report_parse(const char *text, struct enl_ts_report *r)
{
	struct enl_ts_report t;
	const char *p = text;

	if (!text)
		return false;
	if (!field(&p, "offset_ns", -ENL_TS_REPORT_MAX_OFFSET_NS,
		   ENL_TS_REPORT_MAX_OFFSET_NS, ' ', &t.offset_ns) ||
	    !field(&p, "err_ns", 0, ENL_TS_REPORT_MAX_ERR_NS, ' ',
		   &t.err_ns) ||
	    !field(&p, "delay_ns", 0, ENL_TS_REPORT_MAX_DELAY_NS, ' ',
		   &t.delay_ns) ||
	    !field(&p, "at_ns", 0, INT64_MAX, '\0', &t.at_ns))
		return false;
	*r = t;
	return true;
}
