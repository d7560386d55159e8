// SPDX-License-Identifier: GPL-2.0-only
/*
 * The TAP backend against a real multi-queue TAP in a network namespace
 * of the test's own (unshare(CLONE_NEWNET); needs root, else the test
 * fails saying so). A packet socket with PACKET_VNET_HDR stands on the
 * TAP's other side: frames the backend writes (plain, and GSO with a
 * partial checksum) arrive there with their offload metadata; frames sent
 * there arrive at the backend, with a partial checksum passed through when
 * TUN_F_CSUM is on and finished (GSO segmented) by the kernel when it is off.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>

#include "frame_bytes.h"
#include "net_tap.h"
#include "tap.h"

#define IFNAME	"enltest0"

static const uint8_t mac_a[6] = { 0x02, 0xaa, 0, 0, 0, 1 };
static const uint8_t mac_b[6] = { 0x02, 0xbb, 0, 0, 0, 2 };

/* Ethernet + IPv4 + TCP, payload pay bytes, TCP checksum left partial. */
static size_t tcp_frame(uint8_t *f, const uint8_t *dst, const uint8_t *src,
			size_t pay)
{
	size_t len = 54 + pay;

	memset(f, 0, len);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	wbe16(f + 12, 0x0800);
	f[14] = 0x45;
	wbe16(f + 16, 40 + pay);
	f[22] = 64;
	f[23] = 6;
	memcpy(f + 26, "\x0a\x00\x00\x01\x0a\x00\x00\x02", 8);
	wbe16(f + 24, ~fold(sum16(0, f + 14, 20)));
	wbe16(f + 34, 1234);
	wbe16(f + 36, 80);
	f[46] = 5 << 4;
	f[47] = 0x10;
	for (size_t i = 0; i < pay; i++)
		f[54 + i] = (uint8_t)(i * 31 + 3);
	/* Pseudo-header sum, as a sender with checksum offload leaves it. */
	wbe16(f + 50, fold(sum16(0, f + 26, 8) + 6 + (uint32_t)(20 + pay)));
	return len;
}

static bool tcp_ok(const uint8_t *f, size_t len)
{
	uint32_t s = sum16(0, f + 26, 8) + 6 + (uint32_t)(len - 34);

	return fold(sum16(s, f + 34, len - 34)) == 0xffff;
}

static int if_up(const char *name)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r;

	if (s < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	r = ioctl(s, SIOCGIFFLAGS, &ifr);
	if (!r) {
		ifr.ifr_flags |= IFF_UP;
		r = ioctl(s, SIOCSIFFLAGS, &ifr);
	}
	if (r)
		r = -errno;
	close(s);
	return r;
}

static int packet_socket(const char *name)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };
	int s = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	int one = 1;

	if (s < 0)
		return -1;
	sll.sll_ifindex = (int)if_nametoindex(name);
	if (setsockopt(s, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) ||
	    bind(s, (struct sockaddr *)&sll, sizeof(sll))) {
		close(s);
		return -1;
	}
	return s;
}

/* The next frame from mac_a that arrived on the packet socket. */
static ssize_t sock_recv(int s, struct virtio_net_hdr *vh, uint8_t *buf,
			 size_t cap)
{
	for (int tries = 0; tries < 50; tries++) {
		struct pollfd p = { s, POLLIN, 0 };
		struct sockaddr_ll from;
		socklen_t fl = sizeof(from);
		struct iovec v[2] = { { vh, sizeof(*vh) }, { buf, cap } };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = fl,
				     .msg_iov = v, .msg_iovlen = 2 };
		ssize_t n;

		if (poll(&p, 1, 2000) != 1)
			return -1;
		n = recvmsg(s, &mh, 0);
		if (n < (ssize_t)sizeof(*vh))
			continue;
		if (from.sll_pkttype == PACKET_OUTGOING ||
		    memcmp(buf + 6, mac_a, 6))
			continue;
		return n - (ssize_t)sizeof(*vh);
	}
	return -1;
}

/* The next frame from mac_b on any of the TAP's queues. */
static int tap_recv(struct enl_tap *t, struct enl_tap_frame *f)
{
	for (int tries = 0; tries < 50; tries++) {
		struct pollfd p[ENL_TAP_MAX_QUEUES];
		unsigned int nq = enl_tap_queues(t);

		for (unsigned int q = 0; q < nq; q++)
			p[q] = (struct pollfd){ enl_tap_fd(t, q), POLLIN, 0 };
		if (poll(p, nq, 2000) < 1)
			return -1;
		for (unsigned int q = 0; q < nq; q++) {
			if (!(p[q].revents & POLLIN))
				continue;
			if (enl_tap_read_batch(t, q, f, 1) == 1 &&
			    !memcmp(f->buf + 6, mac_b, 6))
				return (int)q;
		}
	}
	return -1;
}

static uint8_t out[70000], in[70000], raw[70000];

int main(void)
{
	struct enl_tap *t = NULL, *t2 = NULL;
	struct virtio_net_hdr_v1 vh;
	struct virtio_net_hdr sv;
	struct enl_tap_frame f = { .buf = in, .cap = sizeof(in) };
	struct iovec iov[2];
	size_t n;
	ssize_t r;
	int s, e;

	if (unshare(CLONE_NEWNET)) {
		tap_ok(0, "unshare(CLONE_NEWNET): %s (the TAP test runs as root "
		       "in a network namespace of its own)", strerror(errno));
		return tap_done();
	}
	tap_ok(enl_tap_open("this-name-is-too-long", 1, &t) == -EINVAL && !t,
	       "an interface name of 21 characters refused");
	tap_ok(enl_tap_open(IFNAME, 0, &t) == -EINVAL, "zero queues refused");
	e = enl_tap_open(IFNAME, 2, &t);
	if (!tap_ok(e == 0 && t, "TAP %s opened with 2 queues (%s)", IFNAME,
		    e ? strerror(-e) : "ok"))
		return tap_done();
	tap_ok(!strcmp(enl_tap_name(t), IFNAME) && enl_tap_fd(t, 0) >= 0 &&
	       enl_tap_fd(t, 1) >= 0 && enl_tap_fd(t, 2) == -1,
	       "one fd per queue");
	tap_ok(enl_tap_open(IFNAME, 1, &t2) == 0 && t2,
	       "attach a third queue to the existing interface by name");
	enl_tap_close(t2);
	tap_ok(if_up(IFNAME) == 0, "interface up");
	s = packet_socket(IFNAME);
	tap_ok(s >= 0, "packet socket with PACKET_VNET_HDR on the TAP");

	/* Backend to wire: a plain frame. */
	n = tcp_frame(out, mac_b, mac_a, 100);
	wbe16(out + 50, 0);
	wbe16(out + 50, ~fold(sum16(sum16(0, out + 26, 8) + 6 + 120, out + 34, 120)));
	memset(&vh, 0, sizeof(vh));
	iov[0] = (struct iovec){ out, 20 };
	iov[1] = (struct iovec){ out + 20, n - 20 };
	tap_ok(enl_tap_write(t, 1, &vh, iov, 2) == 0, "plain frame written in two pieces");
	r = sock_recv(s, &sv, raw, sizeof(raw));
	tap_ok(r == (ssize_t)n && !memcmp(raw, out, n) && tcp_ok(raw, n),
	       "it arrives on the wire side unchanged");

	/* Backend to wire: GSO with a partial checksum, as LSO gives it. */
	n = tcp_frame(out, mac_b, mac_a, 3000);
	vh = (struct virtio_net_hdr_v1){
		.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
		.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
		.hdr_len = 54, .gso_size = 1000,
		.csum_start = 34, .csum_offset = 16,
	};
	iov[0] = (struct iovec){ out, n };
	tap_ok(enl_tap_write(t, 0, &vh, iov, 1) == 0, "3000-byte GSO frame written");
	r = sock_recv(s, &sv, raw, sizeof(raw));
	tap_ok(r == (ssize_t)n && sv.gso_type == VIRTIO_NET_HDR_GSO_TCPV4 &&
	       sv.gso_size == 1000 && (sv.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	       sv.csum_start == 34 && sv.csum_offset == 16 &&
	       !memcmp(raw + 54, out + 54, 3000),
	       "it arrives as one GSO packet, MSS and checksum request kept");
	tap_ok(enl_tap_write(t, 5, &vh, iov, 1) == -EINVAL, "queue 5 does not exist");

	/* Wire to backend with TUN_F_CSUM: the partial checksum comes through. */
	tap_ok(enl_tap_set_offload(t, TUN_F_CSUM) == 0, "TUNSETOFFLOAD CSUM");
	n = tcp_frame(out, mac_a, mac_b, 500);
	sv = (struct virtio_net_hdr){ .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				      .csum_start = 34, .csum_offset = 16 };
	{
		struct iovec v[2] = { { &sv, sizeof(sv) }, { out, n } };

		tap_ok(writev(s, v, 2) == (ssize_t)(sizeof(sv) + n),
		       "partial-checksum frame sent on the wire side");
	}
	tap_ok(tap_recv(t, &f) >= 0 && f.len == n &&
	       (f.vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	       f.vh.csum_start == 34 && f.vh.csum_offset == 16 &&
	       !memcmp(f.buf, out, n),
	       "TUN_F_CSUM: the backend gets it partial, with the offsets");

	/* Without: the kernel finishes the checksum first. */
	tap_ok(enl_tap_set_offload(t, 0) == 0, "TUNSETOFFLOAD 0");
	{
		struct iovec v[2] = { { &sv, sizeof(sv) }, { out, n } };

		writev(s, v, 2);
	}
	tap_ok(tap_recv(t, &f) >= 0 && f.len == n && f.vh.flags == 0 &&
	       tcp_ok(f.buf, f.len) && !memcmp(f.buf + 54, out + 54, 500),
	       "no offloads: the backend gets a finished checksum");

	/* A GSO packet without TSO on the TAP: segmented for the backend. */
	n = tcp_frame(out, mac_a, mac_b, 2500);
	sv = (struct virtio_net_hdr){ .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM,
				      .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
				      .hdr_len = 54, .gso_size = 1000,
				      .csum_start = 34, .csum_offset = 16 };
	{
		struct iovec v[2] = { { &sv, sizeof(sv) }, { out, n } };
		size_t got = 0, segs = 0;
		bool ok = true;

		tap_ok(writev(s, v, 2) == (ssize_t)(sizeof(sv) + n),
		       "2500-byte GSO packet sent on the wire side");
		while (got < 2500 && tap_recv(t, &f) >= 0) {
			ok &= f.vh.gso_type == VIRTIO_NET_HDR_GSO_NONE &&
			      f.len <= 54 + 1000 && tcp_ok(f.buf, f.len) &&
			      !memcmp(f.buf + 54, out + 54 + got, f.len - 54);
			got += f.len - 54;
			segs++;
		}
		tap_ok(ok && got == 2500 && segs == 3,
		       "it reaches the backend as %zu checksummed segments", segs);
	}

	/* With TSO (the guest took RSC): the GSO packet comes through whole. */
	tap_ok(enl_tap_set_offload(t, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) == 0,
	       "TUNSETOFFLOAD CSUM|TSO4|TSO6");
	{
		struct iovec v[2] = { { &sv, sizeof(sv) }, { out, n } };

		writev(s, v, 2);
	}
	tap_ok(tap_recv(t, &f) >= 0 && f.len == n &&
	       f.vh.gso_type == VIRTIO_NET_HDR_GSO_TCPV4 &&
	       f.vh.gso_size == 1000 &&
	       (f.vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
	       !memcmp(f.buf + 54, out + 54, 2500),
	       "TSO on: the backend gets the 2500-byte GSO packet whole");

	/* Batch reads: several frames waiting, one call. */
	{
		struct enl_tap_frame fs[8];
		static uint8_t bufs[8][2048];
		unsigned int total = 0;

		enl_tap_close(t);
		tap_ok(enl_tap_open(IFNAME "b", 1, &t) == 0 && if_up(IFNAME "b") == 0,
		       "single-queue TAP for batching");
		close(s);
		s = packet_socket(IFNAME "b");
		n = tcp_frame(out, mac_a, mac_b, 64);
		for (int i = 0; i < 5; i++) {
			struct virtio_net_hdr z = { 0 };
			struct iovec v[2] = { { &z, sizeof(z) }, { out, n } };

			out[60] = (uint8_t)i;
			writev(s, v, 2);
		}
		for (int i = 0; i < 8; i++)
			fs[i] = (struct enl_tap_frame){ .buf = bufs[i], .cap = 2048 };
		for (int tries = 0; tries < 20 && total < 5; tries++) {
			struct pollfd p = { enl_tap_fd(t, 0), POLLIN, 0 };
			int k;

			poll(&p, 1, 500);
			k = enl_tap_read_batch(t, 0, fs + total, 8 - total);
			if (k > 0)
				total += (unsigned int)k;
		}
		/* Keep only our frames (the kernel may add its own). */
		tap_ok(total >= 5, "five frames read in batches (%u)", total);
		tap_ok(enl_tap_read_batch(t, 0, fs, 8) == 0,
		       "nothing waiting: 0, not an error");
	}
	close(s);
	enl_tap_close(t);
	return tap_done();
}
