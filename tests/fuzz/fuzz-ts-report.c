// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target over the guest's time sync report (common/proto/
 * ts_report.c): the strict parse enl-host runs on the guest's KVP value,
 * through the host's view of it (host/vsp/ic/ts_view.c), and the guest's
 * formatting of a report.
 *
 * Input: records (fuzz.h):
 *	op & 1 == 0	the bytes, up to a NUL, as the guest's value text
 *	op & 1 == 1	a report of four int64 from the bytes (zero padded),
 *			formatted into a buffer of off % 160 bytes; the text,
 *			if it fits, goes to the view like a value from the guest
 *
 * Invariants: a text that parses is a report in the bounds, and nothing
 * but the format's text (numbers may carry leading zeros or "-0": the
 * same text once those are dropped); each value moves exactly one of the
 * view's counters and a bad one leaves the kept report as it was;
 * formatting never overruns, fails only for a buffer too small, and a
 * formatted report parses back to itself exactly when it is in the bounds.
 */
#include <inttypes.h>

#include "fuzz.h"
#include "ts_report.h"
#include "ts_view.h"

/* Room for the longest report: four 20-char numbers and the names. */
#define TEXT_MAX	160

static struct enl_ts_view view;

static bool in_bounds(const struct enl_ts_report *r)
{
	return r->offset_ns >= -ENL_TS_REPORT_MAX_OFFSET_NS &&
	       r->offset_ns <= ENL_TS_REPORT_MAX_OFFSET_NS &&
	       r->err_ns >= 0 && r->err_ns <= ENL_TS_REPORT_MAX_ERR_NS &&
	       r->delay_ns >= 0 && r->delay_ns <= ENL_TS_REPORT_MAX_DELAY_NS &&
	       r->at_ns >= 0;
}

/*
 * text with each number's leading zeros dropped and "-0" made "0": what
 * the format writes for the same values. NULL if it is longer than that.
 */
static char *canonical(const char *text)
{
	char *out = g_malloc(strlen(text) + 1), *o = out;
	const char *p = text;

	while (*p) {
		bool neg = false;
		const char *d;

		*o++ = *p;
		if (*p++ != '=')
			continue;
		if (*p == '-') {
			neg = true;
			p++;
		}
		for (d = p; *d >= '0' && *d <= '9'; d++)
			;
		while (d - p > 1 && *p == '0')
			p++;
		if (neg && !(d - p == 1 && *p == '0'))
			*o++ = '-';
		memcpy(o, p, (size_t)(d - p));
		o += d - p;
		p = d;
	}
	*o = '\0';
	return out;
}

/* A value from the guest: parsed as enl-host does, kept or counted. */
static void put(const char *text)
{
	struct enl_ts_view before, after;
	struct enl_ts_report r;
	bool ok = enl_ts_report_parse(text, &r);

	enl_ts_view_get(&view, &before);
	enl_ts_view_put(&view, text);
	enl_ts_view_get(&view, &after);
	if (ok) {
		char buf[TEXT_MAX], *c = canonical(text);

		FUZZ_ASSERT(in_bounds(&r));
		FUZZ_ASSERT(enl_ts_report_format(&r, buf, sizeof(buf)) > 0);
		FUZZ_ASSERT(!strcmp(buf, c));
		g_free(c);
		FUZZ_ASSERT(after.have && !memcmp(&after.r, &r, sizeof(r)));
		FUZZ_ASSERT(after.updates == before.updates + 1 &&
			    after.bad == before.bad);
	} else {
		FUZZ_ASSERT(after.bad == before.bad + 1 &&
			    after.updates == before.updates);
		FUZZ_ASSERT(after.have == before.have &&
			    !memcmp(&after.r, &before.r, sizeof(r)));
	}
}

static void format(const struct rec *r)
{
	struct enl_ts_report rep = { 0 }, back;
	uint8_t raw[sizeof(rep)] = { 0 };
	char buf[TEXT_MAX + 1];
	size_t size = r->off % TEXT_MAX;
	int n;

	memcpy(raw, r->p, MIN(r->len, sizeof(raw)));
	memcpy(&rep, raw, sizeof(rep));
	memset(buf, 0x5a, sizeof(buf));
	n = enl_ts_report_format(&rep, buf, size);
	/* Nothing written past size. */
	for (size_t i = size; i < sizeof(buf); i++)
		FUZZ_ASSERT(buf[i] == 0x5a);
	if (n < 0) {
		FUZZ_ASSERT(n == -1);
		FUZZ_ASSERT(enl_ts_report_format(&rep, buf, TEXT_MAX) >=
			    (int)size);
		return;
	}
	FUZZ_ASSERT((size_t)n < size && strlen(buf) == (size_t)n);
	FUZZ_ASSERT(enl_ts_report_parse(buf, &back) == in_bounds(&rep));
	FUZZ_ASSERT(!in_bounds(&rep) || !memcmp(&back, &rep, sizeof(rep)));
	put(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rec r;

	fuzz_quiet_glib();
	memset(&view, 0, sizeof(view));
	while (rec_next(&data, &size, &r)) {
		if (r.op & 1) {
			format(&r);
		} else {
			char *text = g_strndup((const char *)r.p, r.len);

			put(text);
			g_free(text);
		}
	}
	return 0;
}

static void seeds(const char *dir, GByteArray *s)
{
	static const char good[] =
		"offset_ns=-1234567 err_ns=30000 delay_ns=1500000000 "
		"at_ns=1764620000123456789";
	static const char edge[] =
		"offset_ns=-0 err_ns=000 delay_ns=3600000000000 "
		"at_ns=9223372036854775807";
	static const char trailing[] =
		"offset_ns=1 err_ns=0 delay_ns=0 at_ns=5 ";
	static const char plus[] = "offset_ns=+1 err_ns=0 delay_ns=0 at_ns=5";
	struct enl_ts_report r = { 42, 1, 2, 3 };

	seed_rec(s, 0, 0, 0, good, strlen(good));
	seed_rec(s, 0, 0, 0, trailing, strlen(trailing));
	seed_rec(s, 0, 0, 0, edge, strlen(edge));
	seed_write(dir, "values", s);
	seed_rec(s, 1, 0, TEXT_MAX - 1, &r, sizeof(r));
	seed_rec(s, 1, 0, 20, &r, sizeof(r));
	seed_rec(s, 0, 0, 0, plus, strlen(plus));
	seed_write(dir, "formatted", s);
}

FUZZ_INITIALIZE_WITH_SEEDS(seeds)
