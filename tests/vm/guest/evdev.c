// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-evdev: the guest's view of an input device, for tests/vm/test_input.py.
 *	find NAME PHYS		the /dev/input/eventN whose name contains NAME
 *				and whose phys contains PHYS
 *	read DEV FIRST_MS IDLE_MS [DONE]
 *				print "type code value" per event (no SYN/MSC,
 *				no autorepeat), waiting FIRST_MS for the first
 *				and stopping after IDLE_MS without one; "end".
 *				With DONE (a path the test creates once it has
 *				made all its input), those quiet spells count
 *				only from when DONE exists: a host slow to make
 *				the input, or a starved guest, cannot end the
 *				read early (at most READ_CAP_S in all)
 *	absinfo DEV		"x MIN MAX" and "y MIN MAX"
 *	led DEV caps|num|scroll 0|1
 *				set a lock LED the way a desktop does (EV_LED)
 *	hold DEV SECS		keep DEV open and read it: "gone errno" when it
 *				goes away, "timeout" after SECS
 * Exit: 0, 1 on error, 2 on usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <linux/input.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int open_dev(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	if (fd < 0)
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
	return fd;
}

static int find(const char *name, const char *phys)
{
	glob_t g;
	int found = 1;

	if (glob("/dev/input/event*", 0, NULL, &g))
		return 1;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		char n[256] = "", p[256] = "";
		int fd = open(g.gl_pathv[i], O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			continue;
		ioctl(fd, EVIOCGNAME(sizeof(n) - 1), n);
		ioctl(fd, EVIOCGPHYS(sizeof(p) - 1), p);
		close(fd);
		if (strstr(n, name) && strstr(p, phys)) {
			printf("%s\n", g.gl_pathv[i]);
			found = 0;
			break;
		}
	}
	globfree(&g);
	return found;
}

#define READ_CAP_S	300
/* How often a reader with DONE looks for it. */
#define DONE_POLL_MS	100

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Whether a read with DONE has been quiet long enough: limit_ms since the
 * later of the last event and the moment DONE was first seen.
 */
static int done_quiet(const char *done, double *done_at, double last,
		      int limit_ms, double start)
{
	double now = now_s();

	if (!*done_at && access(done, F_OK) == 0)
		*done_at = now;
	if (*done_at && now - (last > *done_at ? last : *done_at) >= limit_ms / 1e3)
		return 1;
	return now - start >= READ_CAP_S;
}

static int read_events(const char *dev, int first_ms, int idle_ms,
		       const char *done)
{
	struct input_event ev[64];
	struct pollfd pfd;
	double start = now_s(), last = start, done_at = 0;
	int seen = 0;

	pfd.fd = open_dev(dev, O_RDONLY | O_NONBLOCK);
	pfd.events = POLLIN;
	if (pfd.fd < 0)
		return 1;
	/* Tell the test the reader is in place before it makes input. */
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		int limit = seen ? idle_ms : first_ms;
		int r = poll(&pfd, 1, done ? DONE_POLL_MS : limit);
		ssize_t n;

		if (r < 0 || (r == 0 && !done))
			break;
		if (r == 0) {
			if (done_quiet(done, &done_at, last, limit, start))
				break;
			continue;
		}
		last = now_s();
		n = read(pfd.fd, ev, sizeof(ev));
		if (n < 0) {
			if (errno == EAGAIN)
				continue;
			printf("error %d\n", errno);
			break;
		}
		for (size_t i = 0; i < (size_t)n / sizeof(ev[0]); i++) {
			if (ev[i].type == EV_SYN || ev[i].type == EV_MSC ||
			    (ev[i].type == EV_KEY && ev[i].value == 2))
				continue;
			printf("%u %u %d\n", ev[i].type, ev[i].code, ev[i].value);
			seen = 1;
		}
		fflush(stdout);
	}
	printf("end\n");
	close(pfd.fd);
	return 0;
}

static int absinfo(const char *dev)
{
	struct input_absinfo x, y;
	int fd = open_dev(dev, O_RDONLY);

	if (fd < 0)
		return 1;
	if (ioctl(fd, EVIOCGABS(ABS_X), &x) || ioctl(fd, EVIOCGABS(ABS_Y), &y)) {
		fprintf(stderr, "%s: no absolute axes: %s\n", dev, strerror(errno));
		close(fd);
		return 1;
	}
	printf("x %d %d\ny %d %d\n", x.minimum, x.maximum, y.minimum, y.maximum);
	close(fd);
	return 0;
}

static int led(const char *dev, const char *which, int on)
{
	struct input_event ev[2];
	int fd, code;

	if (!strcmp(which, "caps"))
		code = LED_CAPSL;
	else if (!strcmp(which, "num"))
		code = LED_NUML;
	else if (!strcmp(which, "scroll"))
		code = LED_SCROLLL;
	else
		return 2;
	fd = open_dev(dev, O_WRONLY);
	if (fd < 0)
		return 1;
	memset(ev, 0, sizeof(ev));
	ev[0].type = EV_LED;
	ev[0].code = (unsigned short)code;
	ev[0].value = on;
	ev[1].type = EV_SYN;
	ev[1].code = SYN_REPORT;
	if (write(fd, ev, sizeof(ev)) != (ssize_t)sizeof(ev)) {
		fprintf(stderr, "%s: write: %s\n", dev, strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

static int hold(const char *dev, int secs)
{
	struct input_event ev[16];
	struct pollfd pfd;
	time_t end = time(NULL) + secs;

	pfd.fd = open_dev(dev, O_RDONLY | O_NONBLOCK);
	pfd.events = POLLIN;
	if (pfd.fd < 0)
		return 1;
	printf("open\n");
	fflush(stdout);
	while (time(NULL) < end) {
		ssize_t n;

		poll(&pfd, 1, 500);
		n = read(pfd.fd, ev, sizeof(ev));
		if (n < 0 && errno != EAGAIN) {
			printf("gone %d\n", errno);
			close(pfd.fd);
			return 0;
		}
	}
	printf("timeout\n");
	close(pfd.fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "find"))
		return find(argv[2], argv[3]);
	if ((argc == 5 || argc == 6) && !strcmp(argv[1], "read"))
		return read_events(argv[2], atoi(argv[3]), atoi(argv[4]),
				   argc == 6 ? argv[5] : NULL);
	if (argc == 3 && !strcmp(argv[1], "absinfo"))
		return absinfo(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "led"))
		return led(argv[2], argv[3], atoi(argv[4]));
	if (argc == 4 && !strcmp(argv[1], "hold"))
		return hold(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: enl-evdev find NAME PHYS | read DEV FIRST_MS IDLE_MS [DONE] | "
		"absinfo DEV | led DEV caps|num|scroll 0|1 | hold DEV SECS\n");
	return 2;
}
