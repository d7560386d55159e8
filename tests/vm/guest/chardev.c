// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-chardev: the /dev/vmbus/<service> contract, checked on the echo
 * device with the kernel's kselftest harness (TAP): one opener, whole
 * packets, EMSGSIZE both ways, O_NONBLOCK and poll().
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define DEV		"/dev/vmbus/echo"
#define MAX_WRITE	8192	/* the driver's limit for one packet */

FIXTURE(echo) {
	int fd;
};

FIXTURE_SETUP(echo)
{
	self->fd = open(DEV, O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", DEV, strerror(errno));
}

FIXTURE_TEARDOWN(echo)
{
	close(self->fd);
}

/* Wait for the echo of what we wrote; the host answers within a second. */
static int wait_in(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 5000) == 1 && (p.revents & POLLIN);
}

TEST_F(echo, second_open_is_busy)
{
	int fd2 = open(DEV, O_RDWR);

	EXPECT_EQ(-1, fd2);
	EXPECT_EQ(EBUSY, errno);
	if (fd2 >= 0)
		close(fd2);
}

TEST_F(echo, empty_nonblocking_read_is_eagain)
{
	char buf[64];

	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(echo, writable_when_idle)
{
	struct pollfd p = { .fd = self->fd, .events = POLLOUT };

	ASSERT_EQ(1, poll(&p, 1, 1000));
	EXPECT_TRUE(p.revents & POLLOUT);
}

TEST_F(echo, oversize_write_is_emsgsize)
{
	static char big[MAX_WRITE + 1];

	EXPECT_EQ(-1, write(self->fd, big, sizeof(big)));
	EXPECT_EQ(EMSGSIZE, errno);
}

TEST_F(echo, largest_packet_round_trips)
{
	static char out[MAX_WRITE], in[MAX_WRITE + 8];
	ssize_t n;

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)(i * 31 + 7);
	ASSERT_EQ((ssize_t)sizeof(out), write(self->fd, out, sizeof(out)));
	ASSERT_TRUE(wait_in(self->fd));
	n = read(self->fd, in, sizeof(in));
	ASSERT_EQ((ssize_t)sizeof(out), n);
	EXPECT_EQ(0, memcmp(in, out, sizeof(out)));
}

TEST_F(echo, short_read_keeps_the_packet)
{
	char out[64], in[128];

	memset(out, 0x5a, sizeof(out));
	ASSERT_EQ((ssize_t)sizeof(out), write(self->fd, out, sizeof(out)));
	ASSERT_TRUE(wait_in(self->fd));
	EXPECT_EQ(-1, read(self->fd, in, 8));
	EXPECT_EQ(EMSGSIZE, errno);
	ASSERT_EQ((ssize_t)sizeof(out), read(self->fd, in, sizeof(in)));
	EXPECT_EQ(0, memcmp(in, out, sizeof(out)));
}

TEST_F(echo, odd_lengths_come_back_zero_padded)
{
	char out[13] = "hello, vmbus", in[64];
	ssize_t n;

	ASSERT_EQ((ssize_t)sizeof(out), write(self->fd, out, sizeof(out)));
	ASSERT_TRUE(wait_in(self->fd));
	n = read(self->fd, in, sizeof(in));
	/* VMBus keeps lengths in 8-byte units: 13 bytes read back as 16. */
	ASSERT_EQ(16, n);
	EXPECT_EQ(0, memcmp(in, out, sizeof(out)));
	EXPECT_EQ(0, in[13] | in[14] | in[15]);
}

TEST_F(echo, packets_keep_their_order_and_bounds)
{
	char out[8], in[64];

	for (int i = 0; i < 32; i++) {
		memset(out, 'a' + i % 26, sizeof(out));
		ASSERT_EQ((ssize_t)sizeof(out), write(self->fd, out, sizeof(out)));
	}
	for (int i = 0; i < 32; i++) {
		ASSERT_TRUE(wait_in(self->fd));
		ASSERT_EQ(8, read(self->fd, in, sizeof(in)));
		EXPECT_EQ('a' + i % 26, in[0]);
		EXPECT_EQ('a' + i % 26, in[7]);
	}
}

TEST_F(echo, bad_buffer_read_is_efault_and_keeps_the_packet)
{
	char out[32], in[64];
	void *bad;

	/* A read-only page: the kernel's copy into it faults. */
	bad = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, bad);
	memset(out, 0x3c, sizeof(out));
	ASSERT_EQ((ssize_t)sizeof(out), write(self->fd, out, sizeof(out)));
	ASSERT_TRUE(wait_in(self->fd));
	EXPECT_EQ(-1, read(self->fd, bad, sizeof(in)));
	EXPECT_EQ(EFAULT, errno);
	munmap(bad, 4096);
	ASSERT_EQ((ssize_t)sizeof(out), read(self->fd, in, sizeof(in)));
	EXPECT_EQ(0, memcmp(in, out, sizeof(out)));
}

TEST_F(echo, zero_length_write_is_einval)
{
	char in[64];

	EXPECT_EQ(-1, write(self->fd, in, 0));
	EXPECT_EQ(EINVAL, errno);
	/* Nothing was sent, so nothing comes back. */
	usleep(200 * 1000);
	EXPECT_EQ(-1, read(self->fd, in, sizeof(in)));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_HARNESS_MAIN
