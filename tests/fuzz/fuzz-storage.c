// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target over the storage target (host/vsp/storage): SCSI
 * commands as the guest's storvsc would send them (CDB, LUN, direction,
 * data buffer as an iovec list), with UNMAP and WRITE SAME parameter data
 * and VERIFY data in the buffer, through the real io_uring queue on image
 * files in the private temp directory; mixed with the host's own actions
 * (resize, remove and re-add a LUN, reset) while commands are in flight.
 * The images are tiny, so every in-range command is cheap.
 *
 * Input: [setup] then records (fuzz.h):
 *	op & 3 == 0	raw command: the bytes are the CDB (cdb_len = off &
 *			31, so also 0 and > 16), then the data-out bytes;
 *			LUN a & 7, direction op >> 2 & 3, buffer size from
 *			op >> 4
 *	op & 3 == 1	shaped command: a picks a supported operation, a
 *			well-formed CDB for a small range is built, the bytes
 *			are laid over it at off & 15 (off >> 4 decides how
 *			many), then are the parameter/data bytes
 *	op & 3 == 2	host action on LUN a % 4: resize (off), re-read the
 *			size, remove, add again, reset
 *	op & 3 == 3	op & 8 clear: the buffer layout of the next commands:
 *			a segments at odd offsets (a bounce buffer for
 *			O_DIRECT), op & 4 queues commands without waiting
 *			for each, op & 0x10 makes the guest's ring full
 *			(the VMSTOR engine's answers wait) and op & 0x20
 *			frees it again (flush)
 *			op & 8 set: a VMSTOR packet to the channel's engine
 *			(host/vsp/storage/vstor.c): a well-formed packet of
 *			kind a (handshake steps, SRBs), the bytes laid over
 *			it from byte off & 63, transaction id off >> 6, and a
 *			data buffer of buf_sizes[op >> 4] bytes
 * setup & 7: how many commands may be in flight at once (1..8).
 *
 * Invariants: every command finishes exactly once (done() only for those
 * queued); status is GOOD, CHECK CONDITION or BUSY; CHECK CONDITION has
 * well-formed fixed sense data with a sense key the target uses; GOOD has
 * none; xfer_len <= data_len; nothing is written outside the buffer, nor
 * past xfer_len of a data-in buffer whose command succeeded, nor into a
 * data-out buffer; a READ(10/16) that ran alone on LUN 0 returns exactly
 * the image's bytes. The engine's answers: COMPLETE_IO (or ENUMERATE_BUS),
 * an SRB answer with a known SRB status, at most 20 sense bytes and no
 * more data than the largest buffer; never more answers than packets.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "stor.h"
#include "vstor.h"
#include "fuzz.h"

#define SLOTS		8
#define BUF_MAX		(64 * 1024)
#define SPREAD		64		/* room for the gaps between segments */
#define GUARD		4096		/* keeps the aligned layout aligned */
#define MID		(BUF_MAX + SPREAD)
#define POISON		0xa5

struct slot {
	struct enl_stor_req r;
	struct iovec iov[8];
	unsigned int iovcnt;
	uint8_t *mem;			/* GUARD + MID + GUARD */
	uint8_t *copy;			/* data-out bytes as submitted */
	uint32_t len;			/* data_len as submitted */
	int done;
	bool busy, alone, data_in;
};

static struct {
	struct enl_stor_target *t;
	struct enl_stor_queue *q;
	char path[4][512];
	int img0;			/* LUN 0, read behind the target */
	struct slot s[SLOTS];
	unsigned int max_inflight, inflight, segs;
	bool batch;
	/* The VMSTOR engine of one channel, and the guest's side of it. */
	struct enl_vstor *v;
	uint8_t *vbuf;
	bool ring_full;
	unsigned long vpackets, vanswers;
} F;

static const uint32_t buf_sizes[16] = {
	0, 1, 8, 16, 18, 24, 36, 40, 255, 512, 513, 4096, 4097, 8192,
	32768, BUF_MAX,
};

static const struct enl_stor_disk_opts lun_opts[4] = {
	{ .block_size = 512 },
	{ .block_size = 4096 },
	{ .block_size = 512, .read_only = true },
	{ .block_size = 4096, .write_through = true, .no_direct = true },
};
static const size_t lun_bytes[4] = { 256 * 512, 64 * 4096, 64 * 512,
				     16 * 4096 };

static void make_image(unsigned int i)
{
	const char *dir = fuzz_tmpdir("storage");
	uint8_t blk[512];
	size_t off;
	int fd;

	snprintf(F.path[i], sizeof(F.path[i]), "%s/lun%u.img", dir, i);
	fd = open(F.path[i], O_RDWR | O_CREAT | O_TRUNC, 0600);
	FUZZ_ASSERT(fd >= 0);
	for (off = 0; off < lun_bytes[i]; off += sizeof(blk)) {
		memset(blk, (int)(off >> 9), sizeof(blk));
		FUZZ_ASSERT(pwrite(fd, blk, sizeof(blk), (off_t)off) ==
			    (ssize_t)sizeof(blk));
	}
	close(fd);
}

static void add_lun(unsigned int i)
{
	struct enl_stor_disk_opts o = lun_opts[i];

	o.path = F.path[i];
	enl_stor_lun_add(F.t, i, &o);
}

static void setup_once(void)
{
	unsigned int i;
	void *m;

	if (F.t)
		return;
	F.t = enl_stor_target_new(8);
	F.q = enl_stor_queue_new(F.t, 16);
	FUZZ_ASSERT(F.t && F.q);
	for (i = 0; i < 4; i++) {
		make_image(i);
		add_lun(i);
	}
	FUZZ_ASSERT(!posix_memalign(&m, 4096, BUF_MAX + SPREAD));
	F.vbuf = m;
	F.img0 = open(F.path[0], O_RDONLY);
	FUZZ_ASSERT(F.img0 >= 0);
	for (i = 0; i < SLOTS; i++) {
		FUZZ_ASSERT(!posix_memalign(&m, 4096, GUARD + MID + GUARD));
		F.s[i].mem = m;
		F.s[i].copy = malloc(BUF_MAX);
		FUZZ_ASSERT(F.s[i].copy);
	}
}

/* ---- Checking a finished command ------------------------------------------ */

static bool key_known(uint8_t key)
{
	switch (key) {
	case SCSI_SK_MEDIUM_ERROR:
	case SCSI_SK_HARDWARE_ERROR:
	case SCSI_SK_ILLEGAL_REQUEST:
	case SCSI_SK_UNIT_ATTENTION:
	case SCSI_SK_DATA_PROTECT:
	case SCSI_SK_MISCOMPARE:
		return true;
	default:
		return false;
	}
}

/* Each byte equal to the one before it: one memcmp, not a traced loop. */
static bool all_poison(const uint8_t *p, size_t n)
{
	return !n || (p[0] == POISON && !memcmp(p, p + 1, n - 1));
}

/*
 * The bytes watched around a buffer: from a little before it to a little
 * after its last segment (poisoning all 70 KiB every time would be most of
 * the run).
 */
#define WATCH	64

static size_t watch_end(const struct slot *s)
{
	return GUARD + s->len + SPREAD + WATCH;
}

/* The segments, in address order, and everything around and between them. */
static void check_buffer(const struct slot *s)
{
	const struct enl_stor_req *r = &s->r;
	size_t cur = GUARD - WATCH, l = 0, at, n, keep;
	unsigned int i;

	for (i = 0; i < s->iovcnt; i++) {
		at = (size_t)((uint8_t *)s->iov[i].iov_base - s->mem);
		n = s->iov[i].iov_len;
		FUZZ_ASSERT(at >= cur);
		FUZZ_ASSERT(all_poison(s->mem + cur, at - cur));
		if (s->data_in) {
			/* Written up to xfer_len, untouched after. */
			keep = r->xfer_len > l ? r->xfer_len - l : 0;
			if (keep < n && r->status == SCSI_STATUS_GOOD)
				FUZZ_ASSERT(all_poison(s->mem + at + keep,
						       n - keep));
		} else {
			FUZZ_ASSERT(!memcmp(s->mem + at, s->copy + l, n));
		}
		l += n;
		cur = at + n;
	}
	FUZZ_ASSERT(all_poison(s->mem + cur, watch_end(s) - cur));
}

/* The logical bytes of the buffer, gathered. */
static bool gather(const struct slot *s, uint8_t *dst, size_t len)
{
	size_t done = 0, n;
	unsigned int i;

	for (i = 0; i < s->iovcnt && done < len; i++) {
		n = s->iov[i].iov_len;
		if (n > len - done)
			n = len - done;
		memcpy(dst + done, s->iov[i].iov_base, n);
		done += n;
	}
	return done == len;
}

static void check_read_alone(const struct slot *s)
{
	/*
	 * Not on the stack: ASan poisons and unpoisons the shadow of a 128 KiB
	 * frame at every call, every finished command.
	 */
	static uint8_t want[BUF_MAX], got[BUF_MAX];
	const struct enl_stor_req *r = &s->r;
	uint64_t lba;

	if (!s->alone || r->lun != 0 || r->status != SCSI_STATUS_GOOD ||
	    !r->xfer_len)
		return;
	if (r->cdb[0] == SCSI_READ_10)
		lba = get_be32(r->cdb + 2);
	else if (r->cdb[0] == SCSI_READ_16)
		lba = get_be64(r->cdb + 2);
	else
		return;
	FUZZ_ASSERT(pread(F.img0, want, r->xfer_len, (off_t)(lba * 512)) ==
		    (ssize_t)r->xfer_len);
	FUZZ_ASSERT(gather(s, got, r->xfer_len));
	FUZZ_ASSERT(!memcmp(want, got, r->xfer_len));
}

static void check_done(struct slot *s)
{
	const struct enl_stor_req *r = &s->r;

	FUZZ_ASSERT(r->status == SCSI_STATUS_GOOD ||
		    r->status == SCSI_STATUS_CHECK_CONDITION ||
		    r->status == SCSI_STATUS_BUSY);
	if (r->status == SCSI_STATUS_CHECK_CONDITION) {
		FUZZ_ASSERT(r->sense_len == SCSI_SENSE_FIXED_LEN);
		FUZZ_ASSERT((r->sense[0] & 0x7f) == 0x70);
		FUZZ_ASSERT(r->sense[7] == SCSI_SENSE_FIXED_LEN - 8);
		FUZZ_ASSERT(key_known(r->sense[2] & 0x0f));
		FUZZ_ASSERT(r->xfer_len == 0);
	} else {
		FUZZ_ASSERT(r->sense_len == 0);
	}
	FUZZ_ASSERT(r->data_len <= s->len);
	FUZZ_ASSERT(r->xfer_len <= r->data_len);
	check_buffer(s);
	check_read_alone(s);
	s->busy = false;
	F.inflight--;
}

static void on_done(struct enl_stor_req *r)
{
	struct slot *s = r->ctx;

	FUZZ_ASSERT(s->busy && !s->done);
	s->done++;
	check_done(s);
}

static void drain(void)
{
	unsigned int spins = 0;

	enl_stor_queue_kick(F.q);
	while (enl_stor_queue_inflight(F.q)) {
		enl_stor_queue_wait(F.q);
		FUZZ_ASSERT(++spins < 100000);
	}
	FUZZ_ASSERT(F.inflight == 0);
}

/* ---- Submitting ------------------------------------------------------------ */

static struct slot *free_slot(void)
{
	unsigned int i;

	if (F.inflight >= F.max_inflight)
		drain();
	for (i = 0; i < SLOTS; i++)
		if (!F.s[i].busy)
			return &F.s[i];
	FUZZ_ASSERT(0);
	return NULL;
}

/* Lays the buffer out: one aligned segment, or segs at odd addresses. */
static void layout(struct slot *s, uint32_t len)
{
	unsigned int n = F.segs ? F.segs : 1, i;
	size_t l = 0, each = len / n, at;

	s->iovcnt = 0;
	for (i = 0; i < n; i++) {
		size_t k = i + 1 == n ? len - l : each;

		at = F.segs ? GUARD + 1 + 7 * i + l : GUARD + l;
		s->iov[s->iovcnt].iov_base = s->mem + at;
		s->iov[s->iovcnt].iov_len = k;
		s->iovcnt++;
		l += k;
	}
}

/* Returns the slot: finished already unless commands are batched. */
static struct slot *submit(const uint8_t *cdb, unsigned int cdb_len,
			   uint8_t lun, unsigned int dir, uint32_t len,
			   const uint8_t *data, size_t data_n)
{
	struct slot *s = free_slot();
	struct enl_stor_req *r = &s->r;
	unsigned int i;
	size_t off, n;

	memset(r, 0, sizeof(*r));
	s->len = len;
	memset(s->mem + GUARD - WATCH, POISON, watch_end(s) - (GUARD - WATCH));
	s->data_in = dir == ENL_STOR_DIR_FROM_DEV;
	layout(s, len);
	/* Data-out: the record's bytes, repeated. */
	fuzz_repeat(s->copy, len, data, data_n);
	if (!s->data_in) {
		for (i = 0, off = 0; i < s->iovcnt; i++) {
			n = s->iov[i].iov_len;
			memcpy(s->iov[i].iov_base, s->copy + off, n);
			off += n;
		}
	}
	memcpy(r->cdb, cdb, cdb_len < 16 ? cdb_len : 16);
	r->cdb_len = (uint8_t)cdb_len;
	r->lun = lun;
	r->dir = (enum enl_stor_dir)dir;
	r->iov = s->iov;
	r->iovcnt = s->iovcnt;
	r->data_len = len;
	r->done = on_done;
	r->ctx = s;
	s->done = 0;
	s->busy = true;
	s->alone = !F.inflight && !F.batch;
	F.inflight++;
	if (enl_stor_submit(F.q, r) == ENL_STOR_DONE) {
		FUZZ_ASSERT(!s->done);
		check_done(s);
		return s;
	}
	if (!F.batch)
		drain();
	return s;
}

/* ---- Records --------------------------------------------------------------- */

static void raw(const struct rec *rec)
{
	unsigned int cdb_len = rec->off & 31;
	size_t n = rec->len < 16 ? rec->len : 16;
	uint8_t cdb[16] = { 0 };

	memcpy(cdb, rec->p, n);
	submit(cdb, cdb_len, rec->a & 7, (rec->op >> 2) & 3,
	       buf_sizes[rec->op >> 4], rec->p + n, rec->len - n);
}

static const struct {
	uint8_t op, len, dir;
} shapes[] = {
	{ SCSI_TEST_UNIT_READY, 6, 0 }, { SCSI_REQUEST_SENSE, 6, 2 },
	{ SCSI_READ_6, 6, 2 }, { SCSI_WRITE_6, 6, 1 },
	{ SCSI_INQUIRY, 6, 2 }, { SCSI_MODE_SENSE_6, 6, 2 },
	{ SCSI_START_STOP_UNIT, 6, 0 }, { SCSI_READ_CAPACITY_10, 10, 2 },
	{ SCSI_READ_10, 10, 2 }, { SCSI_WRITE_10, 10, 1 },
	{ SCSI_VERIFY_10, 10, 1 }, { SCSI_SYNCHRONIZE_CACHE_10, 10, 0 },
	{ SCSI_WRITE_SAME_10, 10, 1 }, { SCSI_UNMAP, 10, 1 },
	{ SCSI_MODE_SENSE_10, 10, 2 }, { SCSI_READ_16, 16, 2 },
	{ SCSI_WRITE_16, 16, 1 }, { SCSI_VERIFY_16, 16, 1 },
	{ SCSI_SYNCHRONIZE_CACHE_16, 16, 0 }, { SCSI_WRITE_SAME_16, 16, 1 },
	{ SCSI_SERVICE_ACTION_IN_16, 16, 2 }, { SCSI_REPORT_LUNS, 12, 2 },
	{ SCSI_READ_12, 12, 2 }, { SCSI_WRITE_12, 12, 1 },
};

/* A well-formed CDB for a few blocks near the start, then bent. */
static void shaped(const struct rec *rec)
{
	unsigned int k = rec->a % (sizeof(shapes) / sizeof(shapes[0]));
	unsigned int at = rec->off & 15, over = (rec->off >> 4) & 15, i;
	uint8_t cdb[16] = { shapes[k].op }, blocks = (rec->a >> 5) + 1;
	uint32_t len = (uint32_t)blocks * 4096;
	unsigned int lun = (rec->op >> 2) & 3;

	switch (shapes[k].len) {
	case 6:
		cdb[4] = shapes[k].op == SCSI_READ_6 ||
			 shapes[k].op == SCSI_WRITE_6 ? blocks : 255;
		break;
	case 10:
		cdb[8] = blocks;
		if (shapes[k].op == SCSI_UNMAP || shapes[k].op == SCSI_MODE_SENSE_10)
			cdb[8] = 24 + 16 * (blocks & 3);
		break;
	case 12:		/* REPORT LUNS allocation, or the length */
		put_be32(cdb + 6, shapes[k].op == SCSI_REPORT_LUNS ? 64 : blocks);
		break;
	case 16:
		cdb[13] = blocks;
		if (shapes[k].op == SCSI_SERVICE_ACTION_IN_16)
			cdb[1] = SCSI_SAI_READ_CAPACITY_16;
		break;
	}
	for (i = 0; i < over && i < rec->len && at + i < 16; i++)
		cdb[at + i] = rec->p[i];
	if (len > BUF_MAX)
		len = BUF_MAX;
	submit(cdb, shapes[k].len, (uint8_t)lun, shapes[k].dir, len,
	       rec->p + i, rec->len - i);
}

static void action(const struct rec *rec)
{
	unsigned int lun = rec->a % 4;
	uint32_t bs = lun_opts[lun].block_size;

	switch ((rec->a >> 2) & 7) {
	case 0:		/* a small size, within 1 MiB */
		enl_stor_lun_resize(F.t, lun, (uint64_t)(rec->off % 256 + 1) * bs);
		break;
	case 1:
		enl_stor_lun_resize(F.t, lun, 0);
		break;
	case 2:
		if (!enl_stor_lun_remove(F.t, lun))
			enl_vstor_enumerate(F.v);
		break;
	case 3:
		add_lun(lun);
		enl_vstor_enumerate(F.v);
		break;
	case 4:
		enl_stor_target_reset(F.t);
		break;
	case 5:
		enl_stor_lun_resize(F.t, lun, rec->off);	/* odd sizes */
		break;
	default:
		drain();
		break;
	}
}

/* ---- The VMSTOR engine ------------------------------------------------------ */

static int v_send(void *ctx, uint64_t trans_id,
		  const struct enl_vstor_packet *pkt)
{
	const struct enl_vmscsi_request *srb = &pkt->vm_srb;
	uint8_t st = ENL_SRB_STATUS(srb->srb_status);

	(void)ctx;
	(void)trans_id;
	if (F.ring_full)
		return -EAGAIN;
	FUZZ_ASSERT(pkt->operation == ENL_VSTOR_OP_COMPLETE_IO ||
		    pkt->operation == ENL_VSTOR_OP_ENUMERATE_BUS);
	FUZZ_ASSERT(srb->sense_info_length <= ENL_VMSCSI_SENSE_BUFFER_SIZE);
	FUZZ_ASSERT(srb->data_transfer_length <= BUF_MAX);
	FUZZ_ASSERT(st == ENL_SRB_STATUS_PENDING ||
		    st == ENL_SRB_STATUS_SUCCESS || st == ENL_SRB_STATUS_ERROR ||
		    st == ENL_SRB_STATUS_INVALID_REQUEST ||
		    st == ENL_SRB_STATUS_INVALID_LUN);
	if (pkt->operation == ENL_VSTOR_OP_COMPLETE_IO)
		F.vanswers++;
	FUZZ_ASSERT(F.vanswers <= F.vpackets);
	return 0;
}

static int v_subch(void *ctx, uint16_t n)
{
	(void)ctx;
	FUZZ_ASSERT(n >= 1 && n <= 4);
	return 0;
}

static const struct enl_vstor_ops v_ops = {
	.send = v_send,
	.create_subchannels = v_subch,
};

/* A fresh channel each run: the same input, the same handshake. */
static void v_reset(void)
{
	const struct enl_vstor_config cfg = {
		.max_subchannels = 4, .max_transfer = BUF_MAX,
		.max_outstanding = 4,
	};

	enl_vstor_free(F.v);
	F.ring_full = false;
	F.vpackets = F.vanswers = 0;
	F.v = enl_vstor_new(F.t, F.q, &cfg, &v_ops, NULL);
	FUZZ_ASSERT(F.v);
}

static void vstor_packet(const struct rec *rec)
{
	static const uint8_t cdbs[][10] = {
		{ SCSI_READ_10, 0, 0, 0, 0, 4, 0, 0, 8 },
		{ SCSI_WRITE_10, 0, 0, 0, 0, 8, 0, 0, 8 },
		{ SCSI_INQUIRY, 1, 0xb0, 0, 64 },
		{ SCSI_TEST_UNIT_READY },
	};
	uint8_t raw[128];
	struct enl_vstor_packet *p = (void *)raw;
	uint32_t len = sizeof(*p), blen = buf_sizes[rec->op >> 4];
	unsigned int at = rec->off & 63, k = rec->a % 12, i;
	struct iovec iov[8];
	unsigned int n = F.segs ? F.segs : 1;
	int ret;

	memset(raw, 0, sizeof(raw));
	p->flags = ENL_VSTOR_FLAG_REQUEST_COMPLETION;
	switch (k) {
	case 0:
		p->operation = ENL_VSTOR_OP_BEGIN_INITIALIZATION;
		break;
	case 1:
		p->operation = ENL_VSTOR_OP_QUERY_PROTOCOL_VERSION;
		p->version.major_minor = rec->a & 0x80 ? ENL_VMSTOR_VERSION_WIN8 :
					 ENL_VMSTOR_VERSION_WIN10;
		break;
	case 2:
		p->operation = ENL_VSTOR_OP_QUERY_PROPERTIES;
		break;
	case 3:
		p->operation = ENL_VSTOR_OP_END_INITIALIZATION;
		break;
	case 4:
		p->operation = ENL_VSTOR_OP_CREATE_SUB_CHANNELS;
		p->sub_channel_count = (rec->a >> 4) & 7;
		break;
	case 5:
		p->operation = ENL_VSTOR_OP_RESET_BUS;
		break;
	default:		/* an SRB */
		p->operation = ENL_VSTOR_OP_EXECUTE_SRB;
		p->vm_srb.length = sizeof(p->vm_srb);
		p->vm_srb.lun = (rec->a >> 5) & 3;
		p->vm_srb.cdb_length = 10;
		p->vm_srb.sense_info_length = ENL_VMSCSI_SENSE_BUFFER_SIZE;
		memcpy(p->vm_srb.cdb, cdbs[k % 4], 10);
		p->vm_srb.data_in = k % 4 == 1 ? ENL_VMSCSI_DATA_WRITE :
				    k % 4 == 3 ? ENL_VMSCSI_DATA_UNKNOWN :
				    ENL_VMSCSI_DATA_READ;
		p->vm_srb.data_transfer_length = k % 4 == 3 ? 0 : blen;
		break;
	}
	for (i = 0; i < rec->len && at + i < sizeof(raw); i++)
		raw[at + i] = rec->p[i];
	if (at + i > len)
		len = at + i;		/* longer than a packet: still one */
	if (rec->op & 0x80 && rec->len)
		len = rec->p[0] % sizeof(raw);	/* any length, short ones too */
	/* The buffer: blen bytes cut into the current number of segments. */
	for (i = 0; i < n; i++) {
		size_t each = blen / n, off = each * i;

		iov[i].iov_base = F.vbuf + off + (F.segs ? 7 * i + 1 : 0);
		iov[i].iov_len = i + 1 == n ? blen - off : each;
	}
	F.vpackets++;		/* before: the answer may come at once */
	ret = enl_vstor_packet(F.v, rec->off >> 6, raw, len, blen ? iov : NULL,
			       blen ? n : 0);
	FUZZ_ASSERT(ret == 0 || ret == -EBUSY || ret == -EBADMSG);
	if (ret == -EBUSY)
		F.vpackets--;	/* not taken: still the guest's */
	FUZZ_ASSERT(enl_vstor_outstanding(F.v) <= 4);
	if (!F.batch)
		drain();
}

static void layout_or_packet(const struct rec *r)
{
	if (r->op & 8) {
		vstor_packet(r);
		return;
	}
	F.segs = r->a % 9;
	F.batch = r->op & 4;
	if (r->op & 0x10)
		F.ring_full = true;
	if (r->op & 0x20) {
		F.ring_full = false;
		FUZZ_ASSERT(enl_vstor_flush(F.v) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct slot *s;
	struct rec r;
	unsigned int i, k;

	if (size < 1)
		return 0;
	fuzz_quiet_glib();
	setup_once();
	F.max_inflight = (data[0] & 7) + 1;
	F.segs = 0;
	F.batch = false;
	data++;
	size--;
	v_reset();
	/*
	 * The same disks every run: LUNs and sizes as they were set up, and
	 * no unit attention left over (REQUEST SENSE takes them).
	 */
	for (i = 0; i < 4; i++) {
		add_lun(i);
		enl_stor_lun_resize(F.t, i, lun_bytes[i]);
		for (k = 0; k < 4; k++) {
			s = submit((const uint8_t[]){ SCSI_REQUEST_SENSE, 0, 0,
						      0, 18, 0 }, 6, (uint8_t)i,
				   ENL_STOR_DIR_FROM_DEV, 18, NULL, 0);
			if ((s->mem[GUARD + 2] & 0x0f) != SCSI_SK_UNIT_ATTENTION)
				break;
		}
	}
	while (rec_next(&data, &size, &r)) {
		switch (r.op & 3) {
		case 0:
			raw(&r);
			break;
		case 1:
			shaped(&r);
			break;
		case 2:
			action(&r);
			break;
		case 3:
			layout_or_packet(&r);
			break;
		}
	}
	drain();
	return 0;
}

/* ---- Seeds ----------------------------------------------------------------- */

static void seeds(const char *dir, GByteArray *s)
{
	static const uint8_t inq[6] = { SCSI_INQUIRY, 1, 0xb0, 0, 64, 0 };
	static const uint8_t rd10[10] = { SCSI_READ_10, 0, 0, 0, 0, 8, 0, 0, 4 };
	static const uint8_t unmap[10 + 24] = {
		SCSI_UNMAP, 0, 0, 0, 0, 0, 0, 0, 24, 0,
		0, 22, 0, 16, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 8, 0, 0, 0, 0,
	};
	unsigned int k;

	g_byte_array_append(s, (const uint8_t[]){ 3 }, 1);
	seed_rec(s, 0 | (2 << 2) | (6 << 4), 0, 6, inq, sizeof(inq));
	seed_rec(s, 0 | (2 << 2) | (11 << 4), 0, 10, rd10, sizeof(rd10));
	seed_rec(s, 0 | (1 << 2) | (5 << 4), 0, 10, unmap, sizeof(unmap));
	seed_write(dir, "raw", s);

	/* The VMSTOR handshake, SRBs, a full ring and a flush. */
	g_byte_array_append(s, (const uint8_t[]){ 3 }, 1);
	seed_rec(s, 3 | 8, 0, 1 << 6, NULL, 0);
	seed_rec(s, 3 | 8, 1, 2 << 6, NULL, 0);
	seed_rec(s, 3 | 8, 2, 3 << 6, NULL, 0);
	seed_rec(s, 3 | 8, 3, 4 << 6, NULL, 0);
	seed_rec(s, 3 | 8, 0x14, 5 << 6, NULL, 0);
	seed_rec(s, 3 | 8 | (11 << 4), 6, 6 << 6, NULL, 0);
	seed_rec(s, 3 | 8 | (11 << 4), 7, 7 << 6, NULL, 0);
	seed_rec(s, 3 | 8 | (7 << 4), 8, 8 << 6, NULL, 0);
	seed_rec(s, 3 | 0x10, 0, 0, NULL, 0);
	seed_rec(s, 3 | 8, 9, 9 << 6, NULL, 0);
	seed_rec(s, 3 | 8, 9, 10 << 6, NULL, 0);
	seed_rec(s, 3 | 0x20, 3, 0, NULL, 0);
	seed_rec(s, 3 | 8 | (11 << 4), 10, 11 << 6, NULL, 0);
	seed_rec(s, 3 | 8, 5, 12 << 6, NULL, 0);
	seed_write(dir, "vstor", s);

	for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
		char name[32];

		g_byte_array_append(s, (const uint8_t[]){ 7 }, 1);
		seed_rec(s, 3 | 4, 3, 0, NULL, 0);
		seed_rec(s, 1, (uint8_t)k, 0, "\x01\x02\x03\x04", 4);
		seed_rec(s, 1 | (1 << 2), (uint8_t)(k | 0x20), 0, NULL, 0);
		seed_rec(s, 2, 0, 100, NULL, 0);
		seed_rec(s, 1 | (1 << 2), (uint8_t)k, 0, NULL, 0);
		seed_rec(s, 2, 8, 0, NULL, 0);
		seed_rec(s, 1, (uint8_t)k, 0, NULL, 0);
		snprintf(name, sizeof(name), "shape-%02x", shapes[k].op);
		seed_write(dir, name, s);
	}
}

FUZZ_INITIALIZE_WITH_SEEDS(seeds)
