// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-ntpstate: set or clear the kernel's STA_UNSYNC flag through
 * adjtimex(ADJ_STATUS), as an NTP daemon does once it has synchronized the
 * clock, for tests/vm/test_daemons.py. Usage: enl-ntpstate sync|unsync|state
 * (state prints sync or unsync, as the kernel has it now).
 *
 * sync also reports a small maximum and estimated error, as every update
 * of chronyd or ntpd does: the kernel adds 500 us to the maximum error
 * each second and sets STA_UNSYNC again once it passes 16 s, which is
 * where it starts, so a bare ADJ_STATUS held for less than a second.
 */
#include <stdio.h>
#include <string.h>
#include <sys/timex.h>

int main(int argc, char **argv)
{
	struct timex tx = { .modes = 0 };

	if (argc != 2 || (strcmp(argv[1], "sync") && strcmp(argv[1], "unsync") &&
			  strcmp(argv[1], "state"))) {
		fprintf(stderr, "usage: enl-ntpstate sync|unsync|state\n");
		return 2;
	}
	if (adjtimex(&tx) < 0) {
		perror("adjtimex");
		return 1;
	}
	if (!strcmp(argv[1], "state")) {
		puts(tx.status & STA_UNSYNC ? "unsync" : "sync");
		return 0;
	}
	tx.modes = ADJ_STATUS;
	if (!strcmp(argv[1], "sync")) {
		tx.status &= ~STA_UNSYNC;
		tx.modes |= ADJ_MAXERROR | ADJ_ESTERROR;
		tx.maxerror = 100000;	/* us: good for 8 hours */
		tx.esterror = 1000;
	} else {
		tx.status |= STA_UNSYNC;
	}
	if (adjtimex(&tx) < 0) {
		perror("adjtimex");
		return 1;
	}
	printf("status 0x%x\n", tx.status);
	return 0;
}
