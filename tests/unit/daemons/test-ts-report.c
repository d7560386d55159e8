// SPDX-License-Identifier: GPL-2.0-only
/*
 * The guest's time sync report: the value's strict parse (the host reads
 * guest text), the host's view of it, and enl-timesyncd writing it into a
 * real KVP pool store.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <enlighten/ic_kvp.h>
#include <enlighten/ic_timesync.h>

#include "kvpreport.h"
#include "log.h"
#include "store.h"
#include "tap.h"
#include "ts_report.h"
#include "ts_view.h"

static void test_parse(void)
{
	struct enl_ts_report r = { -1234567, 30000, 1500000000,
				   1764620000123456789LL }, back;
	static const char *const bad[] = {
		"",
		"offset_ns=1 err_ns=0 delay_ns=0",
		"offset_ns=1 err_ns=0 delay_ns=0 at_ns=5 ",
		"offset_ns=1 err_ns=0 delay_ns=0 at_ns=5 x=1",
		"offset_ns=+1 err_ns=0 delay_ns=0 at_ns=5",
		"offset_ns= 1 err_ns=0 delay_ns=0 at_ns=5",
		"offset_ns=1  err_ns=0 delay_ns=0 at_ns=5",
		"offset_ns=1 err_ns=-1 delay_ns=0 at_ns=5",
		"offset_ns=1 err_ns=0 delay_ns=0 at_ns=-5",
		"offset_ns=1 err_ns=0 delay_ns=99999999999999999 at_ns=5",
		"offset_ns=99999999999999999999 err_ns=0 delay_ns=0 at_ns=5",
		"offset_ns=4000000000000000000 err_ns=0 delay_ns=0 at_ns=5",
		"err_ns=0 offset_ns=1 delay_ns=0 at_ns=5",
		"offset_ns=1 err_ns=0 delay_ns=0 at_ns=5\n",
		"offset_ns=0x10 err_ns=0 delay_ns=0 at_ns=5",
	};
	char buf[160];
	int n, refused = 0;

	n = enl_ts_report_format(&r, buf, sizeof(buf));
	tap_ok(n > 0 && enl_ts_report_parse(buf, &back) &&
	       !memcmp(&r, &back, sizeof(r)), "report round trip: %s", buf);
	tap_ok(enl_ts_report_format(&r, buf, 20) == -1,
	       "a buffer too small is refused");
	for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
		refused += !enl_ts_report_parse(bad[i], &back);
	tap_ok(refused == (int)G_N_ELEMENTS(bad),
	       "%d of %zu malformed or out-of-range reports refused", refused,
	       G_N_ELEMENTS(bad));
	tap_ok(!enl_ts_report_parse(NULL, &back), "NULL refused");
}

/* The host's side: good reports kept, bad ones counted, never kept. */
static void test_view(void)
{
	static struct enl_ts_view v;
	struct enl_ts_view got;

	enl_ts_view_put(&v, "offset_ns=-5 err_ns=1 delay_ns=2 at_ns=3");
	enl_ts_view_put(&v, "offset_ns=-5 err_ns=1 delay_ns=2 at_ns=3\x1b[2J");
	enl_ts_view_put(&v, NULL);
	enl_ts_view_get(&v, &got);
	tap_ok(got.have && got.r.offset_ns == -5 && got.updates == 1 &&
	       got.bad == 2 && got.seen_at > 0,
	       "host view: the good report kept, 2 bad ones counted");
}

/* The store's directory holds plain files only. */
static void rm_dir(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d && (name = g_dir_read_name(d))) {
		char *f = g_build_filename(dir, name, NULL);

		g_remove(f);
		g_free(f);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(dir);
}

static void test_kvpreport(void)
{
	char dir[] = "/tmp/enl-tsreport-XXXXXX";
	struct enl_ts_report r = { 42, 1, 2, 3 }, back;
	struct enl_ts_kvpreport k = { .max_records = 16,
				      .interval_ns = 10000000000LL };
	struct enl_kvp_store st;
	const struct enl_kvp_table *p;
	const char *v = NULL;
	char *gone;
	int ret;

	if (!g_mkdtemp(dir)) {
		tap_ok(0, "mkdtemp");
		return;
	}
	/* enl-kvpd has not made its directory: nothing is created. */
	gone = g_build_filename(dir, "absent", NULL);
	k.pool_dir = gone;
	ret = enl_ts_kvpreport_put(&k, 0, &r);
	tap_ok(ret == -ENOENT && k.failed == 1 &&
	       !g_file_test(gone, G_FILE_TEST_EXISTS),
	       "no pool directory: failed (%d), counted, not created", ret);
	k.pool_dir = dir;
	k.failed = 0;
	ret = enl_ts_kvpreport_put(&k, 1, &r);
	tap_ok(ret == 1 && k.written == 1, "report written to the guest pool");
	r.offset_ns = 43;
	tap_ok(enl_ts_kvpreport_put(&k, 5000000000LL, &r) == 0 &&
	       k.written == 1, "not again within the interval");
	tap_ok(enl_ts_kvpreport_put(&k, 10000000001LL, &r) == 1 &&
	       k.written == 2, "again once the interval passed");
	ret = enl_kvp_store_open(&st, dir, 16, false);
	p = ret ? NULL : enl_kvp_store_pool(&st, ENL_KVP_POOL_GUEST);
	for (size_t i = 0; p && i < p->n; i++)
		if (!strcmp(p->rec[i].key, ENL_TS_REPORT_KEY))
			v = p->rec[i].value;
	tap_ok(v && enl_ts_report_parse(v, &back) && back.offset_ns == 43 &&
	       back.at_ns == 3, "enl-kvpd's store holds the last report: %s",
	       v ? v : "(none)");
	enl_kvp_store_close(&st);
	/* A full pool (another key took the one record) is an error. */
	ret = enl_kvp_store_open(&st, dir, 16, false);
	if (!ret)
		ret = enl_kvp_store_delete(&st, ENL_KVP_POOL_GUEST,
					   ENL_TS_REPORT_KEY);
	if (!ret)
		ret = enl_kvp_store_set(&st, ENL_KVP_POOL_GUEST, "Other", "x");
	enl_kvp_store_close(&st);
	k.max_records = 1;
	ret = enl_ts_kvpreport_put(&k, 30000000000LL, &r);
	tap_ok(ret == -ENOSPC && k.failed == 1,
	       "a full guest pool: -ENOSPC, counted (%d)", ret);
	g_free(gone);
	rm_dir(dir);
}

int main(void)
{
	enl_log_init("test-ts-report", true);
	test_parse();
	test_view();
	test_kvpreport();
	return tap_done();
}
