/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host's KVP items: what the host has set in the guest's pools (the
 * external pool 0 above all), kept as the VM's state rather than a channel's,
 * as Hyper-V keeps a VM's host data items. A KVP offer that comes after a
 * rescind starts empty; replaying the items into it loses no pair a host
 * request was answered "queued" for. Shared by every offer and by the ctl
 * verbs, which run on different threads: locked.
 */
#ifndef ENL_HOST_IC_KVP_ITEMS_H
#define ENL_HOST_IC_KVP_ITEMS_H

#include <stddef.h>
#include <stdint.h>

struct enl_kvp_host;
struct enl_kvp_items;

/*
 * Caps: pairs over all pools (a guest pool's default max-records), and
 * UTF-8 bytes of keys and values.
 */
#define ENL_KVP_ITEMS_MAX	16384
#define ENL_KVP_ITEMS_BYTES_MAX	(32u << 20)

struct enl_kvp_items *enl_kvp_items_new(void);
void enl_kvp_items_free(struct enl_kvp_items *it);
/* 0, -EINVAL (pool), -ENOSPC (a cap: the pair is not kept). */
int enl_kvp_items_set(struct enl_kvp_items *it, uint8_t pool, const char *key,
		      const char *value);
void enl_kvp_items_delete(struct enl_kvp_items *it, uint8_t pool,
			  const char *key);
size_t enl_kvp_items_count(struct enl_kvp_items *it);
/* Queue a SET of every item on kh (a new offer's service): how many. */
unsigned int enl_kvp_items_replay(struct enl_kvp_items *it,
				  struct enl_kvp_host *kh);

#endif /* ENL_HOST_IC_KVP_ITEMS_H */
