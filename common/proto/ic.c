// SPDX-License-Identifier: GPL-2.0-only
/* IC framing and version negotiation shared by guest and host (see ic.h). */
#include "ic.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

/*
 * Pipe header flags of a plain data packet. Hosts send it, guests echo it
 * and nobody checks it, so it is only what we send.
 */
#define PIPE_FLAG_DATA	1

const uint32_t enl_ic_fw_versions[2] = {
	ENL_IC_FW_VERSION_3_0, ENL_IC_FW_VERSION_1_0,
};

int enl_ic_parse(void *pkt, size_t len, struct enl_ic_msg *m,
		 const char **why)
{
	memset(m, 0, sizeof(*m));
	if (len < ENL_ICMSG_BODY_OFFSET) {
		*why = "packet shorter than the IC headers";
		return -EBADMSG;
	}
	m->pkt = pkt;
	m->len = len;
	m->hdr = (struct enl_icmsg_hdr *)(m->pkt + ENL_ICMSG_HDR_OFFSET);
	m->body = m->pkt + ENL_ICMSG_BODY_OFFSET;
	if (m->hdr->icmsgsize > len - ENL_ICMSG_BODY_OFFSET) {
		*why = "icmsgsize runs past the end of the packet";
		return -EBADMSG;
	}
	m->body_len = m->hdr->icmsgsize;
	return 0;
}

void enl_ic_set_response(struct enl_ic_msg *m, uint32_t status)
{
	m->hdr->status = status;
	m->hdr->icflags = ENL_ICMSGHDRFLAG_TRANSACTION |
			  ENL_ICMSGHDRFLAG_RESPONSE;
}

static bool speaks(const uint32_t *list, size_t n, uint32_t v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

/* Highest version in offered[0..n) that we speak, or 0. */
static uint32_t best(const struct enl_ic_version *offered, size_t n,
		     const uint32_t *ours, size_t n_ours)
{
	uint32_t b = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		struct enl_ic_version ver;
		uint32_t v;

		/* The array is packed and unaligned: copy, never point. */
		memcpy(&ver, &offered[i], sizeof(ver));
		v = enl_ic_version_word(&ver);
		if (v > b && speaks(ours, n_ours, v))
			b = v;
	}
	return b;
}

int enl_ic_negotiate_answer(struct enl_ic_msg *m, size_t buf_size,
			    const struct enl_ic_versions *v,
			    uint32_t *fw, uint32_t *srv, size_t *resp_len,
			    const char **why)
{
	struct enl_icmsg_negotiate *neg = (void *)m->body;
	struct enl_ic_version ans[2];
	size_t nf = 0, ns = 0;
	int ret = 0;

	*fw = *srv = 0;
	if (buf_size < ENL_ICMSG_NEGOTIATE_PKT_SIZE(1, 1)) {
		*why = "buffer too small for a negotiate answer";
		return -EINVAL;
	}
	if (m->body_len < sizeof(*neg)) {
		*why = "negotiate body shorter than its counts";
		ret = -EBADMSG;
	} else {
		nf = neg->icframe_vercnt;
		ns = neg->icmsg_vercnt;
		if (nf > ENL_IC_NEGOTIATE_MAX_VER_COUNT ||
		    ns > ENL_IC_NEGOTIATE_MAX_VER_COUNT) {
			*why = "negotiate version count over the limit";
			ret = -EBADMSG;
		} else if (sizeof(*neg) + (nf + ns) * sizeof(ans[0]) >
			   m->body_len) {
			*why = "negotiate versions run past icmsgsize";
			ret = -EBADMSG;
		}
	}
	if (!ret) {
		*fw = best(neg->icversion_data, nf, v->fw, v->n_fw);
		*srv = best(neg->icversion_data + nf, ns, v->srv, v->n_srv);
		if (!*fw || !*srv) {
			*fw = *srv = 0;
			ret = -ENOTSUP;
		}
	}
	/* The answer always has room for two versions; zero counts if none. */
	ans[0].major = ENL_IC_VERSION_MAJOR(*fw);
	ans[0].minor = ENL_IC_VERSION_MINOR(*fw);
	ans[1].major = ENL_IC_VERSION_MAJOR(*srv);
	ans[1].minor = ENL_IC_VERSION_MINOR(*srv);
	neg->icframe_vercnt = *fw ? 1 : 0;
	neg->icmsg_vercnt = *srv ? 1 : 0;
	neg->reserved = 0;
	memcpy(neg->icversion_data, ans, sizeof(ans));
	m->hdr->icmsgsize = ENL_ICMSG_NEGOTIATE_RESP_SIZE;
	m->hdr->icverframe = ans[0];
	m->hdr->icvermsg = ans[1];
	m->body_len = ENL_ICMSG_NEGOTIATE_RESP_SIZE;
	if (m->len < ENL_ICMSG_NEGOTIATE_PKT_SIZE(1, 1))
		m->len = ENL_ICMSG_NEGOTIATE_PKT_SIZE(1, 1);
	((struct enl_vmbuspipe_hdr *)m->pkt)->msgsize =
		(uint32_t)(m->len - ENL_ICMSG_HDR_OFFSET);
	enl_ic_set_response(m, ret == -EBADMSG ? ENL_HV_E_FAIL : ENL_HV_S_OK);
	*resp_len = m->len;
	return ret;
}

int enl_ic_build(void *buf, size_t size, uint16_t type, uint32_t fw,
		 uint32_t srv, uint8_t tid, const void *body, size_t body_len)
{
	struct enl_vmbuspipe_hdr *pipe = buf;
	struct enl_icmsg_hdr *hdr;
	size_t len = ENL_ICMSG_BODY_OFFSET + body_len;

	if (body_len > 0xffff)
		return -EINVAL;
	if (len > size)
		return -ENOSPC;
	memset(buf, 0, ENL_ICMSG_BODY_OFFSET);
	pipe->flags = PIPE_FLAG_DATA;
	pipe->msgsize = (uint32_t)(len - ENL_ICMSG_HDR_OFFSET);
	hdr = (struct enl_icmsg_hdr *)((uint8_t *)buf + ENL_ICMSG_HDR_OFFSET);
	hdr->icverframe.major = ENL_IC_VERSION_MAJOR(fw);
	hdr->icverframe.minor = ENL_IC_VERSION_MINOR(fw);
	hdr->icvermsg.major = ENL_IC_VERSION_MAJOR(srv);
	hdr->icvermsg.minor = ENL_IC_VERSION_MINOR(srv);
	hdr->icmsgtype = type;
	hdr->icmsgsize = (uint16_t)body_len;
	hdr->ictransaction_id = tid;
	hdr->icflags = ENL_ICMSGHDRFLAG_TRANSACTION | ENL_ICMSGHDRFLAG_REQUEST;
	if (body_len)
		memcpy((uint8_t *)buf + ENL_ICMSG_BODY_OFFSET, body, body_len);
	return (int)len;
}

int enl_ic_build_negotiate(void *buf, size_t size,
			   const struct enl_ic_versions *v, uint8_t tid)
{
	uint8_t body[sizeof(struct enl_icmsg_negotiate) +
		     2 * ENL_IC_NEGOTIATE_MAX_VER_COUNT *
		     sizeof(struct enl_ic_version)];
	struct enl_icmsg_negotiate *neg = (void *)body;
	size_t i, n = v->n_fw + v->n_srv;

	if (v->n_fw > ENL_IC_NEGOTIATE_MAX_VER_COUNT ||
	    v->n_srv > ENL_IC_NEGOTIATE_MAX_VER_COUNT)
		return -EINVAL;
	memset(body, 0, sizeof(*neg));
	neg->icframe_vercnt = (uint16_t)v->n_fw;
	neg->icmsg_vercnt = (uint16_t)v->n_srv;
	for (i = 0; i < n; i++) {
		uint32_t w = i < v->n_fw ? v->fw[i] : v->srv[i - v->n_fw];
		struct enl_ic_version ver = {
			.major = ENL_IC_VERSION_MAJOR(w),
			.minor = ENL_IC_VERSION_MINOR(w),
		};

		memcpy(&neg->icversion_data[i], &ver, sizeof(ver));
	}
	/* Versions in the header stay zero until negotiated. */
	return enl_ic_build(buf, size, ENL_ICMSGTYPE_NEGOTIATE, 0, 0, tid,
			    body, sizeof(*neg) + n * sizeof(struct enl_ic_version));
}

int enl_ic_negotiate_result(const struct enl_ic_msg *m,
			    const struct enl_ic_versions *v,
			    uint32_t *fw, uint32_t *srv, const char **why)
{
	const struct enl_icmsg_negotiate *neg = (const void *)m->body;
	struct enl_ic_version ans[2];

	*fw = *srv = 0;
	if (m->body_len < sizeof(*neg)) {
		*why = "negotiate answer shorter than its counts";
		return -EBADMSG;
	}
	if (neg->icframe_vercnt == 0 && neg->icmsg_vercnt == 0)
		return -ENOTSUP;
	if (neg->icframe_vercnt != 1 || neg->icmsg_vercnt != 1) {
		*why = "negotiate answer must choose exactly one of each";
		return -EBADMSG;
	}
	if (m->body_len < ENL_ICMSG_NEGOTIATE_RESP_SIZE) {
		*why = "negotiate answer shorter than its two versions";
		return -EBADMSG;
	}
	memcpy(ans, neg->icversion_data, sizeof(ans));
	if (!speaks(v->fw, v->n_fw, enl_ic_version_word(&ans[0])) ||
	    !speaks(v->srv, v->n_srv, enl_ic_version_word(&ans[1]))) {
		*why = "guest chose a version that was not offered";
		return -EBADMSG;
	}
	*fw = enl_ic_version_word(&ans[0]);
	*srv = enl_ic_version_word(&ans[1]);
	return 0;
}

const char *enl_ic_version_str(uint32_t v, char *buf, size_t size)
{
	snprintf(buf, size, "%u.%u", ENL_IC_VERSION_MAJOR(v),
		 ENL_IC_VERSION_MINOR(v));
	return buf;
}
