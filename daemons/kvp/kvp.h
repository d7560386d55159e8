/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The guest's KVP exchange service: host GET, SET, DELETE and ENUMERATE on
 * the five pools (persistent ones through store.c, the auto pool from
 * facts.c) and GET_IP_INFO / SET_IP_INFO (ipinfo.c, ipapply.c). Every
 * length, size field, pool, operation and string of a request is checked
 * before use; a bad request is answered with a failure status and counted.
 *
 * Statuses: S_OK; S_CONT (ERROR_NO_MORE_ITEMS) for a key that is not there
 * and for enumeration past the end, as hosts expect; ERROR_DISK_FULL when a
 * pool is at max-records; ERROR_NOT_SUPPORTED for writes to the auto pool
 * and for SET_IP_INFO without a backend; E_FAIL for malformed requests and
 * storage errors; SET_IP_INFO: GUID_NOTFOUND / INVALIDARG as ipinfo.h.
 */
#ifndef ENL_KVP_H
#define ENL_KVP_H

#include <stdint.h>

#include "facts.h"
#include "icservice.h"
#include "ipapply.h"
#include "store.h"

struct enl_kvp_stats {
	unsigned long ops[ENL_KVP_OP_COUNT];
	unsigned long malformed;	/* truncated, bad sizes, op, pool */
	unsigned long bad_text;		/* invalid UTF-16, empty key */
	unsigned long not_found, full, io_errors, ip_refused;
};

struct enl_kvp_guest {
	struct enl_kvp_store *store;
	struct enl_kvp_facts_src facts;
	struct enl_kvp_table auto_pool;
	struct enl_kvp_net_ops net;	/* GET/SET_IP_INFO snapshot */
	struct enl_kvp_ipapply ip;
	struct enl_kvp_stats stats;
};

/* store: opened by the caller; facts/net/ip then set by the caller. */
void enl_kvp_guest_init(struct enl_kvp_guest *g, struct enl_kvp_store *store);
void enl_kvp_guest_free(struct enl_kvp_guest *g);

extern const struct enl_ic_service_ops enl_kvp_guest_ops;

#endif /* ENL_KVP_H */
