/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The VSP (virtual service provider) API: what a host-side device sees of
 * VMBus. A device class names itself and its class GUID; the server offers
 * it, and once the guest opens a channel the device reads and writes the
 * channel's rings through these calls. Rings live in guest RAM and are
 * validated by common/ring.c; a VSP never touches a GPA itself.
 *
 * Threads: each channel has its own worker thread with its own GMainContext
 * (enl_vsp_context(); the thread-default context there), started when the
 * channel is offered. Every callback of a class runs on it, one at a time:
 * on_open, on_packet/on_signal, on_close. A guest signal only queues a
 * drain pass there; a pass hands at most ENL_VMBUS_DRAIN_BUDGET packets to
 * the VSP, then queues itself behind the context's other sources (timers,
 * fds) instead of looping. The main thread keeps the VMBus control protocol
 * and the ctl socket. enl_vsp_send*, enl_vsp_recv*, enl_vsp_wait_for_space,
 * enl_vsp_kick and enl_vsp_call are safe from any thread; a VSP's own state
 * is its business: ctl verbs reach it through enl_vsp_call().
 */
#ifndef ENL_HOST_VSP_H
#define ENL_HOST_VSP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <glib.h>
#include <glib-unix.h>
#include <enlighten/types.h>
#include "ring.h"

struct enl_vsp_channel;
struct enl_vmbus_server;
struct enl_guest_mem;

struct enl_vsp_class {
	const char *name;		/* "echo": the ctl / offer name */
	struct enl_guid class_guid;	/* offer if_type */
	uint16_t chn_flags;		/* offer chn_flags */
	uint16_t mmio_megabytes;	/* offer mmio_megabytes */
	/*
	 * Requests outstanding at once in the channel's in-flight table
	 * (enl_vsp_inflight(), inflight.h); 0: ENL_VSP_INFLIGHT_DEFAULT.
	 */
	uint32_t max_inflight;

	/*
	 * Optional per-channel state (the registry: every offer of a class
	 * has its own, two offers never share): create runs on the channel's
	 * context when it is offered, destroy when the channel is freed
	 * (rescinded and released, or the server goes). NULL from create
	 * fails the offer. Reach it with enl_vsp_state(), from ctl verbs
	 * through enl_vsp_ctl_find().
	 */
	void *(*create)(struct enl_vsp_channel *ch);
	void (*destroy)(void *state);

	/*
	 * The guest opened the channel; rings are attached. user_data is the
	 * 120 bytes of the open message. Return 0, or -errno to fail the open
	 * (the guest gets a non-zero OPEN_RESULT status).
	 */
	int (*on_open)(struct enl_vsp_channel *ch, const uint8_t *user_data);

	/*
	 * One packet from the guest (descriptor included in data, pkt->len
	 * bytes; the payload starts at pkt->hdr_len). Return 0 when consumed,
	 * -EAGAIN to leave it in the ring and stop reading (back-pressure: call
	 * enl_vsp_wait_for_space() first so that the guest's signal resumes
	 * the channel). Any other error is counted and the packet dropped.
	 * Used by the server's default drain loop when on_signal is NULL.
	 */
	int (*on_packet)(struct enl_vsp_channel *ch,
			 const struct enl_ring_pkt *pkt, const void *data);

	/* Optional: replace the default drain loop (use enl_vsp_recv()). */
	void (*on_signal)(struct enl_vsp_channel *ch);

	/* Closed by the guest, by unload or by rescind. Rings are gone after. */
	void (*on_close)(struct enl_vsp_channel *ch);

	/*
	 * Optional, for a device taken away and offered again (chaos's heal):
	 * save keeps what makes the primary ch this device (its backing: a
	 * TAP and a MAC, disks) while ch is there; reoffer later offers a
	 * device made from that, when ch may be gone, and returns its relid,
	 * -ENOSPC while no relid is free, or another -errno; forget frees
	 * what save returned. All on the main thread. Without them the class
	 * is offered again by name: a new device with no backing.
	 */
	void *(*save)(struct enl_vsp_channel *ch);
	int (*reoffer)(struct enl_vmbus_server *srv, const void *saved);
	void (*forget)(void *saved);
};

/* Make a class offerable by name. 0, -EEXIST or -EINVAL. */
int enl_vmbus_server_add_class(struct enl_vmbus_server *srv,
			       const struct enl_vsp_class *cls);

/* What the class's create returned for this channel (NULL without one). */
void *enl_vsp_state(const struct enl_vsp_channel *ch);

/*
 * The channel with this relid if it is an offer of class_name (main
 * thread), else NULL.
 */
struct enl_vsp_channel *enl_vsp_find(struct enl_vmbus_server *srv,
				     uint32_t relid, const char *class_name);

/*
 * For a ctl verb of class_name (main thread): take "--relid N" out of
 * argv, then the channel with that relid, or without it the first offer
 * of the class that is not rescinded. NULL, with why in out, if none.
 */
struct enl_vsp_channel *enl_vsp_ctl_find(struct enl_vmbus_server *srv,
					 const char *class_name, int *argc,
					 char **argv, GString *out);

/*
 * A ctl verb of class_name whose work touches an offer's state: find the
 * offer as enl_vsp_ctl_find() does, run fn(state, argc, argv, out) on the
 * channel's context and wait for it. -ENODEV (why in out) without one.
 */
typedef int (*enl_vsp_verb_fn)(void *state, int argc, char **argv,
			       GString *out);
int enl_vsp_ctl_run(struct enl_vmbus_server *srv, const char *class_name,
		    int argc, char **argv, GString *out, enl_vsp_verb_fn fn);

/*
 * The same for a verb written against struct enl_ctl_req (ctl.h): it gets
 * the request whole (argv without --relid), so it can answer --json too.
 */
struct enl_ctl_req;
typedef int (*enl_vsp_req_fn)(void *state, struct enl_ctl_req *req);
int enl_vsp_ctl_run_req(struct enl_vmbus_server *srv, const char *class_name,
			struct enl_ctl_req *req, enl_vsp_req_fn fn);

/*
 * Run fn on every offer of class_name that has state and is not
 * rescinded, sub-channels included, in relid order, each on its own
 * context (main thread). Returns how many; fn's results are ignored.
 */
int enl_vsp_ctl_run_all(struct enl_vmbus_server *srv, const char *class_name,
			struct enl_ctl_req *req, enl_vsp_req_fn fn);
/* The same without sub-channels: one call per device offered. */
int enl_vsp_ctl_run_primaries(struct enl_vmbus_server *srv,
			      const char *class_name, struct enl_ctl_req *req,
			      enl_vsp_req_fn fn);

void enl_vsp_set_priv(struct enl_vsp_channel *ch, void *priv);
void *enl_vsp_priv(const struct enl_vsp_channel *ch);
uint32_t enl_vsp_relid(const struct enl_vsp_channel *ch);
/*
 * True when the channel is closed by a rescind (from on_close on): the
 * host's doing, not the guest's, so the guest may still read what the
 * rings hold, and buffers those packets name stay the guest's.
 */
bool enl_vsp_rescinded(const struct enl_vsp_channel *ch);
struct enl_guest_mem *enl_vsp_guest_mem(const struct enl_vsp_channel *ch);
/* The partition reference time now (enl_hv_ref_time), from any thread. */
uint64_t enl_vsp_ref_time(const struct enl_vsp_channel *ch);

/*
 * Write one packet to the host -> guest ring (descriptor built from
 * type/flags/trans_id) and signal the guest if the ring says so.
 * 0, -EAGAIN when full now, -EMSGSIZE if it never fits, -EIO if the
 * guest corrupted the ring, -ENOTCONN if the channel is not open.
 */
int enl_vsp_send(struct enl_vsp_channel *ch, uint16_t type, uint16_t flags,
		 uint64_t trans_id, const struct enl_ring_iov *iov,
		 uint32_t iovcnt);

/* Same, iov[0] starting with the caller's own descriptor (enl_ring_write_raw). */
int enl_vsp_send_raw(struct enl_vsp_channel *ch,
		     const struct enl_ring_iov *iov, uint32_t iovcnt);

/*
 * A send of payload_len bytes (descriptor excluded) got -EAGAIN: ask the
 * guest to signal once that much space is free. Returns true if it fits
 * already (retry now). enl_vsp_send() clears the request when it succeeds.
 */
bool enl_vsp_wait_for_space(struct enl_vsp_channel *ch, uint32_t payload_len);

/*
 * One signal per batch: between begin and end, sends by this thread do not
 * signal the guest; end signals once if any of them would have. Nests.
 * A drain pass is a batch already (packets sent from on_packet/on_signal
 * cost one signal per pass); use these around sends from elsewhere, e.g. a
 * burst of completions from an fd callback. Sends by other threads
 * meanwhile signal as usual.
 */
void enl_vsp_batch_begin(struct enl_vsp_channel *ch);
void enl_vsp_batch_end(struct enl_vsp_channel *ch);
/*
 * Inside this thread's batch: the signal its sends so far owe, now, and
 * the batch goes on (e.g. before long work in a pass, so that the guest
 * takes the answers it has meanwhile). Nothing owed: nothing happens.
 */
void enl_vsp_batch_flush(struct enl_vsp_channel *ch);

/* For on_signal users: enl_ring_read() on the guest -> host ring. */
int enl_vsp_recv(struct enl_vsp_channel *ch, void *buf, uint32_t buflen,
		 struct enl_ring_pkt *pkt);
/* Publish what enl_vsp_recv() consumed; signals the guest when needed. */
void enl_vsp_recv_done(struct enl_vsp_channel *ch);
/*
 * The next guest packet into *buf, which is grown to fit (g_malloc'd; the
 * length is bounded by the ring, which checked it). When the ring looks
 * empty, publish the read index and look once more: a packet the guest
 * wrote before it saw our index raised no signal. enl_vsp_recv()'s result:
 * -EAGAIN only when still empty after that second look.
 */
int enl_vsp_recv_next(struct enl_vsp_channel *ch, uint8_t **buf,
		      uint32_t *buf_len, struct enl_ring_pkt *pkt);

/* Run the channel's drain again soon (e.g. after an asynchronous completion). */
void enl_vsp_kick(struct enl_vsp_channel *ch);

/*
 * For on_signal users that poll while busy (vsp_poll.h does it on a
 * timer): intr_mask asks the guest not to signal new packets (the VSP
 * looks on its own); intr_unmask lifts it and says whether a packet came
 * meanwhile (then read again: it raised no signal). On the channel's
 * context.
 */
void enl_vsp_intr_mask(struct enl_vsp_channel *ch);
bool enl_vsp_intr_unmask(struct enl_vsp_channel *ch);

/*
 * Host-side hot removal: rescind the channel's offer (a primary's
 * sub-channels first). From the channel's own context (a callback) it is
 * queued to the main loop, since closing waits for that context, and
 * returns 0.
 */
int enl_vsp_rescind(struct enl_vsp_channel *ch);

/* The context the channel's callbacks run on (its worker's). */
GMainContext *enl_vsp_context(const struct enl_vsp_channel *ch);

/*
 * Watch fd for input on the channel's context: cb(fd, cond, data) runs
 * there while it returns G_SOURCE_CONTINUE. Returns the source (the
 * caller's reference; g_source_destroy() and unref to stop). Unlike a
 * plain g_unix_fd_source_new(), GLib does not block it during its own
 * dispatch: blocking takes the fd out of the context's poll set and puts
 * it back, and each is a write to the context's wakeup eventfd and one
 * more poll, on every packet path. No callback iterates its own context,
 * so the recursion this allows cannot happen.
 */
GSource *enl_vsp_fd_watch(struct enl_vsp_channel *ch, int fd,
			  GUnixFDSourceFunc cb, void *data);

/*
 * Run fn(data) on the channel's context and wait for it: how another
 * thread (a ctl verb) reads or changes what the VSP owns. Inline when
 * already there. Never hold a lock the VSP's callbacks take.
 */
void enl_vsp_call(struct enl_vsp_channel *ch, void (*fn)(void *data),
		  void *data);

/*
 * Data devices: gpadl_view.h (a data GPADL as iovecs), gpa_direct.h
 * (GPA-direct packets as iovecs), xfer_page.h (transfer-page packets and
 * their completions), inflight.h (transaction id -> request), vsp_poll.h
 * (a busy ring looked at on a timer, the guest's signals masked).
 */
#include "gpa_direct.h"
#include "gpadl_view.h"
#include "inflight.h"
#include "vsp_poll.h"
#include "xfer_page.h"

/* Most sub-channels one primary may have. */
#define ENL_VSP_MAX_SUBCHANNELS	64

/*
 * Offer n sub-channels of the primary ch (typically from on_open, when the
 * guest's open asks for them in the device's protocol): same class, the
 * primary's instance GUID, sub_channel_index 1..n, each with its own relid,
 * connection id and worker; the class's callbacks serve them like any
 * channel. Indices that exist already are kept, so asking again after a
 * reopen is harmless. They are rescinded with the primary and dropped when
 * the guest unloads. Returns how many the primary has now, -EINVAL (ch is
 * a sub-channel, rescinded, or n is 0 or above ENL_VSP_MAX_SUBCHANNELS),
 * -ENOSPC (out of relids) or -EAGAIN (no worker). Called from a worker
 * (on_open), the offers are made on the main loop right after, and it
 * returns n.
 */
int enl_vsp_create_subchannels(struct enl_vsp_channel *ch, unsigned int n);
/* 0 for a primary, else the sub-channel's index. */
uint16_t enl_vsp_sub_index(const struct enl_vsp_channel *ch);
/*
 * A sub-channel's primary, NULL for a primary: a sub-channel's create()
 * finds the device it serves there (enl_vsp_state() of the primary, made
 * before any sub-channel and freed after them).
 */
struct enl_vsp_channel *enl_vsp_primary(const struct enl_vsp_channel *ch);

#endif /* ENL_HOST_VSP_H */
