// SPDX-License-Identifier: GPL-2.0-only
/* Host KVP exchange service: request queue, answer checks, pool mirror. */
#include "kvp_host.h"
#include "ic_timer.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "utf16.h"

static const uint32_t kvp_versions[] = {
	ENL_IC_KVP_VERSION_4_0, ENL_IC_KVP_VERSION_3_0, ENL_IC_KVP_VERSION_1_0,
};

/* ic_host.c's request buffer; bigger bodies are framed here (send_body). */
#define IC_HOST_BUF_LIMIT	4096
/*
 * A walk that has not reached the guest's "no more items" after this long
 * stops where it is (truncated): 65,536 pairs take about a minute under
 * TCG, so this only ends a guest that keeps the walk going on purpose.
 */
#define KVP_WALK_TIMEOUT_MS	(300 * 1000)
/* An unanswered request is given up after this long. */
#define ANSWER_TIMEOUT_US	(10 * G_USEC_PER_SEC)

struct kvp_req {
	uint8_t op, pool;
	uint32_t index;
	bool walk;
	unsigned int closes;	/* channel closes it was in flight for */
	char *key, *value;	/* UTF-8, to update the mirror */
	size_t len;
	uint8_t body[];
};

/* Body bytes an answer must have for its operation. */
static size_t answer_len(uint8_t op)
{
	switch (op) {
	case ENL_KVP_OP_GET:
	case ENL_KVP_OP_SET:
		return offsetof(struct enl_kvp_msg, body) +
		       sizeof(struct enl_kvp_msg_get);
	case ENL_KVP_OP_DELETE:
		return offsetof(struct enl_kvp_msg, body) +
		       sizeof(struct enl_kvp_msg_delete);
	case ENL_KVP_OP_ENUMERATE:
		return sizeof(struct enl_kvp_msg);
	default:
		return sizeof(struct enl_kvp_ip_msg);
	}
}

static void pair_free(gpointer p)
{
	struct enl_kvp_host_pair *kv = p;

	g_free(kv->key);
	g_free(kv->value);
	g_free(kv);
}

static void req_free(struct kvp_req *r)
{
	if (!r)
		return;
	g_free(r->key);
	g_free(r->value);
	g_free(r);
}

static void mirror_init(struct enl_kvp_mirror *m)
{
	m->pairs = g_ptr_array_new_with_free_func(pair_free);
	m->index = g_hash_table_new(g_str_hash, g_str_equal);
	m->bytes = 0;
	m->truncated = false;
}

static void mirror_free(struct enl_kvp_mirror *m)
{
	if (m->index)
		g_hash_table_destroy(m->index);
	if (m->pairs)
		g_ptr_array_unref(m->pairs);
	m->index = NULL;
	m->pairs = NULL;
}

static struct enl_kvp_host_pair *mirror_find(const struct enl_kvp_mirror *m,
					     const char *key)
{
	return m->index ? g_hash_table_lookup(m->index, key) : NULL;
}

/*
 * Add or replace key's value. A new key past max_pairs, or any growth past
 * max_bytes, is refused (false) and the mirror is marked truncated.
 */
static bool mirror_put(struct enl_kvp_host *kh, struct enl_kvp_mirror *m,
		       const char *key, const char *value)
{
	struct enl_kvp_host_pair *kv = mirror_find(m, key);
	size_t old = kv ? strlen(kv->value) : 0, add = strlen(value);

	if (!kv)
		add += strlen(key);
	if ((!kv && m->pairs->len >= kh->max_pairs) ||
	    m->bytes - old + add > kh->max_bytes) {
		m->truncated = true;
		return false;
	}
	m->bytes = m->bytes - old + add;
	if (kv) {
		g_free(kv->value);
		kv->value = g_strdup(value);
		return true;
	}
	kv = g_new(struct enl_kvp_host_pair, 1);
	kv->key = g_strdup(key);
	kv->value = g_strdup(value);
	g_ptr_array_add(m->pairs, kv);
	g_hash_table_insert(m->index, kv->key, kv);
	return true;
}

static void mirror_remove(struct enl_kvp_mirror *m, const char *key)
{
	struct enl_kvp_host_pair *kv = mirror_find(m, key);

	if (!kv)
		return;
	m->bytes -= strlen(kv->key) + strlen(kv->value);
	g_hash_table_remove(m->index, key);
	g_ptr_array_remove(m->pairs, kv);	/* frees it */
}

const char *enl_kvp_host_mirror_get(const struct enl_kvp_host *kh,
				    uint8_t pool, const char *key)
{
	const struct enl_kvp_host_pair *kv;

	if (pool >= ENL_KVP_POOL_COUNT)
		return NULL;
	kv = mirror_find(&kh->mirror[pool], key);
	return kv ? kv->value : NULL;
}

void enl_kvp_host_set_limits(struct enl_kvp_host *kh, size_t pairs,
			     size_t bytes)
{
	if (pairs)
		kh->max_pairs = pairs;
	if (bytes)
		kh->max_bytes = bytes;
}

static void note_failure(struct enl_kvp_host *kh, char *text)
{
	g_warning("ic kvp: %s", text);
	g_free(kh->last_failure);
	kh->last_failure = text;
}

/*
 * Frame and send one body. ic_host.c builds requests in a 4096-byte buffer,
 * too small for the 7428-byte IP bodies: those are framed here with the
 * same enl_ic_build and the same transaction bookkeeping, until ic_host.c
 * takes bodies of any size (reported to the lead).
 */
static int send_body(struct enl_kvp_host *kh, const void *body, size_t len)
{
	struct enl_ic_host *h = &kh->ic;
	uint8_t *buf;
	int n, ret;

	if (len + ENL_ICMSG_BODY_OFFSET <= IC_HOST_BUF_LIMIT)
		return enl_ic_host_request(h, body, len);
	if (h->state != ENL_IC_HOST_READY)
		return -ENOTCONN;
	buf = g_malloc(len + ENL_ICMSG_BODY_OFFSET);
	h->pending_tid = h->next_tid++;
	h->pending = true;
	n = enl_ic_build(buf, len + ENL_ICMSG_BODY_OFFSET, h->ops->msgtype,
			 h->fw, h->srv, h->pending_tid, body, len);
	ret = n < 0 ? n : h->send(h->tctx, buf, (size_t)n);
	if (ret < 0)
		h->stats.tx_err++;
	else
		h->stats.tx++;
	g_free(buf);
	return ret;
}

/*
 * A send the channel cannot take now: its ring full (-EAGAIN), the channel
 * stopped or found corrupt before the guest closed it (-ENOTCONN, -EIO).
 * The request waits at the head of the queue for the next pump (the next
 * request, the guest reopening, the timer); dropping it lost host SETs
 * made while a corrupt ring waited for the guest to close it.
 */
static bool send_can_wait(int err)
{
	return err == -EAGAIN || err == -ENOTCONN || err == -EIO ||
	       err == -ENOBUFS;
}

static void pump(struct enl_kvp_host *kh)
{
	while (!kh->inflight && kh->ic.state == ENL_IC_HOST_READY &&
	       !g_queue_is_empty(&kh->queue)) {
		struct kvp_req *r = g_queue_pop_head(&kh->queue);
		int ret = send_body(kh, r->body, r->len);

		if (ret < 0) {
			/* Nothing was sent: no answer can come. */
			kh->ic.pending = false;
			if (send_can_wait(ret)) {
				kh->held++;
				g_queue_push_head(&kh->queue, r);
				return;
			}
			kh->dropped++;
			note_failure(kh, g_strdup_printf("operation %u on key "
				"%s in pool %u: not sent (%s), dropped", r->op,
				r->key ? r->key : "-", r->pool,
				g_strerror(-ret)));
			req_free(r);
			continue;
		}
		kh->inflight = r;
		kh->sent_at = g_get_monotonic_time();
	}
}

static struct kvp_req *req_new(uint8_t op, uint8_t pool, size_t len)
{
	struct kvp_req *r = g_malloc0(sizeof(*r) + len);

	r->op = op;
	r->pool = pool;
	r->len = len;
	r->body[0] = op;
	r->body[1] = pool;
	return r;
}

/* capped: false for a replay, bounded by the items it replays instead. */
static int enqueue_as(struct enl_kvp_host *kh, struct kvp_req *r, bool front,
		      bool capped)
{
	if (capped && g_queue_get_length(&kh->queue) >= ENL_KVP_HOST_QUEUE_MAX) {
		req_free(r);
		return -ENOSPC;
	}
	if (front)
		g_queue_push_head(&kh->queue, r);
	else
		g_queue_push_tail(&kh->queue, r);
	pump(kh);
	return 0;
}

static int enqueue(struct enl_kvp_host *kh, struct kvp_req *r, bool front)
{
	return enqueue_as(kh, r, front, true);
}

/* Encode text into a UTF-16 field of size bytes: its byte count or -EINVAL. */
static int put16(void *field, size_t size, const char *text)
{
	ssize_t n = enl_utf8_to_utf16le(text, field, size);

	return n < 0 ? -EINVAL : (int)n;
}

static struct kvp_req *key_req(uint8_t op, uint8_t pool, const char *key,
			       int *err)
{
	struct kvp_req *r;
	struct enl_kvp_msg *msg;
	int n;

	*err = -EINVAL;
	if (pool >= ENL_KVP_POOL_COUNT || !key || !*key)
		return NULL;
	r = req_new(op, pool, sizeof(struct enl_kvp_msg));
	msg = (struct enl_kvp_msg *)r->body;
	n = op == ENL_KVP_OP_DELETE ?
	    put16(msg->body.kvp_delete.key, ENL_KVP_MAX_KEY_SIZE, key) :
	    put16(msg->body.kvp_get.data.key, ENL_KVP_MAX_KEY_SIZE, key);
	if (n < 0) {
		req_free(r);
		return NULL;
	}
	if (op == ENL_KVP_OP_DELETE) {
		msg->body.kvp_delete.key_size = (uint32_t)n;
	} else {
		msg->body.kvp_get.data.key_size = (uint32_t)n;
		/* GET: room the guest may fill. */
		msg->body.kvp_get.data.value_size = ENL_KVP_MAX_VALUE_SIZE;
	}
	r->key = g_strdup(key);
	*err = 0;
	return r;
}

static int set_req(struct enl_kvp_host *kh, uint8_t pool, const char *key,
		   const char *value, bool capped)
{
	struct kvp_req *r;
	struct enl_kvp_exchg_msg_value *d;
	int err, n;

	r = key_req(ENL_KVP_OP_SET, pool, key, &err);
	if (!r)
		return err;
	d = &((struct enl_kvp_msg *)r->body)->body.kvp_set.data;
	n = put16(d->value, ENL_KVP_MAX_VALUE_SIZE, value);
	if (n < 0) {
		req_free(r);
		return n;
	}
	d->value_type = ENL_KVP_REG_SZ;
	d->value_size = (uint32_t)n;
	r->value = g_strdup(value);
	return enqueue_as(kh, r, false, capped);
}

int enl_kvp_host_set(struct enl_kvp_host *kh, uint8_t pool, const char *key,
		     const char *value)
{
	return set_req(kh, pool, key, value, true);
}

int enl_kvp_host_replay_set(struct enl_kvp_host *kh, uint8_t pool,
			    const char *key, const char *value)
{
	kh->replayed++;
	return set_req(kh, pool, key, value, false);
}

int enl_kvp_host_set_number(struct enl_kvp_host *kh, uint8_t pool,
			    const char *key, uint32_t value_type, uint64_t v)
{
	struct kvp_req *r;
	struct enl_kvp_exchg_msg_value *d;
	int err;

	if (value_type != ENL_KVP_REG_U32 && value_type != ENL_KVP_REG_U64)
		return -EINVAL;
	r = key_req(ENL_KVP_OP_SET, pool, key, &err);
	if (!r)
		return err;
	d = &((struct enl_kvp_msg *)r->body)->body.kvp_set.data;
	d->value_type = value_type;
	if (value_type == ENL_KVP_REG_U32) {
		d->value_u32 = (uint32_t)v;
		d->value_size = 4;
		r->value = g_strdup_printf("%" PRIu32, (uint32_t)v);
	} else {
		d->value_u64 = v;
		d->value_size = 8;
		r->value = g_strdup_printf("%" PRIu64, v);
	}
	return enqueue(kh, r, false);
}

int enl_kvp_host_get(struct enl_kvp_host *kh, uint8_t pool, const char *key)
{
	int err;
	struct kvp_req *r = key_req(ENL_KVP_OP_GET, pool, key, &err);

	return r ? enqueue(kh, r, false) : err;
}

int enl_kvp_host_delete(struct enl_kvp_host *kh, uint8_t pool,
			const char *key)
{
	int err;
	struct kvp_req *r = key_req(ENL_KVP_OP_DELETE, pool, key, &err);

	return r ? enqueue(kh, r, false) : err;
}

enum walk_end { WALK_DONE, WALK_TRUNCATED, WALK_FAILED };

static void finish_walk(struct enl_kvp_host *kh, uint8_t pool,
			enum walk_end how);
static void walk_step(struct enl_kvp_host *kh, struct kvp_req *r,
		      const char *key, const char *value);

static int enumerate(struct enl_kvp_host *kh, uint8_t pool, uint32_t index,
		     bool walk, bool front)
{
	struct kvp_req *r;

	if (pool >= ENL_KVP_POOL_COUNT)
		return -EINVAL;
	r = req_new(ENL_KVP_OP_ENUMERATE, pool, sizeof(struct enl_kvp_msg));
	((struct enl_kvp_msg *)r->body)->body.kvp_enum_data.index = index;
	r->index = index;
	r->walk = walk;
	return enqueue(kh, r, front);
}

static void start_walk(struct enl_kvp_host *kh, uint8_t pool)
{
	if (kh->walk[pool])
		return;	/* one under way already */
	kh->walk[pool] = g_new0(struct enl_kvp_walk, 1);
	mirror_init(&kh->walk[pool]->m);
	kh->walk[pool]->started = g_get_monotonic_time();
	if (enumerate(kh, pool, 0, true, false) < 0)
		finish_walk(kh, pool, WALK_FAILED);
}

int enl_kvp_host_enumerate(struct enl_kvp_host *kh, uint8_t pool)
{
	if (pool >= ENL_KVP_POOL_COUNT)
		return -EINVAL;
	start_walk(kh, pool);
	return 0;
}

int enl_kvp_host_enumerate_one(struct enl_kvp_host *kh, uint8_t pool,
			       uint32_t index)
{
	return enumerate(kh, pool, index, false, false);
}

int enl_kvp_host_get_ip(struct enl_kvp_host *kh, const char *adapter_id,
			uint8_t addr_family)
{
	struct kvp_req *r = req_new(ENL_KVP_OP_GET_IP_INFO, 0,
				    sizeof(struct enl_kvp_ip_msg));
	struct enl_kvp_ip_msg *m = (struct enl_kvp_ip_msg *)r->body;

	if (put16(m->kvp_ip_val.adapter_id, sizeof(m->kvp_ip_val.adapter_id),
		  adapter_id) < 0) {
		req_free(r);
		return -EINVAL;
	}
	m->kvp_ip_val.addr_family = addr_family;
	return enqueue(kh, r, false);
}

int enl_kvp_host_set_ip(struct enl_kvp_host *kh, const char *adapter_id,
			bool dhcp, const char *ip_addr, const char *sub_net,
			const char *gate_way, const char *dns_addr)
{
	struct kvp_req *r = req_new(ENL_KVP_OP_SET_IP_INFO, 0,
				    sizeof(struct enl_kvp_ip_msg));
	struct enl_kvp_ipaddr_value *v =
		&((struct enl_kvp_ip_msg *)r->body)->kvp_ip_val;

	if (put16(v->adapter_id, sizeof(v->adapter_id), adapter_id) < 0 ||
	    put16(v->ip_addr, sizeof(v->ip_addr), ip_addr ? ip_addr : "") < 0 ||
	    put16(v->sub_net, sizeof(v->sub_net), sub_net ? sub_net : "") < 0 ||
	    put16(v->gate_way, sizeof(v->gate_way),
		  gate_way ? gate_way : "") < 0 ||
	    put16(v->dns_addr, sizeof(v->dns_addr),
		  dns_addr ? dns_addr : "") < 0) {
		req_free(r);
		return -EINVAL;
	}
	v->dhcp_enabled = dhcp;
	v->addr_family = ENL_KVP_ADDR_FAMILY_IPV4 | ENL_KVP_ADDR_FAMILY_IPV6;
	return enqueue(kh, r, false);
}

/* A UTF-16 string from the guest: size checked, decoded, or NULL. */
static char *get16(const void *field, uint32_t size, uint32_t limit)
{
	size_t out = (size_t)limit / 2 * 3 + 1;
	char *s = g_malloc(out);

	if (size > limit || size % 2 ||
	    enl_utf16le_to_utf8(field, size, s, out) < 0) {
		g_free(s);
		return NULL;
	}
	return s;
}

/* A value of any registry type as text, or NULL when malformed. */
static char *value_text(const struct enl_kvp_exchg_msg_value *d)
{
	switch (d->value_type) {
	case ENL_KVP_REG_U32:
		return g_strdup_printf("%" PRIu32, d->value_u32);
	case ENL_KVP_REG_U64:
		return g_strdup_printf("%" PRIu64, (uint64_t)d->value_u64);
	case ENL_KVP_REG_SZ:
		return get16(d->value, d->value_size, ENL_KVP_MAX_VALUE_SIZE);
	}
	return NULL;
}

static void ip_answer(struct enl_kvp_host *kh, const struct enl_ic_msg *m,
		      struct enl_kvp_host_result *res, char **t)
{
	const struct enl_kvp_ipaddr_value *v =
		&((const struct enl_kvp_ip_msg *)m->body)->kvp_ip_val;

	t[0] = get16(v->ip_addr, sizeof(v->ip_addr), sizeof(v->ip_addr));
	t[1] = get16(v->sub_net, sizeof(v->sub_net), sizeof(v->sub_net));
	t[2] = get16(v->gate_way, sizeof(v->gate_way), sizeof(v->gate_way));
	t[3] = get16(v->dns_addr, sizeof(v->dns_addr), sizeof(v->dns_addr));
	if (!t[0] || !t[1] || !t[2] || !t[3]) {
		res->malformed = true;
		return;
	}
	res->ip_addr = t[0];
	res->sub_net = t[1];
	res->gate_way = t[2];
	res->dns_addr = t[3];
	res->addr_family = v->addr_family;
	res->dhcp_enabled = v->dhcp_enabled;
	for (int i = 0; i < 4; i++) {
		g_free(kh->ip_info[i]);
		kh->ip_info[i] = g_strdup(t[i]);
	}
	kh->ip_dhcp = v->dhcp_enabled;
}

/* Fill res from an S_OK answer to r; false when it is malformed. */
static void ok_answer(struct enl_kvp_host *kh, struct kvp_req *r,
		      const struct enl_ic_msg *m, struct enl_kvp_host_result *res,
		      char **t)
{
	const struct enl_kvp_msg *msg = (const struct enl_kvp_msg *)m->body;
	const struct enl_kvp_exchg_msg_value *d;

	switch (r->op) {
	case ENL_KVP_OP_GET:
		t[0] = value_text(&msg->body.kvp_get.data);
		if (!t[0])
			break;
		res->key = r->key;
		res->value = t[0];
		mirror_put(kh, &kh->mirror[r->pool], r->key, t[0]);
		return;
	case ENL_KVP_OP_SET:
		mirror_put(kh, &kh->mirror[r->pool], r->key, r->value);
		return;
	case ENL_KVP_OP_DELETE:
		return;
	case ENL_KVP_OP_ENUMERATE:
		d = &msg->body.kvp_enum_data.data;
		t[0] = get16(d->key, d->key_size, ENL_KVP_MAX_KEY_SIZE);
		t[1] = value_text(d);
		if (!t[0] || !t[1] || !*t[0])
			break;
		res->key = t[0];
		res->value = t[1];
		if (r->walk && kh->walk[r->pool])
			walk_step(kh, r, t[0], t[1]);
		return;
	case ENL_KVP_OP_GET_IP_INFO:
		ip_answer(kh, m, res, t + 2);
		return;
	default:
		return;
	}
	res->malformed = true;
}

/*
 * A walk's end: done (the guest said no more items) or truncated (a cap or
 * the time bound) replaces the mirror with what the walk saw; failed
 * throws it away and keeps the mirror as it was.
 */
static void finish_walk(struct enl_kvp_host *kh, uint8_t pool,
			enum walk_end how)
{
	struct enl_kvp_walk *w = kh->walk[pool];

	if (!w)
		return;
	kh->walk[pool] = NULL;
	if (how == WALK_FAILED) {
		mirror_free(&w->m);
		g_free(w);
		return;
	}
	if (how == WALK_TRUNCATED) {
		w->m.truncated = true;
		kh->walks_truncated++;
		note_failure(kh, g_strdup_printf("pool %u: enumeration cut "
			"at %u pairs, %zu bytes (caps %zu pairs, %zu bytes, "
			"%u s)", pool, w->m.pairs->len, w->m.bytes,
			kh->max_pairs, kh->max_bytes,
			kh->walk_timeout_ms / 1000));
	}
	mirror_free(&kh->mirror[pool]);
	kh->mirror[pool] = w->m;
	kh->mirror_at[pool] = g_get_real_time();
	g_free(w);
}

/*
 * One pair of a walk. The next index goes to the back of the queue, so
 * requests that were waiting are served between continuations; a guest
 * that repeats a key (a well-behaved pool has each key once) or keeps the
 * walk going past the caps or the time bound cannot hold the queue.
 */
static void walk_step(struct enl_kvp_host *kh, struct kvp_req *r,
		      const char *key, const char *value)
{
	struct enl_kvp_walk *w = kh->walk[r->pool];
	gint64 age = g_get_monotonic_time() - w->started;

	if (mirror_find(&w->m, key)) {
		kh->walks_bad++;
		note_failure(kh, g_strdup_printf("pool %u: the guest repeated "
			"a key at index %u: enumeration thrown away", r->pool,
			r->index));
		finish_walk(kh, r->pool, WALK_FAILED);
		return;
	}
	if (!mirror_put(kh, &w->m, key, value) ||
	    age > (gint64)kh->walk_timeout_ms * 1000) {
		finish_walk(kh, r->pool, WALK_TRUNCATED);
		return;
	}
	if (enumerate(kh, r->pool, r->index + 1, true, false) < 0) {
		kh->dropped++;
		finish_walk(kh, r->pool, WALK_FAILED);
	}
}

static void kvp_response(void *ctx, const struct enl_ic_msg *m)
{
	struct enl_kvp_host *kh = ctx;
	struct kvp_req *r = kh->inflight;
	struct enl_kvp_host_result res = { 0 };
	char *t[6] = { NULL };

	kh->inflight = NULL;
	if (!r)
		return;
	res.op = r->op;
	res.pool = r->pool;
	res.index = r->index;
	res.status = m->hdr->status;
	if (res.status == ENL_HV_S_OK) {
		/* The answer must still be the same operation, whole. */
		if (r->op >= ENL_KVP_OP_COUNT || m->body_len < answer_len(r->op) ||
		    m->body[0] != r->op)
			res.malformed = true;
		else
			ok_answer(kh, r, m, &res, t);
	} else {
		kh->failures++;
		if (r->op == ENL_KVP_OP_GET_IP_INFO)
			kh->ip_status = res.status;
		if (res.status == ENL_HV_ERROR_DISK_FULL) {
			kh->full++;
			note_failure(kh, g_strdup_printf("pool %u is full: the "
				"guest refused key %s (max-records in the "
				"guest's enlighten.conf [kvp])", r->pool,
				r->key ? r->key : "?"));
		}
	}
	if (res.malformed) {
		kh->bad_answers++;
		kh->ic.last_error = "malformed KVP answer";
		g_warning("ic kvp: malformed answer to operation %u", r->op);
	} else {
		kh->answers++;
	}
	/* A walk ends at the guest's "no more items", or fails as a whole. */
	if (r->op == ENL_KVP_OP_ENUMERATE && r->walk && r->pool <
	    ENL_KVP_POOL_COUNT && (res.status != ENL_HV_S_OK || res.malformed))
		finish_walk(kh, r->pool, res.status == ENL_HV_S_CONT ?
			    WALK_DONE : WALK_FAILED);
	if (r->op == ENL_KVP_OP_DELETE && r->pool < ENL_KVP_POOL_COUNT &&
	    (res.status == ENL_HV_S_OK || res.status == ENL_HV_S_CONT))
		mirror_remove(&kh->mirror[r->pool], r->key);
	if (kh->done)
		kh->done(kh->done_ctx, &res);
	for (size_t k = 0; k < G_N_ELEMENTS(t); k++)
		g_free(t[k]);
	req_free(r);
	pump(kh);
}

/*
 * The request in flight when the channel went away (the guest daemon died
 * or closed it) may or may not have been applied: every KVP operation is
 * safe to repeat, so it goes first when the channel is back, up to
 * ENL_KVP_HOST_RESEND_MAX times; then it is lost, counted and logged.
 * Walks start over on the new channel.
 */
static void requeue_inflight(struct enl_kvp_host *kh)
{
	struct kvp_req *r = kh->inflight;

	kh->inflight = NULL;
	if (!r)
		return;
	if (r->walk) {
		req_free(r);
		return;
	}
	if (++r->closes > ENL_KVP_HOST_RESEND_MAX) {
		kh->lost++;
		note_failure(kh, g_strdup_printf("operation %u on key %s in "
			"pool %u lost: in flight across %u channel closes",
			r->op, r->key ? r->key : "-", r->pool, r->closes));
		req_free(r);
		return;
	}
	kh->resent++;
	g_queue_push_head(&kh->queue, r);
}

static void kvp_ready(void *ctx)
{
	struct enl_kvp_host *kh = ctx;

	requeue_inflight(kh);
	for (int p = 0; p < ENL_KVP_POOL_COUNT; p++)
		finish_walk(kh, (uint8_t)p, WALK_FAILED);
	start_walk(kh, ENL_KVP_POOL_GUEST);
	start_walk(kh, ENL_KVP_POOL_AUTO);
	pump(kh);
}

static void kvp_closed(void *ctx)
{
	struct enl_kvp_host *kh = ctx;

	requeue_inflight(kh);
	for (int p = 0; p < ENL_KVP_POOL_COUNT; p++)
		finish_walk(kh, (uint8_t)p, WALK_FAILED);
}

static const struct enl_ic_host_ops kvp_ops = {
	.name = "kvp",
	.msgtype = ENL_ICMSGTYPE_KVPEXCHANGE,
	.srv_versions = kvp_versions,
	.n_srv_versions = G_N_ELEMENTS(kvp_versions),
	.ready = kvp_ready,
	.response = kvp_response,
	.closed = kvp_closed,
};

void enl_kvp_host_init(struct enl_kvp_host *kh)
{
	memset(kh, 0, sizeof(*kh));
	enl_ic_host_init(&kh->ic, &kvp_ops, kh);
	g_queue_init(&kh->queue);
	for (int p = 0; p < ENL_KVP_POOL_COUNT; p++)
		mirror_init(&kh->mirror[p]);
	kh->max_pairs = ENL_KVP_HOST_PAIRS_MAX;
	kh->max_bytes = ENL_KVP_HOST_BYTES_MAX;
	kh->walk_timeout_ms = KVP_WALK_TIMEOUT_MS;
}

void enl_kvp_host_free(struct enl_kvp_host *kh)
{
	struct kvp_req *r;

	enl_kvp_host_set_interval(kh, 0);
	/* The offer is gone (rescinded, enl-host stopping): say what went. */
	if (!g_queue_is_empty(&kh->queue) || kh->inflight)
		g_warning("ic kvp: %u queued request(s) dropped with the offer",
			  g_queue_get_length(&kh->queue) + !!kh->inflight);
	while ((r = g_queue_pop_head(&kh->queue)))
		req_free(r);
	req_free(kh->inflight);
	kh->inflight = NULL;
	for (int p = 0; p < ENL_KVP_POOL_COUNT; p++) {
		finish_walk(kh, (uint8_t)p, WALK_FAILED);
		mirror_free(&kh->mirror[p]);
	}
	for (int i = 0; i < 4; i++)
		g_clear_pointer(&kh->ip_info[i], g_free);
	g_clear_pointer(&kh->last_failure, g_free);
}

static gboolean kvp_timer(gpointer data)
{
	struct enl_kvp_host *kh = data;

	/* A guest that never answers must not stall the queue for good. */
	if (kh->inflight && g_get_monotonic_time() - kh->sent_at > ANSWER_TIMEOUT_US) {
		struct kvp_req *r = kh->inflight;

		kh->inflight = NULL;
		kh->ic.pending = false;
		kh->dropped++;
		if (r->op == ENL_KVP_OP_ENUMERATE && r->walk)
			finish_walk(kh, r->pool, WALK_FAILED);
		else
			note_failure(kh, g_strdup_printf("operation %u on key "
				"%s in pool %u: no answer in %d s, dropped",
				r->op, r->key ? r->key : "-", r->pool,
				(int)(ANSWER_TIMEOUT_US / G_USEC_PER_SEC)));
		req_free(r);
	}
	/* Also retries a request the channel could not take (send_can_wait). */
	pump(kh);
	if (kh->ic.state == ENL_IC_HOST_READY) {
		start_walk(kh, ENL_KVP_POOL_GUEST);
		start_walk(kh, ENL_KVP_POOL_AUTO);
	}
	return G_SOURCE_CONTINUE;
}

void enl_kvp_host_set_interval(struct enl_kvp_host *kh, unsigned int ms)
{
	kh->interval_ms = ms;
	enl_ic_timer_set(&kh->timer, ms, kvp_timer, kh);
}
