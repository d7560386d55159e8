// SPDX-License-Identifier: GPL-2.0-only
/*
 * enl-exit N: end the guest with status N through QEMU's isa-debug-exit port,
 * so that enl-host (and the test harness) get the guest's verdict; a plain
 * poweroff cannot carry one, and a panic must not look like success.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>

int main(int argc, char **argv)
{
	unsigned int status = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 0) : 0;

	if (ioperm(0xf4, 4, 1)) {
		perror("enl-exit: ioperm");
		return 1;
	}
	outl(status, 0xf4);
	fprintf(stderr, "enl-exit: the debug-exit port did not end the guest\n");
	return 1;
}
