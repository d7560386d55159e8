// SPDX-License-Identifier: GPL-2.0-only
/* The thaw guard child and enl-vssd's record of its freezes (guard.h). */
#include "guard.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <linux/fs.h>

#include <glib.h>

#include "holdlog.h"

#define GUARD_FD_MAX	1024

static volatile sig_atomic_t guard_signalled;

static void on_guard_signal(int sig)
{
	(void)sig;
	guard_signalled = 1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Write the whole buffer to path, replacing it (tmpfs: nothing blocks). */
static int write_record(const char *path, const char *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
		      O_NOFOLLOW, 0600);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -EIO;
}

/*
 * The guard itself: only async-signal-safe calls from here on (the
 * daemon may have had threads when it forked).
 */
static void __attribute__((noreturn))
guard_main(int rfd, const int *fds, size_t n, unsigned int deadline_ms,
	   const char *record, const char *paths, size_t paths_len)
{
	static const char *const why[] = { "daemon-gone", "timeout", "signal" };
	struct sigaction sa = { .sa_handler = on_guard_signal };
	long long deadline = now_ms() + deadline_ms;
	char head[64], buf[1];
	int reason = -1;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	while (reason < 0) {
		struct pollfd pfd = { .fd = rfd, .events = POLLIN };
		long long left = deadline - now_ms();
		int r;

		if (guard_signalled) {
			reason = 2;
			break;
		}
		if (left <= 0) {
			reason = 1;
			break;
		}
		r = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		r = (int)read(rfd, buf, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0 || r < 0) {
			reason = 0;	/* every write end closed: it died */
		} else if (buf[0] == 'D') {
			_exit(0);	/* it thawed by itself */
		} else if (buf[0] == 'R') {
			deadline = now_ms() + deadline_ms;
		}
	}
	/* Reverse plan order, as enl-vssd thaws; "not frozen" is fine. */
	for (size_t i = n; i-- > 0;)
		ioctl(fds[i], FITHAW, 0);
	if (record) {
		int h = snprintf(head, sizeof(head), "thawed-by-guard %s\n",
				 why[reason]);
		int fd = open(record, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
			      O_NOFOLLOW, 0600);

		if (fd >= 0) {
			if (write(fd, head, (size_t)h) == h)
				(void)!write(fd, paths, paths_len);
			close(fd);
		}
	}
	_exit(0);
}

int enl_vss_guard_arm(struct enl_vss_guard *g, const struct enl_freeze_plan *p,
		      unsigned int deadline_ms, const char *record)
{
	g_autoptr(GString) paths = g_string_new(NULL);
	g_autoptr(GString) rec = g_string_new("frozen\n");
	g_autofree int *fds = g_new0(int, p->n + 1);
	g_autofree char *dir = NULL;
	bool keep[GUARD_FD_MAX] = { 0 };
	int pipefd[2], ret = 0;
	size_t i;
	pid_t pid;

	memset(g, 0, sizeof(*g));
	g->wfd = -1;
	for (i = 0; i < p->n; i++) {
		/* O_NONBLOCK: a FIFO bind-mounted over a path must not hang us. */
		fds[i] = open(p->v[i].path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
			      O_NONBLOCK);
		if (fds[i] < 0 || fds[i] >= GUARD_FD_MAX) {
			ret = fds[i] < 0 ? -errno : -EMFILE;
			enl_vss_log(LOG_ERR, "thaw guard: cannot hold %s: %s",
				    p->v[i].path, strerror(-ret));
			if (fds[i] >= 0)
				close(fds[i]);
			goto close_fds;
		}
		keep[fds[i]] = true;
		g_string_append_printf(paths, "%s\n", p->v[i].path);
	}
	g_string_append(rec, paths->str);
	if (record) {
		dir = g_path_get_dirname(record);
		g_mkdir_with_parents(dir, 0700);
		ret = write_record(record, rec->str, rec->len);
		if (ret) {
			enl_vss_log(LOG_ERR, "thaw guard: cannot write %s: %s",
				    record, strerror(-ret));
			goto close_fds;
		}
	}
	if (pipe2(pipefd, O_CLOEXEC) < 0 || pipefd[0] >= GUARD_FD_MAX) {
		ret = -errno;
		goto unrecord;
	}
	keep[pipefd[0]] = true;
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		goto unrecord;
	}
	if (pid == 0) {
		/*
		 * Only the mounts and our end of the pipe: above all not the
		 * VMBus channel, which must close when enl-vssd dies.
		 */
		for (int fd = 3; fd < GUARD_FD_MAX; fd++)
			if (!keep[fd])
				close(fd);
		guard_main(pipefd[0], fds, p->n, deadline_ms, record,
			   paths->str, paths->len);
	}
	close(pipefd[0]);
	g->pid = pid;
	g->wfd = pipefd[1];
	g->record = g_strdup(record);
	for (i = 0; i < p->n; i++)
		close(fds[i]);
	return 0;
unrecord:
	if (record)
		unlink(record);
	i = p->n;
close_fds:
	while (i-- > 0)
		close(fds[i]);
	return ret;
}

void enl_vss_guard_extend(struct enl_vss_guard *g)
{
	if (g->pid > 0)
		(void)!write(g->wfd, "R", 1);
}

void enl_vss_guard_disarm(struct enl_vss_guard *g)
{
	if (g->pid <= 0)
		return;
	(void)!write(g->wfd, "D", 1);
	close(g->wfd);
	while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (g->record)
		unlink(g->record);
	g_free(g->record);
	memset(g, 0, sizeof(*g));
	g->wfd = -1;
}

int enl_vss_guard_recover(const char *record, char *why, size_t why_len)
{
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	gsize len;
	int ret = 1;

	if (why && why_len)
		why[0] = 0;
	if (!g_file_get_contents(record, &text, &len, NULL))
		return 0;
	unlink(record);
	lines = g_strsplit(text, "\n", -1);
	if (!lines[0] || (strcmp(lines[0], "frozen") &&
			  !g_str_has_prefix(lines[0], "thawed-by-guard "))) {
		enl_vss_log(LOG_WARNING, "%s: not a record of ours; ignored",
			    record);
		return -EINVAL;
	}
	if (g_str_has_prefix(lines[0], "thawed-by-guard ")) {
		if (why)
			snprintf(why, why_len, "thawed by guard (%s)",
				 lines[0] + strlen("thawed-by-guard "));
		return 1;
	}
	/* Frozen by a dead enl-vssd whose guard did not run: thaw it now. */
	for (size_t i = g_strv_length(lines); i-- > 1;) {
		int fd;

		if (!*lines[i] || lines[i][0] != '/')
			continue;
		fd = open(lines[i], O_RDONLY | O_CLOEXEC | O_NOCTTY |
			  O_NONBLOCK);
		if (fd < 0)
			continue;
		if (ioctl(fd, FITHAW, 0) < 0 && errno != EINVAL)
			enl_vss_log(LOG_ERR, "thaw %s: %s", lines[i],
				    strerror(errno));
		close(fd);
	}
	if (why)
		snprintf(why, why_len, "thawed at start (a previous enl-vssd "
			 "died frozen)");
	return ret;
}
