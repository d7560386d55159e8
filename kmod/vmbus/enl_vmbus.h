/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl_vmbus driver API: all that VSC modules (enl_storvsc, enl_netvsc, ...)
 * see of VMBus. No transport, SynIC or channel message shows through here.
 *
 * A driver registers with a table of class GUIDs (struct hv_vmbus_device_id)
 * and names each class once more with ENL_VMBUS_MODULE_ALIAS(), so udev
 * loads it when the host offers such a device. Never MODULE_DEVICE_TABLE(
 * vmbus, ...): its "vmbus:" aliases belong to the in-tree hv_vmbus bus, and
 * would load our driver for the other stack's devices. probe() gets an
 * enl_vmbus_device whose channel is offered but closed; the driver opens it
 * with ring sizes and a callback, talks through packets, and closes it in
 * remove(). When the host rescinds a device, enl_vmbus calls remove() (so a
 * driver needs no separate rescind hook); calls made meanwhile fail with
 * -ENODEV instead of waiting for a host that is gone.
 *
 * Contexts: send may be called in any context (it never sleeps);
 * open, close, GPADL establish/teardown and the driver callbacks probe and
 * remove run in process context and may sleep. on_event runs in softirq
 * context (a per-channel tasklet, on the CPU the channel's interrupt
 * arrived on) and must not sleep. A probe that fails leaves the channel
 * and its sub-channels closed.
 *
 * Sub-channels: some devices (storage, network) spread their traffic over
 * several channels of one device. The primary's driver asks its VSP for n
 * of them in the device's own protocol, then enl_vmbus_wait_subchannels();
 * each is opened, used and closed like the primary, with its own callback
 * and target CPU, and must be closed before the primary (close_all does
 * both in that order). They are not devices of their own: the host offers
 * them with the primary's instance GUID and a sub-channel index 1..n, and
 * rescinds them with the primary, whose remove() then runs once. A host
 * may also rescind one sub-channel alone: a driver with a sub_rescind()
 * callback is told, stops using it, and enl_vmbus then closes and releases
 * it (the host may offer that index again, enl_vmbus_subchannel() finds
 * the new one); without the callback the sub-channel stays, dead (calls
 * fail with -ENODEV), until the primary goes.
 */
#ifndef _ENL_VMBUS_H
#define _ENL_VMBUS_H

#include <linux/device.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/types.h>
#include <linux/uuid.h>
#include <enlighten/ring.h>
#include <enlighten/vmbus_msg.h>

struct enl_vmbus_channel;

/* Devices on our bus announce MODALIAS=enl_vmbus:<class GUID, 32 hex digits>. */
#define ENL_VMBUS_MODALIAS_PREFIX	"enl_vmbus:"
/* hex: the class GUID's 16 bytes in memory order, as 32 lower-case digits. */
#define ENL_VMBUS_MODULE_ALIAS(hex)	MODULE_ALIAS(ENL_VMBUS_MODALIAS_PREFIX hex)

struct enl_vmbus_device {
	struct device dev;
	guid_t class_id;	/* offer if_type: what kind of device */
	guid_t instance_id;	/* offer if_instance: which one */
	struct enl_vmbus_channel *channel;
};

#define to_enl_vmbus_device(d)	container_of(d, struct enl_vmbus_device, dev)

struct enl_vmbus_driver {
	const char *name;
	const struct hv_vmbus_device_id *id_table;
	int (*probe)(struct enl_vmbus_device *vdev,
		     const struct hv_vmbus_device_id *id);
	/* Must close the channel if probe opened it. */
	void (*remove)(struct enl_vmbus_device *vdev);
	/*
	 * Optional, process context: the host rescinded sub-channel sub of
	 * vdev alone. Stop using it (close it, or enl_vmbus does once this
	 * returns); it is freed after. Never runs concurrently with probe or
	 * remove.
	 */
	void (*sub_rescind)(struct enl_vmbus_device *vdev,
			    struct enl_vmbus_channel *sub);
	struct device_driver driver;
};

int __enl_vmbus_driver_register(struct enl_vmbus_driver *drv,
				struct module *owner, const char *mod_name);
#define enl_vmbus_driver_register(drv) \
	__enl_vmbus_driver_register(drv, THIS_MODULE, KBUILD_MODNAME)
void enl_vmbus_driver_unregister(struct enl_vmbus_driver *drv);

/*
 * Called when the host signals the channel. Ordinary drivers read up to
 * budget packets with enl_vmbus_recv() and return how many they read; the
 * host is told not to interrupt while the callback drains, and the
 * callback runs again (soon, in a fresh tasklet) if it returned budget or
 * packets arrived meanwhile. A callback that twice in a row takes no
 * packet although some wait (one it cannot take now: skip it with
 * enl_vmbus_recv_skip(), or take it later) is not run again until the
 * next interrupt or enl_vmbus_channel_kick(); sysfs "stalls" counts it. With ENL_VMBUS_OPEN_NOTIFY the callback only
 * notes that something happened (data to read, or room to write after
 * enl_vmbus_want_send_room()) and returns 0; reading is then done in process
 * context, each enl_vmbus_recv() publishing its progress at once.
 */
typedef int (*enl_vmbus_event_fn)(struct enl_vmbus_channel *ch, int budget);

#define ENL_VMBUS_OPEN_NOTIFY		0x1u
/* Use enl_vmbus_open_params.target_cpu (else enl_vmbus spreads channels). */
#define ENL_VMBUS_OPEN_TARGET_CPU	0x2u

struct enl_vmbus_open_params {
	/* Data area bytes of each ring: multiples of PAGE_SIZE, >= 2 pages. */
	u32 send_ring_size;	/* guest -> host */
	u32 recv_ring_size;	/* host -> guest */
	/* Copied into the OPENCHANNEL message (at most 120 bytes). */
	const void *userdata;
	u32 userdata_len;
	u32 flags;		/* ENL_VMBUS_OPEN_* */
	enl_vmbus_event_fn on_event;
	void *priv;		/* enl_vmbus_channel_priv() returns it */
	/* With ENL_VMBUS_OPEN_TARGET_CPU: an online CPU for the callbacks. */
	unsigned int target_cpu;
	/* Size of the request-id table (enl_vmbus_send_request); 0: none. */
	u32 max_requests;
};

/* Largest ring data area one channel may ask for (each direction). */
#define ENL_VMBUS_MAX_RING_SIZE		(8u << 20)
/* Largest request-id table. */
#define ENL_VMBUS_MAX_REQUESTS		65536u

/*
 * Allocate both rings as one GPADL, hand it to the host with OPENCHANNEL
 * (target VP chosen by enl_vmbus) and wait for the result. 0, -EINVAL,
 * -EBUSY (already open), -ENOMEM, -ENODEV (rescinded), -ETIMEDOUT, or -EIO
 * (the host refused; its status is logged).
 */
int enl_vmbus_channel_open(struct enl_vmbus_channel *ch,
			   const struct enl_vmbus_open_params *p);
/*
 * Stop callbacks, send CLOSECHANNEL, tear the ring GPADL down and free the
 * rings (unless the host never confirmed the teardown: then they are leaked
 * on purpose, as the host may still write them). Idempotent.
 */
void enl_vmbus_channel_close(struct enl_vmbus_channel *ch);
void *enl_vmbus_channel_priv(const struct enl_vmbus_channel *ch);
/* The device a channel belongs to (a sub-channel's primary's device). */
struct enl_vmbus_device *enl_vmbus_channel_device(struct enl_vmbus_channel *ch);
/* Close every sub-channel of primary, then primary itself. */
void enl_vmbus_channel_close_all(struct enl_vmbus_channel *primary);

/* ---- Target CPU ---- */

/* The CPU on_event runs on (where the host is asked to interrupt). */
unsigned int enl_vmbus_channel_target_cpu(const struct enl_vmbus_channel *ch);
/*
 * Move an open channel's interrupts to another online CPU with
 * MODIFYCHANNEL (VMBus 4.1 and later). Process context. 0, -EINVAL (CPU
 * not online), -ENODEV (not open or rescinded), -EOPNOTSUPP (older host),
 * -ETIMEDOUT, or -EIO (refused). When a CPU goes offline enl_vmbus moves
 * the channels that target it by itself.
 */
int enl_vmbus_channel_set_target_cpu(struct enl_vmbus_channel *ch,
				     unsigned int cpu);
/* The n-th online CPU, n taken modulo their number: spread channels. */
unsigned int enl_vmbus_spread_cpu(unsigned int n);

/* ---- Offer fields ---- */

struct enl_vmbus_offer_info {
	u16 chn_flags;			/* ENL_VMBUS_CHANNEL_* */
	u16 mmio_megabytes;		/* MMIO space the device wants */
	u16 sub_channel_index;		/* 0: primary */
	u8 user_def[ENL_VMBUS_MAX_USER_DEFINED_BYTES];	/* as offered */
};

void enl_vmbus_channel_offer_info(const struct enl_vmbus_channel *ch,
				  struct enl_vmbus_offer_info *info);

/* ---- Sub-channels ---- */

/*
 * Wait until primary has at least n sub-channels offered (process context,
 * may be called from probe). Returns how many there are (>= n), -ETIMEDOUT
 * with fewer, or -ENODEV if the primary was rescinded meanwhile.
 */
int enl_vmbus_wait_subchannels(struct enl_vmbus_channel *primary,
			       unsigned int n, unsigned int timeout_ms);
/* Sub-channel index (1..) of primary, or NULL. Valid until remove(). */
struct enl_vmbus_channel *enl_vmbus_subchannel(struct enl_vmbus_channel *primary,
					       unsigned int index);
/* The primary of a sub-channel; a primary returns itself. */
struct enl_vmbus_channel *enl_vmbus_channel_primary(struct enl_vmbus_channel *ch);

/* ---- MMIO space for a device (e.g. synthetic video VRAM) ---- */

/*
 * Reserve size bytes (align: a power of two) of unused physical address
 * space between min and max for vdev, named after it in /proc/iomem: from
 * the transport's MMIO window when it has one (pci: the hvif window, which
 * enl-host backs with memory it maps; min/max are clamped to it), else
 * from the free space below 4 GiB ((0, 0): the PCI hole's range). The
 * device's host side backs it. Released with
 * enl_vmbus_mmio_free() or when the device goes. 0 or -errno.
 */
int enl_vmbus_mmio_alloc(struct enl_vmbus_device *vdev, resource_size_t min,
			 resource_size_t max, resource_size_t size,
			 resource_size_t align, phys_addr_t *start);
void enl_vmbus_mmio_free(struct enl_vmbus_device *vdev, phys_addr_t start);

/* What enl_vmbus_recv() reports about a packet. */
struct enl_vmbus_pkt_info {
	u16 type;		/* enum enl_vmpacket_type */
	u16 flags;		/* ENL_VMPKT_FLAG_* */
	u32 len;		/* payload bytes (a multiple of 8: VMBus pads) */
	u64 trans_id;
};

/*
 * Copy the next packet's payload (what follows its type-specific header,
 * i.e. offset8 * 8 bytes in) into buf and consume it. VMBus pads packets
 * to 8 bytes and does not carry the sender's exact length, so the payload
 * includes that padding; protocols carry their own lengths. Returns the
 * payload length, -EAGAIN if the ring is empty, -EMSGSIZE if buflen is too
 * short (info->len says how long; the packet stays queued), -ENODEV if the
 * channel is not open, -EIO if the ring is corrupt (the channel is then
 * disabled for good). With ENL_VMBUS_OPEN_NOTIFY the caller serialises its
 * own readers; otherwise call it only from on_event.
 */
int enl_vmbus_recv(struct enl_vmbus_channel *ch, void *buf, u32 buflen,
		   struct enl_vmbus_pkt_info *info);
/* Like enl_vmbus_recv() but copies the whole packet, descriptor included. */
int enl_vmbus_recv_raw(struct enl_vmbus_channel *ch, void *buf, u32 buflen,
		       struct enl_vmbus_pkt_info *info);
/* True when a packet is waiting (ENL_VMBUS_OPEN_NOTIFY readers: poll). */
bool enl_vmbus_recv_ready(struct enl_vmbus_channel *ch);
/*
 * ENL_VMBUS_OPEN_NOTIFY readers that poll (NAPI): intr_mask asks the host
 * not to signal while the poll is scheduled anyway; intr_unmask, when
 * the poll is done, lifts it and says whether a packet came meanwhile
 * (then poll again, or its interrupt is lost). Serialise with the reader.
 */
void enl_vmbus_intr_mask(struct enl_vmbus_channel *ch);
bool enl_vmbus_intr_unmask(struct enl_vmbus_channel *ch);
/*
 * Drop the next packet unread (one a driver will not take, e.g. after
 * -EMSGSIZE): counted in the channel's "skipped". 0, -EAGAIN, -ENODEV, -EIO.
 */
int enl_vmbus_recv_skip(struct enl_vmbus_channel *ch);

/*
 * In-place receive, for NAPI and blk-mq style consumers: no copy. Between
 * read_begin and read_end the caller walks the inbound ring: read_next
 * hands out the next packet where it lies in the ring (the ring is mapped
 * twice in a row, so a packet that wraps is contiguous too) and consumes
 * it; its memory stays the caller's until read_end, which publishes the
 * read index once for the batch and signals the host if it waits for room.
 * The descriptor fields in struct enl_vmbus_pkt are validated copies; the
 * payload is still shared with the host, which may change it under you:
 * read each field once, bound it, then use it. Callback readers call these
 * from on_event only; ENL_VMBUS_OPEN_NOTIFY readers serialise their own.
 */
struct enl_vmbus_pkt {
	u16 type;		/* enum enl_vmpacket_type */
	u16 flags;		/* ENL_VMPKT_FLAG_* */
	u32 len;		/* payload bytes (padded to 8) */
	u64 trans_id;
	const void *data;	/* payload, in the ring */
	const void *desc;	/* the whole packet, descriptor first */
	u32 desc_len;		/* bytes at desc (len + descriptor + header) */
};

/* 0, -ENODEV (not open), -EIO (ring corrupt). */
int enl_vmbus_read_begin(struct enl_vmbus_channel *ch);
/* Next packet, consumed: 0, -EAGAIN (ring empty), -EIO (corrupt). */
int enl_vmbus_read_next(struct enl_vmbus_channel *ch,
			struct enl_vmbus_pkt *pkt);
/* Next packet without consuming it (leave it for later): same returns. */
int enl_vmbus_read_peek(struct enl_vmbus_channel *ch,
			struct enl_vmbus_pkt *pkt);
/* Publish the reads; signal the host once if it waits for room. */
void enl_vmbus_read_end(struct enl_vmbus_channel *ch);
/*
 * Run on_event again soon (e.g. a driver that left a packet in the ring
 * for want of buffers, and has buffers now).
 */
void enl_vmbus_channel_kick(struct enl_vmbus_channel *ch);

/*
 * Send one inband packet (ENL_VMPKT_DATA_INBAND, or ENL_VMPKT_COMP for a
 * completion) of len payload bytes, signalling the host if it needs it.
 * Any context. 0, -EAGAIN (ring full now: see enl_vmbus_want_send_room),
 * -EMSGSIZE (can never fit), -ENODEV, -EIO.
 */
int enl_vmbus_send(struct enl_vmbus_channel *ch, const void *data, u32 len,
		   u64 trans_id, u16 type, u16 flags);
/*
 * As enl_vmbus_send, but a signal the host needs is owed rather than
 * rung: the channel's next send that is not quiet rings it, or
 * enl_vmbus_signal_owed() does. For packets whose batch ends soon on the
 * same CPU (a poll's completions, before the replies the poll's packets
 * cause), so that the host is woken once for all of them.
 */
int enl_vmbus_send_quiet(struct enl_vmbus_channel *ch, const void *data,
			 u32 len, u64 trans_id, u16 type, u16 flags);
/* Ring the signal quiet sends owe the host, if any. Any context. */
void enl_vmbus_signal_owed(struct enl_vmbus_channel *ch);
/*
 * Send a GPA-direct packet (ENL_VMPKT_DATA_USING_GPA_DIRECT): range_cnt
 * struct enl_gpa_range entries with their pfns, ranges_len bytes in all,
 * then the inband payload. Completion is requested, as every VSP expects.
 */
int enl_vmbus_send_gpa(struct enl_vmbus_channel *ch,
		       const struct enl_gpa_range *ranges, u32 ranges_len,
		       u32 range_cnt, const void *data, u32 len, u64 trans_id);
/*
 * A sender that got -EAGAIN for a packet of len payload bytes asks to be
 * signalled (on_event) once it fits. Returns true if it fits already:
 * retry instead of sleeping. Call with len 0 once sent, to stop asking.
 * Serialise it with your own senders.
 */
bool enl_vmbus_want_send_room(struct enl_vmbus_channel *ch, u32 len);

/*
 * Request ids: with open_params.max_requests, a sender registers a context
 * for each request it sends and gets it back from the host's completion.
 * The packet's trans_id is an id enl_vmbus chose (the context pointer
 * never crosses VMBus); completion validates the host's trans_id against
 * what was sent and outstanding, and returns NULL (counted: unknown,
 * duplicate, stale) for anything else, which the caller then drops.
 * enl_vmbus_send_request sends an inband packet with
 * ENL_VMPKT_FLAG_COMPLETION_REQUESTED: 0, -EBUSY (every id in use), or as
 * enl_vmbus_send. After close, outstanding contexts are forgotten: the
 * driver frees its own.
 */
int enl_vmbus_send_request(struct enl_vmbus_channel *ch, const void *data,
			   u32 len, void *ctx);
int enl_vmbus_send_gpa_request(struct enl_vmbus_channel *ch,
			       const struct enl_gpa_range *ranges,
			       u32 ranges_len, u32 range_cnt,
			       const void *data, u32 len, void *ctx);
void *enl_vmbus_request_complete(struct enl_vmbus_channel *ch, u64 trans_id);
/* Requests sent and not completed yet. */
u32 enl_vmbus_requests_outstanding(struct enl_vmbus_channel *ch);

/*
 * One range per GPADL, as Linux does: range_buflen (u16) bounds its pfns,
 * so a buffer shared in one GPADL is at most this many Hyper-V pages.
 */
#define ENL_VMBUS_GPADL_MAX_PAGES \
	((U16_MAX - sizeof(struct enl_gpa_range)) / sizeof(u64))

/*
 * Share buf (size bytes, page aligned, vmalloc or linear kernel memory) with
 * the host as a GPADL on this channel; *handle names it in the VSP's
 * protocol. 0, -EINVAL, -ENOMEM, -ENODEV, -ETIMEDOUT or -EIO (refused).
 * After -ETIMEDOUT the host may still create it: leak buf rather than
 * free it.
 */
int enl_vmbus_gpadl_establish(struct enl_vmbus_channel *ch, void *buf,
			      u32 size, u32 *handle);
/*
 * Withdraw a GPADL and wait for the host to confirm. 0 when buf may be
 * freed (also after a rescind: the host has let go); -ETIMEDOUT or -EIO
 * when it may not (leak it).
 */
int enl_vmbus_gpadl_teardown(struct enl_vmbus_channel *ch, u32 handle);

#endif /* _ENL_VMBUS_H */
