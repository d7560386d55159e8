/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ivshmem server for exactly one QEMU: peer 0 is enl-host, peer 1 the guest.
 * The protocol is one-way: 8-byte little-endian numbers, some carrying one
 * fd. QEMU reads the setup synchronously while realizing the device, so all
 * of it is sent at once from the accept callback.
 */
#include "ivshmem.h"

#include <endian.h>
#include <errno.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib.h>
#include <glib-unix.h>

#include <enlighten/hvif.h>

#define IVSHMEM_PROTOCOL_VERSION	0

struct doorbell_watch {
	struct enl_ivshmem *iv;
	uint32_t vector;
	guint source;
};

struct enl_ivshmem {
	char *path;
	int listen_fd;
	guint listen_source;
	int client_fd;
	guint client_source;
	bool connected;			/* atomic: read by any thread */
	int shm_fd;
	uint32_t nr_vectors;
	int host_efd[ENL_HVIF_MAX_VP];		/* guest -> us (doorbells) */
	int guest_efd[ENL_HVIF_MAX_VP];		/* us -> guest (MSI-X) */
	struct doorbell_watch watch[ENL_HVIF_NR_DOORBELLS];
	const struct enl_ivshmem_ops *ops;
	void *ctx;
};

static int send_msg(int sock, int64_t value, int fd)
{
	int64_t le = (int64_t)htole64((uint64_t)value);
	struct iovec iov = { .iov_base = &le, .iov_len = sizeof(le) };
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;
	ssize_t n;

	if (fd >= 0) {
		memset(&u, 0, sizeof(u));
		msg.msg_control = u.buf;
		msg.msg_controllen = sizeof(u.buf);
		cmsg = CMSG_FIRSTHDR(&msg);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));
	}
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return n == sizeof(le) ? 0 : -EIO;
}

/* Steps 1-5 of the spec, for a server whose only other peer is us. */
static int send_setup(struct enl_ivshmem *iv, int sock)
{
	uint32_t v;
	int err;

	if ((err = send_msg(sock, IVSHMEM_PROTOCOL_VERSION, -1)) ||
	    (err = send_msg(sock, ENL_IVSHMEM_GUEST_PEER, -1)) ||
	    (err = send_msg(sock, -1, iv->shm_fd)))
		return err;
	/* "Connect notification" for peer 0: how the guest rings us. */
	for (v = 0; v < iv->nr_vectors; v++)
		if ((err = send_msg(sock, ENL_IVSHMEM_HOST_PEER, iv->host_efd[v])))
			return err;
	/* "Interrupt setup": the guest's own vectors, which we write to. */
	for (v = 0; v < iv->nr_vectors; v++)
		if ((err = send_msg(sock, ENL_IVSHMEM_GUEST_PEER, iv->guest_efd[v])))
			return err;
	return 0;
}

static void drop_client(struct enl_ivshmem *iv)
{
	if (iv->client_source)
		g_source_remove(iv->client_source);
	iv->client_source = 0;
	if (iv->client_fd >= 0)
		close(iv->client_fd);
	iv->client_fd = -1;
}

/* QEMU never writes to us; readable means it hung up. */
static gboolean on_client(gint fd, GIOCondition cond, gpointer data)
{
	struct enl_ivshmem *iv = data;
	char buf[64];
	ssize_t n;

	(void)cond;
	n = read(fd, buf, sizeof(buf));
	if (n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR)))
		return G_SOURCE_CONTINUE;
	iv->client_source = 0;
	drop_client(iv);
	return G_SOURCE_REMOVE;
}

static gboolean on_accept(gint fd, GIOCondition cond, gpointer data)
{
	struct enl_ivshmem *iv = data;
	int sock, err;

	(void)cond;
	sock = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
	if (sock < 0)
		return G_SOURCE_CONTINUE;
	if (iv->client_fd >= 0) {
		/* One guest per enl-host: a second client gets nothing. */
		g_message("ivshmem: refusing a second client");
		close(sock);
		return G_SOURCE_CONTINUE;
	}
	err = send_setup(iv, sock);
	if (err) {
		g_message("ivshmem: setup failed: %s", g_strerror(-err));
		close(sock);
		return G_SOURCE_CONTINUE;
	}
	iv->client_fd = sock;
	/* The one client is in: the name has served (the run dir can go). */
	unlink(iv->path);
	iv->client_source = g_unix_fd_add(sock, G_IO_IN | G_IO_HUP | G_IO_ERR,
					  on_client, iv);
	__atomic_store_n(&iv->connected, true, __ATOMIC_RELEASE);
	if (iv->ops && iv->ops->connected)
		iv->ops->connected(iv->ctx);
	return G_SOURCE_CONTINUE;
}

static gboolean on_doorbell(gint fd, GIOCondition cond, gpointer data)
{
	struct doorbell_watch *w = data;
	uint64_t count;

	(void)cond;
	/* Several doorbells may fold into one count; the handler rescans. */
	if (read(fd, &count, sizeof(count)) != sizeof(count))
		return G_SOURCE_CONTINUE;
	if (w->iv->ops && w->iv->ops->doorbell)
		w->iv->ops->doorbell(w->iv->ctx, w->vector);
	return G_SOURCE_CONTINUE;
}

static int listen_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 4) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

struct enl_ivshmem *enl_ivshmem_new(const char *path, int shm_fd,
				    uint32_t nr_vectors,
				    const struct enl_ivshmem_ops *ops,
				    void *ctx, int *err)
{
	struct enl_ivshmem *iv;
	uint32_t v;

	if (nr_vectors < ENL_HVIF_NR_DOORBELLS || nr_vectors > ENL_HVIF_MAX_VP) {
		*err = -EINVAL;
		return NULL;
	}
	iv = g_new0(struct enl_ivshmem, 1);
	iv->client_fd = -1;
	iv->shm_fd = shm_fd;
	iv->nr_vectors = nr_vectors;
	iv->ops = ops;
	iv->ctx = ctx;
	for (v = 0; v < ENL_HVIF_MAX_VP; v++)
		iv->host_efd[v] = -1;
	for (v = 0; v < ENL_HVIF_MAX_VP; v++)
		iv->guest_efd[v] = -1;
	for (v = 0; v < nr_vectors; v++) {
		iv->guest_efd[v] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (iv->guest_efd[v] < 0)
			goto fail_errno;
	}
	for (v = 0; v < nr_vectors; v++) {
		iv->host_efd[v] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (iv->host_efd[v] < 0)
			goto fail_errno;
		/* Channel doorbells are polled by whoever a channel binds them to. */
		if (v >= ENL_HVIF_NR_DOORBELLS)
			continue;
		iv->watch[v].iv = iv;
		iv->watch[v].vector = v;
		iv->watch[v].source = g_unix_fd_add(iv->host_efd[v], G_IO_IN,
						    on_doorbell, &iv->watch[v]);
	}
	iv->listen_fd = listen_unix(path);
	if (iv->listen_fd < 0) {
		*err = iv->listen_fd;
		iv->listen_fd = -1;
		enl_ivshmem_free(iv);
		return NULL;
	}
	iv->path = g_strdup(path);
	iv->listen_source = g_unix_fd_add(iv->listen_fd, G_IO_IN, on_accept, iv);
	*err = 0;
	return iv;

fail_errno:
	*err = -errno;
	iv->listen_fd = -1;
	enl_ivshmem_free(iv);
	return NULL;
}

void enl_ivshmem_free(struct enl_ivshmem *iv)
{
	uint32_t v;

	if (!iv)
		return;
	drop_client(iv);
	if (iv->listen_source)
		g_source_remove(iv->listen_source);
	if (iv->listen_fd >= 0)
		close(iv->listen_fd);
	if (iv->path)
		unlink(iv->path);
	for (v = 0; v < ENL_HVIF_NR_DOORBELLS; v++)
		if (iv->watch[v].source)
			g_source_remove(iv->watch[v].source);
	for (v = 0; v < ENL_HVIF_MAX_VP; v++)
		if (iv->host_efd[v] >= 0)
			close(iv->host_efd[v]);
	for (v = 0; v < ENL_HVIF_MAX_VP; v++)
		if (iv->guest_efd[v] >= 0)
			close(iv->guest_efd[v]);
	g_free(iv->path);
	g_free(iv);
}

bool enl_ivshmem_connected(const struct enl_ivshmem *iv)
{
	return __atomic_load_n(&iv->connected, __ATOMIC_ACQUIRE);
}

int enl_ivshmem_doorbell_fd(const struct enl_ivshmem *iv, uint32_t vector)
{
	if (vector < ENL_HVIF_NR_DOORBELLS || vector >= iv->nr_vectors)
		return -EINVAL;
	return iv->host_efd[vector];
}

int enl_ivshmem_raise(struct enl_ivshmem *iv, uint32_t vector)
{
	uint64_t one = 1;

	if (vector >= iv->nr_vectors)
		return -EINVAL;
	if (!enl_ivshmem_connected(iv))
		return -ENOTCONN;
	/* EAGAIN means the counter is saturated: an interrupt is pending anyway. */
	if (write(iv->guest_efd[vector], &one, sizeof(one)) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}
