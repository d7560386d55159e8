/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A stand-in for the SynIC emulation (host/hv), guest RAM (host/vmm) and the
 * ctl socket's transport (verbs run on host/ctl's real table) under the
 * VMBus server: records what the server
 * posts and signals, and lets a test play the guest. Shared by the unit
 * tests and the fuzz target.
 */
#ifndef ENL_TEST_VMBUS_FAKEHV_H
#define ENL_TEST_VMBUS_FAKEHV_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "guest_mem.h"
#include "hv.h"

struct fake_msg {
	uint32_t vp, sint, type, size;
	uint8_t data[256];
};

struct fake_signal {
	uint32_t vp, sint, flag;
};

struct enl_hv {
	struct enl_guest_mem mem;
	int memfd;			/* -1: plain malloc'd RAM */
	const struct enl_hv_ops *ops;
	void *ctx;
	GMutex lock;			/* workers signal and post too */
	GQueue msgs;			/* struct fake_msg *, oldest first */
	GArray *signals;		/* struct fake_signal */
	bool sint_ready;
	bool quiet;			/* fuzzing: keep nothing */
	/*
	 * Channel doorbells (enl_hv_doorbell_bind) when set: an eventfd per
	 * connection FAKE_CONN_BASE + i, i < FAKE_DOORBELLS, and its "bit".
	 */
	bool doorbells;
	int doorbell_fd[64];		/* 0: none (fake_hv_new sets -1) */
	int doorbell_bit[64];		/* atomic */
	int doorbells_bound;		/* atomic */
	/* Signals per event flag (relid) below 64, atomic: a guest waits on them. */
	int signals_by_flag[64];
};

/* ram_size bytes of guest RAM, in a memfd if want_fd. */
struct enl_hv *fake_hv_new(uint64_t ram_size, bool want_fd);
void fake_hv_free(struct enl_hv *hv);

/*
 * The guest's HvPostMessage / HvSignalEvent. The server only queues work
 * for the channel's worker on a signal; fake_guest_signal() then waits
 * until the workers are idle (enl_vmbus_server_settle), so that tests see
 * the result at once; fake_guest_signal_async() does not wait.
 */
uint16_t fake_guest_post(struct enl_hv *hv, uint32_t conn, const void *msg,
			 uint32_t len);
uint16_t fake_guest_signal(struct enl_hv *hv, uint32_t conn);
uint16_t fake_guest_signal_async(struct enl_hv *hv, uint32_t conn);
/*
 * The guest's posted signal on a channel's own doorbell, as the pci
 * transport rings it: the bit, then the eventfd the channel's worker
 * polls. Nothing passes through the server's signal_event; without a
 * bound doorbell it falls back to fake_guest_signal_async().
 */
uint16_t fake_guest_ring(struct enl_hv *hv, uint32_t conn);
/* Signals recorded so far (workers add to them). */
guint fake_hv_nr_signals(struct enl_hv *hv);
/* Signals so far with event flag `flag` (< 64): a guest's interrupts. */
int fake_hv_signals_for(struct enl_hv *hv, uint32_t flag);
/* The last signal recorded, zeroes if none. */
struct fake_signal fake_hv_last_signal(struct enl_hv *hv);

/* Oldest undelivered host message (caller frees) or NULL. */
struct fake_msg *fake_hv_pop(struct enl_hv *hv);
/* Drop all queued messages; how many there were. */
unsigned int fake_hv_drain(struct enl_hv *hv);
uint32_t fake_msgtype(const struct fake_msg *m);

/* The ctl verbs the server registered, run as the socket would. */
struct enl_ctl;
struct enl_ctl *fake_ctl_new(void);
void fake_ctl_free(struct enl_ctl *ctl);
/* Runs "line"; returns the verb's result, body in *out (caller frees). */
int fake_ctl_run(struct enl_ctl *ctl, const char *line, char **out);

#endif /* ENL_TEST_VMBUS_FAKEHV_H */
