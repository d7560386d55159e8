// SPDX-License-Identifier: GPL-2.0-only
/*
 * The mouse and keyboard VSPs: each offer's engine on its channel's
 * worker, and the hub through which other threads reach the open device
 * of each kind. The hub's lock guards which devices are open and their
 * pending queues; a device joins the hub in on_open and leaves it in
 * on_close, both on its worker, so a queued flush (a source on that
 * worker's context) never outlives the channel.
 */
#include <errno.h>
#include <string.h>

#include <glib.h>
#include <enlighten/guids.h>

#include "hid_vsp.h"
#include "vsp.h"

/* How long a flush waits before retrying a full ring. */
#define RETRY_MS	5
/*
 * Input is paced like a fast typist, a few events per PACE_MS: a guest's
 * evdev client buffers about 20 keys, and a whole `ctl type` line sent at
 * once would overflow it before the reader runs (SYN_DROPPED).
 */
#define PACE_EVENTS	8
#define PACE_MS		15

struct hid_dev {
	bool keyboard;
	struct enl_vsp_channel *ch;
	struct enl_mouse_host m;
	struct enl_kbd_host k;
	/* Under hub.lock: */
	bool open, ready;
	GArray *pending;	/* enl_scan_event or enl_synthhid_mouse_report */
	guint head;		/* first unsent entry of pending */
	GSource *flush;		/* queued on the worker's context */
	uint64_t queued, ring_full;
	bool bad_desc;		/* fault: corrupt the next device info */
};

static struct {
	GMutex lock;
	struct hid_dev *dev[2];		/* [keyboard] */
	uint64_t dropped[2];		/* events with no device to take them */
} hub;

/* ---- Sending, on the worker ---- */

static int send_inband(void *ctx, const void *msg, uint32_t len)
{
	struct hid_dev *d = ctx;
	struct enl_ring_iov iov = { .base = msg, .len = len };
	int ret;

	ret = enl_vsp_send(d->ch, ENL_VMPKT_DATA_INBAND, 0, 0, &iov, 1);
	/* Handshake answers are few and small: wait for room once. */
	if (ret == -EAGAIN && enl_vsp_wait_for_space(d->ch, len))
		ret = enl_vsp_send(d->ch, ENL_VMPKT_DATA_INBAND, 0, 0, &iov, 1);
	return ret;
}

/*
 * A device-info message whose report descriptor claims more bytes than
 * the message carries (fault mouse-bad-desc): the guest must refuse it.
 */
static int send_mouse(void *ctx, const void *msg, uint32_t len)
{
	struct hid_dev *d = ctx;
	struct enl_synthhid_msg_hdr hdr;
	uint8_t *bad;
	int ret;

	memcpy(&hdr, (const uint8_t *)msg + sizeof(struct enl_synthhid_pipe_hdr),
	       sizeof(hdr));
	g_mutex_lock(&hub.lock);
	if (hdr.type != ENL_SYNTHHID_INITIAL_DEVICE_INFO || !d->bad_desc) {
		g_mutex_unlock(&hub.lock);
		return send_inband(ctx, msg, len);
	}
	d->bad_desc = false;
	g_mutex_unlock(&hub.lock);
	bad = g_memdup2(msg, len);
	bad[sizeof(struct enl_synthhid_pipe_hdr) +
	    offsetof(struct enl_synthhid_device_info, desc.wReportLength)] = 0xff;
	bad[sizeof(struct enl_synthhid_pipe_hdr) +
	    offsetof(struct enl_synthhid_device_info, desc.wReportLength) + 1] = 0x0f;
	ret = send_inband(ctx, bad, len);
	g_free(bad);
	return ret;
}

static size_t elem_size(const struct hid_dev *d)
{
	return d->keyboard ? sizeof(struct enl_scan_event) :
			     sizeof(struct enl_synthhid_mouse_report);
}

static gboolean flush_cb(gpointer data);

/* hub.lock held: run flush_cb on d's worker after ms (0: soon). */
static void schedule_flush(struct hid_dev *d, guint ms)
{
	if (d->flush)
		return;
	d->flush = ms ? g_timeout_source_new(ms) : g_idle_source_new();
	g_source_set_callback(d->flush, flush_cb, d, NULL);
	g_source_attach(d->flush, enl_vsp_context(d->ch));
}

/* Send what is pending, in order, until the ring is full. */
static gboolean flush_cb(gpointer data)
{
	struct hid_dev *d = data;
	union {
		struct enl_synthkbd_keystroke ks;
		uint8_t report[ENL_MOUSE_REPORT_MSG_LEN];
	} msg;
	struct enl_ring_iov iov = { .base = &msg };
	unsigned int sent = 0;
	int ret = 0;

	g_mutex_lock(&hub.lock);
	g_source_unref(d->flush);
	d->flush = NULL;
	enl_vsp_batch_begin(d->ch);
	while (d->open && d->head < d->pending->len && sent < PACE_EVENTS) {
		const void *e = d->pending->data + d->head * elem_size(d);

		if (d->keyboard) {
			enl_kbd_host_keystroke(e, &msg.ks);
			iov.len = sizeof(msg.ks);
		} else {
			iov.len = enl_mouse_host_report(e, msg.report);
			d->m.last = *(const struct enl_synthhid_mouse_report *)e;
		}
		ret = enl_vsp_send(d->ch, ENL_VMPKT_DATA_INBAND, 0, 0, &iov, 1);
		if (ret == -EAGAIN) {
			d->ring_full++;
			if (enl_vsp_wait_for_space(d->ch, iov.len))
				continue;
			break;
		}
		if (ret) {
			(d->keyboard ? &d->k.st : &d->m.st)->send_errors++;
		} else {
			(d->keyboard ? &d->k.st : &d->m.st)->sent++;
		}
		d->head++;
		sent++;
	}
	enl_vsp_batch_end(d->ch);
	if (d->head == d->pending->len) {
		g_array_set_size(d->pending, 0);
		d->head = 0;
	} else if (d->open) {
		schedule_flush(d, ret == -EAGAIN ? RETRY_MS : PACE_MS);
	}
	g_mutex_unlock(&hub.lock);
	return G_SOURCE_REMOVE;
}

static int queue(bool keyboard, const void *ev, size_t n)
{
	struct hid_dev *d;
	int ret = 0;

	g_mutex_lock(&hub.lock);
	d = hub.dev[keyboard];
	if (!d || !d->ready) {
		hub.dropped[keyboard] += n;
		ret = -ENODEV;
	} else if (d->pending->len - d->head + n > ENL_HID_MAX_PENDING) {
		hub.dropped[keyboard] += n;
		ret = -ENOSPC;
	} else {
		g_array_append_vals(d->pending, ev, (guint)n);
		d->queued += n;
		schedule_flush(d, 0);
	}
	g_mutex_unlock(&hub.lock);
	return ret;
}

int enl_hid_queue_keys(const struct enl_scan_event *ev, size_t n)
{
	return queue(true, ev, n);
}

int enl_hid_queue_mouse(const struct enl_synthhid_mouse_report *r)
{
	return queue(false, r, 1);
}

/* ---- The classes ---- */

static void *hid_create(struct enl_vsp_channel *ch, bool keyboard)
{
	struct hid_dev *d = g_new0(struct hid_dev, 1);

	d->keyboard = keyboard;
	d->ch = ch;
	d->pending = g_array_new(FALSE, FALSE, (guint)elem_size(d));
	enl_mouse_host_init(&d->m, send_mouse, d);
	enl_kbd_host_init(&d->k, send_inband, d);
	return d;
}

static void *mouse_create(struct enl_vsp_channel *ch)
{
	return hid_create(ch, false);
}

static void *keyboard_create(struct enl_vsp_channel *ch)
{
	return hid_create(ch, true);
}

static void hid_destroy(void *state)
{
	struct hid_dev *d = state;

	g_array_free(d->pending, TRUE);
	g_free(d);
}

static int hid_open(struct enl_vsp_channel *ch, const uint8_t *user_data)
{
	struct hid_dev *d = enl_vsp_state(ch);

	(void)user_data;
	g_mutex_lock(&hub.lock);
	d->open = true;
	d->ready = false;
	if (!hub.dev[d->keyboard])
		hub.dev[d->keyboard] = d;
	g_mutex_unlock(&hub.lock);
	return 0;
}

static void hid_close(struct enl_vsp_channel *ch)
{
	struct hid_dev *d = enl_vsp_state(ch);

	g_mutex_lock(&hub.lock);
	d->open = false;
	d->ready = false;
	if (hub.dev[d->keyboard] == d)
		hub.dev[d->keyboard] = NULL;
	if (d->flush) {
		g_source_destroy(d->flush);
		g_source_unref(d->flush);
		d->flush = NULL;
	}
	hub.dropped[d->keyboard] += d->pending->len - d->head;
	g_array_set_size(d->pending, 0);
	d->head = 0;
	g_mutex_unlock(&hub.lock);
	enl_mouse_host_reset(&d->m);
	enl_kbd_host_reset(&d->k);
}

static int hid_packet(struct enl_vsp_channel *ch,
		      const struct enl_ring_pkt *pkt, const void *data)
{
	struct hid_dev *d = enl_vsp_state(ch);
	const uint8_t *payload = (const uint8_t *)data + pkt->hdr_len;
	uint32_t len = pkt->len - pkt->hdr_len;
	bool ready;
	int ret;

	/* Completions of what we sent need no answer. */
	if (pkt->type != ENL_VMPKT_DATA_INBAND)
		return 0;
	if (d->keyboard) {
		ret = enl_kbd_host_recv(&d->k, payload, len);
		ready = d->k.ready;
	} else {
		ret = enl_mouse_host_recv(&d->m, payload, len);
		ready = d->m.ready;
	}
	g_mutex_lock(&hub.lock);
	d->ready = ready;
	g_mutex_unlock(&hub.lock);
	/* Counted by the engine; the packet is consumed either way. */
	(void)ret;
	return 0;
}

const struct enl_vsp_class enl_vsp_mouse_class = {
	.name = "mouse",
	.class_guid = ENL_GUID_MOUSE,
	.create = mouse_create,
	.destroy = hid_destroy,
	.on_open = hid_open,
	.on_packet = hid_packet,
	.on_close = hid_close,
};

const struct enl_vsp_class enl_vsp_keyboard_class = {
	.name = "keyboard",
	.class_guid = ENL_GUID_KEYBOARD,
	.create = keyboard_create,
	.destroy = hid_destroy,
	.on_open = hid_open,
	.on_packet = hid_packet,
	.on_close = hid_close,
};

/* ---- Status and faults ---- */

struct status_call {
	struct hid_dev *d;
	struct enl_hid_dev_status *s;
};

/* On the worker: the engine's fields are its own. */
static void status_on_worker(void *data)
{
	struct status_call *c = data;
	struct hid_dev *d = c->d;

	c->s->version = d->keyboard ? d->k.version : d->m.version;
	c->s->leds = d->k.leds;
	c->s->led_updates = d->k.led_updates;
	c->s->st = d->keyboard ? d->k.st : d->m.st;
}

bool enl_hid_status(bool keyboard, struct enl_hid_dev_status *s)
{
	struct status_call c = { .s = s };

	memset(s, 0, sizeof(*s));
	g_mutex_lock(&hub.lock);
	s->dropped = hub.dropped[keyboard];
	c.d = hub.dev[keyboard];
	if (c.d) {
		s->open = true;
		s->ready = c.d->ready;
		s->relid = enl_vsp_relid(c.d->ch);
		s->queued = c.d->queued;
		s->pending = c.d->pending->len - c.d->head;
		s->ring_full = c.d->ring_full;
		s->last = c.d->m.last;
	}
	g_mutex_unlock(&hub.lock);
	if (!c.d)
		return false;
	/*
	 * The worker may close it meanwhile, but the state lives until the
	 * channel is freed, which is the main thread's work, as is this.
	 */
	enl_vsp_call(c.d->ch, status_on_worker, &c);
	return true;
}

struct fault_call {
	struct hid_dev *d;
	const char *kind;
	int ret;
};

static void fault_on_worker(void *data)
{
	struct fault_call *c = data;
	struct hid_dev *d = c->d;
	const char *k = c->kind;
	uint8_t buf[96] = { 0 };
	struct enl_synthhid_pipe_hdr pipe = { ENL_SYNTHHID_PIPE_DATA, 8 };
	struct enl_synthhid_msg_hdr hdr = { ENL_SYNTHHID_INPUT_REPORT, 0 };
	struct enl_synthkbd_keystroke ks;
	struct enl_scan_event ev = { 0x1e, 0 };
	uint32_t len = 0;

	if (d->keyboard != g_str_has_prefix(k, "kbd-")) {
		c->ret = -EINVAL;
		return;
	}
	enl_kbd_host_keystroke(&ev, &ks);
	if (!strcmp(k, "kbd-short")) {
		/* A keystroke cut after its header. */
		memcpy(buf, &ks, sizeof(ks.hdr));
		len = sizeof(ks.hdr);
	} else if (!strcmp(k, "kbd-bad-type")) {
		ks.hdr.type = 0x77;
		memcpy(buf, &ks, sizeof(ks));
		len = sizeof(ks);
	} else if (!strcmp(k, "kbd-bad-code")) {
		/* A make code beyond 7 bits. */
		ks.make_code = 0x1ff;
		memcpy(buf, &ks, sizeof(ks));
		len = sizeof(ks);
	} else if (!strcmp(k, "mouse-bad-pipe")) {
		pipe.type = 9;
	} else if (!strcmp(k, "mouse-short")) {
		/* A pipe header only. */
		pipe.size = 0;
		memcpy(buf, &pipe, sizeof(pipe));
		len = sizeof(pipe);
	} else if (!strcmp(k, "mouse-lying-size")) {
		/* The pipe claims more than the packet holds. */
		pipe.size = 4000;
	} else if (!strcmp(k, "mouse-long-report")) {
		/* Longer than any input report may be. */
		pipe.size = sizeof(hdr) + 64;
		hdr.size = 64;
	} else if (!strcmp(k, "mouse-bad-type")) {
		hdr.type = 0x55;
	} else if (!strcmp(k, "mouse-bad-desc")) {
		g_mutex_lock(&hub.lock);
		d->bad_desc = true;
		g_mutex_unlock(&hub.lock);
		c->ret = 0;
		return;
	} else {
		c->ret = -EINVAL;
		return;
	}
	if (!len) {
		memcpy(buf, &pipe, sizeof(pipe));
		memcpy(buf + sizeof(pipe), &hdr, sizeof(hdr));
		len = sizeof(pipe) + sizeof(hdr) +
		      (hdr.size ? hdr.size : sizeof(struct enl_synthhid_mouse_report));
	}
	c->ret = send_inband(d, buf, len);
}

int enl_hid_fault(const char *kind)
{
	struct fault_call c = { .kind = kind, .ret = -ENODEV };
	bool keyboard = g_str_has_prefix(kind, "kbd-");

	g_mutex_lock(&hub.lock);
	c.d = hub.dev[keyboard];
	g_mutex_unlock(&hub.lock);
	if (!c.d)
		return -ENODEV;
	enl_vsp_call(c.d->ch, fault_on_worker, &c);
	return c.ret;
}
