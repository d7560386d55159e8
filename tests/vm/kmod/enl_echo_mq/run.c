// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl_echo_mq test runs: the receive callback (in place, completions
 * matched through the requestor), the pump, ping-pong and bogus ids.
 */
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/vmalloc.h>
#include "echo_mq.h"

/* How long a run waits for its last packets to come back. */
#define EMQ_DRAIN_TIMEOUT	(30 * HZ)
#define EMQ_BOGUS_ID		0xdead0000ffff0000ULL

static struct emq_req *req_get(struct emq_chan *c)
{
	struct emq_req *r;

	spin_lock_bh(&c->lock);
	r = c->free;
	if (r)
		c->free = r->next_free;
	spin_unlock_bh(&c->lock);
	return r;
}

static void req_put(struct emq_chan *c, struct emq_req *r)
{
	spin_lock_bh(&c->lock);
	r->next_free = c->free;
	c->free = r;
	spin_unlock_bh(&c->lock);
}

/* The echo must be the request, zero-padded to 8 bytes. */
static bool echo_matches(const struct enl_vmbus_pkt *pkt,
			 const struct emq_req *r)
{
	static const u8 zeros[8];

	return pkt->len == ALIGN(r->len, 8) &&
	       !memcmp(pkt->data, r->data, r->len) &&
	       !memcmp((const u8 *)pkt->data + r->len, zeros,
		       pkt->len - r->len);
}

static void take_completion(struct emq_chan *c, const struct enl_vmbus_pkt *pkt)
{
	struct emq_req *r;

	if (pkt->type != ENL_VMPKT_COMP) {
		atomic64_inc(&c->unexpected);
		return;
	}
	/* Unknown, duplicate and stale ids are counted by enl_vmbus. */
	r = enl_vmbus_request_complete(c->ch, pkt->trans_id);
	if (!r)
		return;
	c->last_id = pkt->trans_id;
	if (echo_matches(pkt, r)) {
		atomic64_inc(&c->packets);
		atomic64_add(r->len, &c->bytes);
	} else {
		atomic64_inc(&c->errors);
	}
	if (c->lat_ns && c->lat_n < c->lat_max)
		c->lat_ns[c->lat_n++] = ktime_get_ns() - r->sent_ns;
	req_put(c, r);
	atomic_dec(&c->inflight);
}

int emq_event(struct enl_vmbus_channel *ch, int budget)
{
	struct emq_chan *c = enl_vmbus_channel_priv(ch);
	struct enl_vmbus_pkt pkt;
	int n = 0;

	c->cb_cpu[raw_smp_processor_id()]++;
	if (enl_vmbus_read_begin(ch))
		return 0;
	while (n < budget && !enl_vmbus_read_peek(ch, &pkt)) {
		if (pkt.len > EMQ_MAX_PKT) {
			if (READ_ONCE(c->wedge))
				break;
			enl_vmbus_recv_skip(ch);
			atomic64_inc(&c->oversize);
		} else {
			enl_vmbus_read_next(ch, &pkt);
			take_completion(c, &pkt);
		}
		n++;
	}
	enl_vmbus_read_end(ch);
	/*
	 * Once per batch: the sender may wait for a request or for ring
	 * space, possibly on another CPU (a wakeup there is an IPI).
	 */
	wake_up(&c->wq);
	return n;
}

static u64 mix(u64 x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

/* Packet i of channel c: a size in 1..EMQ_MAX_PKT and bytes from (c, i). */
static void req_fill(struct emq_req *r, unsigned int c, u64 i)
{
	u64 s = mix(((u64)c << 48) ^ (i + 1));
	u32 k;

	r->len = 1 + s % EMQ_MAX_PKT;
	for (k = 0; k < r->len; k += 8) {
		s = mix(s + k);
		memcpy(r->data + k, &s, min_t(u32, 8, r->len - k));
	}
}

/* Send one request, waiting for a free request and for ring space. */
static int send_one(struct emq_chan *c, struct emq_req *r)
{
	long left;
	int ret;

	atomic_inc(&c->inflight);
	for (;;) {
		r->sent_ns = ktime_get_ns();
		ret = enl_vmbus_send_request(c->ch, r->data, r->len, r);
		if (ret != -EAGAIN)
			break;
		if (enl_vmbus_want_send_room(c->ch, r->len))
			continue;
		left = wait_event_timeout(c->wq, enl_vmbus_want_send_room(c->ch, r->len),
					  EMQ_DRAIN_TIMEOUT);
		if (!left) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	enl_vmbus_want_send_room(c->ch, 0);
	if (ret) {
		atomic_dec(&c->inflight);
		req_put(c, r);
	}
	return ret;
}

struct emq_worker {
	struct emq_chan *c;
	u64 count;
	int ret;
	struct completion done;
};

static int pump_thread(void *arg)
{
	struct emq_worker *w = arg;
	struct emq_chan *c = w->c;
	struct emq_req *r;
	u64 i;

	for (i = 0; i < w->count && !w->ret; i++) {
		r = NULL;
		wait_event_timeout(c->wq, (r = req_get(c)) != NULL,
				   EMQ_DRAIN_TIMEOUT);
		if (!r) {
			w->ret = -ETIMEDOUT;
			break;
		}
		req_fill(r, c->index, i);
		w->ret = send_one(c, r);
	}
	if (!w->ret && !wait_event_timeout(c->wq, !atomic_read(&c->inflight),
					   EMQ_DRAIN_TIMEOUT))
		w->ret = -ETIMEDOUT;
	complete(&w->done);
	return 0;
}

static void chan_reset(struct emq_chan *c)
{
	atomic64_set(&c->packets, 0);
	atomic64_set(&c->bytes, 0);
	atomic64_set(&c->errors, 0);
	memset(c->cb_cpu, 0, nr_cpu_ids * sizeof(*c->cb_cpu));
}

/* "cpu0:12,cpu1:0" for the channel's callback runs. */
static int cpus_emit(struct emq_chan *c, char *buf, int len)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu)
		if (c->cb_cpu[cpu])
			len += scnprintf(buf + len, PAGE_SIZE - len, "%scpu%u:%lu",
					 len && buf[len - 1] != '=' ? "," : "",
					 cpu, c->cb_cpu[cpu]);
	return len;
}

int emq_pump(struct emq_dev *d, u64 packets, unsigned int nchan)
{
	struct emq_worker *w;
	struct task_struct *t;
	u64 start, elapsed, tot_p = 0, tot_b = 0, tot_e = 0;
	unsigned int i;
	int len, ret = 0;

	if (nchan > d->nr)
		return -EINVAL;
	w = kcalloc(nchan, sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	mutex_lock(&d->run_lock);
	/* A sub-channel the host took away (and not reopened) cannot run. */
	for (i = 0; i < nchan; i++) {
		if (!d->chan[i].open) {
			mutex_unlock(&d->run_lock);
			kfree(w);
			return -ENODEV;
		}
	}
	for (i = 0; i < nchan; i++) {
		chan_reset(&d->chan[i]);
		w[i].c = &d->chan[i];
		w[i].count = packets / nchan + (i < packets % nchan);
		init_completion(&w[i].done);
	}
	start = ktime_get_ns();
	for (i = 0; i < nchan; i++) {
		t = kthread_create(pump_thread, &w[i], "emq-pump/%u", i);
		if (IS_ERR(t)) {
			w[i].ret = PTR_ERR(t);
			complete(&w[i].done);
			continue;
		}
		kthread_bind(t, w[i].c->cpu);
		wake_up_process(t);
	}
	for (i = 0; i < nchan; i++)
		wait_for_completion(&w[i].done);
	elapsed = ktime_get_ns() - start;

	len = 0;
	for (i = 0; i < nchan; i++) {
		struct emq_chan *c = &d->chan[i];

		tot_p += atomic64_read(&c->packets);
		tot_b += atomic64_read(&c->bytes);
		tot_e += atomic64_read(&c->errors) + (w[i].ret ? 1 : 0);
		if (w[i].ret && !ret)
			ret = w[i].ret;
	}
	len += scnprintf(d->result + len, PAGE_SIZE - len,
			 "pump packets=%llu bytes=%llu errors=%llu elapsed_ns=%llu channels=%u\n",
			 tot_p, tot_b, tot_e, elapsed, nchan);
	for (i = 0; i < nchan; i++) {
		struct emq_chan *c = &d->chan[i];

		len += scnprintf(d->result + len, PAGE_SIZE - len,
				 "channel %u target_cpu=%u packets=%lld errors=%lld status=%d callbacks=",
				 c->index, enl_vmbus_channel_target_cpu(c->ch),
				 (long long)atomic64_read(&c->packets),
				 (long long)atomic64_read(&c->errors), w[i].ret);
		len = cpus_emit(c, d->result, len);
		len += scnprintf(d->result + len, PAGE_SIZE - len, "\n");
	}
	mutex_unlock(&d->run_lock);
	kfree(w);
	return ret;
}

static int cmp_u64(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

struct emq_pp {
	struct emq_chan *c;
	u32 rounds;
	int ret;
	struct completion done;
};

static int pingpong_thread(void *arg)
{
	struct emq_pp *pp = arg;
	struct emq_chan *c = pp->c;
	struct emq_req *r;
	u32 i;

	for (i = 0; i < pp->rounds && !pp->ret; i++) {
		r = req_get(c);
		if (!r) {
			pp->ret = -EBUSY;
			break;
		}
		r->len = 16;
		memset(r->data, 0x50 + (i & 0xf), r->len);
		pp->ret = send_one(c, r);
		if (!pp->ret && !wait_event_timeout(c->wq, !atomic_read(&c->inflight),
						    EMQ_DRAIN_TIMEOUT))
			pp->ret = -ETIMEDOUT;
	}
	complete(&pp->done);
	return 0;
}

int emq_pingpong(struct emq_dev *d, u32 rounds, unsigned int index)
{
	struct emq_pp pp = { .rounds = rounds };
	struct task_struct *t;
	struct emq_chan *c;
	u64 sum = 0, p99 = 0;
	u32 i;

	if (index >= d->nr)
		return -EINVAL;
	c = &d->chan[index];
	mutex_lock(&d->run_lock);
	if (!c->open) {
		mutex_unlock(&d->run_lock);
		return -ENODEV;
	}
	chan_reset(c);
	c->lat_ns = kvmalloc_array(rounds, sizeof(*c->lat_ns), GFP_KERNEL);
	if (!c->lat_ns) {
		mutex_unlock(&d->run_lock);
		return -ENOMEM;
	}
	/*
	 * The callback appends in the channel's tasklet, and only while
	 * lat_n < lat_max: the count is reset before samples are allowed.
	 */
	c->lat_max = 0;
	c->lat_n = 0;
	smp_wmb();	/* pairs with the callback seeing lat_max */
	WRITE_ONCE(c->lat_max, rounds);
	pp.c = c;
	init_completion(&pp.done);
	t = kthread_create(pingpong_thread, &pp, "emq-pp/%u", index);
	if (IS_ERR(t)) {
		pp.ret = PTR_ERR(t);
	} else {
		kthread_bind(t, c->cpu);
		wake_up_process(t);
		wait_for_completion(&pp.done);
	}
	c->lat_max = 0;
	for (i = 0; i < c->lat_n; i++)
		sum += c->lat_ns[i];
	if (c->lat_n) {
		sort(c->lat_ns, c->lat_n, sizeof(u64), cmp_u64, NULL);
		p99 = c->lat_ns[min_t(u32, c->lat_n - 1, c->lat_n * 99 / 100)];
	}
	i = scnprintf(d->result, PAGE_SIZE,
		      "pingpong rounds=%u errors=%lld mean_ns=%llu p99_ns=%llu channel=%u target_cpu=%u status=%d callbacks=",
		      c->lat_n, (long long)atomic64_read(&c->errors),
		      c->lat_n ? div_u64(sum, c->lat_n) : 0, p99, index,
		      enl_vmbus_channel_target_cpu(c->ch), pp.ret);
	i = cpus_emit(c, d->result, i);
	scnprintf(d->result + i, PAGE_SIZE - i, "\n");
	kvfree(c->lat_ns);
	c->lat_ns = NULL;
	mutex_unlock(&d->run_lock);
	return pp.ret;
}

/*
 * Two completions enl_vmbus must drop: an id it never handed out, and the
 * id of a request that has completed already. The echo device sends back
 * whatever trans_id it got, so these go out as plain packets.
 */
int emq_bogus(struct emq_dev *d)
{
	struct emq_chan *c = &d->chan[0];
	static const u8 payload[16] = "bogus completion";
	struct emq_req *r;
	u64 done_id;
	int ret;

	mutex_lock(&d->run_lock);
	r = req_get(c);
	ret = r ? 0 : -EBUSY;
	if (!ret) {
		r->len = 8;
		memset(r->data, 0x42, r->len);
		ret = send_one(c, r);
	}
	if (!ret && !wait_event_timeout(c->wq, !atomic_read(&c->inflight),
					EMQ_DRAIN_TIMEOUT))
		ret = -ETIMEDOUT;
	done_id = c->last_id;
	if (!ret)
		ret = enl_vmbus_send(c->ch, payload, sizeof(payload),
				     EMQ_BOGUS_ID, ENL_VMPKT_DATA_INBAND,
				     ENL_VMPKT_FLAG_COMPLETION_REQUESTED);
	if (!ret)
		ret = enl_vmbus_send(c->ch, payload, sizeof(payload), done_id,
				     ENL_VMPKT_DATA_INBAND,
				     ENL_VMPKT_FLAG_COMPLETION_REQUESTED);
	/* Give the echoes time to come back before the caller looks. */
	if (!ret)
		msleep(200);
	scnprintf(d->result, PAGE_SIZE, "bogus sent_ids=%#llx,%#llx status=%d\n",
		  EMQ_BOGUS_ID, done_id, ret);
	mutex_unlock(&d->run_lock);
	return ret;
}
