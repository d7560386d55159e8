// SPDX-License-Identifier: GPL-2.0-only
/* List and run the freeze hooks (hooks.h). */
#include "hooks.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "holdlog.h"

extern char **environ;

static bool ignored_name(const char *name)
{
	static const char *const suffixes[] = {
		"~", ".dpkg-old", ".dpkg-new", ".dpkg-dist", ".dpkg-tmp",
		".rpmsave", ".rpmnew", ".rpmorig", ".swp", ".bak", NULL,
	};

	if (name[0] == '.')
		return true;
	for (size_t i = 0; suffixes[i]; i++)
		if (g_str_has_suffix(name, suffixes[i]))
			return true;
	return false;
}

static gint by_name(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GPtrArray *enl_hooks_list(const char *dir)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;

	if (!d)
		return out;
	while ((name = g_dir_read_name(d))) {
		char *path;
		struct stat st;

		if (ignored_name(name))
			continue;
		path = g_build_filename(dir, name, NULL);
		if (stat(path, &st) || !S_ISREG(st.st_mode) ||
		    access(path, X_OK)) {
			g_free(path);
			continue;
		}
		g_ptr_array_add(out, path);
	}
	g_dir_close(d);
	g_ptr_array_sort(out, by_name);
	return out;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for pid at most timeout_ms; kill its process group past that. */
static int wait_child(pid_t pid, unsigned int timeout_ms, int *status)
{
	long long deadline = now_ms() + timeout_ms;
	struct timespec nap = { 0, 2 * 1000 * 1000 };

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		if (now_ms() >= deadline) {
			kill(-pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			return -ETIMEDOUT;
		}
		nanosleep(&nap, NULL);
		/* Back off up to 50 ms: quick hooks finish quickly. */
		if (nap.tv_nsec < 50 * 1000 * 1000)
			nap.tv_nsec *= 2;
	}
}

int enl_hook_spawn(void *ctx, const char *path, const char *arg,
		   unsigned int timeout_ms)
{
	/* A fixed, minimal environment: hooks must not depend on ours. */
	char *const envp[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"LANG=C", NULL,
	};
	char *const argv[] = { (char *)path, (char *)arg, NULL };
	posix_spawnattr_t attr;
	sigset_t none;
	pid_t pid;
	int ret, status = 0;

	(void)ctx;
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	/* Own process group so a timeout kills whatever the hook started. */
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
				 POSIX_SPAWN_SETSIGMASK);
	ret = posix_spawn(&pid, path, NULL, &attr, argv, envp);
	posix_spawnattr_destroy(&attr);
	if (ret)
		return -ret;
	ret = wait_child(pid, timeout_ms, &status);
	if (ret < 0)
		return ret;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -ECHILD;
}

int enl_hooks_run(GPtrArray *hooks, size_t n, const char *arg, bool reverse,
		  bool stop_on_error, enl_hook_run_fn run, void *ctx,
		  unsigned int timeout_ms, size_t *ran, const char **failed)
{
	int first = 0;

	*ran = 0;
	*failed = NULL;
	if (n > hooks->len)
		n = hooks->len;
	for (size_t k = 0; k < n; k++) {
		const char *path = g_ptr_array_index(hooks,
						     reverse ? n - 1 - k : k);
		int ret = run(ctx, path, arg, timeout_ms);

		(*ran)++;
		if (!ret)
			continue;
		enl_vss_log(LOG_ERR, "hook %s %s: %s", path, arg,
			    ret == -ETIMEDOUT ? "timed out, killed" :
			    ret == -ECHILD ? "failed" : strerror(-ret));
		if (!first) {
			first = ret;
			*failed = path;
		}
		if (stop_on_error)
			break;
	}
	return first;
}
