// SPDX-License-Identifier: GPL-2.0-only
/* GPADLs: describing guest buffers to the host (header + body messages) and withdrawing them. */
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include "vmbus.h"

static u64 gpadl_pfn(const void *buf, u32 i)
{
	const u8 *p = (const u8 *)buf + (size_t)i * ENL_HV_PAGE_SIZE;

	if (is_vmalloc_addr(p))
		return ((u64)vmalloc_to_pfn(p) << PAGE_SHIFT |
			offset_in_page(p)) >> ENL_HV_PAGE_SHIFT;
	return virt_to_phys((void *)p) >> ENL_HV_PAGE_SHIFT;
}

/* GPADL_HEADER with the first pfns, then GPADL_BODY messages for the rest. */
static int gpadl_post(struct enl_vmbus_channel *ch, const void *buf,
		      u32 size, u32 handle)
{
	u32 npfn = size / ENL_HV_PAGE_SIZE, i = 0, n, msgnumber = 0;
	struct enl_vmbus_channel_gpadl_header *hdr;
	struct enl_vmbus_channel_gpadl_body *body;
	struct enl_gpa_range *range;
	u64 msg[ENL_VMBUS_MAX_MSG_SIZE / sizeof(u64)];
	int ret;

	hdr = (void *)msg;
	memset(msg, 0, sizeof(msg));
	n = min_t(u32, npfn, ENL_VMBUS_GPADL_HEADER_MAX_PFNS);
	hdr->header.msgtype = ENL_CHANNELMSG_GPADL_HEADER;
	hdr->child_relid = ch->relid;
	hdr->gpadl = handle;
	hdr->range_buflen = sizeof(struct enl_gpa_range) + npfn * sizeof(u64);
	hdr->rangecount = 1;
	range = (struct enl_gpa_range *)hdr->range;
	range->byte_count = size;
	range->byte_offset = 0;
	for (; i < n; i++)
		range->pfn_array[i] = gpadl_pfn(buf, i);
	ret = enl_conn_post(ch->vb, hdr, sizeof(*hdr) +
			    sizeof(struct enl_gpa_range) + n * sizeof(u64));

	body = (void *)msg;
	while (!ret && i < npfn) {
		u32 j;

		memset(msg, 0, sizeof(msg));
		n = min_t(u32, npfn - i, ENL_VMBUS_GPADL_BODY_MAX_PFNS);
		body->header.msgtype = ENL_CHANNELMSG_GPADL_BODY;
		body->msgnumber = ++msgnumber;
		body->gpadl = handle;
		for (j = 0; j < n; j++)
			body->pfn[j] = gpadl_pfn(buf, i + j);
		i += n;
		ret = enl_conn_post(ch->vb, body,
				    sizeof(*body) + n * sizeof(u64));
	}
	return ret;
}

int enl_vmbus_gpadl_establish(struct enl_vmbus_channel *ch, void *buf,
			      u32 size, u32 *handle)
{
	const struct enl_vmbus_channel_gpadl_created *res;
	struct enl_msg_waiter *w;
	u32 gpadl;
	int ret;

	if (!size || size % ENL_HV_PAGE_SIZE || offset_in_page(buf) ||
	    size / ENL_HV_PAGE_SIZE > ENL_VMBUS_GPADL_MAX_PAGES)
		return -EINVAL;
	if (READ_ONCE(ch->rescinded))
		return -ENODEV;
	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	/* Handles are ours to choose; never 0, which means "none". */
	do {
		gpadl = atomic_inc_return(&ch->vb->next_gpadl);
	} while (!gpadl);

	enl_conn_waiter_add(ch->vb, w, ENL_CHANNELMSG_GPADL_CREATED, gpadl, ch);
	ret = gpadl_post(ch, buf, size, gpadl);
	if (ret) {
		enl_conn_waiter_wait(ch->vb, w, 0);	/* only unlinks it */
		goto out;
	}
	ret = enl_conn_waiter_wait(ch->vb, w, ENL_REPLY_TIMEOUT_MS);
	if (ret) {
		dev_err(&ch->vdev.dev, "GPADL %#x: no GPADL_CREATED (%d)\n",
			gpadl, ret);
		goto out;
	}
	res = (const void *)w->msg;
	if (res->child_relid != ch->relid || res->creation_status) {
		dev_err(&ch->vdev.dev, "GPADL %#x refused: relid %u status %#x\n",
			gpadl, res->child_relid, res->creation_status);
		ret = -EIO;
		goto out;
	}
	*handle = gpadl;
out:
	kfree(w);
	return ret;
}
EXPORT_SYMBOL_GPL(enl_vmbus_gpadl_establish);

int enl_vmbus_gpadl_teardown(struct enl_vmbus_channel *ch, u32 handle)
{
	struct enl_vmbus_channel_gpadl_teardown msg = {
		.header.msgtype = ENL_CHANNELMSG_GPADL_TEARDOWN,
		.child_relid = ch->relid,
		.gpadl = handle,
	};
	struct enl_msg_waiter *w;
	int ret;

	/* A rescinded channel's GPADLs were released by the host. */
	if (READ_ONCE(ch->rescinded))
		return 0;
	w = kmalloc(sizeof(*w), GFP_KERNEL);
	if (!w)
		return -ENOMEM;
	enl_conn_waiter_add(ch->vb, w, ENL_CHANNELMSG_GPADL_TORNDOWN, handle,
			    ch);
	ret = enl_conn_post(ch->vb, &msg, sizeof(msg));
	if (ret) {
		enl_conn_waiter_wait(ch->vb, w, 0);	/* only unlinks it */
		goto out;
	}
	ret = enl_conn_waiter_wait(ch->vb, w, ENL_REPLY_TIMEOUT_MS);
	/* Aborted by a rescind: the host let go of it. */
	if (ret == -ENODEV && READ_ONCE(ch->rescinded))
		ret = 0;
	if (ret)
		dev_err(&ch->vdev.dev, "GPADL %#x: no GPADL_TORNDOWN (%d)\n",
			handle, ret);
out:
	kfree(w);
	return ret;
}
EXPORT_SYMBOL_GPL(enl_vmbus_gpadl_teardown);
