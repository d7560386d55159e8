/* SPDX-License-Identifier: GPL-2.0-only */
/* enl_vmbus internals shared by its files: connection, SynIC, offers, channels. */
#ifndef _ENL_VMBUS_INTERNAL_H
#define _ENL_VMBUS_INTERNAL_H

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/interrupt.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>
#include <enlighten/hv_synic.h>
#include <enlighten/vmbus_msg.h>
#include "ring.h"
#include "enl_vmbus.h"
#include "transport.h"

/* Relids index the 2048 event flags of a SINT: larger ones are refused. */
#define ENL_MAX_RELID		ENL_HV_EVENT_FLAGS_COUNT
/* How long the host gets to answer a channel message. */
#define ENL_REPLY_TIMEOUT_MS	10000

/*
 * One SynIC: its message and event flags pages, drained by a tasklet (and
 * at shutdown by a poll too: msg_lock makes each message taken once).
 */
struct enl_synic {
	unsigned int idx;		/* CPU n's SynIC is synic[n] */
	struct enl_hv_message_page *msg_page;
	struct enl_hv_synic_event_flags_page *event_page;
	struct tasklet_struct tasklet;
	spinlock_t msg_lock;
	bool enabled;
	/* The host was told the page's address and has not confirmed off. */
	bool msg_shared;
	bool event_shared;
};

/* Bad input from the host, counted; shown in /sys/bus/enl_vmbus/. */
struct enl_vmbus_errors {
	atomic_long_t bad_msg;		/* malformed SynIC or channel message */
	atomic_long_t bad_relid;	/* relid out of range or unknown */
	atomic_long_t unexpected;	/* reply nobody waits for */
	atomic_long_t post_fail;	/* HvPostMessage failures */
};

struct enl_vmbus {
	struct enl_transport *t;
	struct device *root;
	struct enl_synic *synic;
	bool synic_live;		/* SINT interrupts may be taken */
	int cpuhp_state;

	u32 version;		/* negotiated, 0 until connected */
	u32 msg_conn_id;	/* where channel messages are posted */
	void *int_page;		/* pre-5.0 interrupt page (two halves) */
	void *monitor_page[2];

	spinlock_t wait_lock;
	struct list_head waiters;

	spinlock_t chan_lock;		/* chan[] */
	struct enl_vmbus_channel **chan;	/* by relid */
	/* Event flag words up to the highest relid offered (only grows). */
	unsigned int event_words;
	struct workqueue_struct *offer_wq;	/* ordered: offers, rescinds */
	struct completion all_offers;
	atomic_t next_gpadl;
	atomic_t next_cpu;
	struct list_head mmio;		/* enl_mmio_region, under mmio_lock */
	struct mutex mmio_lock;
	bool unloading;
	/* kexec, reboot or crash: only UNLOAD_RESPONSE matters any more. */
	atomic_t shutting_down;
	bool unload_acked;

	struct enl_vmbus_errors err;
};

extern struct enl_vmbus *enl_vb;

/*
 * Pages the host may still write (it never confirmed it let go of them)
 * are leaked, never freed: counted here (/sys/bus/enl_vmbus/leaked_pages,
 * for as long as the module lives) and logged.
 */
extern atomic_long_t enl_leaked_pages;
void enl_leak_pages(unsigned long n, const char *what);

/* A request waiting for the host's reply of a given type and key. */
struct enl_msg_waiter {
	struct list_head node;
	u32 type;		/* reply msgtype */
	u32 key;		/* relid or gpadl handle; 0 if none */
	struct enl_vmbus_channel *ch;	/* aborted when it is rescinded */
	struct completion done;
	int err;
	u32 len;
	u8 msg[ENL_VMBUS_MAX_MSG_SIZE] __aligned(8);
};

enum enl_chan_state {
	ENL_CHAN_OFFERED,
	ENL_CHAN_OPENING,
	ENL_CHAN_OPEN,
	ENL_CHAN_CLOSING,
};

/* Why a completion's transaction id was dropped. */
enum enl_rqst_error {
	ENL_RQST_UNKNOWN,	/* never handed out */
	ENL_RQST_DUPLICATE,	/* completed already */
	ENL_RQST_STALE,		/* its slot has been reused since */
	ENL_RQST_ERR_COUNT
};

struct enl_requestor;

struct enl_vmbus_channel {
	struct enl_vmbus_device vdev;	/* its release frees the channel */
	struct enl_vmbus *vb;
	struct enl_vmbus_channel_offer_channel offer;
	u32 relid;
	u32 sig_conn_id;
	struct work_struct offer_work;
	struct work_struct rescind_work;
	bool registered;
	bool rescinded;			/* set in the SynIC tasklet */
	bool broken;			/* ring corrupt: disabled for good */

	/*
	 * Sub-channels: a primary lists its subs (sub_list, under
	 * vb->chan_lock) and wakes sub_wq as they come; a sub points at its
	 * primary, holding a reference on it (the host may rescind the
	 * primary first), and is linked through sub_node.
	 */
	struct enl_vmbus_channel *primary;	/* NULL for a primary */
	u16 sub_index;
	struct list_head sub_list;
	struct list_head sub_node;
	unsigned int nr_subs;
	bool subs_closed;		/* being removed: no more subs */
	wait_queue_head_t sub_wq;

	struct mutex lock;		/* open/close and state changes */
	int state;			/* enum enl_chan_state */
	unsigned int target_cpu;
	u32 target_vp;
	void *ring_buf;			/* vmap: out ring, in ring, in data again */
	struct page **ring_pages;
	u32 ring_npages;
	u32 ring_bytes;			/* the GPADL's part of ring_buf */
	struct enl_requestor *rqst;
	u32 ring_gpadl;
	struct enl_ring out;		/* guest -> host */
	struct enl_ring in;		/* host -> guest */
	spinlock_t out_lock;
	bool signal_owed;		/* a quiet send's signal, under out_lock */
	struct tasklet_struct tasklet;
	unsigned int idle_runs;		/* tasklet runs in a row that took nothing */
	u32 flags;			/* ENL_VMBUS_OPEN_* */
	enl_vmbus_event_fn on_event;
	void *priv;

	atomic64_t interrupts;
	atomic64_t signals;
	u64 ring_full;
	atomic64_t skipped;		/* packets dropped unread by the driver */
	atomic64_t stalls;		/* callback runs that consumed nothing */
	atomic64_t rqst_err[ENL_RQST_ERR_COUNT];
	atomic64_t retargets;		/* MODIFYCHANNEL done */
};

#define to_enl_channel(d) \
	container_of(to_enl_vmbus_device(d), struct enl_vmbus_channel, vdev)

/* synic.c */
int enl_synic_init(struct enl_vmbus *vb);
void enl_synic_exit(struct enl_vmbus *vb);
void enl_synic_poll(struct enl_vmbus *vb);
void enl_synic_shutdown(struct enl_vmbus *vb, unsigned int idx);

/* connection.c */
int enl_conn_post(struct enl_vmbus *vb, const void *msg, u32 len);
void enl_conn_waiter_add(struct enl_vmbus *vb, struct enl_msg_waiter *w,
			 u32 type, u32 key, struct enl_vmbus_channel *ch);
int enl_conn_waiter_wait(struct enl_vmbus *vb, struct enl_msg_waiter *w,
			 unsigned int timeout_ms);
void enl_conn_abort_waiters(struct enl_vmbus *vb,
			    struct enl_vmbus_channel *ch);
void enl_conn_on_message(struct enl_vmbus *vb, const void *msg, u32 len);
int enl_conn_connect(struct enl_vmbus *vb);
void enl_conn_unload(struct enl_vmbus *vb);
int enl_conn_unload_poll(struct enl_vmbus *vb, unsigned int wait_ms);

/* offer.c */
void enl_offer_on_offer(struct enl_vmbus *vb, const void *msg, u32 len);
void enl_offer_on_rescind(struct enl_vmbus *vb, const void *msg, u32 len);
void enl_offer_remove_all(struct enl_vmbus *vb);
struct enl_vmbus_channel *enl_subchannel_next(struct enl_vmbus_channel *primary,
					      unsigned int after);

/* channel.c */
struct enl_vmbus_channel *enl_channel_alloc(struct enl_vmbus *vb,
		const struct enl_vmbus_channel_offer_channel *offer);
void enl_channel_on_event(struct enl_vmbus *vb, u32 relid);
void enl_channel_signal(struct enl_vmbus_channel *ch);
const char *enl_channel_state_name(struct enl_vmbus_channel *ch);
struct device *enl_channel_dev(struct enl_vmbus_channel *ch);
void enl_channel_set_state(struct enl_vmbus_channel *ch, int state);

/* channel_io.c */
void enl_channel_broken(struct enl_vmbus_channel *ch);

/* channel_cpu.c */
int enl_channel_pick_cpu(struct enl_vmbus_channel *ch,
			 const struct enl_vmbus_open_params *p);
/* cpuhp: move every channel off a CPU going offline. 0 or -EBUSY. */
int enl_channel_move_off_cpu(struct enl_vmbus *vb, unsigned int cpu);

/* requestor.c */
struct enl_requestor *enl_requestor_alloc(u32 size);
void enl_requestor_free(struct enl_requestor *r);
u64 enl_requestor_get(struct enl_requestor *r, void *ctx);
void enl_requestor_put(struct enl_requestor *r, u64 id);
void *enl_requestor_complete(struct enl_requestor *r, u64 id,
			     enum enl_rqst_error *why);
u32 enl_requestor_outstanding(struct enl_requestor *r);

/* mmio.c */
void enl_mmio_release_device(struct enl_vmbus *vb,
			     struct enl_vmbus_device *vdev);

/* bus.c */
extern struct bus_type enl_vmbus_bus;
int enl_bus_add_device(struct enl_vmbus_channel *ch);

/* sysfs.c */
extern const struct attribute_group *enl_vmbus_dev_groups[];
extern const struct attribute_group *enl_vmbus_bus_groups[];

/* chardev.c */
int enl_chardev_init(void);
void enl_chardev_exit(void);

#endif /* _ENL_VMBUS_INTERNAL_H */
