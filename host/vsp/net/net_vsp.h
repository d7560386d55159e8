/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The network VSP: class "network" (ENL_GUID_NETWORK) on VMBus. Each offer is
 * a NIC: one engine (net_dev.h) and one TAP backend (net_tap.h) with a
 * queue per channel; the primary channel is queue 0, sub-channel i (vRSS)
 * queue i, each served on its own channel's worker. vsp.c moves packets
 * between the rings and the engine; ctl.c and nic_spec.c are enl-host's
 * `--nic` and `ctl nic`.
 */
#ifndef ENL_HOST_NET_VSP_H
#define ENL_HOST_NET_VSP_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

struct enl_vsp_class;
struct enl_nic;

extern const struct enl_vsp_class enl_vsp_net_class;

#define ENL_NIC_DEFAULT_QUEUES	4
#define ENL_NIC_DEFAULT_MTU	9000
#define ENL_NIC_MAX_QUEUES	64

/* What `--nic` / `nic add` asks for. */
struct enl_nic_spec {
	char tap[IFNAMSIZ];	/* "": no backend (frames are dropped) */
	uint8_t mac[6];
	bool mac_set;		/* else one is made up: 00:15:5d:... */
	uint32_t queues;	/* TAP queues = channels offered, 1..64 */
	uint32_t mtu;		/* largest MTU offered; set on the TAP too */
	bool mtu_set;
	bool link_down;		/* start with the link down */
	uint32_t max_nvsp;	/* ENL_NVSP_VERSION_* offered at most; 0: all */
	uint32_t speed_mbps;	/* link speed reported; 0: 10 Gbit/s */
};

/*
 * The next offer of class "network" takes this spec (main thread, right
 * before enl_vmbus_server_offer; the class's create runs inside that
 * call). Without one an offer is a NIC without backend. The create's
 * error, if it failed, is returned by enl_nic_take_error() (0 if none),
 * with a message in msg (caller frees); it also drops a spec no offer
 * took (none was made: no relid free).
 */
void enl_nic_set_next(const struct enl_nic_spec *spec);
int enl_nic_take_error(char **msg);
/*
 * Both in one: offer a NIC made from spec; its relid or -errno, and the
 * create's error and message (*why, caller frees; NULL if none).
 */
struct enl_vmbus_server;
int enl_nic_offer(struct enl_vmbus_server *srv, const struct enl_nic_spec *spec,
		  int *err, char **why);

/* The glue's own counters of one NIC (the engine keeps the rest). */
#define ENL_NIC_GLUE_STATS(X)						\
	X(opens)		/* channels opened */			\
	X(bad_gpa)		/* GPA-direct packet refused: dropped */	\
	X(bad_type)		/* not in-band, GPA-direct or completion */ \
	X(stale_completions)	/* naming nothing we sent */		\
	X(replies_held)		/* a completion waited for ring space */ \
	X(xfer_errors)		/* a transfer never went out: frames lost */ \
	X(ring_waits)		/* TAP reads paused for ring space */	\
	X(section_waits)	/* TAP reads paused for free sections */ \
	X(tap_errors)		/* reads of the TAP that failed */	\
	X(tables_sent)		/* send indirection tables */		\
	X(poll_looks)		/* timer looks at a masked guest ring */ \
	X(poll_unmasks)		/* a look found nothing: the guest signals */ \
	X(faults)		/* malformed packets sent on purpose */

struct enl_nic_glue_stats {
#define ENL_NIC_STAT_FIELD(n) uint64_t n;
	ENL_NIC_GLUE_STATS(ENL_NIC_STAT_FIELD)
#undef ENL_NIC_STAT_FIELD
};

/* On the primary's context (enl_vsp_ctl_run): a NIC's registry state. */
struct enl_nic *enl_nic_of_state(void *state);
/* The relids of every NIC offered, at most max; how many. */
unsigned int enl_nic_relids(uint32_t *relids, unsigned int max);

/* ---- On the NIC's primary context (ctl verbs) ---- */

struct enl_ctl_req;
/* One line describing the NIC, and with --json an object (ctl.h). */
void enl_nic_describe(struct enl_nic *n, struct enl_ctl_req *req);
/* Engine and glue counters, "name=value" lines, or a JSON object. */
void enl_nic_stats(struct enl_nic *n, struct enl_ctl_req *req);
/* Link up or down: the guest gets the indication when it listens. */
void enl_nic_set_link(struct enl_nic *n, bool up);
/* The link speed the guest is told, in Mbit/s (an indication if it asked). */
void enl_nic_set_speed(struct enl_nic *n, uint32_t mbps);
const char *enl_nic_tap_name(const struct enl_nic *n);
/*
 * A malformed packet of kind to the guest (nic fault); 0, -EINVAL (no
 * such kind: the kinds in out), -ENOTCONN (the guest has no receive
 * buffer yet) or the send's error.
 */
int enl_nic_fault(struct enl_nic *n, const char *kind, GString *out);
/* "kind: what it sends" lines. */
void enl_nic_fault_kinds(GString *out);

#endif /* ENL_HOST_NET_VSP_H */
