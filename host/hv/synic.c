/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * SynIC emulation: per-VP synthetic registers as the TLFS defines them
 * (guest OS id, SCONTROL, SVERSION, SIMP, SIEFP, EOM, SINTx, VP index,
 * reference time) and the rules for when a SINT can be raised.
 */
#include <errno.h>
#include <stdarg.h>
#include <time.h>

#include <enlighten/hvif.h>

#include "guest_mem.h"
#include "hv_internal.h"

#define SYNIC_PAGE_MASK	(~(uint64_t)(ENL_HV_PAGE_SIZE - 1))

void enl_hv_guest_error(struct enl_hv *hv, uint64_t *counter,
			const char *fmt, ...)
{
	static uint64_t logged_total;
	uint64_t logged;
	va_list ap;
	char *msg;

	(void)hv;
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
	/* A hostile guest must not flood the log: first 32, then powers of 2. */
	logged = __atomic_add_fetch(&logged_total, 1, __ATOMIC_RELAXED);
	if (logged > 32 && (logged & (logged - 1)))
		return;
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_message("hv: guest error: %s (%" G_GUINT64_FORMAT " so far)", msg,
		  logged);
	g_free(msg);
}

struct enl_hv *enl_hv_new(uint32_t nr_vp, struct enl_guest_mem *mem,
			  const struct enl_hv_irq_ops *irq, void *irq_ctx)
{
	struct enl_hv *hv;
	uint32_t v, s;

	if (nr_vp == 0 || nr_vp > ENL_HVIF_MAX_VP || !mem)
		return NULL;
	hv = g_new0(struct enl_hv, 1);
	g_mutex_init(&hv->lock);
	hv->nr_vp = nr_vp;
	hv->vp = g_new0(struct enl_hv_vp, nr_vp);
	for (v = 0; v < nr_vp; v++)
		for (s = 0; s < ENL_HV_SYNIC_SINT_COUNT; s++) {
			/* TLFS: SINTs come out of reset masked. */
			hv->vp[v].sint[s] = ENL_HV_SYNIC_SINT_MASKED;
			g_queue_init(&hv->vp[v].msgq[s]);
		}
	hv->start_us = g_get_monotonic_time();
	hv->mem = mem;
	hv->irq = irq;
	hv->irq_ctx = irq_ctx;
	return hv;
}

uint64_t enl_hv_ref_time(const struct enl_hv *hv)
{
	struct timespec t;

	/* g_get_monotonic_time() (start_us) reads the same clock. */
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 10000000 + (uint64_t)t.tv_nsec / 100 -
	       (uint64_t)hv->start_us * 10;
}

void enl_hv_free(struct enl_hv *hv)
{
	uint32_t v, s;

	if (!hv)
		return;
	enl_hv_drop_queues(hv);
	for (v = 0; v < hv->nr_vp; v++)
		for (s = 0; s < ENL_HV_SYNIC_SINT_COUNT; s++)
			g_free(hv->vp[v].early_events[s]);
	g_free(hv->vp);
	g_mutex_clear(&hv->lock);
	g_free(hv);
}

/* Set and read on the main thread only, as the upcalls are made there. */
void enl_hv_set_ops(struct enl_hv *hv, const struct enl_hv_ops *ops, void *ctx)
{
	hv->ops = ops;
	hv->ops_ctx = ctx;
}

struct enl_guest_mem *enl_hv_guest_mem(struct enl_hv *hv)
{
	return hv->mem;
}

uint32_t enl_hv_nr_vp(const struct enl_hv *hv)
{
	return hv->nr_vp;
}

void enl_hv_stats(const struct enl_hv *hv, struct enl_hv_stats *out)
{
	const uint64_t *src = (const uint64_t *)&hv->stats;
	uint64_t *dst = (uint64_t *)out;
	size_t i;

	_Static_assert(sizeof(*out) % sizeof(uint64_t) == 0,
		       "enl_hv_stats holds only 64-bit counters");
	for (i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

static bool sint_live(const struct enl_hv_vp *p, uint32_t sint)
{
	return (p->scontrol & ENL_HV_SYNIC_CONTROL_ENABLE) &&
	       !(p->sint[sint] & ENL_HV_SYNIC_SINT_MASKED);
}

bool enl_hv_msg_ready(const struct enl_hv *hv, uint32_t vp, uint32_t sint)
{
	if (vp >= hv->nr_vp || sint >= ENL_HV_SYNIC_SINT_COUNT)
		return false;
	return sint_live(&hv->vp[vp], sint) &&
	       (hv->vp[vp].simp & ENL_HV_SYNIC_SIMP_ENABLE);
}

bool enl_hv_event_ready(const struct enl_hv *hv, uint32_t vp, uint32_t sint)
{
	if (vp >= hv->nr_vp || sint >= ENL_HV_SYNIC_SINT_COUNT)
		return false;
	return sint_live(&hv->vp[vp], sint) &&
	       (hv->vp[vp].siefp & ENL_HV_SYNIC_SIEFP_ENABLE);
}

int enl_hv_vp_info(struct enl_hv *hv, uint32_t vp, struct enl_hv_vp_info *out)
{
	const struct enl_hv_vp *p;

	if (vp >= hv->nr_vp)
		return -EINVAL;
	p = &hv->vp[vp];
	g_mutex_lock(&hv->lock);
	out->simp = p->simp;
	out->siefp = p->siefp;
	out->synic_on = (p->scontrol & ENL_HV_SYNIC_CONTROL_ENABLE) &&
			(p->simp & ENL_HV_SYNIC_SIMP_ENABLE) &&
			(p->siefp & ENL_HV_SYNIC_SIEFP_ENABLE);
	out->sints_raised = p->sints_raised;
	g_mutex_unlock(&hv->lock);
	return 0;
}

int enl_hv_sint_ready(struct enl_hv *hv, uint32_t vp, uint32_t sint)
{
	bool ready;

	g_mutex_lock(&hv->lock);
	ready = enl_hv_msg_ready(hv, vp, sint);
	g_mutex_unlock(&hv->lock);
	return ready;
}

/* An enabled SIMP/SIEFP must name a page of RAM we can write. */
static bool page_ok(struct enl_hv *hv, uint64_t value, uint64_t enable)
{
	if (!(value & enable))
		return true;
	return enl_gpa_ptr(hv->mem, value & SYNIC_PAGE_MASK,
			   ENL_HV_PAGE_SIZE) != NULL;
}

/* Lock held: a SynIC register changed; *changed asks for the upcall. */
static void synic_changed(struct enl_hv *hv, uint32_t vp, bool *changed)
{
	enl_hv_flush_vp(hv, vp);
	*changed = true;
}

static uint16_t wrmsr_locked(struct enl_hv *hv, uint32_t vp, uint32_t msr,
			     uint64_t value, bool *changed)
{
	struct enl_hv_vp *p = &hv->vp[vp];

	switch (msr) {
	case ENL_HV_MSR_GUEST_OS_ID:
		hv->guest_os_id = value;
		/* TLFS: clearing the OS id disables the hypercall page. */
		if (!value)
			hv->hypercall &= ~ENL_HV_HYPERCALL_ENABLE;
		return ENL_HV_STATUS_SUCCESS;
	case ENL_HV_MSR_HYPERCALL:
		/* No page to fill here (calls go through slots); keep the value. */
		if ((value & ENL_HV_HYPERCALL_ENABLE) && !hv->guest_os_id)
			value &= ~ENL_HV_HYPERCALL_ENABLE;
		hv->hypercall = value;
		return ENL_HV_STATUS_SUCCESS;
	case ENL_HV_MSR_SCONTROL:
		p->scontrol = value;
		synic_changed(hv, vp, changed);
		return ENL_HV_STATUS_SUCCESS;
	case ENL_HV_MSR_SIMP:
	case ENL_HV_MSR_SIEFP:
		if (!page_ok(hv, value, msr == ENL_HV_MSR_SIMP ?
			     ENL_HV_SYNIC_SIMP_ENABLE :
			     ENL_HV_SYNIC_SIEFP_ENABLE)) {
			enl_hv_guest_error(hv, &hv->stats.bad_gpa,
					   "vp %u: %s page 0x%" G_GINT64_MODIFIER
					   "x outside RAM", vp,
					   msr == ENL_HV_MSR_SIMP ? "SIMP" : "SIEFP",
					   value & SYNIC_PAGE_MASK);
			return ENL_HV_STATUS_INVALID_PARAMETER;
		}
		if (msr == ENL_HV_MSR_SIMP)
			p->simp = value;
		else
			p->siefp = value;
		synic_changed(hv, vp, changed);
		return ENL_HV_STATUS_SUCCESS;
	case ENL_HV_MSR_EOM:
		enl_hv_eom(hv, vp);
		return ENL_HV_STATUS_SUCCESS;
	case ENL_HV_MSR_SINT0 ... ENL_HV_MSR_SINT15:
		p->sint[msr - ENL_HV_MSR_SINT0] = value;
		synic_changed(hv, vp, changed);
		return ENL_HV_STATUS_SUCCESS;
	case ENL_HV_MSR_VP_INDEX:
	case ENL_HV_MSR_SVERSION:
	case ENL_HV_MSR_TIME_REF_COUNT:
		enl_hv_guest_error(hv, &hv->stats.bad_msr,
				   "vp %u: write to read-only msr 0x%x", vp, msr);
		return ENL_HV_STATUS_ACCESS_DENIED;
	default:
		enl_hv_guest_error(hv, &hv->stats.bad_msr,
				   "vp %u: write to unknown msr 0x%x", vp, msr);
		return ENL_HV_STATUS_INVALID_PARAMETER;
	}
}

uint16_t enl_hv_wrmsr(struct enl_hv *hv, uint32_t vp, uint32_t msr,
		      uint64_t value)
{
	bool changed = false;
	uint16_t status;

	if (vp >= hv->nr_vp) {
		enl_hv_guest_error(hv, &hv->stats.bad_op, "wrmsr from vp %u", vp);
		return ENL_HV_STATUS_INVALID_PARAMETER;
	}
	HV_STAT_INC(hv, wrmsr);
	g_mutex_lock(&hv->lock);
	status = wrmsr_locked(hv, vp, msr, value, &changed);
	g_mutex_unlock(&hv->lock);
	if (changed && hv->ops && hv->ops->synic_changed)
		hv->ops->synic_changed(hv->ops_ctx, vp);
	return status;
}

static uint16_t rdmsr_locked(struct enl_hv *hv, uint32_t vp, uint32_t msr,
			     uint64_t *value)
{
	struct enl_hv_vp *p = &hv->vp[vp];

	switch (msr) {
	case ENL_HV_MSR_GUEST_OS_ID:
		*value = hv->guest_os_id;
		break;
	case ENL_HV_MSR_HYPERCALL:
		*value = hv->hypercall;
		break;
	case ENL_HV_MSR_VP_INDEX:
		*value = vp;
		break;
	case ENL_HV_MSR_TIME_REF_COUNT:
		*value = enl_hv_ref_time(hv);
		break;
	case ENL_HV_MSR_SCONTROL:
		*value = p->scontrol;
		break;
	case ENL_HV_MSR_SVERSION:
		*value = ENL_HV_SYNIC_VERSION_1;
		break;
	case ENL_HV_MSR_SIMP:
		*value = p->simp;
		break;
	case ENL_HV_MSR_SIEFP:
		*value = p->siefp;
		break;
	case ENL_HV_MSR_EOM:
		break;
	case ENL_HV_MSR_SINT0 ... ENL_HV_MSR_SINT15:
		*value = p->sint[msr - ENL_HV_MSR_SINT0];
		break;
	default:
		enl_hv_guest_error(hv, &hv->stats.bad_msr,
				   "vp %u: read of unknown msr 0x%x", vp, msr);
		return ENL_HV_STATUS_INVALID_PARAMETER;
	}
	return ENL_HV_STATUS_SUCCESS;
}

uint16_t enl_hv_rdmsr(struct enl_hv *hv, uint32_t vp, uint32_t msr,
		      uint64_t *value)
{
	uint16_t status;

	*value = 0;
	if (vp >= hv->nr_vp) {
		enl_hv_guest_error(hv, &hv->stats.bad_op, "rdmsr from vp %u", vp);
		return ENL_HV_STATUS_INVALID_PARAMETER;
	}
	HV_STAT_INC(hv, rdmsr);
	g_mutex_lock(&hv->lock);
	status = rdmsr_locked(hv, vp, msr, value);
	g_mutex_unlock(&hv->lock);
	return status;
}
