/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A data GPADL as a VSP sees it: the guest established a GPADL on the
 * channel (a network receive buffer, a storage bounce area) and names it
 * by handle in its device protocol. Mapping it gives a bounds-checked
 * scatter view: any byte range of it as iovecs over guest RAM, every page
 * checked against guest RAM. While a view exists the guest's
 * GPADL_TEARDOWN is deferred (GPADL_TORNDOWN is owed until the view is
 * dropped), so the pages stay the guest's buffer as long as the VSP uses
 * them. Views still mapped when the channel closes are dropped after
 * on_close. Safe from any thread; meant for the channel's worker.
 *
 * The bytes are guest memory the guest may change at any time: copy what
 * must not change under you before you check it.
 */
#ifndef ENL_HOST_VMBUS_GPADL_VIEW_H
#define ENL_HOST_VMBUS_GPADL_VIEW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

struct enl_vsp_channel;
struct enl_vsp_gpadl;

/*
 * Map GPADL handle of this (open) channel. 0 and *view, or -ENOENT (no
 * such complete GPADL, or it is being torn down), -EPERM (it belongs to
 * another channel), -ENOTCONN (channel not open), -EFAULT (a page is not
 * guest RAM). Failures are counted (error gpadl_view).
 */
int enl_vsp_gpadl_map(struct enl_vsp_channel *ch, uint32_t handle,
		      struct enl_vsp_gpadl **view);
/* Drop the view; a teardown the guest asked for meanwhile completes. */
void enl_vsp_gpadl_unmap(struct enl_vsp_gpadl *view);

uint64_t enl_vsp_gpadl_len(const struct enl_vsp_gpadl *view);
uint32_t enl_vsp_gpadl_handle(const struct enl_vsp_gpadl *view);

/*
 * Bytes [off, off + len) of the view as at most max_iov iovecs: their
 * number, or -ERANGE (outside the view, or len 0), -E2BIG (max_iov too
 * small for the pieces).
 */
int enl_vsp_gpadl_iov(const struct enl_vsp_gpadl *view, uint64_t off,
		      uint64_t len, struct iovec *iov, uint32_t max_iov);

/* Copy into / out of the view; 0 or -ERANGE. */
int enl_vsp_gpadl_write(const struct enl_vsp_gpadl *view, uint64_t off,
			const void *buf, size_t len);
int enl_vsp_gpadl_read(const struct enl_vsp_gpadl *view, uint64_t off,
		       void *buf, size_t len);

#endif /* ENL_HOST_VMBUS_GPADL_VIEW_H */
