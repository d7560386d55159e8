// SPDX-License-Identifier: GPL-2.0-only
/* Guest-side IC request loop: negotiate, dispatch, answer (icservice.h). */
#include "icservice.h"

#include <errno.h>
#include <string.h>
#include <glib-unix.h>

#include "log.h"

struct enl_ic_service *enl_ic_service_new(const struct enl_ic_service_ops *ops,
					  void *ctx, struct enl_channel *ch)
{
	struct enl_ic_service *s = g_new0(struct enl_ic_service, 1);

	s->ops = ops;
	s->ctx = ctx;
	s->ch = ch;
	return s;
}

void enl_ic_service_free(struct enl_ic_service *s)
{
	if (!s)
		return;
	if (s->watch)
		g_source_remove(s->watch);
	enl_channel_free(s->ch);
	g_free(s);
}

static void negotiate(struct enl_ic_service *s, struct enl_ic_msg *m,
		      size_t *resp_len)
{
	const char *why = NULL;
	char a[16], b[16];
	int ret;

	ret = enl_ic_negotiate_answer(m, sizeof(s->buf), &s->ops->versions,
				      &s->fw, &s->srv, resp_len, &why);
	if (ret == -EBADMSG) {
		s->stats.rx_bad++;
		enl_log_rl(LOG_WARNING, "%s: malformed negotiate: %s",
			   s->ops->name, why);
	} else if (ret == -ENOTSUP) {
		GString *offer = g_string_new(NULL);

		for (size_t i = 0; i < s->ops->versions.n_srv; i++)
			g_string_append_printf(offer, " %s",
				enl_ic_version_str(s->ops->versions.srv[i],
						   a, sizeof(a)));
		enl_err("%s: host offers no framework/service version we speak "
			"(we speak service versions%s, frameworks 3.0 1.0); "
			"service disabled until the host renegotiates",
			s->ops->name, offer->str);
		g_string_free(offer, TRUE);
	} else if (!ret) {
		s->stats.negotiated++;
		enl_info("%s: negotiated framework %s, service version %s",
			 s->ops->name, enl_ic_version_str(s->fw, a, sizeof(a)),
			 enl_ic_version_str(s->srv, b, sizeof(b)));
	}
}

int enl_ic_service_process(struct enl_ic_service *s, size_t len)
{
	struct enl_ic_msg m;
	const char *why;
	size_t resp_len;
	bool act = false;
	int ret;

	s->stats.rx++;
	if (enl_ic_parse(s->buf, len, &m, &why) < 0) {
		/* No trustworthy header to answer on: drop it. */
		s->stats.rx_bad++;
		enl_log_rl(LOG_WARNING, "%s: dropped packet of %zu bytes: %s",
			   s->ops->name, len, why);
		return -EBADMSG;
	}
	resp_len = m.len;
	if (m.hdr->icmsgtype == ENL_ICMSGTYPE_NEGOTIATE) {
		negotiate(s, &m, &resp_len);
	} else if (m.hdr->icmsgtype == s->ops->msgtype) {
		uint32_t srv = s->srv;

		/*
		 * A request before any negotiation (we restarted while the
		 * channel stayed open) carries the version in force.
		 */
		if (!srv) {
			uint32_t v = enl_ic_version_word(&m.hdr->icvermsg);

			for (size_t i = 0; i < s->ops->versions.n_srv; i++)
				if (s->ops->versions.srv[i] == v)
					srv = v;
		}
		if (!srv) {
			s->stats.rx_bad++;
			enl_log_rl(LOG_WARNING,
				   "%s: request in unknown version %u.%u",
				   s->ops->name, m.hdr->icvermsg.major,
				   m.hdr->icvermsg.minor);
			enl_ic_set_response(&m, ENL_HV_E_FAIL);
		} else {
			enl_ic_set_response(&m, s->ops->handle(s->ctx, &m, srv,
					    sizeof(s->buf), &resp_len));
			act = true;
		}
	} else {
		s->stats.rx_unknown++;
		enl_log_rl(LOG_WARNING, "%s: unexpected message type %u",
			   s->ops->name, m.hdr->icmsgtype);
		enl_ic_set_response(&m, ENL_HV_E_FAIL);
	}
	ret = enl_channel_send(s->ch, s->buf, resp_len);
	if (ret < 0) {
		s->stats.tx_err++;
		enl_log_rl(LOG_ERR, "%s: cannot send response: %s",
			   s->ops->name, strerror(-ret));
		return ret;
	}
	s->stats.tx++;
	if (act && s->ops->after)
		s->ops->after(s->ctx);
	return 0;
}

int enl_ic_service_poll(struct enl_ic_service *s)
{
	for (;;) {
		ssize_t n = enl_channel_recv(s->ch, s->buf, sizeof(s->buf));

		if (n == -EAGAIN)
			return 0;
		if (n == -EMSGSIZE) {
			s->stats.rx_bad++;
			continue;
		}
		if (n == 0)
			return -ECONNRESET;
		if (n < 0)
			return (int)n;
		enl_ic_service_process(s, (size_t)n);
	}
}

static gboolean on_readable(gint fd, GIOCondition cond, gpointer data)
{
	struct enl_ic_service *s = data;
	int ret;

	(void)fd;
	(void)cond;
	ret = enl_ic_service_poll(s);
	if (!ret)
		return G_SOURCE_CONTINUE;
	enl_err("%s: channel %s closed: %s", s->ops->name, s->ch->name,
		strerror(-ret));
	s->watch = 0;
	if (s->ops->closed)
		s->ops->closed(s->ctx);
	return G_SOURCE_REMOVE;
}

void enl_ic_service_attach(struct enl_ic_service *s)
{
	s->watch = g_unix_fd_add(s->ch->fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
				 on_readable, s);
}
