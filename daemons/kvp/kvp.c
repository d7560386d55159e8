// SPDX-License-Identifier: GPL-2.0-only
/* Guest KVP exchange service: request checking and dispatch (kvp.h). */
#include "kvp.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>

#include "log.h"
#include "utf16.h"

static const uint32_t kvp_versions[] = {
	ENL_IC_KVP_VERSION_4_0, ENL_IC_KVP_VERSION_3_0, ENL_IC_KVP_VERSION_1_0,
};

/* Bytes of body each operation needs, header included. */
static const size_t op_len[ENL_KVP_OP_COUNT] = {
	[ENL_KVP_OP_GET] = offsetof(struct enl_kvp_msg, body) +
			   sizeof(struct enl_kvp_msg_get),
	[ENL_KVP_OP_SET] = offsetof(struct enl_kvp_msg, body) +
			   sizeof(struct enl_kvp_msg_set),
	[ENL_KVP_OP_DELETE] = offsetof(struct enl_kvp_msg, body) +
			      sizeof(struct enl_kvp_msg_delete),
	[ENL_KVP_OP_ENUMERATE] = sizeof(struct enl_kvp_msg),
	[ENL_KVP_OP_GET_IP_INFO] = sizeof(struct enl_kvp_ip_msg),
	[ENL_KVP_OP_SET_IP_INFO] = sizeof(struct enl_kvp_ip_msg),
};

static const char *const op_names[ENL_KVP_OP_COUNT] = {
	"GET", "SET", "DELETE", "ENUMERATE", "GET_IP_INFO", "SET_IP_INFO",
};

void enl_kvp_guest_init(struct enl_kvp_guest *g, struct enl_kvp_store *store)
{
	memset(g, 0, sizeof(*g));
	g->store = store;
	enl_kvp_pool_init(&g->auto_pool, 32);
	enl_kvp_ipapply_defaults(&g->ip);
	g->ip.backend = ENL_KVP_IP_OFF;
}

void enl_kvp_guest_free(struct enl_kvp_guest *g)
{
	enl_kvp_pool_clear(&g->auto_pool);
}

static uint32_t malformed(struct enl_kvp_guest *g, const char *why)
{
	g->stats.malformed++;
	enl_log_rl(LOG_WARNING, "kvp: malformed request: %s", why);
	return ENL_HV_E_FAIL;
}

/*
 * A key or string value from the wire: size in bytes with the NUL, even,
 * within limit; valid UTF-16 that decodes to a non-empty string.
 */
static uint32_t wire_text(struct enl_kvp_guest *g, const uint8_t *field,
			  uint32_t size, uint32_t limit, char *out,
			  size_t out_size, bool allow_empty)
{
	ssize_t n;

	if (size > limit || size % 2)
		return malformed(g, "string size odd or over the limit");
	n = enl_utf16le_to_utf8(field, size, out, out_size);
	if (n < 0 || (n == 0 && !allow_empty)) {
		g->stats.bad_text++;
		enl_log_rl(LOG_WARNING, "kvp: %s from host", n == 0 ?
			   "empty key" : "string that is not valid UTF-16");
		return ENL_HV_E_FAIL;
	}
	return ENL_HV_S_OK;
}

/* Put key (may be NULL) and value into an answer's data. */
static uint32_t answer(struct enl_kvp_exchg_msg_value *d, const char *key,
		       const char *value)
{
	ssize_t k = 0, v;

	/* Clear all of it: what the host sent must not echo back as data. */
	if (key) {
		memset(d->key, 0, sizeof(d->key));
		k = enl_utf8_to_utf16le(key, d->key, sizeof(d->key));
	}
	memset(d->value, 0, sizeof(d->value));
	v = enl_utf8_to_utf16le(value, d->value, sizeof(d->value));
	if (k < 0 || v < 0)
		return ENL_HV_E_FAIL;	/* pool.c keeps this from happening */
	if (key)
		d->key_size = (uint32_t)k;
	d->value_size = (uint32_t)v;
	d->value_type = ENL_KVP_REG_SZ;
	return ENL_HV_S_OK;
}

static int refresh_auto(struct enl_kvp_guest *g)
{
	int ret = enl_kvp_facts_collect(&g->facts, &g->auto_pool);

	if (ret < 0)
		enl_log_rl(LOG_ERR, "kvp: collecting guest facts: %s",
			   strerror(-ret));
	return ret;
}

static const struct enl_kvp_table *pool_of(struct enl_kvp_guest *g,
					  unsigned int pool, bool regenerate)
{
	if (pool != ENL_KVP_POOL_AUTO)
		return enl_kvp_store_pool(g->store, pool);
	if (regenerate || !g->auto_pool.n)
		refresh_auto(g);
	return &g->auto_pool;
}

static uint32_t store_status(struct enl_kvp_guest *g, int ret)
{
	switch (ret) {
	case 0:
		return ENL_HV_S_OK;
	case -ENOENT:
		g->stats.not_found++;
		return ENL_HV_S_CONT;
	case -ENOSPC:
		g->stats.full++;
		return ENL_HV_ERROR_DISK_FULL;
	case -EPERM:
		return ENL_HV_ERROR_NOT_SUPPORTED;
	case -E2BIG:
	case -EILSEQ:
	case -EINVAL:
		g->stats.bad_text++;
		return ENL_HV_E_FAIL;
	}
	g->stats.io_errors++;
	enl_log_rl(LOG_ERR, "kvp: pool storage: %s", strerror(-ret));
	return ENL_HV_E_FAIL;
}

static uint32_t do_get(struct enl_kvp_guest *g, struct enl_kvp_msg *msg)
{
	struct enl_kvp_exchg_msg_value *d = &msg->body.kvp_get.data;
	char key[ENL_KVP_KEY_UTF8_MAX];
	const struct enl_kvp_table *p;
	const char *value;
	uint32_t st;

	st = wire_text(g, d->key, d->key_size, ENL_KVP_MAX_KEY_SIZE, key,
		       sizeof(key), false);
	if (st)
		return st;
	p = pool_of(g, msg->kvp_hdr.pool, false);
	if (!p)
		return store_status(g, -EIO);
	value = enl_kvp_pool_get(p, key);
	if (!value)
		return store_status(g, -ENOENT);
	return answer(d, NULL, value);
}

static uint32_t do_set(struct enl_kvp_guest *g, struct enl_kvp_msg *msg)
{
	struct enl_kvp_exchg_msg_value *d = &msg->body.kvp_set.data;
	char key[ENL_KVP_KEY_UTF8_MAX], value[ENL_KVP_VALUE_UTF8_MAX];
	uint32_t st;
	int ret;

	st = wire_text(g, d->key, d->key_size, ENL_KVP_MAX_KEY_SIZE, key,
		       sizeof(key), false);
	if (st)
		return st;
	/* Numbers are stored as their decimal text, as Linux always has. */
	switch (d->value_type) {
	case ENL_KVP_REG_SZ:
		st = wire_text(g, d->value, d->value_size,
			       ENL_KVP_MAX_VALUE_SIZE, value, sizeof(value),
			       true);
		if (st)
			return st;
		break;
	case ENL_KVP_REG_U32:
		snprintf(value, sizeof(value), "%" PRIu32, d->value_u32);
		break;
	case ENL_KVP_REG_U64:
		snprintf(value, sizeof(value), "%" PRIu64,
			 (uint64_t)d->value_u64);
		break;
	default:
		return malformed(g, "unknown value type");
	}
	ret = enl_kvp_store_set(g->store, msg->kvp_hdr.pool, key, value);
	if (ret == -ENOSPC) {
		/* Host text: escaped before it reaches the log. */
		char *k = g_strescape(key, NULL);

		enl_log_rl(LOG_WARNING, "kvp: pool %u is full (max-records "
			   "%zu): refused new key \"%s\"", msg->kvp_hdr.pool,
			   g->store->pools[msg->kvp_hdr.pool].max, k);
		g_free(k);
	}
	return store_status(g, ret);
}

static uint32_t do_delete(struct enl_kvp_guest *g, struct enl_kvp_msg *msg)
{
	struct enl_kvp_msg_delete *d = &msg->body.kvp_delete;
	char key[ENL_KVP_KEY_UTF8_MAX];
	uint32_t st;

	st = wire_text(g, d->key, d->key_size, ENL_KVP_MAX_KEY_SIZE, key,
		       sizeof(key), false);
	if (st)
		return st;
	return store_status(g, enl_kvp_store_delete(g->store,
						    msg->kvp_hdr.pool, key));
}

static uint32_t do_enumerate(struct enl_kvp_guest *g, struct enl_kvp_msg *msg)
{
	struct enl_kvp_msg_enumerate *e = &msg->body.kvp_enum_data;
	const struct enl_kvp_record *r;
	const struct enl_kvp_table *p;

	/* Index 0 starts a walk: the facts are fresh for each one. */
	p = pool_of(g, msg->kvp_hdr.pool, e->index == 0);
	if (!p)
		return store_status(g, -EIO);
	r = enl_kvp_pool_at(p, e->index);
	if (!r)
		return ENL_HV_S_CONT;
	return answer(&e->data, r->key, r->value);
}

static uint32_t do_ip(struct enl_kvp_guest *g, struct enl_kvp_ip_msg *ip)
{
	struct enl_kvp_netinfo ni = { 0 };
	struct enl_kvp_ipconfig cfg;
	const char *why = NULL;
	uint32_t st;

	if (!g->net.read || g->net.read(g->net.ctx, &ni) < 0) {
		enl_kvp_netinfo_free(&ni);
		enl_log_rl(LOG_ERR, "kvp: cannot read the network state");
		return ENL_HV_E_FAIL;
	}
	if (ip->operation == ENL_KVP_OP_GET_IP_INFO) {
		st = enl_kvp_ipinfo_get(&ni, &ip->kvp_ip_val);
		if (st)
			enl_log_rl(LOG_WARNING, "kvp: GET_IP_INFO for an "
				   "unknown adapter");
		goto out;
	}
	st = enl_kvp_ipinfo_parse_set(&ni, &ip->kvp_ip_val, &cfg, &why);
	if (st == ENL_HV_S_OK)
		st = enl_kvp_ipapply(&g->ip, &cfg, &why);
	if (st) {
		g->stats.ip_refused++;
		enl_log_rl(LOG_WARNING, "kvp: SET_IP_INFO refused: %s", why);
	} else {
		enl_notice("kvp: host configured %s (%s)", cfg.ifc.name,
			   cfg.dhcp ? "DHCP" : "static");
	}
out:
	enl_kvp_netinfo_free(&ni);
	return st;
}

static uint32_t kvp_handle(void *ctx, struct enl_ic_msg *m, uint32_t srv,
			   size_t buf_size, size_t *resp_len)
{
	struct enl_kvp_guest *g = ctx;
	uint8_t op, pool;

	(void)srv;
	(void)buf_size;
	(void)resp_len;	/* answered in place, same length */
	if (m->body_len < 2)
		return malformed(g, "body shorter than the KVP header");
	op = m->body[0];
	pool = m->body[1];
	if (op >= ENL_KVP_OP_COUNT)
		return malformed(g, "unknown operation");
	if (m->body_len < op_len[op]) {
		enl_log_rl(LOG_WARNING, "kvp: %s body of %zu bytes, needs %zu",
			   op_names[op], m->body_len, op_len[op]);
		return malformed(g, "truncated body");
	}
	g->stats.ops[op]++;
	if (op >= ENL_KVP_OP_GET_IP_INFO)
		return do_ip(g, (struct enl_kvp_ip_msg *)m->body);
	if (pool >= ENL_KVP_POOL_COUNT)
		return malformed(g, "unknown pool");
	switch (op) {
	case ENL_KVP_OP_GET:
		return do_get(g, (struct enl_kvp_msg *)m->body);
	case ENL_KVP_OP_SET:
		return do_set(g, (struct enl_kvp_msg *)m->body);
	case ENL_KVP_OP_DELETE:
		return do_delete(g, (struct enl_kvp_msg *)m->body);
	default:
		return do_enumerate(g, (struct enl_kvp_msg *)m->body);
	}
}

const struct enl_ic_service_ops enl_kvp_guest_ops = {
	.name = "kvp",
	.msgtype = ENL_ICMSGTYPE_KVPEXCHANGE,
	.versions = ENL_IC_VERSIONS(enl_ic_fw_versions, kvp_versions),
	.handle = kvp_handle,
};
