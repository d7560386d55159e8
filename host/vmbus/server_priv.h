/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * State shared by the files of the VMBus server: the connection, the
 * channel table, the GPADL table and the error counters. Not for VSPs.
 */
#ifndef ENL_HOST_VMBUS_SERVER_PRIV_H
#define ENL_HOST_VMBUS_SERVER_PRIV_H

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>
#include <enlighten/vmbus_msg.h>

#include "chaos.h"
#include "hold.h"
#include "ring.h"
#include "ring_map.h"
#include "server.h"
#include "vsp.h"
#include "worker.h"

/* Relids 1..ENL_VMBUS_MAX_RELID; far below the 2048 event flags of a SINT. */
#define ENL_VMBUS_MAX_RELID		255
/*
 * Channel connection ids for HvSignalEvent: relid-based and well clear of
 * the fixed message/event/monitor connection ids 1..4.
 */
#define ENL_VMBUS_CHANNEL_CONN_BASE	0x10000u
/* Bounds that keep a hostile guest from pinning host memory. */
#define ENL_VMBUS_MAX_GPADLS		1024
/* GPADLs still waiting for body messages (Linux sends one at a time). */
#define ENL_VMBUS_MAX_GPADLS_IN_FLIGHT	64
#define ENL_VMBUS_MAX_VP		64
#define ENL_VMBUS_MAX_CLASSES		32
/*
 * Packets one drain pass hands to a VSP before it queues itself behind the
 * other work of its context: a flood cannot hold a worker, and its timers
 * and fds still run.
 */
#define ENL_VMBUS_DRAIN_BUDGET		64
/*
 * A pass that moved packets, or one blocked on a full ring, looks again
 * this much later even without a signal: the guest's half of the ring
 * handshakes (store an index, full barrier, load the other side's mask or
 * pending_send_sz) is only as good as its barriers, and QEMU's TCG can
 * elide a single-vCPU guest's barriers, losing a signal now and then.
 * Blocked, the look-again backs off up to the maximum.
 */
#define ENL_VMBUS_RECHECK_MS		10
#define ENL_VMBUS_RECHECK_MAX_MS	1000

/*
 * Non-zero status of GPADL_CREATED / OPENCHANNEL_RESULT: Hyper-V reports an
 * NTSTATUS there; guests only test for zero. STATUS_UNSUCCESSFUL.
 */
#define ENL_VMBUS_STATUS_FAILED		0xc0000001u

/* Why a guest message or signal was refused; one counter each. */
enum enl_vmbus_err {
	ENL_VMBUS_ERR_BAD_SIZE,		/* shorter or longer than its type */
	ENL_VMBUS_ERR_BAD_TYPE,		/* unknown or host-only msgtype */
	ENL_VMBUS_ERR_BAD_CONNECTION,	/* wrong message connection id */
	ENL_VMBUS_ERR_BAD_STATE,	/* not allowed in this state */
	ENL_VMBUS_ERR_BAD_VERSION,	/* unsupported version requested */
	ENL_VMBUS_ERR_BAD_RELID,	/* unknown or rescinded relid */
	ENL_VMBUS_ERR_BAD_VP,		/* target VP or SINT out of range */
	ENL_VMBUS_ERR_GPADL_DUP,	/* handle already in use */
	ENL_VMBUS_ERR_GPADL_RANGE,	/* malformed ranges / page counts */
	ENL_VMBUS_ERR_GPADL_GPA,	/* a pfn outside guest RAM */
	ENL_VMBUS_ERR_GPADL_LIMIT,	/* too many GPADLs or pages */
	ENL_VMBUS_ERR_GPADL_UNKNOWN,	/* body/teardown of unknown handle */
	ENL_VMBUS_ERR_OPEN_RING,	/* ring GPADL unusable as rings */
	ENL_VMBUS_ERR_OPEN_VSP,		/* device refused or map failed */
	ENL_VMBUS_ERR_RING_CORRUPT,	/* guest corrupted a ring */
	ENL_VMBUS_ERR_BAD_SIGNAL,	/* HvSignalEvent to nothing open */
	ENL_VMBUS_ERR_REPLY_FAILED,	/* enl_hv_post_message refused */
	ENL_VMBUS_ERR_BAD_DATA_PKT,	/* GPA-direct / data packet refused */
	ENL_VMBUS_ERR_GPADL_VIEW,	/* VSP named a GPADL it cannot map */
	ENL_VMBUS_ERR_COUNT
};

/*
 * Answers the host can be told to leave out (ctl `fault mute`), for tests
 * of a guest whose host never answers: each drops the next such message
 * (or, for close, ignores the guest's next CLOSECHANNEL) of one relid.
 */
enum enl_vmbus_mute {
	ENL_MUTE_OPEN_RESULT,		/* OPENCHANNEL_RESULT */
	ENL_MUTE_CLOSE,			/* CLOSECHANNEL ignored, rings kept */
	ENL_MUTE_TORNDOWN,		/* GPADL_TORNDOWN */
	ENL_MUTE_GPADL_CREATED,		/* GPADL_CREATED */
	ENL_MUTE_UNLOAD_RESPONSE,	/* UNLOAD_RESPONSE (any relid) */
	ENL_MUTE_COUNT
};

enum enl_vmbus_chan_state {
	ENL_CHAN_OFFERED,	/* offered (or queued until REQUESTOFFERS) */
	ENL_CHAN_OPEN,
	ENL_CHAN_RESCINDED,	/* rescind sent; relid held until released */
};

struct enl_vmbus_gpadl {
	uint32_t handle;
	uint32_t relid;
	uint16_t rangecount;
	uint32_t nwords;	/* range buffer length in u64 words */
	uint32_t filled;	/* words received so far */
	uint64_t *words;	/* the ranges exactly as the guest sent them */
	uint32_t npages;	/* pfns in all ranges, once complete */
	bool complete;		/* GPADL_CREATED sent */
	/* Under the server's gpadl_lock (workers map data GPADLs): */
	uint32_t users;		/* open rings / VSP mappings holding it */
	bool teardown_pending;	/* TORNDOWN owed once users drops to 0 */
};

/*
 * Threads: the channel table, state, offer and GPADL fields belong to the
 * main thread (the VMBus control protocol). The VSP runs on ctx, its own
 * worker's context. Rings are
 * set up by the main thread before `active` is raised on ctx and unmapped
 * only after it was lowered there; every ring access checks `active` under
 * in_lock (guest -> host ring) or out_lock (host -> guest ring), taken in
 * that order, so sends and reads are safe from any thread.
 */
struct enl_vsp_channel {
	struct enl_vmbus_server *srv;
	const struct enl_vsp_class *cls;
	uint32_t relid;
	uint32_t conn_id;
	uint32_t serial;	/* unique per offer: stale deferred work */
	struct enl_guid instance;
	enum enl_vmbus_chan_state state;
	bool offer_sent;
	bool rescinding;	/* closed by a rescind: see enl_vsp_rescinded() */
	/* Sub-channels: their primary (NULL for a primary) and index 1..n. */
	struct enl_vsp_channel *parent;
	uint16_t sub_index;

	void *vsp_state;	/* the class's create(), on ctx */
	struct enl_vmbus_worker *worker;
	GMainContext *ctx;
	GRecMutex in_lock;
	GMutex out_lock;
	GMutex sched_lock;
	GSource *sched;		/* a process pass queued on ctx */
	bool in_pass;		/* a process pass runs (for settle) */
	GSource *recheck;	/* look again without a signal (on ctx) */
	GSource *doorbell;	/* the channel doorbell's fd, on ctx, while open */
	unsigned int recheck_ms;
	int active;		/* atomic: rings usable, VSP opened */
	int broken;		/* atomic: guest corrupted a ring */
	/*
	 * Main thread: the guest closed it, the host ignored that (a muted
	 * close) and holds it open: the guest cannot open it again until the
	 * host takes it away (chaos heal does).
	 */
	bool close_ignored;

	/* While open. */
	uint32_t open_id;
	uint32_t target_vp;	/* atomic: MODIFYCHANNEL vs signalling */
	struct enl_vmbus_gpadl *ring_gpadl;
	struct enl_ring_map map;
	struct enl_ring in;	/* guest -> host, under in_lock */
	struct enl_ring out;	/* host -> guest, under out_lock */
	void *priv;
	struct enl_vsp_inflight *inflight;	/* for the channel's life */
	uint8_t *pktbuf;	/* drain's copy of a packet, on ctx */
	uint32_t pktbuf_len;
	bool waiting_space;	/* pending_send_sz published on out */
	GList *views;		/* data GPADL views, under gpadl_lock */
	/* One signal per batch (enl_vsp_batch_begin), under out_lock. */
	GThread *batch_owner;
	unsigned int batch_depth;
	bool batch_signal;

	struct {		/* atomic */
		uint64_t signals_in;	/* HvSignalEvent from the guest */
		uint64_t doorbell_signals; /* ... of them on the channel doorbell */
		uint64_t signals_out;	/* events raised towards the guest */
		uint64_t opens;
		uint64_t passes;	/* drain passes run */
		uint64_t budget_hits;	/* passes that stopped at the budget */
		uint64_t batched_signals; /* one signal for a batch of sends */
		uint64_t rechecks;	/* passes a look-again timer queued */
		uint64_t inflight_dropped; /* left outstanding by on_close */
	} stats;
};

struct enl_vmbus_server {
	struct enl_hv *hv;
	int ram_fd;

	/* Connection. */
	bool connected;
	bool offers_requested;
	uint32_t version;
	uint32_t msg_conn_id;
	uint32_t target_vp;
	uint32_t msg_sint;

	const struct enl_vsp_class *classes[ENL_VMBUS_MAX_CLASSES];
	unsigned int nr_classes;
	struct enl_vsp_channel *chan[ENL_VMBUS_MAX_RELID + 1];
	uint32_t instance_serial;
	/*
	 * handle -> struct enl_vmbus_gpadl. Changed only by the main thread,
	 * under gpadl_lock, which also guards users, teardown_pending,
	 * complete and each channel's views; workers look up under it.
	 */
	GHashTable *gpadls;
	GMutex gpadl_lock;
	GSource *reaper;	/* main loop: TORNDOWN owed after a worker's unmap */

	/* Pending mutes: relid (0: any) and how many more to drop. */
	GMutex mute_lock;
	struct {
		uint32_t relid;
		uint32_t count;
	} mute[ENL_MUTE_COUNT];

	struct {		/* errors and messages_out: atomic */
		uint64_t errors[ENL_VMBUS_ERR_COUNT];
		uint64_t messages_in;
		uint64_t messages_out;
		uint64_t unloads;
		uint64_t faults;
		uint64_t muted;		/* answers left out by a mute */
		uint64_t held;		/* messages a hold delayed */
		uint64_t hold_dropped;	/* held ones a reset made moot */
	} stats;

	struct enl_vmbus_hold *hold;	/* hold.c: delayed messages */
	struct enl_vmbus_chaos *chaos;	/* chaos.c: random faults */
	/* Non-NULL: channels run here, not on workers (server.h). */
	GMainContext *chan_ctx;
};

extern const char *const enl_vmbus_err_names[ENL_VMBUS_ERR_COUNT];

/* server.c */
void enl_vmbus_error(struct enl_vmbus_server *srv, enum enl_vmbus_err why,
		     const char *fmt, ...) G_GNUC_PRINTF(3, 4);
int enl_vmbus_reply(struct enl_vmbus_server *srv, const void *msg,
		    uint32_t len);
struct enl_guest_mem *enl_vmbus_mem(struct enl_vmbus_server *srv);

/*
 * The guest-message entry point (HvPostMessage on a message connection
 * id), exposed for the unit tests and the fuzzer. Returns HV_STATUS_*.
 */
uint16_t enl_vmbus_server_post_message(struct enl_vmbus_server *srv,
				       uint32_t connection_id,
				       uint32_t message_type,
				       const void *payload, uint32_t size);
uint16_t enl_vmbus_server_signal_event(struct enl_vmbus_server *srv,
				       uint32_t connection_id,
				       uint16_t flag_number);

/* connection.c */
void enl_vmbus_on_initiate_contact(struct enl_vmbus_server *srv,
				   uint32_t connection_id, const void *msg);
void enl_vmbus_on_request_offers(struct enl_vmbus_server *srv);
void enl_vmbus_on_unload(struct enl_vmbus_server *srv);
/* Drop every GPADL and channel the guest knew (unload, reset, free). */
void enl_vmbus_reset(struct enl_vmbus_server *srv);

/* offer.c */
struct enl_vsp_channel *enl_vmbus_chan_lookup(struct enl_vmbus_server *srv,
					      uint32_t relid);
void enl_vmbus_send_offer(struct enl_vsp_channel *ch);
void enl_vmbus_on_relid_released(struct enl_vmbus_server *srv,
				 const void *msg);
void enl_vmbus_chan_free(struct enl_vsp_channel *ch);
void enl_vmbus_drop_subchannels(struct enl_vmbus_server *srv);
const char *enl_vmbus_chan_state_name(const struct enl_vsp_channel *ch);

/* gpadl.c */
void enl_vmbus_on_gpadl_header(struct enl_vmbus_server *srv,
			       const void *msg, uint32_t len);
void enl_vmbus_on_gpadl_body(struct enl_vmbus_server *srv,
			     const void *msg, uint32_t len);
void enl_vmbus_on_gpadl_teardown(struct enl_vmbus_server *srv,
				 const void *msg);
struct enl_vmbus_gpadl *enl_vmbus_gpadl_get(struct enl_vmbus_server *srv,
					    uint32_t handle);
void enl_vmbus_gpadl_put(struct enl_vmbus_server *srv,
			 struct enl_vmbus_gpadl *g);
/* The pfns of a complete single-range, page-aligned GPADL, or NULL. */
const uint64_t *enl_vmbus_gpadl_pages(const struct enl_vmbus_gpadl *g,
				      uint32_t *npages);
void enl_vmbus_gpadl_free_all(struct enl_vmbus_server *srv);
/* gpadl_view.c: drop what a VSP left mapped (after on_close, on ctx). */
void enl_vmbus_views_drop(struct enl_vsp_channel *ch);
/* A worker dropped the last user of a dying GPADL: TORNDOWN from main. */
void enl_vmbus_gpadl_reap_later(struct enl_vmbus_server *srv);
/* Drop the GPADLs of one relid (released after a rescind). */
void enl_vmbus_gpadl_free_relid(struct enl_vmbus_server *srv, uint32_t relid);

/* channel.c */
void enl_vmbus_on_open(struct enl_vmbus_server *srv, const void *msg);
void enl_vmbus_on_close(struct enl_vmbus_server *srv, const void *msg);
void enl_vmbus_on_modify(struct enl_vmbus_server *srv, const void *msg);
/* Detach rings and tell the VSP; no message to the guest. */
void enl_vmbus_chan_close(struct enl_vsp_channel *ch);
/* Queue a process pass on the channel's context (any thread). */
void enl_vmbus_chan_wake(struct enl_vsp_channel *ch);
/* On ctx, as the channel opens and closes: its own doorbell, if one is left. */
void enl_vmbus_chan_doorbell_bind(struct enl_vsp_channel *ch);
void enl_vmbus_chan_doorbell_unbind(struct enl_vsp_channel *ch);
void enl_vmbus_chan_signal_guest(struct enl_vsp_channel *ch);
/* Start / stop the channel's context (offer / free); 0 or -errno. */
int enl_vmbus_chan_start(struct enl_vsp_channel *ch);
void enl_vmbus_chan_stop(struct enl_vsp_channel *ch);
/*
 * Wait until the channel's context has no process pass queued or running
 * (tests and the fuzzer: the guest's signal is asynchronous now).
 */
void enl_vmbus_chan_settle(struct enl_vsp_channel *ch);
void enl_vmbus_server_settle(struct enl_vmbus_server *srv);
static inline uint64_t enl_vmbus_stat(const uint64_t *v)
{
	return __atomic_load_n(v, __ATOMIC_RELAXED);
}

/* Destroy a GSource this code attached and holds a reference to. */
static inline void enl_vmbus_source_drop(GSource **src)
{
	if (!*src)
		return;
	g_source_destroy(*src);
	g_source_unref(*src);
	*src = NULL;
}

static inline void enl_vmbus_stat_inc(uint64_t *v)
{
	__atomic_fetch_add(v, 1, __ATOMIC_RELAXED);
}

/* registry.c: the class's create/destroy on the channel's context. */
int enl_vmbus_state_create(struct enl_vsp_channel *ch);
void enl_vmbus_state_destroy(struct enl_vsp_channel *ch);

/* offer.c: a hostile order, for ctl `fault rescind-primary-first`. */
int enl_vmbus_server_rescind_primary_first(struct enl_vmbus_server *srv,
					   uint32_t relid);

/* ctl.c, fault.c */
int enl_vmbus_fault(struct enl_vmbus_server *srv, const char *kind,
		    const char *arg, GString *out);
/* ctl `fault mute <what> [relid] [count]` and `fault unmute`. */
int enl_vmbus_fault_mute(struct enl_vmbus_server *srv, const char *what,
			 const char *relid, const char *count, GString *out);
void enl_vmbus_fault_unmute(struct enl_vmbus_server *srv);
/*
 * True if the answer `what` concerning relid is to be left out: a pending
 * mute matched and was used up (counted, logged). Any thread.
 */
bool enl_vmbus_muted(struct enl_vmbus_server *srv, enum enl_vmbus_mute what,
		     uint32_t relid);

#endif /* ENL_HOST_VMBUS_SERVER_PRIV_H */
