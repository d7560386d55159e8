// SPDX-License-Identifier: GPL-2.0-only
/*
 * A QEMU TCG plugin that counts the guest instructions all vCPUs execute
 * into a shared file (argument out=PATH), so that a benchmark reads the
 * count around a window of work: under TCG, a guest's instructions are
 * exact where sampling profilers are not. Beside it, the times a vCPU went
 * idle (halted), and with io=on every guest access to device memory (an
 * MMIO exit: QEMU's slow path, often under its big lock) by device region.
 * io=on puts a callback on every memory access and slows the guest a lot:
 * its counts are exact, its timings are not the bench's.
 *
 * The file (little-endian, fixed size): u64 instructions, u64 idles,
 * ENL_VCPU_SLOTS u64 instructions by vCPU (the last slot takes vCPUs past
 * it; kept with more than one vCPU only, one vCPU's being the total), then
 * ENL_IO_SLOTS slots of { u64 reads, u64 writes, u64 addr, char name[40] }
 * where addr is the first guest-physical address seen in that region and
 * name QEMU's region name ("anon..." for regions without one, such as the
 * page-sized pieces small devices like the HPET share). tests/bench/tcg/
 * insns.py reads it.
 *
 * The file goes on with u64 profile slots used, u64 blocks that found no
 * slot (left out of the profile), and with prof=on ENL_PROF_SLOTS
 * slots of { u64 vaddr, u64 instructions }: the instructions each
 * translated block's start address ran, an exact flat profile that
 * insns.py maps onto the guest's /proc/kallsyms.
 *
 * Loaded as `-plugin PATH/insncount.so,out=FILE[,io=on][,prof=on]` (QEMU
 * 7.2, plugin API version 1). The declarations below are ours, written
 * from QEMU's documented plugin API, since Debian packages no
 * qemu-plugin.h.
 *
 * With one vCPU each block adds its length inline, cheaply. QEMU 7.2's
 * inline add is not atomic, so with more vCPUs (which run on threads of
 * their own) each block calls us instead and the adds are atomic: exact,
 * at the price of a call per block run.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;

typedef struct {
	const char *target_name;
	struct {
		int min;
		int cur;
	} version;
	bool system_emulation;
	union {
		struct {
			int smp_vcpus;
			int max_vcpus;
		} system;
	};
} qemu_info_t;

typedef uint32_t qemu_plugin_meminfo_t;

struct qemu_plugin_tb;
struct qemu_plugin_insn;
struct qemu_plugin_hwaddr;

enum qemu_plugin_op {
	QEMU_PLUGIN_INLINE_ADD_U64,
};

enum qemu_plugin_cb_flags {
	QEMU_PLUGIN_CB_NO_REGS,
};

enum qemu_plugin_mem_rw {
	QEMU_PLUGIN_MEM_R = 1,
	QEMU_PLUGIN_MEM_W,
	QEMU_PLUGIN_MEM_RW,
};

typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id,
					       struct qemu_plugin_tb *tb);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
					   qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb,
					      enum qemu_plugin_op op,
					      void *ptr, uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);

typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index,
					    void *userdata);

void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
					  qemu_plugin_vcpu_udata_cb_t cb,
					  enum qemu_plugin_cb_flags flags,
					  void *userdata);

typedef void (*qemu_plugin_vcpu_simple_cb_t)(qemu_plugin_id_t id,
					     unsigned int vcpu_index);
typedef void (*qemu_plugin_vcpu_mem_cb_t)(unsigned int vcpu_index,
					  qemu_plugin_meminfo_t info,
					  uint64_t vaddr, void *userdata);

void qemu_plugin_register_vcpu_idle_cb(qemu_plugin_id_t id,
				       qemu_plugin_vcpu_simple_cb_t cb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb,
						 size_t idx);
void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *insn,
				      qemu_plugin_vcpu_mem_cb_t cb,
				      enum qemu_plugin_cb_flags flags,
				      enum qemu_plugin_mem_rw rw,
				      void *userdata);
struct qemu_plugin_hwaddr *qemu_plugin_get_hwaddr(qemu_plugin_meminfo_t info,
						  uint64_t vaddr);
bool qemu_plugin_hwaddr_is_io(const struct qemu_plugin_hwaddr *haddr);
uint64_t qemu_plugin_hwaddr_phys_addr(const struct qemu_plugin_hwaddr *haddr);
const char *qemu_plugin_hwaddr_device_name(const struct qemu_plugin_hwaddr *h);
bool qemu_plugin_mem_is_store(qemu_plugin_meminfo_t info);

EXPORT int qemu_plugin_version = 1;

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
			       int argc, char **argv);

#define ENL_VCPU_SLOTS	8
#define ENL_IO_SLOTS	64

struct io_slot {
	uint64_t reads, writes, addr;
	char name[40];
};

#define ENL_PROF_SLOTS	(1u << 17)

struct prof_slot {
	uint64_t vaddr, insns;
};

struct counts {
	uint64_t insns, idles;
	uint64_t vcpu_insns[ENL_VCPU_SLOTS];
	struct io_slot io[ENL_IO_SLOTS];
	uint64_t prof_used;	/* slots taken */
	uint64_t prof_missed;	/* blocks that found none: not in the profile */
	struct prof_slot prof[];
};

static struct counts *count;
static bool prof;
static bool smp;	/* more than one vCPU: count through calls, atomically */
/* QEMU interns region names: one pointer per region, our slot key. */
static const char *slot_key[ENL_IO_SLOTS];

/* The vCPU's slot of the per-vCPU counts. */
static uint64_t *vcpu_slot(unsigned int vcpu)
{
	return &count->vcpu_insns[vcpu < ENL_VCPU_SLOTS ? vcpu : ENL_VCPU_SLOTS - 1];
}

/* smp: userdata is the block's length. */
static void on_exec(unsigned int vcpu, void *userdata)
{
	uint64_t n = (uintptr_t)userdata;

	__atomic_add_fetch(&count->insns, n, __ATOMIC_RELAXED);
	__atomic_add_fetch(vcpu_slot(vcpu), n, __ATOMIC_RELAXED);
}

/* Each translated block adds its length every time it runs. */
static void on_translate_count(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	if (smp) {
		qemu_plugin_register_vcpu_tb_exec_cb(tb, on_exec,
						     QEMU_PLUGIN_CB_NO_REGS,
						     (void *)(uintptr_t)n);
		return;
	}
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64,
						 &count->insns, n);
}

/*
 * Slots are claimed under this lock: with more than one vCPU, QEMU
 * translates on several threads at once, and MMIO accesses come from each.
 */
static pthread_mutex_t claim = PTHREAD_MUTEX_INITIALIZER;

/* The block's slot by start address; NULL when full. Under claim. */
static struct prof_slot *prof_slot_locked(uint64_t vaddr)
{
	uint64_t i = (vaddr * 0x9e3779b97f4a7c15ull) >> 47;

	for (unsigned int n = 0; n < ENL_PROF_SLOTS / 2; n++) {
		struct prof_slot *s = &count->prof[i % ENL_PROF_SLOTS];

		if (s->vaddr == vaddr)
			return s;
		if (!s->vaddr) {
			s->vaddr = vaddr;
			count->prof_used++;
			return s;
		}
		i++;
	}
	return NULL;
}

/* smp: userdata packs the slot's index (above 16 bits) and the length. */
static void on_exec_prof(unsigned int vcpu, void *userdata)
{
	uintptr_t u = (uintptr_t)userdata;

	(void)vcpu;
	__atomic_add_fetch(&count->prof[u >> 16].insns, u & 0xffff,
			   __ATOMIC_RELAXED);
}

static struct prof_slot *prof_slot(uint64_t vaddr)
{
	struct prof_slot *s;

	pthread_mutex_lock(&claim);
	s = prof_slot_locked(vaddr);
	if (!s)
		count->prof_missed++;
	pthread_mutex_unlock(&claim);
	return s;
}

static void on_translate_prof(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	struct prof_slot *s = prof_slot(qemu_plugin_tb_vaddr(tb));
	size_t n = qemu_plugin_tb_n_insns(tb);

	(void)id;
	if (!s)
		return;
	if (smp)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, on_exec_prof,
			QEMU_PLUGIN_CB_NO_REGS,
			(void *)(((uintptr_t)(s - count->prof) << 16) | n));
	else
		qemu_plugin_register_vcpu_tb_exec_inline(tb,
						QEMU_PLUGIN_INLINE_ADD_U64,
						&s->insns, n);
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	on_translate_count(id, tb);
	if (prof)
		on_translate_prof(id, tb);
}

static void on_idle(qemu_plugin_id_t id, unsigned int vcpu)
{
	(void)id;
	(void)vcpu;
	__atomic_add_fetch(&count->idles, 1, __ATOMIC_RELAXED);
}

/*
 * The region's slot, claimed on first sight; the last one takes the rest.
 * Under claim.
 */
static struct io_slot *slot_of_locked(const char *name,
				      const struct qemu_plugin_hwaddr *h)
{
	unsigned int i = (unsigned int)((uintptr_t)name >> 4) % ENL_IO_SLOTS;

	for (unsigned int n = 0; n < ENL_IO_SLOTS - 1; n++) {
		if (slot_key[i] == name)
			return &count->io[i];
		if (!slot_key[i]) {
			slot_key[i] = name;
			count->io[i].addr = qemu_plugin_hwaddr_phys_addr(h);
			strncpy(count->io[i].name, name ? name : "?",
				sizeof(count->io[i].name) - 1);
			return &count->io[i];
		}
		i = (i + 1) % ENL_IO_SLOTS;
	}
	return &count->io[i];
}

static void on_access(unsigned int vcpu, qemu_plugin_meminfo_t info,
		      uint64_t vaddr, void *userdata)
{
	struct qemu_plugin_hwaddr *h = qemu_plugin_get_hwaddr(info, vaddr);
	struct io_slot *s;

	(void)vcpu;
	(void)userdata;
	if (!h || !qemu_plugin_hwaddr_is_io(h))
		return;
	pthread_mutex_lock(&claim);
	s = slot_of_locked(qemu_plugin_hwaddr_device_name(h), h);
	pthread_mutex_unlock(&claim);
	__atomic_add_fetch(qemu_plugin_mem_is_store(info) ? &s->writes :
			   &s->reads, 1, __ATOMIC_RELAXED);
}

static void on_translate_io(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t n = qemu_plugin_tb_n_insns(tb);

	on_translate(id, tb);
	for (size_t i = 0; i < n; i++)
		qemu_plugin_register_vcpu_mem_cb(qemu_plugin_tb_get_insn(tb, i),
						 on_access,
						 QEMU_PLUGIN_CB_NO_REGS,
						 QEMU_PLUGIN_MEM_RW, NULL);
}

int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
			int argc, char **argv)
{
	const char *path = NULL;
	bool io = false;
	size_t size;
	void *p;
	int fd;

	smp = info->system_emulation && info->system.max_vcpus > 1;
	for (int i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "out=", 4))
			path = argv[i] + 4;
		else if (!strcmp(argv[i], "io=on"))
			io = true;
		else if (!strcmp(argv[i], "prof=on"))
			prof = true;
	}
	if (!path)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	size = sizeof(*count) + (prof ? ENL_PROF_SLOTS * sizeof(count->prof[0]) : 0);
	if (ftruncate(fd, size)) {
		close(fd);
		return -1;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	count = p;
	qemu_plugin_register_vcpu_tb_trans_cb(id, io ? on_translate_io :
						       on_translate);
	qemu_plugin_register_vcpu_idle_cb(id, on_idle);
	return 0;
}
