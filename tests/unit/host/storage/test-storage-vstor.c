// SPDX-License-Identifier: GPL-2.0-only
/*
 * The VMSTOR engine (host/vsp/storage/vstor.c) as Linux's storvsc drives
 * it: the handshake in order and out of it, EXECUTE_SRB answered with the
 * SRB's status, sense data and transfer length (synchronously and through
 * io_uring), missing LUNs and targets, malformed packets and SRBs, the
 * in-flight limit, a full ring (answers kept in order), sub-channels,
 * resets and ENUMERATE_BUS.
 */
#include "storage_test.h"
#include "vstor.h"

#define MAX_SENT	64

static struct {
	struct enl_vstor_packet pkt[MAX_SENT];
	uint64_t id[MAX_SENT];
	unsigned int n;
	bool full;			/* the guest's ring has no room */
	int subch;
} G;

static int fake_send(void *ctx, uint64_t trans_id,
		     const struct enl_vstor_packet *pkt)
{
	(void)ctx;
	if (G.full)
		return -EAGAIN;
	if (G.n < MAX_SENT) {
		G.pkt[G.n] = *pkt;
		G.id[G.n] = trans_id;
	}
	G.n++;
	return 0;
}

static int fake_subch(void *ctx, uint16_t n)
{
	(void)ctx;
	G.subch = n;
	return 0;
}

static const struct enl_vstor_ops ops = {
	.send = fake_send,
	.create_subchannels = fake_subch,
};

static struct enl_stor_target *t;
static struct enl_stor_queue *q;

/* The last answer, if exactly one more came since *seen. */
static const struct enl_vstor_packet *one_more(unsigned int *seen)
{
	if (G.n != *seen + 1)
		return NULL;
	*seen = G.n;
	return &G.pkt[G.n - 1];
}

static int op(struct enl_vstor *v, uint64_t id, uint32_t operation,
	      uint16_t arg)
{
	struct enl_vstor_packet p;

	memset(&p, 0, sizeof(p));
	p.operation = operation;
	p.flags = ENL_VSTOR_FLAG_REQUEST_COMPLETION;
	if (operation == ENL_VSTOR_OP_QUERY_PROTOCOL_VERSION)
		p.version.major_minor = arg;
	else
		p.sub_channel_count = arg;
	return enl_vstor_packet(v, id, &p, sizeof(p), NULL, 0);
}

static void srb_init(struct enl_vstor_packet *p, uint8_t lun, uint8_t data_in,
		     const uint8_t *cdb, uint8_t cdb_len, uint32_t len)
{
	memset(p, 0, sizeof(*p));
	p->operation = ENL_VSTOR_OP_EXECUTE_SRB;
	p->flags = ENL_VSTOR_FLAG_REQUEST_COMPLETION;
	p->vm_srb.length = sizeof(p->vm_srb);
	p->vm_srb.lun = lun;
	p->vm_srb.cdb_length = cdb_len;
	p->vm_srb.sense_info_length = ENL_VMSCSI_SENSE_BUFFER_SIZE;
	p->vm_srb.data_in = data_in;
	p->vm_srb.data_transfer_length = len;
	memcpy(p->vm_srb.cdb, cdb, cdb_len);
}

static int srb(struct enl_vstor *v, uint64_t id, struct enl_vstor_packet *p,
	       void *buf, size_t len)
{
	struct iovec iov = { .iov_base = buf, .iov_len = len };

	return enl_vstor_packet(v, id, p, sizeof(*p), buf ? &iov : NULL,
				buf ? 1 : 0);
}

static void wait_answers(unsigned int n)
{
	unsigned int spins = 0;

	enl_stor_queue_kick(q);
	while (G.n < n && spins++ < 1000)
		enl_stor_queue_wait(q);
}

static struct enl_vstor *handshake_tests(void)
{
	struct enl_vstor_config cfg = {
		.max_subchannels = 4, .max_transfer = 1 << 20,
		.max_outstanding = 2,
	};
	struct enl_vstor *v = enl_vstor_new(t, q, &cfg, &ops, NULL);
	const struct enl_vstor_packet *a;
	unsigned int seen = 0;

	tap_ok(v && !enl_vstor_ready(v), "engine created, not ready");
	tap_ok(op(v, 1, ENL_VSTOR_OP_QUERY_PROPERTIES, 0) == -EBADMSG &&
	       (a = one_more(&seen)) && G.id[0] == 1 &&
	       a->operation == ENL_VSTOR_OP_COMPLETE_IO &&
	       a->status == ENL_VSTOR_STATUS_INVALID_PARAMETER &&
	       enl_vstor_stats(v)->bad_state == 1,
	       "QUERY_PROPERTIES before BEGIN: refused, counted");
	tap_ok(op(v, 2, ENL_VSTOR_OP_BEGIN_INITIALIZATION, 0) == 0 &&
	       (a = one_more(&seen)) && a->status == 0 && G.id[1] == 2,
	       "BEGIN_INITIALIZATION: status 0, same transaction id");
	tap_ok(op(v, 3, ENL_VSTOR_OP_END_INITIALIZATION, 0) == -EBADMSG &&
	       (a = one_more(&seen)) && a->status != 0,
	       "END before a version is agreed: refused");
	tap_ok(op(v, 4, ENL_VSTOR_OP_QUERY_PROTOCOL_VERSION, 0x0700) == 0 &&
	       (a = one_more(&seen)) &&
	       a->status == ENL_VSTOR_STATUS_REVISION_MISMATCH &&
	       enl_vstor_stats(v)->bad_version == 1,
	       "version 7.0: REVISION_MISMATCH");
	tap_ok(op(v, 5, ENL_VSTOR_OP_QUERY_PROTOCOL_VERSION,
		  ENL_VMSTOR_VERSION_WIN10) == 0 &&
	       (a = one_more(&seen)) && a->status == 0 &&
	       a->version.major_minor == ENL_VMSTOR_VERSION_WIN10 &&
	       enl_vstor_version(v) == ENL_VMSTOR_VERSION_WIN10,
	       "version WIN10 (6.2): accepted");
	tap_ok(op(v, 6, ENL_VSTOR_OP_QUERY_PROPERTIES, 0) == 0 &&
	       (a = one_more(&seen)) && a->status == 0 &&
	       a->storage_channel_properties.max_channel_cnt == 4 &&
	       a->storage_channel_properties.flags ==
	       ENL_VSTOR_PROP_SUPPORTS_MULTI_CHANNEL &&
	       a->storage_channel_properties.max_transfer_bytes == 1 << 20,
	       "properties: 4 sub-channels, multi-channel, 1 MiB transfers");
	tap_ok(op(v, 7, ENL_VSTOR_OP_CREATE_SUB_CHANNELS, 2) == -EBADMSG &&
	       one_more(&seen) && !G.subch,
	       "sub-channels before END: refused");
	tap_ok(op(v, 8, ENL_VSTOR_OP_END_INITIALIZATION, 0) == 0 &&
	       (a = one_more(&seen)) && a->status == 0 && enl_vstor_ready(v),
	       "END_INITIALIZATION: ready");
	tap_ok(op(v, 9, ENL_VSTOR_OP_CREATE_SUB_CHANNELS, 5) == -EBADMSG &&
	       (a = one_more(&seen)) && a->status && !G.subch &&
	       op(v, 10, ENL_VSTOR_OP_CREATE_SUB_CHANNELS, 0) == -EBADMSG &&
	       one_more(&seen),
	       "CREATE_SUB_CHANNELS of 5 (max 4) or 0: refused");
	tap_ok(op(v, 11, ENL_VSTOR_OP_CREATE_SUB_CHANNELS, 3) == 0 &&
	       (a = one_more(&seen)) && a->status == 0 && G.subch == 3,
	       "CREATE_SUB_CHANNELS of 3: the glue is asked for 3");
	tap_ok(op(v, 12, ENL_VSTOR_OP_CREATE_SUB_CHANNELS, 1) == -EBADMSG &&
	       one_more(&seen), "... once");
	tap_ok(op(v, 13, 99, 0) == -EBADMSG && (a = one_more(&seen)) &&
	       a->status == ENL_VSTOR_STATUS_INVALID_PARAMETER &&
	       op(v, 14, ENL_VSTOR_OP_COMPLETE_IO, 0) == -EBADMSG &&
	       one_more(&seen) && enl_vstor_stats(v)->bad_operation == 5,
	       "unknown operation and a guest COMPLETE_IO: refused");
	{
		uint8_t b[12] = { 3 };

		tap_ok(enl_vstor_packet(v, 15, b, 8, NULL, 0) == -EBADMSG &&
		       G.n == seen && enl_vstor_stats(v)->bad_length == 1,
		       "8-byte packet: dropped unanswered, counted");
		tap_ok(enl_vstor_packet(v, 16, b, 12, NULL, 0) == -EBADMSG &&
		       one_more(&seen) && G.id[G.n - 1] == 16,
		       "EXECUTE_SRB of 12 bytes: answered with an error");
	}
	return v;
}

static void srb_tests(struct enl_vstor *v)
{
	static const uint8_t inquiry[6] = { SCSI_INQUIRY, 0, 0, 0, 96, 0 };
	static const uint8_t tur[6] = { SCSI_TEST_UNIT_READY };
	uint8_t *buf = aligned_alloc(4096, 65536), cdb[16];
	struct enl_vstor_packet p;
	const struct enl_vstor_packet *a;
	unsigned int seen = G.n;
	int fd;

	srb_init(&p, 0, ENL_VMSCSI_DATA_READ, inquiry, 6, 96);
	p.vm_srb.queue_sort_key = 0x12345678;
	tap_ok(srb(v, 100, &p, buf, 96) == 0 && (a = one_more(&seen)) &&
	       G.id[G.n - 1] == 100 && a->operation == ENL_VSTOR_OP_COMPLETE_IO &&
	       a->status == 0 &&
	       a->vm_srb.srb_status == ENL_SRB_STATUS_SUCCESS &&
	       a->vm_srb.scsi_status == 0 &&
	       a->vm_srb.data_transfer_length == 36 &&
	       a->vm_srb.sense_info_length == 0 &&
	       a->vm_srb.queue_sort_key == 0x12345678 &&
	       !memcmp(buf + 8, "Msft", 4),
	       "INQUIRY: SUCCESS, 36 bytes, the SRB comes back");

	cdb_rw10(cdb, SCSI_READ_10, 8, 16);
	srb_init(&p, 0, ENL_VMSCSI_DATA_READ, cdb, 10, 16 * 512);
	memset(buf, 0, 16 * 512);
	tap_ok(srb(v, 101, &p, buf, 65536) == 0 && enl_vstor_outstanding(v) == 1 &&
	       G.n == seen, "READ(10): in flight, no answer yet");
	wait_answers(seen + 1);
	{
		uint8_t want[16 * 512];
		char path[300];

		snprintf(path, sizeof(path), "%s/v.img", st_dir);
		fd = open(path, O_RDONLY);
		tap_ok((a = one_more(&seen)) && G.id[G.n - 1] == 101 &&
		       a->vm_srb.srb_status == ENL_SRB_STATUS_SUCCESS &&
		       a->vm_srb.data_transfer_length == 16 * 512 &&
		       fd >= 0 && pread(fd, want, sizeof(want), 8 * 512) ==
		       sizeof(want) && !memcmp(buf, want, sizeof(want)) &&
		       enl_vstor_outstanding(v) == 0,
		       "... answered through io_uring, data byte for byte");
		if (fd >= 0)
			close(fd);
	}

	cdb[0] = 0x4d;			/* LOG SENSE: not served */
	srb_init(&p, 0, ENL_VMSCSI_DATA_READ, cdb, 10, 512);
	tap_ok(srb(v, 102, &p, buf, 512) == 0 && (a = one_more(&seen)) &&
	       a->vm_srb.srb_status == (ENL_SRB_STATUS_ERROR |
					ENL_SRB_STATUS_AUTOSENSE_VALID) &&
	       a->vm_srb.scsi_status == SCSI_STATUS_CHECK_CONDITION &&
	       a->vm_srb.sense_info_length == 18 &&
	       a->vm_srb.sense_data[0] == 0x70 &&
	       (a->vm_srb.sense_data[2] & 0xf) == SCSI_SK_ILLEGAL_REQUEST &&
	       a->vm_srb.sense_data[12] == 0x20 &&
	       a->vm_srb.data_transfer_length == 0,
	       "unknown opcode: ERROR|AUTOSENSE_VALID, sense 5/20/00 in the SRB");
	p.vm_srb.sense_info_length = 8;
	tap_ok(srb(v, 103, &p, buf, 512) == 0 && (a = one_more(&seen)) &&
	       a->vm_srb.sense_info_length == 8 &&
	       a->vm_srb.sense_data[8] == 0,
	       "sense cut to the guest's 8 bytes of room");
	p.vm_srb.sense_info_length = 0;
	tap_ok(srb(v, 104, &p, buf, 512) == 0 && (a = one_more(&seen)) &&
	       a->vm_srb.srb_status == ENL_SRB_STATUS_ERROR,
	       "no room for sense: ERROR without AUTOSENSE_VALID");

	srb_init(&p, 7, ENL_VMSCSI_DATA_UNKNOWN, tur, 6, 0);
	tap_ok(srb(v, 105, &p, NULL, 0) == 0 && (a = one_more(&seen)) &&
	       a->vm_srb.srb_status == ENL_SRB_STATUS_INVALID_LUN &&
	       a->vm_srb.scsi_status == 0,
	       "TEST UNIT READY on an empty LUN: INVALID_LUN");
	srb_init(&p, 7, ENL_VMSCSI_DATA_READ, inquiry, 6, 96);
	tap_ok(srb(v, 106, &p, buf, 96) == 0 && (a = one_more(&seen)) &&
	       a->vm_srb.srb_status == ENL_SRB_STATUS_SUCCESS &&
	       buf[0] == 0x7f,
	       "INQUIRY on an empty LUN: SUCCESS, qualifier 3 (the scan goes on)");
	srb_init(&p, 0, ENL_VMSCSI_DATA_UNKNOWN, tur, 6, 0);
	p.vm_srb.target_id = 1;
	tap_ok(srb(v, 107, &p, NULL, 0) == 0 && (a = one_more(&seen)) &&
	       a->vm_srb.srb_status == ENL_SRB_STATUS_INVALID_LUN,
	       "target 1: INVALID_LUN");

	/* Malformed SRBs: INVALID_REQUEST, nothing reaches the disk. */
	srb_init(&p, 0, ENL_VMSCSI_DATA_UNKNOWN, tur, 6, 0);
	p.vm_srb.cdb_length = 17;
	tap_ok(srb(v, 108, &p, NULL, 0) == -EBADMSG && (a = one_more(&seen)) &&
	       a->vm_srb.srb_status == ENL_SRB_STATUS_INVALID_REQUEST,
	       "CDB length 17: INVALID_REQUEST");
	p.vm_srb.cdb_length = 6;
	p.vm_srb.data_in = 3;
	tap_ok(srb(v, 109, &p, NULL, 0) == -EBADMSG && (a = one_more(&seen)) &&
	       a->vm_srb.srb_status == ENL_SRB_STATUS_INVALID_REQUEST,
	       "data_in 3: INVALID_REQUEST");
	cdb_rw10(cdb, SCSI_READ_10, 0, 16);
	srb_init(&p, 0, ENL_VMSCSI_DATA_READ, cdb, 10, 16 * 512);
	tap_ok(srb(v, 110, &p, buf, 16 * 512 - 1) == -EBADMSG &&
	       (a = one_more(&seen)) &&
	       a->vm_srb.srb_status == ENL_SRB_STATUS_INVALID_REQUEST,
	       "transfer length beyond the GPA ranges: INVALID_REQUEST");
	srb_init(&p, 0, ENL_VMSCSI_DATA_READ, cdb, 10, (1 << 20) + 512);
	tap_ok(srb(v, 111, &p, buf, 65536) == -EBADMSG && one_more(&seen),
	       "transfer length over the channel's maximum: refused");
	srb_init(&p, 0, ENL_VMSCSI_DATA_UNKNOWN, tur, 6, 512);
	tap_ok(srb(v, 112, &p, NULL, 0) == -EBADMSG && one_more(&seen),
	       "no data direction but a transfer length: refused");
	srb_init(&p, 0, ENL_VMSCSI_DATA_UNKNOWN, tur, 6, 0);
	p.vm_srb.length = 36;		/* a pre-WIN8 SRB */
	tap_ok(srb(v, 113, &p, NULL, 0) == -EBADMSG && one_more(&seen) &&
	       enl_vstor_stats(v)->bad_srb == 6,
	       "SRB length 36: refused; 6 bad SRBs counted");

	/* The in-flight limit (2 here): the third is left in the ring. */
	cdb_rw10(cdb, SCSI_READ_10, 0, 8);
	srb_init(&p, 0, ENL_VMSCSI_DATA_READ, cdb, 10, 4096);
	tap_ok(srb(v, 120, &p, buf, 4096) == 0 &&
	       srb(v, 121, &p, buf + 4096, 4096) == 0 &&
	       srb(v, 122, &p, buf + 8192, 4096) == -EBUSY &&
	       enl_vstor_outstanding(v) == 2 && enl_vstor_stats(v)->busy == 1,
	       "third READ over max_outstanding 2: -EBUSY, not consumed");
	wait_answers(seen + 2);
	tap_ok(G.n == seen + 2 && !enl_vstor_outstanding(v) &&
	       srb(v, 122, &p, buf + 8192, 4096) == 0,
	       "both answered; now the third goes");
	seen = G.n;
	wait_answers(seen + 1);
	seen = G.n;

	/* A full ring: answers wait in order, and nothing new is taken. */
	G.full = true;
	srb_init(&p, 0, ENL_VMSCSI_DATA_READ, inquiry, 6, 96);
	tap_ok(srb(v, 130, &p, buf, 96) == 0 && G.n == seen &&
	       srb(v, 131, &p, buf, 96) == -EBUSY,
	       "ring full: the answer waits, the next packet is not taken");
	G.full = false;
	tap_ok(srb(v, 131, &p, buf, 96) == 0 && G.n == seen + 2 &&
	       G.id[seen] == 130 && G.id[seen + 1] == 131,
	       "room again: 130 then 131, in order");
	seen = G.n;
	G.full = true;
	srb(v, 132, &p, buf, 96);
	G.full = false;
	tap_ok(enl_vstor_flush(v) == 0 && G.n == seen + 1 &&
	       G.id[seen] == 132, "enl_vstor_flush sends what waited");
	seen = G.n;

	tap_ok(op(v, 140, ENL_VSTOR_OP_RESET_BUS, 0) == 0 &&
	       (a = one_more(&seen)) && a->status == 0,
	       "RESET_BUS: status 0");
	srb_init(&p, 0, ENL_VMSCSI_DATA_UNKNOWN, tur, 6, 0);
	tap_ok(srb(v, 141, &p, NULL, 0) == 0 && (a = one_more(&seen)) &&
	       a->vm_srb.scsi_status == SCSI_STATUS_CHECK_CONDITION &&
	       a->vm_srb.sense_data[12] == 0x29,
	       "... then the LUN reports the reset (29/02)");
	tap_ok(enl_vstor_enumerate(v) == 0 && (a = one_more(&seen)) &&
	       a->operation == ENL_VSTOR_OP_ENUMERATE_BUS && G.id[G.n - 1] == 0,
	       "ENUMERATE_BUS goes out unsolicited (transaction 0)");
	free(buf);
}

static void subchannel_tests(void)
{
	struct enl_vstor_config cfg = {
		.max_transfer = 1 << 20, .max_outstanding = 8,
		.subchannel = true,
	};
	struct enl_vstor *v = enl_vstor_new(t, q, &cfg, &ops, NULL);
	static const uint8_t tur[6] = { SCSI_TEST_UNIT_READY };
	uint8_t cdb[16], *buf = aligned_alloc(4096, 8192);
	struct enl_vstor_packet p;
	unsigned int seen = G.n;
	const struct enl_vstor_packet *a;

	tap_ok(v && enl_vstor_ready(v) &&
	       op(v, 1, ENL_VSTOR_OP_BEGIN_INITIALIZATION, 0) == -EBADMSG &&
	       one_more(&seen), "sub-channel: ready at once, no handshake");
	srb_init(&p, 0, ENL_VMSCSI_DATA_UNKNOWN, tur, 6, 0);
	tap_ok(srb(v, 2, &p, NULL, 0) == 0 && (a = one_more(&seen)) &&
	       a->vm_srb.srb_status == ENL_SRB_STATUS_SUCCESS,
	       "sub-channel: SRBs served");
	/* Freed with a READ in flight: waited for, its answer dropped. */
	cdb_rw10(cdb, SCSI_READ_10, 0, 16);
	srb_init(&p, 0, ENL_VMSCSI_DATA_READ, cdb, 10, 8192);
	tap_ok(srb(v, 3, &p, buf, 8192) == 0 && enl_vstor_outstanding(v) == 1,
	       "a READ in flight");
	enl_vstor_free(v);
	tap_ok(!enl_stor_queue_inflight(q) && G.n == seen,
	       "freed: the READ finished, its answer dropped");
	free(buf);
}

/* A controller capped at WIN8.1 (ctl disk max-version): the guest falls back. */
static void capped_version_tests(void)
{
	struct enl_vstor_config cfg = {
		.max_transfer = 1 << 20, .max_outstanding = 2,
		.max_version = ENL_VMSTOR_VERSION_WIN8_1,
	};
	struct enl_vstor *v = enl_vstor_new(t, q, &cfg, &ops, NULL);
	const struct enl_vstor_packet *a;
	unsigned int seen = G.n;

	tap_ok(v && op(v, 1, ENL_VSTOR_OP_BEGIN_INITIALIZATION, 0) == 0 &&
	       one_more(&seen) &&
	       op(v, 2, ENL_VSTOR_OP_QUERY_PROTOCOL_VERSION,
		  ENL_VMSTOR_VERSION_WIN10) == 0 &&
	       (a = one_more(&seen)) &&
	       a->status == ENL_VSTOR_STATUS_REVISION_MISMATCH,
	       "capped at WIN8.1: WIN10 gets REVISION_MISMATCH");
	tap_ok(v && op(v, 3, ENL_VSTOR_OP_QUERY_PROTOCOL_VERSION,
		       ENL_VMSTOR_VERSION_WIN8_1) == 0 &&
	       (a = one_more(&seen)) && a->status == 0 &&
	       enl_vstor_version(v) == ENL_VMSTOR_VERSION_WIN8_1,
	       "... and WIN8.1 is accepted");
	tap_ok(v && op(v, 4, ENL_VSTOR_OP_QUERY_PROTOCOL_VERSION,
		       ENL_VMSTOR_VERSION_WIN8) == 0 &&
	       (a = one_more(&seen)) && a->status == 0 &&
	       enl_vstor_version(v) == ENL_VMSTOR_VERSION_WIN8,
	       "... as is WIN8 below it");
	if (v)
		enl_vstor_free(v);
}

int main(void)
{
	struct enl_stor_disk_opts o;
	struct enl_vstor *v;

	st_setup();
	/* Through the ring even on tmpfs: the tests hold READs in flight. */
	o = (struct enl_stor_disk_opts){ .path = st_image("v.img", 1 << 20),
					 .ring_io = true };
	t = enl_stor_target_new(64);
	q = enl_stor_queue_new(t, 16);
	if (!t || !q || enl_stor_lun_add(t, 0, &o)) {
		tap_ok(0, "target, queue and LUN 0 set up");
		return tap_done();
	}
	v = handshake_tests();
	if (v) {
		srb_tests(v);
		enl_vstor_free(v);
	}
	subchannel_tests();
	capped_version_tests();
	{
		struct enl_vstor_config bad = { .max_transfer = 8 << 20,
						.max_outstanding = 1 };

		tap_ok(!enl_vstor_new(t, q, &bad, &ops, NULL),
		       "max_transfer over the target's limit: refused");
	}
	enl_stor_queue_free(q);
	enl_stor_target_free(t);
	return tap_done();
}
