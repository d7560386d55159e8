/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IC framing and version negotiation, pure and transport-agnostic: the guest
 * daemons (libenl) and enl-host's IC services (host/vsp/ic) both link it
 * (common/proto, static library enl_proto), so both sides parse and build packets with the
 * same code. Wire layouts come from <enlighten/icmsg.h>. No logging here:
 * failures return -errno and a reason string for the caller to log.
 */
#ifndef ENL_IC_H
#define ENL_IC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <enlighten/icmsg.h>

/* A validated view of one IC packet (points into the caller's buffer). */
struct enl_ic_msg {
	uint8_t *pkt;
	size_t len;			/* bytes of the whole packet */
	struct enl_icmsg_hdr *hdr;
	uint8_t *body;
	size_t body_len;		/* icmsgsize, checked against len */
};

/* The versions one side speaks, any order; both lists non-empty. */
struct enl_ic_versions {
	const uint32_t *fw;
	size_t n_fw;
	const uint32_t *srv;
	size_t n_srv;
};

#define ENL_IC_VERSIONS(fw_, srv_) \
	{ fw_, sizeof(fw_) / sizeof(fw_[0]), srv_, sizeof(srv_) / sizeof(srv_[0]) }

/* Every service speaks both framework versions. */
extern const uint32_t enl_ic_fw_versions[2];

/*
 * Check pkt holds both headers and icmsgsize bytes of body. -EBADMSG with a
 * reason in *why when not.
 */
int enl_ic_parse(void *pkt, size_t len, struct enl_ic_msg *m,
		 const char **why);

/* Turn a request into its response in place: status and flags. */
void enl_ic_set_response(struct enl_ic_msg *m, uint32_t status);

/*
 * Guest: answer a NEGOTIATE request in place, choosing the highest framework
 * and the highest service version both sides speak. The packet buffer must
 * hold buf_size >= ENL_ICMSG_NEGOTIATE_PKT_SIZE(1, 1) bytes since the answer
 * may be longer than a request that listed fewer versions. Returns the
 * response length; *fw and *srv get the choice, or 0 with -ENOTSUP (the answer
 * then says "no match" with both counts 0); -EBADMSG with *why for a
 * malformed request (answered as "no match" too, with status E_FAIL).
 */
int enl_ic_negotiate_answer(struct enl_ic_msg *m, size_t buf_size,
			    const struct enl_ic_versions *v,
			    uint32_t *fw, uint32_t *srv, size_t *resp_len,
			    const char **why);

/*
 * Host: build a packet of type with body into buf (transaction tid, request
 * flags); returns its length or -ENOSPC / -EINVAL.
 */
int enl_ic_build(void *buf, size_t size, uint16_t type, uint32_t fw,
		 uint32_t srv, uint8_t tid, const void *body, size_t body_len);

/* Host: build the NEGOTIATE request listing v. */
int enl_ic_build_negotiate(void *buf, size_t size,
			   const struct enl_ic_versions *v, uint8_t tid);

/*
 * Host: read the guest's NEGOTIATE answer. 0 with *fw and *srv set (and checked
 * to be among v, since the guest is untrusted too), -ENOTSUP when the guest
 * found no match, -EBADMSG with *why when the answer is malformed.
 */
int enl_ic_negotiate_result(const struct enl_ic_msg *m,
			    const struct enl_ic_versions *v,
			    uint32_t *fw, uint32_t *srv, const char **why);

/* "3.0" into buf (>= 12 bytes), for log lines. */
const char *enl_ic_version_str(uint32_t v, char *buf, size_t size);

#endif /* ENL_IC_H */
