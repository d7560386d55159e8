/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host KVP exchange service. The protocol allows one request in flight, so
 * requests wait in a bounded queue. Answers (validated: the guest is
 * untrusted) update a mirror of each pool as the host last saw it, as
 * Hyper-V keeps GuestExchangeItems / GuestIntrinsicExchangeItems, and reach
 * an optional callback. On open and every interval the guest (1) and auto
 * (2) pools are enumerated.
 */
#ifndef ENL_HOST_IC_KVP_H
#define ENL_HOST_IC_KVP_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <enlighten/ic_kvp.h>

#include "ic_host.h"

#define ENL_KVP_HOST_QUEUE_MAX	256
/*
 * Default caps on one pool's mirror (the guest decides how much it sends):
 * as many pairs as a guest pool may hold (ENL_KVP_POOL_MAX_LIMIT), and the
 * UTF-8 bytes of keys and values together.
 */
#define ENL_KVP_HOST_PAIRS_MAX	65536
#define ENL_KVP_HOST_BYTES_MAX	(64u << 20)
/* A request in flight when the channel closes is sent again this often. */
#define ENL_KVP_HOST_RESEND_MAX	3

/* One answer, as handed to the callback; strings are UTF-8. */
struct enl_kvp_host_result {
	uint8_t op, pool;
	uint32_t status;		/* the guest's HRESULT */
	bool malformed;			/* answer failed validation */
	uint32_t index;			/* ENUMERATE */
	const char *key, *value;	/* GET (value), ENUMERATE (both) */
	/* GET_IP_INFO: the guest's answer, decoded */
	const char *ip_addr, *sub_net, *gate_way, *dns_addr;
	uint8_t addr_family, dhcp_enabled;
};

struct enl_kvp_items;

struct enl_kvp_host_pair {
	char *key, *value;
};

/*
 * One pool as the host saw it: pairs in the guest's order (what hosts
 * list) and a hash of the same pairs by key, so a walk of n keys costs
 * O(n), not O(n^2); bytes counts the UTF-8 of keys and values.
 */
struct enl_kvp_mirror {
	GPtrArray *pairs;	/* struct enl_kvp_host_pair *, owned */
	GHashTable *index;	/* key -> pair */
	size_t bytes;
	bool truncated;		/* a cap or the time bound cut the walk */
};

/* An enumeration under way: its own mirror, bounded in pairs and time. */
struct enl_kvp_walk {
	struct enl_kvp_mirror m;
	gint64 started;		/* monotonic us */
};

struct enl_kvp_host {
	struct enl_ic_host ic;
	GQueue queue;			/* of struct kvp_req * */
	void *inflight;
	gint64 sent_at;			/* monotonic us */
	struct enl_kvp_mirror mirror[ENL_KVP_POOL_COUNT];
	struct enl_kvp_walk *walk[ENL_KVP_POOL_COUNT];	/* NULL: none */
	gint64 mirror_at[ENL_KVP_POOL_COUNT];	/* wall clock us, 0: never */
	/*
	 * The last GET_IP_INFO answer as the guest sent it (addresses,
	 * subnets, gateways, dns; ';'-separated): guest text, escape it.
	 */
	char *ip_info[4];
	bool ip_dhcp;
	uint32_t ip_status;
	void (*done)(void *ctx, const struct enl_kvp_host_result *r);
	void *done_ctx;
	unsigned long answers, failures, bad_answers, dropped;
	/*
	 * resent: in flight when the channel closed, sent again on reopen;
	 * lost: given up after ENL_KVP_HOST_RESEND_MAX closes (logged);
	 * full: the guest answered "pool full" (ERROR_DISK_FULL);
	 * walks_*: enumerations cut at a cap or the time bound (truncated)
	 * or thrown away because the guest repeated a key (bad);
	 * held: sends the channel could not take then, kept and retried.
	 */
	unsigned long resent, lost, full, walks_truncated, walks_bad, held;
	unsigned long replayed;		/* host items sent again to this offer */
	/* The VM's host-set items (kvp_items.h), shared by every offer. */
	struct enl_kvp_items *items;
	/* What went wrong last, for ctl (host text; keys in it: escape). */
	char *last_failure;
	size_t max_pairs, max_bytes;	/* per pool mirror */
	unsigned int walk_timeout_ms;
	unsigned int interval_ms;
	GSource *timer;		/* on the thread-default context */
};

void enl_kvp_host_init(struct enl_kvp_host *kh);
void enl_kvp_host_free(struct enl_kvp_host *kh);
/* Enumerate pools 1 and 2 every ms (0 stops). */
void enl_kvp_host_set_interval(struct enl_kvp_host *kh, unsigned int ms);

/*
 * Queue a request (sent now if the channel is idle): 0, -EINVAL (pool,
 * invalid UTF-8, or longer than the wire allows), -ENOSPC (queue full).
 */
int enl_kvp_host_set(struct enl_kvp_host *kh, uint8_t pool, const char *key,
		     const char *value);
/*
 * The same SET past the queue's cap, for the host's own items
 * (kvp_items.h) replayed to a new offer: they are bounded there.
 */
int enl_kvp_host_replay_set(struct enl_kvp_host *kh, uint8_t pool,
			    const char *key, const char *value);
/* value_type ENL_KVP_REG_U32 or ENL_KVP_REG_U64. */
int enl_kvp_host_set_number(struct enl_kvp_host *kh, uint8_t pool,
			    const char *key, uint32_t value_type, uint64_t v);
int enl_kvp_host_get(struct enl_kvp_host *kh, uint8_t pool, const char *key);
int enl_kvp_host_delete(struct enl_kvp_host *kh, uint8_t pool,
			const char *key);
/* Walk indexes 0, 1, ... until the guest says no more; refreshes mirror. */
int enl_kvp_host_enumerate(struct enl_kvp_host *kh, uint8_t pool);
/* Ask for one index only (no walk). */
int enl_kvp_host_enumerate_one(struct enl_kvp_host *kh, uint8_t pool,
			       uint32_t index);
/* adapter_id: MAC or VMBus instance GUID text. */
int enl_kvp_host_get_ip(struct enl_kvp_host *kh, const char *adapter_id,
			uint8_t addr_family);
/* Lists are ';'-separated, as on the wire; NULL means empty. */
int enl_kvp_host_set_ip(struct enl_kvp_host *kh, const char *adapter_id,
			bool dhcp, const char *ip_addr, const char *sub_net,
			const char *gate_way, const char *dns_addr);
/* Caps on each pool's mirror (0: keep the current one). */
void enl_kvp_host_set_limits(struct enl_kvp_host *kh, size_t pairs,
			     size_t bytes);
/* The mirrored value of key in pool, or NULL. */
const char *enl_kvp_host_mirror_get(const struct enl_kvp_host *kh,
				    uint8_t pool, const char *key);

#endif /* ENL_HOST_IC_KVP_H */
