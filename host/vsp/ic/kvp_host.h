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

struct enl_kvp_host_pair {
	char *key, *value;
};

struct enl_kvp_host {
	struct enl_ic_host ic;
	GQueue queue;			/* of struct kvp_req * */
	void *inflight;
	gint64 sent_at;			/* monotonic us */
	GPtrArray *mirror[ENL_KVP_POOL_COUNT];	/* enl_kvp_host_pair */
	GPtrArray *walk[ENL_KVP_POOL_COUNT];	/* enumeration under way */
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
/* The mirrored value of key in pool, or NULL. */
const char *enl_kvp_host_mirror_get(const struct enl_kvp_host *kh,
				    uint8_t pool, const char *key);

#endif /* ENL_HOST_IC_KVP_H */
