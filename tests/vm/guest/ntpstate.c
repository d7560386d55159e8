// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-ntpstate: set or clear the kernel's STA_UNSYNC flag through
 * adjtimex(ADJ_STATUS), as an NTP daemon does once it has synchronized the
 * clock, for tests/vm/test_daemons.py. Usage: enl-ntpstate sync|unsync.
 */
#include <stdio.h>
#include <string.h>
#include <sys/timex.h>

int main(int argc, char **argv)
{
	struct timex tx = { .modes = 0 };

	if (argc != 2 || (strcmp(argv[1], "sync") && strcmp(argv[1], "unsync"))) {
		fprintf(stderr, "usage: enl-ntpstate sync|unsync\n");
		return 2;
	}
	if (adjtimex(&tx) < 0) {
		perror("adjtimex");
		return 1;
	}
	tx.modes = ADJ_STATUS;
	if (!strcmp(argv[1], "sync"))
		tx.status &= ~STA_UNSYNC;
	else
		tx.status |= STA_UNSYNC;
	if (adjtimex(&tx) < 0) {
		perror("adjtimex");
		return 1;
	}
	printf("status 0x%x\n", tx.status);
	return 0;
}
