// SPDX-License-Identifier: GPL-2.0-only
/* Test double of enl_hv_* and enl_gpa_ptr; ctl verbs run on the real table. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ctl.h"
#include "server_priv.h"
#include "test-vmbus-fakehv.h"

struct enl_hv *fake_hv_new(uint64_t ram_size, bool want_fd)
{
	struct enl_hv *hv = g_new0(struct enl_hv, 1);

	hv->memfd = -1;
	if (want_fd) {
		hv->memfd = memfd_create("fake-guest-ram", MFD_CLOEXEC);
		g_assert(hv->memfd >= 0);
		g_assert(ftruncate(hv->memfd, ram_size) == 0);
		hv->mem.base = mmap(NULL, ram_size, PROT_READ | PROT_WRITE,
				    MAP_SHARED, hv->memfd, 0);
		g_assert(hv->mem.base != MAP_FAILED);
	} else {
		hv->mem.base = g_malloc0(ram_size);
	}
	hv->mem.size = ram_size;
	hv->signals = g_array_new(FALSE, TRUE, sizeof(struct fake_signal));
	hv->sint_ready = true;
	for (size_t i = 0; i < G_N_ELEMENTS(hv->doorbell_fd); i++)
		hv->doorbell_fd[i] = -1;
	g_mutex_init(&hv->lock);
	g_queue_init(&hv->msgs);
	return hv;
}

void fake_hv_free(struct enl_hv *hv)
{
	fake_hv_drain(hv);
	g_array_free(hv->signals, TRUE);
	g_mutex_clear(&hv->lock);
	if (hv->memfd >= 0) {
		munmap(hv->mem.base, hv->mem.size);
		close(hv->memfd);
	} else {
		g_free(hv->mem.base);
	}
	g_free(hv);
}

void enl_hv_set_ops(struct enl_hv *hv, const struct enl_hv_ops *ops, void *ctx)
{
	hv->ops = ops;
	hv->ctx = ctx;
}

/* The partition started with the epoch of the monotonic clock. */
uint64_t enl_hv_ref_time(const struct enl_hv *hv)
{
	(void)hv;
	return (uint64_t)g_get_monotonic_time() * 10;
}

struct enl_guest_mem *enl_hv_guest_mem(struct enl_hv *hv)
{
	return &hv->mem;
}

int enl_hv_post_message(struct enl_hv *hv, uint32_t vp, uint32_t sint,
			uint32_t message_type, const void *payload,
			uint32_t payload_size)
{
	struct fake_msg *m;

	if (payload_size > 240)
		return -EMSGSIZE;
	if (sint >= 16)
		return -EINVAL;
	if (hv->quiet)
		return 0;
	m = g_new0(struct fake_msg, 1);
	m->vp = vp;
	m->sint = sint;
	m->type = message_type;
	m->size = payload_size;
	memcpy(m->data, payload, payload_size);
	g_mutex_lock(&hv->lock);
	g_queue_push_tail(&hv->msgs, m);
	g_mutex_unlock(&hv->lock);
	return 0;
}

int enl_hv_signal_event(struct enl_hv *hv, uint32_t vp, uint32_t sint,
			uint32_t flag_number)
{
	struct fake_signal s = { vp, sint, flag_number };

	if (flag_number >= 2048)
		return -EINVAL;
	if (hv->quiet)
		return 0;
	g_mutex_lock(&hv->lock);
	g_array_append_val(hv->signals, s);
	g_mutex_unlock(&hv->lock);
	if (flag_number < G_N_ELEMENTS(hv->signals_by_flag))
		g_atomic_int_inc(&hv->signals_by_flag[flag_number]);
	return 0;
}

int fake_hv_signals_for(struct enl_hv *hv, uint32_t flag)
{
	if (flag >= G_N_ELEMENTS(hv->signals_by_flag))
		return 0;
	return g_atomic_int_get(&hv->signals_by_flag[flag]);
}

int enl_hv_sint_ready(struct enl_hv *hv, uint32_t vp, uint32_t sint)
{
	(void)vp;
	(void)sint;
	return hv->sint_ready;
}

/* The channel connections are 0x10000 + relid, as the server numbers them. */
static int doorbell_idx(uint32_t conn)
{
	return conn >= 0x10000 && conn - 0x10000 < 64 ? (int)(conn - 0x10000) : -1;
}

int enl_hv_doorbell_bind(struct enl_hv *hv, uint32_t connection_id)
{
	int i = doorbell_idx(connection_id), fd;

	if (!hv->doorbells)
		return -EOPNOTSUPP;
	if (i < 0)
		return -ENOSPC;
	g_mutex_lock(&hv->lock);
	if (hv->doorbell_fd[i] >= 0) {
		g_mutex_unlock(&hv->lock);
		return -EBUSY;
	}
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd >= 0) {
		hv->doorbell_fd[i] = fd;
		g_atomic_int_set(&hv->doorbell_bit[i], 0);
		g_atomic_int_inc(&hv->doorbells_bound);
	}
	g_mutex_unlock(&hv->lock);
	return fd < 0 ? -errno : fd;
}

void enl_hv_doorbell_unbind(struct enl_hv *hv, uint32_t connection_id)
{
	int i = doorbell_idx(connection_id);

	if (i < 0)
		return;
	g_mutex_lock(&hv->lock);
	if (hv->doorbell_fd[i] >= 0) {
		close(hv->doorbell_fd[i]);
		hv->doorbell_fd[i] = -1;
		g_atomic_int_dec_and_test(&hv->doorbells_bound);
	}
	g_mutex_unlock(&hv->lock);
}

bool enl_hv_doorbell_take(struct enl_hv *hv, uint32_t connection_id, int fd)
{
	int i = doorbell_idx(connection_id);
	uint64_t n;

	if (i < 0 || read(fd, &n, sizeof(n)) != sizeof(n))
		return false;
	return g_atomic_int_exchange(&hv->doorbell_bit[i], 0);
}

uint16_t fake_guest_ring(struct enl_hv *hv, uint32_t conn)
{
	int i = doorbell_idx(conn), fd = -1;
	uint64_t one = 1;

	g_mutex_lock(&hv->lock);
	if (i >= 0)
		fd = hv->doorbell_fd[i];
	if (fd >= 0 && !g_atomic_int_exchange(&hv->doorbell_bit[i], 1) &&
	    write(fd, &one, sizeof(one)) != sizeof(one))
		fd = -1;
	g_mutex_unlock(&hv->lock);
	return fd >= 0 ? 0 : fake_guest_signal_async(hv, conn);
}

void *enl_gpa_ptr(const struct enl_guest_mem *mem, uint64_t gpa, uint64_t len)
{
	if (!mem->base || gpa > mem->size || len > mem->size - gpa)
		return NULL;
	return mem->base + gpa;
}

uint16_t fake_guest_post(struct enl_hv *hv, uint32_t conn, const void *msg,
			 uint32_t len)
{
	return hv->ops->post_message(hv->ctx, conn, 1, msg, len);
}

uint16_t fake_guest_signal_async(struct enl_hv *hv, uint32_t conn)
{
	return hv->ops->signal_event(hv->ctx, conn, 0);
}

uint16_t fake_guest_signal(struct enl_hv *hv, uint32_t conn)
{
	uint16_t st = hv->ops->signal_event(hv->ctx, conn, 0);

	enl_vmbus_server_settle(hv->ctx);
	return st;
}

guint fake_hv_nr_signals(struct enl_hv *hv)
{
	guint n;

	g_mutex_lock(&hv->lock);
	n = hv->signals->len;
	g_mutex_unlock(&hv->lock);
	return n;
}

struct fake_signal fake_hv_last_signal(struct enl_hv *hv)
{
	struct fake_signal s = { 0 };

	g_mutex_lock(&hv->lock);
	if (hv->signals->len)
		s = g_array_index(hv->signals, struct fake_signal,
				  hv->signals->len - 1);
	g_mutex_unlock(&hv->lock);
	return s;
}

struct fake_msg *fake_hv_pop(struct enl_hv *hv)
{
	struct fake_msg *m;

	g_mutex_lock(&hv->lock);
	m = g_queue_pop_head(&hv->msgs);
	g_mutex_unlock(&hv->lock);
	return m;
}

unsigned int fake_hv_drain(struct enl_hv *hv)
{
	unsigned int n = 0;
	struct fake_msg *m;

	while ((m = fake_hv_pop(hv))) {
		g_free(m);
		n++;
	}
	return n;
}

uint32_t fake_msgtype(const struct fake_msg *m)
{
	uint32_t t;

	memcpy(&t, m->data, sizeof(t));
	return t;
}

/* ---- ctl: the real verb table, without a socket ---- */

struct enl_ctl *fake_ctl_new(void)
{
	return enl_ctl_new_offline();
}

void fake_ctl_free(struct enl_ctl *ctl)
{
	enl_ctl_free(ctl);
}

int fake_ctl_run(struct enl_ctl *ctl, const char *line, char **out)
{
	GString *s = g_string_new(NULL);
	int ret = enl_ctl_call(ctl, line, s);

	*out = g_string_free(s, FALSE);
	return ret;
}
