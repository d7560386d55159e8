/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Fault injection on a storage controller's SRB completions (`enl-host ctl
 * disk fault`), to test the guest's error handling: the next N answers
 * are dropped (the I/O is done, its answer never sent), delayed by some
 * milliseconds, or corrupted (a field the guest must bound). One state per
 * controller, shared by its primary channel and its sub-channels, whose
 * workers take from it concurrently: every field is atomic. Never touched
 * by normal operation beyond one load per completion.
 */
#ifndef ENL_STOR_FAULT_H
#define ENL_STOR_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include <enlighten/storvsc.h>

enum enl_stor_fault_kind {
	ENL_STOR_FAULT_NONE,
	ENL_STOR_FAULT_DROP,
	ENL_STOR_FAULT_DELAY,
	ENL_STOR_FAULT_CORRUPT,
};

/* The ways an answer is corrupted, in turn. */
#define ENL_STOR_FAULT_CORRUPTIONS	4

struct enl_stor_fault {
	/* Answers left to hit; one kind armed at a time. */
	_Atomic uint32_t left;
	_Atomic uint32_t kind;		/* enum enl_stor_fault_kind */
	_Atomic uint32_t delay_ms;
	/* What was done. */
	_Atomic uint64_t dropped, delayed, corrupted;
};

/* Arms kind for the next count answers (count 0 or kind NONE: disarms). */
void enl_stor_fault_arm(struct enl_stor_fault *f,
			enum enl_stor_fault_kind kind, uint32_t count,
			uint32_t delay_ms);

/*
 * Is pkt the answer to an EXECUTE_SRB? Those carry the guest's SRB back,
 * whose length the engine checked; handshake and reset answers carry none.
 */
bool enl_stor_fault_is_srb_answer(const struct enl_vstor_packet *pkt);

/*
 * What to do with one SRB answer: takes one of the armed count (and
 * counts it done). For DELAY, *delay_ms says how long.
 */
enum enl_stor_fault_kind enl_stor_fault_take(struct enl_stor_fault *f,
					     uint32_t *delay_ms);

/*
 * Corrupts an answer in its n-th way (n modulo ENL_STOR_FAULT_CORRUPTIONS):
 * a wrong operation, an unknown SRB status, a transfer length beyond what
 * was asked, a sense length beyond the sense buffer.
 */
void enl_stor_fault_corrupt(struct enl_vstor_packet *pkt, uint64_t n);

/* "drop", "delay", "corrupt" or "none". */
const char *enl_stor_fault_kind_name(enum enl_stor_fault_kind kind);

#endif /* ENL_STOR_FAULT_H */
