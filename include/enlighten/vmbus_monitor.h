/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * VMBus monitor pages: the two guest pages named in initiate contact
 * (monitor_page1 host -> guest, monitor_page2 guest -> host). For a channel
 * whose offer has monitor_allocated set, the guest signals the host by
 * setting bit (monitorid % 32) of trigger_group[monitorid / 32].pending in
 * the guest -> host page instead of making a hypercall; the host polls the
 * page with the latency given in the matching parameter slot.
 */
#ifndef _ENLIGHTEN_VMBUS_MONITOR_H
#define _ENLIGHTEN_VMBUS_MONITOR_H

#include <enlighten/types.h>

#define ENL_VMBUS_MONITOR_GROUPS		4
#define ENL_VMBUS_MONITOR_BITS_PER_GROUP	32
#define ENL_VMBUS_MONITOR_COUNT			128

#define ENL_VMBUS_MONITOR_GROUP(monitorid)	((monitorid) / 32)
#define ENL_VMBUS_MONITOR_BIT(monitorid)	((monitorid) % 32)

struct enl_hv_monitor_trigger_group {
	__u32 pending;
	__u32 armed;
};

ENL_ASSERT_SIZE(struct enl_hv_monitor_trigger_group, 8);

/* connection_id: ENL_HV_CONNECTION_ID_MASK applies */
struct enl_hv_monitor_parameter {
	__u32 connection_id;
	__u16 flag_number;
	__u16 rsvdz;
};

ENL_ASSERT_SIZE(struct enl_hv_monitor_parameter, 8);

/* trigger_state: bits 3:0 enable the four trigger groups */
struct enl_hv_monitor_page {
	__u32 trigger_state;
	__u32 rsvdz1;
	struct enl_hv_monitor_trigger_group trigger_group[ENL_VMBUS_MONITOR_GROUPS];
	__u64 rsvdz2[3];
	__s32 next_checktime[ENL_VMBUS_MONITOR_GROUPS][ENL_VMBUS_MONITOR_BITS_PER_GROUP];
	__u16 latency[ENL_VMBUS_MONITOR_GROUPS][ENL_VMBUS_MONITOR_BITS_PER_GROUP];
	__u64 rsvdz3[32];
	struct enl_hv_monitor_parameter
		parameter[ENL_VMBUS_MONITOR_GROUPS][ENL_VMBUS_MONITOR_BITS_PER_GROUP];
	__u8 rsvdz4[1984];
};

ENL_ASSERT_SIZE(struct enl_hv_monitor_page, 4096);
ENL_ASSERT_OFFSET(struct enl_hv_monitor_page, trigger_state, 0);
ENL_ASSERT_OFFSET(struct enl_hv_monitor_page, rsvdz1, 4);
ENL_ASSERT_OFFSET(struct enl_hv_monitor_page, trigger_group, 8);
ENL_ASSERT_OFFSET(struct enl_hv_monitor_page, rsvdz2, 40);
ENL_ASSERT_OFFSET(struct enl_hv_monitor_page, next_checktime, 64);
ENL_ASSERT_OFFSET(struct enl_hv_monitor_page, latency, 576);
ENL_ASSERT_OFFSET(struct enl_hv_monitor_page, rsvdz3, 832);
ENL_ASSERT_OFFSET(struct enl_hv_monitor_page, parameter, 1088);
ENL_ASSERT_OFFSET(struct enl_hv_monitor_page, rsvdz4, 2112);

#endif /* _ENLIGHTEN_VMBUS_MONITOR_H */
