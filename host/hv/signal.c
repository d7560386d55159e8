/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Posted calls (hvif version 2): the guest's HvSignalEvent on a channel
 * connection and its EOM need no answer, so the guest sets a bit in BAR2
 * and rings ENL_HVIF_DOORBELL_SIGNAL instead of waiting in a call slot.
 * Each word is taken with an atomic exchange: a bit the guest sets after
 * that is seen on its next doorbell. Every bit is guest input: an EOM bit
 * past the VP count and a signal the server refuses are counted and logged.
 */
#include <errno.h>

#include <enlighten/hvif.h>

#include "hv_internal.h"

/* BAR2 is page aligned, so are its words; the struct is packed only for the wire. */
static void take_eoms(struct enl_hv *hv, uint64_t bits, unsigned int *taken)
{
	if (!bits)
		return;
	g_mutex_lock(&hv->lock);
	while (bits) {
		uint32_t vp = (uint32_t)__builtin_ctzll(bits);

		bits &= bits - 1;
		(*taken)++;
		if (vp < hv->nr_vp)
			enl_hv_eom(hv, vp);
		else
			enl_hv_guest_error(hv, &hv->stats.bad_input,
					   "EOM posted for vp %u of %u", vp,
					   hv->nr_vp);
	}
	g_mutex_unlock(&hv->lock);
}

/* What the hypercall would have done, without a status to return. */
static void posted_signal(struct enl_hv *hv, uint32_t connection_id)
{
	uint16_t status = ENL_HV_STATUS_INVALID_CONNECTION_ID;

	HV_STAT_INC(hv, signal_event);
	if (hv->ops && hv->ops->signal_event)
		status = hv->ops->signal_event(hv->ops_ctx, connection_id, 0);
	if (status != ENL_HV_STATUS_SUCCESS)
		enl_hv_guest_error(hv, &hv->stats.bad_signal,
				   "posted HvSignalEvent on connection 0x%x: "
				   "status 0x%x", connection_id, status);
}

unsigned int enl_hv_process_signals(struct enl_hv *hv,
				    struct enl_hvif_shared *shared)
{
	unsigned int taken = 0;
	uint64_t os_id;
	uint32_t w;

	take_eoms(hv, __atomic_exchange_n(&shared->eom_bits, 0, __ATOMIC_ACQ_REL),
		  &taken);
	g_mutex_lock(&hv->lock);
	os_id = hv->guest_os_id;
	g_mutex_unlock(&hv->lock);
	for (w = 0; w < ENL_HVIF_SIGNAL_WORDS; w++) {
		uint64_t bits;

		/* A plain look first: most words are zero, keep their lines shared. */
		if (!__atomic_load_n(&shared->signal_bits[w], __ATOMIC_RELAXED))
			continue;
		bits = __atomic_exchange_n(&shared->signal_bits[w], 0,
					   __ATOMIC_ACQ_REL);
		while (bits) {
			uint32_t b = (uint32_t)__builtin_ctzll(bits);

			bits &= bits - 1;
			taken++;
			/* As the hypercall: nothing before the OS identified itself. */
			if (!os_id)
				enl_hv_guest_error(hv, &hv->stats.bad_hypercall,
						   "signal bit %u posted before "
						   "guest OS id", w * 64 + b);
			else
				posted_signal(hv, ENL_HVIF_SIGNAL_CONN_BASE +
					      w * 64 + b);
		}
	}
	return taken;
}

/* The posted-signal bit of a channel connection, or -1. */
static int64_t signal_bit(uint32_t connection_id)
{
	if (connection_id < ENL_HVIF_SIGNAL_CONN_BASE ||
	    connection_id - ENL_HVIF_SIGNAL_CONN_BASE >= ENL_HVIF_SIGNAL_BITS)
		return -1;
	return connection_id - ENL_HVIF_SIGNAL_CONN_BASE;
}

int enl_hv_doorbell_bind(struct enl_hv *hv, uint32_t connection_id)
{
	int64_t bit = signal_bit(connection_id);

	if (bit < 0)
		return -EINVAL;
	if (!hv->irq || !hv->irq->doorbell_bind)
		return -EOPNOTSUPP;
	return hv->irq->doorbell_bind(hv->irq_ctx, (uint32_t)bit);
}

void enl_hv_doorbell_unbind(struct enl_hv *hv, uint32_t connection_id)
{
	int64_t bit = signal_bit(connection_id);

	if (bit >= 0 && hv->irq && hv->irq->doorbell_unbind)
		hv->irq->doorbell_unbind(hv->irq_ctx, (uint32_t)bit);
}

bool enl_hv_doorbell_take(struct enl_hv *hv, uint32_t connection_id, int fd)
{
	int64_t bit = signal_bit(connection_id);

	if (bit < 0 || !hv->irq || !hv->irq->doorbell_take ||
	    !hv->irq->doorbell_take(hv->irq_ctx, (uint32_t)bit, fd))
		return false;
	HV_STAT_INC(hv, signal_event);
	return true;
}
