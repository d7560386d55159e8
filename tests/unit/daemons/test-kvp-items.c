// SPDX-License-Identifier: GPL-2.0-only
/*
 * The host's KVP items (host/vsp/ic/kvp_items.c): what the host set, kept
 * across offers and replayed into a new offer's queue; bounded, with a
 * clear refusal past the caps.
 */
#include <errno.h>
#include <string.h>

#include "kvp_host.h"
#include "kvp_items.h"
#include "tap.h"

static void test_set_delete(void)
{
	struct enl_kvp_items *it = enl_kvp_items_new();

	tap_ok(enl_kvp_items_set(it, 0, "a", "1") == 0 &&
	       enl_kvp_items_set(it, 0, "a", "2") == 0 &&
	       enl_kvp_items_set(it, 1, "a", "3") == 0 &&
	       enl_kvp_items_count(it) == 2,
	       "a key set twice in a pool is one item; pools apart");
	tap_ok(enl_kvp_items_set(it, ENL_KVP_POOL_COUNT, "a", "1") == -EINVAL,
	       "a pool out of range refused");
	enl_kvp_items_delete(it, 0, "a");
	enl_kvp_items_delete(it, 0, "never-set");
	tap_ok(enl_kvp_items_count(it) == 1, "delete forgets the item");
	enl_kvp_items_free(it);
}

static void test_caps(void)
{
	struct enl_kvp_items *it = enl_kvp_items_new();
	char key[32];
	int i, ret = 0;

	for (i = 0; i < ENL_KVP_ITEMS_MAX && !ret; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		ret = enl_kvp_items_set(it, 0, key, "v");
	}
	tap_ok(!ret && enl_kvp_items_count(it) == ENL_KVP_ITEMS_MAX,
	       "%d items kept", ENL_KVP_ITEMS_MAX);
	tap_ok(enl_kvp_items_set(it, 0, "one-more", "v") == -ENOSPC &&
	       enl_kvp_items_count(it) == ENL_KVP_ITEMS_MAX,
	       "one more refused (-ENOSPC), none lost");
	tap_ok(enl_kvp_items_set(it, 0, "k7", "new") == 0,
	       "an existing key may still change at the cap");
	enl_kvp_items_free(it);
}

static void test_replay(void)
{
	struct enl_kvp_items *it = enl_kvp_items_new();
	struct enl_kvp_host kh;
	char key[32];
	unsigned int n;
	int i;

	/* More than one offer's queue holds: a replay is not capped by it. */
	for (i = 0; i < ENL_KVP_HOST_QUEUE_MAX + 10; i++) {
		snprintf(key, sizeof(key), "Key%d", i);
		enl_kvp_items_set(it, 0, key, "value");
	}
	enl_kvp_items_set(it, 2, "Auto", "x");
	enl_kvp_host_init(&kh);
	kh.items = it;
	n = enl_kvp_items_replay(it, &kh);
	tap_ok(n == ENL_KVP_HOST_QUEUE_MAX + 11 &&
	       g_queue_get_length(&kh.queue) == n && kh.replayed == n,
	       "a new offer gets every item queued (%u), past the queue cap", n);
	tap_ok(enl_kvp_host_set(&kh, 0, "user", "v") == -ENOSPC,
	       "an operator's request still meets the cap");
	enl_kvp_host_free(&kh);
	enl_kvp_items_free(it);
}

int main(void)
{
	test_set_delete();
	test_caps();
	test_replay();
	return tap_done();
}
