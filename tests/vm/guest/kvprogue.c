// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-kvprogue: a hostile KVP guest for tests/vm/test_kvp_guard.py. It
 * speaks the protocol on /dev/vmbus/kvp as enl-kvpd would, except that its
 * pool never ends: "same" answers every ENUMERATE with one key, "endless"
 * with a new key (and a 1,000-character value) at every index. SETs are
 * accepted and printed ("SET <key>") so the test sees which host requests
 * got through; everything else is answered S_OK.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <enlighten/ic_kvp.h>
#include <enlighten/icmsg.h>

#define DEV		"/dev/vmbus/kvp"
#define BUF_SIZE	(16 * 1024)	/* the driver's ring: any packet fits */
#define VALUE_LEN	1000

/* ASCII into a UTF-16LE field with its NUL; the byte count. */
static uint32_t put16(uint8_t *field, size_t size, const char *s)
{
	size_t n = strlen(s);

	if ((n + 1) * 2 > size)
		n = size / 2 - 1;
	memset(field, 0, size);
	for (size_t i = 0; i < n; i++)
		field[2 * i] = (uint8_t)s[i];
	return (uint32_t)((n + 1) * 2);
}

/* UTF-16LE (ASCII part) of a host key, printable. */
static void get16(const uint8_t *field, uint32_t size, char *out, size_t cap)
{
	size_t o = 0;

	for (uint32_t i = 0; i + 1 < size && o + 1 < cap; i += 2) {
		if (!field[i] && !field[i + 1])
			break;
		out[o++] = field[i] >= 0x20 && field[i] < 0x7f && !field[i + 1] ?
			   (char)field[i] : '?';
	}
	out[o] = 0;
}

/* The best version offered: want if listed, else the first offered. */
static struct enl_ic_version pick(const struct enl_ic_version *v, size_t n,
				  uint16_t want)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].major == want)
			return v[i];
	return v[0];
}

/* Answer a NEGOTIATE in place; the answer's length, or 0 if malformed. */
static size_t negotiate(uint8_t *pkt, size_t len)
{
	struct enl_icmsg_hdr *h = (void *)(pkt + ENL_ICMSG_HDR_OFFSET);
	struct enl_icmsg_negotiate *neg = (void *)(pkt + ENL_ICMSG_BODY_OFFSET);
	struct enl_ic_version fw, srv;
	size_t nf = neg->icframe_vercnt, ns = neg->icmsg_vercnt;

	if (!nf || !ns || ENL_ICMSG_NEGOTIATE_PKT_SIZE(nf, ns) > len)
		return 0;
	fw = pick(neg->icversion_data, nf, 3);
	srv = pick(neg->icversion_data + nf, ns, 4);
	neg->icframe_vercnt = neg->icmsg_vercnt = 1;
	neg->reserved = 0;
	neg->icversion_data[0] = fw;
	neg->icversion_data[1] = srv;
	h->icverframe = fw;
	h->icvermsg = srv;
	h->icmsgsize = ENL_ICMSG_NEGOTIATE_RESP_SIZE;
	if (len < ENL_ICMSG_NEGOTIATE_PKT_SIZE(1, 1))
		len = ENL_ICMSG_NEGOTIATE_PKT_SIZE(1, 1);
	((struct enl_vmbuspipe_hdr *)pkt)->msgsize =
		(uint32_t)(len - ENL_ICMSG_HDR_OFFSET);
	return len;
}

static uint32_t kvp(uint8_t *body, size_t body_len, int endless)
{
	struct enl_kvp_msg *m = (void *)body;
	struct enl_kvp_exchg_msg_value *d;
	char text[ENL_KVP_MAX_KEY_SIZE], value[VALUE_LEN + 1];

	if (body_len < sizeof(*m))
		return ENL_HV_S_OK;	/* IP operations: nothing to say */
	switch (m->kvp_hdr.operation) {
	case ENL_KVP_OP_SET:
		d = &m->body.kvp_set.data;
		get16(d->key, d->key_size, text, sizeof(text));
		printf("SET %s\n", text);
		fflush(stdout);
		return ENL_HV_S_OK;
	case ENL_KVP_OP_ENUMERATE:
		d = &m->body.kvp_enum_data.data;
		if (endless)
			snprintf(text, sizeof(text), "Endless%u",
				 m->body.kvp_enum_data.index);
		else
			snprintf(text, sizeof(text), "Same");
		memset(value, 'v', VALUE_LEN);
		value[VALUE_LEN] = 0;
		d->value_type = ENL_KVP_REG_SZ;
		d->key_size = put16(d->key, sizeof(d->key), text);
		d->value_size = put16(d->value, sizeof(d->value), value);
		return ENL_HV_S_OK;
	case ENL_KVP_OP_GET:
		return ENL_HV_S_CONT;
	}
	return ENL_HV_S_OK;
}

int main(int argc, char **argv)
{
	static uint8_t pkt[BUF_SIZE];
	int endless, fd;

	if (argc != 2 || (strcmp(argv[1], "same") && strcmp(argv[1], "endless"))) {
		fprintf(stderr, "usage: enl-kvprogue same|endless\n");
		return 2;
	}
	endless = !strcmp(argv[1], "endless");
	fd = open(DEV, O_RDWR);
	if (fd < 0) {
		fprintf(stderr, "enl-kvprogue: %s: %s\n", DEV, strerror(errno));
		return 1;
	}
	for (;;) {
		ssize_t n = read(fd, pkt, sizeof(pkt));
		struct enl_icmsg_hdr *h = (void *)(pkt + ENL_ICMSG_HDR_OFFSET);
		size_t len;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < (ssize_t)ENL_ICMSG_BODY_OFFSET) {
			fprintf(stderr, "enl-kvprogue: read: %zd (%s)\n", n,
				n < 0 ? strerror(errno) : "short");
			return 1;
		}
		len = (size_t)n;
		if (h->icmsgsize > len - ENL_ICMSG_BODY_OFFSET)
			continue;
		if (h->icmsgtype == ENL_ICMSGTYPE_NEGOTIATE) {
			len = negotiate(pkt, len);
			if (!len)
				continue;
			printf("NEGOTIATED\n");
			fflush(stdout);
			h->status = ENL_HV_S_OK;
		} else {
			h->status = kvp(pkt + ENL_ICMSG_BODY_OFFSET,
					h->icmsgsize, endless);
		}
		h->icflags = ENL_ICMSGHDRFLAG_TRANSACTION |
			     ENL_ICMSGHDRFLAG_RESPONSE;
		if (write(fd, pkt, len) != (ssize_t)len) {
			fprintf(stderr, "enl-kvprogue: write: %s\n",
				strerror(errno));
			return 1;
		}
	}
}
