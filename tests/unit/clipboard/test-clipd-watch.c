// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-clipboardd's WATCH request (userproto.h) on the real users' socket,
 * with enl-host's clipboard service on the other end of the channel: the
 * line at once, a line per host or user copy, old requests unchanged,
 * hang-ups, the watcher limit, and a watcher that stops reading; then the
 * policy over a connection's life: the idle timeout, the per-user limit,
 * and (as root, with a child that becomes "nobody") a request and a watch
 * of a user who lost the seat.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>

#include "clipboard_host.h"
#include "clipd.h"
#include "tap.h"
#include "users.h"
#include "userproto.h"

static struct enl_clip_host host;
static int hfd;
static char *sock_path;

static int host_send(void *ctx, const void *pkt, size_t len)
{
	(void)ctx;
	return send(hfd, pkt, len, MSG_DONTWAIT) < 0 ? -errno : 0;
}

/* Run the daemon's main loop and the host engine for a while. */
static void spin_once(void)
{
	static uint8_t buf[ENL_CHANNEL_MAX_PACKET];
	ssize_t n;

	while (g_main_context_iteration(NULL, FALSE))
		;
	while ((n = recv(hfd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		enl_clip_host_recv(&host, buf, (size_t)n);
}

static int connect_to(const char *req)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(sa.sun_path, sock_path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    send(fd, req, strlen(req), MSG_NOSIGNAL) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Read one line from fd while the daemon runs (it lives in this thread).
 * "" at end of stream, NULL after 2 s without a whole line.
 */
static char *read_line(int fd)
{
	GString *s = g_string_new(NULL);
	gint64 end = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;
	char c;

	while (g_get_monotonic_time() < end) {
		ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);

		if (n == 1 && c == '\n')
			return g_string_free(s, FALSE);
		if (n == 1) {
			g_string_append_c(s, c);
			continue;
		}
		if (n == 0)
			return g_string_free(s, FALSE);
		spin_once();
		g_usleep(1000);
	}
	g_string_free(s, TRUE);
	return NULL;
}

/* As read_line, waiting up to s seconds. */
static bool line_is_within(int fd, const char *want, int s)
{
	GString *got = g_string_new(NULL);
	gint64 end = g_get_monotonic_time() + s * G_USEC_PER_SEC;
	bool ok = false;
	char c;

	while (g_get_monotonic_time() < end) {
		ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);

		if (n == 1 && c != '\n') {
			g_string_append_c(got, c);
			continue;
		}
		if (n == 1 || n == 0) {
			ok = !strcmp(got->str, want);
			break;
		}
		spin_once();
		g_usleep(1000);
	}
	if (!ok)
		tap_diag("got \"%s\", wanted \"%s\"", got->str, want);
	g_string_free(got, TRUE);
	return ok;
}

static bool line_is(int fd, const char *want)
{
	g_autofree char *got = read_line(fd);

	if (got && !strcmp(got, want))
		return true;
	tap_diag("got \"%s\", wanted \"%s\"", got ? got : "(nothing)", want);
	return false;
}

/* Wait until cond holds, serving both sides meanwhile. */
#define SPIN_UNTIL(cond) do {						\
	gint64 end_ = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;	\
	while (!(cond) && g_get_monotonic_time() < end_) {		\
		spin_once();						\
		g_usleep(1000);						\
	}								\
} while (0)

/* The seat's active user, as the fake logind says. */
static uid_t seat_uid = 65534;

static int fake_seat(uid_t *uid)
{
	*uid = seat_uid;
	return 0;
}

/*
 * A client as user nobody (65534): a child that connects, waits for a byte
 * on go, sends req, and copies what it reads to out until the end.
 */
static pid_t nobody_client(const char *req, int *go, int *out)
{
	int g[2], o[2];
	pid_t pid;

	if (pipe(g) < 0 || pipe(o) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		char b, buf[256];
		ssize_t n;
		int fd;

		close(g[1]);
		close(o[0]);
		if (setgid(65534) < 0 || setuid(65534) < 0)
			_exit(2);
		fd = connect_to("");
		if (fd < 0 || read(g[0], &b, 1) != 1)
			_exit(3);
		if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0)
			_exit(4);
		while ((n = recv(fd, buf, sizeof(buf), 0)) > 0)
			(void)!write(o[1], buf, (size_t)n);
		_exit(0);
	}
	close(g[0]);
	close(o[1]);
	*go = g[1];
	*out = o[0];
	return pid;
}

/* All the child read, once it is done (the daemon runs meanwhile). */
static char *child_output(pid_t pid, int out)
{
	GString *s = g_string_new(NULL);
	gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
	int status;

	while (waitpid(pid, &status, WNOHANG) == 0 &&
	       g_get_monotonic_time() < end) {
		spin_once();
		g_usleep(1000);
	}
	if (waitpid(pid, &status, WNOHANG) == 0) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	for (char b; read(out, &b, 1) == 1;)
		g_string_append_c(s, b);
	close(out);
	return g_string_free(s, FALSE);
}

static void test_policy(struct enl_clipd_users *u,
			struct enl_clipd_conf *conf)
{
	int fds[3], fd, go, out;
	g_autofree char *got = NULL;
	gint64 t0;
	pid_t pid;

	bool ok;

	conf->idle_timeout_s = 1;
	fd = connect_to("");
	t0 = g_get_monotonic_time();
	ok = line_is_within(fd, "ERR idle timeout", 3);
	tap_ok(ok && line_is(fd, "") && u->idle_closed == 1,
	       "a client that sends nothing is closed after idle-timeout "
	       "(%.1f s)", (g_get_monotonic_time() - t0) / 1e6);
	close(fd);

	conf->idle_timeout_s = 30;
	conf->max_per_user = 3;
	for (int i = 0; i < 3; i++) {
		fds[i] = connect_to("WATCH\n");
		g_free(read_line(fds[i]));
		g_free(read_line(fds[i]));
	}
	fd = connect_to("TARGETS\n");
	tap_ok(line_is(fd, "ERR too many connections") && u->over_limit == 1,
	       "a user holding max-connections-per-user is refused another");
	close(fd);
	close(fds[0]);
	SPIN_UNTIL(u->watchers.n == 2);
	fd = connect_to("TARGETS\n");
	tap_ok(line_is(fd, "OK 1"), "and served again once one is closed");
	close(fd);
	close(fds[1]);
	close(fds[2]);
	SPIN_UNTIL(u->watchers.n == 0);
	conf->max_per_user = 2 * ENL_CLIPD_WATCH_MAX;

	if (getuid() != 0) {
		tap_diag("not root: the lost-seat checks need a second uid");
		return;
	}
	conf->seat_user = true;
	/* Connected while it had the seat, asks after losing it. */
	seat_uid = 65534;
	pid = nobody_client("TARGETS\n", &go, &out);
	SPIN_UNTIL(u->accepted && g_list_length(u->clients) == 1);
	seat_uid = 1000;
	(void)!write(go, "x", 1);
	close(go);
	got = child_output(pid, out);
	tap_ok(!strcmp(got, "ERR permission denied\n"),
	       "a request is checked again when it arrives: the seat moved, "
	       "refused (%s)", got);
	g_clear_pointer(&got, g_free);

	seat_uid = 65534;
	pid = nobody_client("WATCH\n", &go, &out);
	(void)!write(go, "x", 1);
	close(go);
	SPIN_UNTIL(u->watchers.n == 1);
	tap_ok(u->watchers.n == 1, "the seat user watches");
	seat_uid = 1000;
	enl_clipd_users_recheck(u);
	got = child_output(pid, out);
	tap_ok(u->watchers.n == 0 && u->watchers.revoked == 1 &&
	       g_str_has_prefix(got, "OK\nCHANGED ") &&
	       !strstr(got + 3, "\nCHANGED"),
	       "losing the seat ends the watch, nothing more is said (%s)",
	       got);
	conf->seat_user = false;
}

static const uint8_t png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
			       0, 0, 0, 0 };

int main(void)
{
	g_autofree char *dir = g_dir_make_tmp("enl-watch-XXXXXX", NULL);
	g_autofree char *uid = g_strdup_printf("%u", (unsigned)getuid());
	char *allow[] = { uid, NULL };
	/* One uid opens every watch here: no per-user limit in the way. */
	struct enl_clipd_conf conf = { .allow_users = allow,
				       .max_per_user = 2 * ENL_CLIPD_WATCH_MAX };
	struct enl_clipd_users u;
	struct enl_clipd d;
	int sv[2], w1, w2, fd, extra[ENL_CLIPD_WATCH_MAX];
	char copy_req[64];
	unsigned long copies = 0;

	/* The lost-seat checks connect as nobody: let it reach the socket. */
	chmod(dir, 0755);
	signal(SIGPIPE, SIG_IGN);
	sock_path = g_build_filename(dir, "clipboard.sock", NULL);
	conf.socket = sock_path;
	socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK, 0, sv);
	hfd = sv[1];
	enl_clipd_init(&d, 0);
	enl_clipd_attach(&d, enl_channel_from_fd(sv[0], "test"));
	enl_clip_host_init(&host, 0);
	enl_clip_host_open(&host, host_send, NULL);
	tap_ok(enl_clipd_users_open(&u, &conf, fake_seat, &d) == 0,
	       "the users' socket listens");
	SPIN_UNTIL(d.e.ready && host.e.ready);

	w1 = connect_to("WATCH\n");
	tap_ok(line_is(w1, "OK") && line_is(w1, "CHANGED 0 none"),
	       "WATCH: OK, then the state now (nobody owns it)");
	enl_clip_host_set(&host, ENL_CLIP_FMT_TEXT, "host text", 9);
	tap_ok(line_is(w1, "CHANGED 1 host text"),
	       "the host copies: CHANGED with its serial and format");

	snprintf(copy_req, sizeof(copy_req), "COPY png %zu\n", sizeof(png));
	fd = connect_to(copy_req);
	send(fd, png, sizeof(png), MSG_NOSIGNAL);
	tap_ok(line_is(fd, "OK"), "COPY still answers a bare OK");
	close(fd);
	tap_ok(line_is(w1, "CHANGED 2 guest png"),
	       "a local user copies: CHANGED ... guest png");

	w2 = connect_to("WATCH\n");
	tap_ok(line_is(w2, "OK") && line_is(w2, "CHANGED 2 guest png"),
	       "a second watcher gets the current state first");
	fd = connect_to("TARGETS\n");
	tap_ok(line_is(fd, "OK 1") && line_is(fd, "png 12") &&
	       line_is(fd, ""), "TARGETS is unchanged: one reply, then closed");
	close(fd);
	fd = connect_to("WATCH text\n");
	tap_ok(line_is(fd, "ERR bad request"), "WATCH takes no argument");
	close(fd);

	close(w2);
	SPIN_UNTIL(u.watchers.n == 1);
	tap_ok(u.watchers.n == 1, "a watcher that hangs up is forgotten");

	for (int i = 0; i < ENL_CLIPD_WATCH_MAX - 1; i++) {
		extra[i] = connect_to("WATCH\n");
		g_free(read_line(extra[i]));
		g_free(read_line(extra[i]));
	}
	fd = connect_to("WATCH\n");
	tap_ok(line_is(fd, "ERR too many watchers") &&
	       u.watchers.n == ENL_CLIPD_WATCH_MAX,
	       "watcher %d is refused", ENL_CLIPD_WATCH_MAX + 1);
	close(fd);
	for (int i = 0; i < ENL_CLIPD_WATCH_MAX - 1; i++)
		close(extra[i]);
	SPIN_UNTIL(u.watchers.n == 1);

	/* w1 reads nothing now: its socket buffer fills, and it is dropped. */
	while (!u.watchers.dropped && copies < 100000) {
		enl_clipd_copy(&d, ENL_CLIP_FMT_TEXT, "x", 1);
		copies++;
	}
	tap_ok(u.watchers.dropped == 1 && u.watchers.n == 0,
	       "a watcher that stops reading is dropped (after %lu changes)",
	       copies);
	close(w1);

	test_policy(&u, &conf);

	w1 = connect_to("WATCH\n");
	g_free(read_line(w1));
	g_free(read_line(w1));
	enl_clipd_users_close(&u);
	tap_ok(line_is(w1, ""), "closing the socket ends the watches");
	close(w1);

	enl_clipd_free(&d);
	enl_clip_host_free(&host);
	close(hfd);
	rmdir(dir);
	g_free(sock_path);
	return tap_done();
}
