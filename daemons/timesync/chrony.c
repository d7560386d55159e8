// SPDX-License-Identifier: GPL-2.0-only
/* chrony SOCK refclock client (see chrony.h). */
#include "chrony.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

/* chrony's refclock_sock.c sample layout, as its documentation gives it. */
#define CHRONY_SOCK_MAGIC 0x534f434b

struct chrony_sock_sample {
	struct timeval tv;	/* local time of the sample */
	double offset;		/* reference - local, seconds */
	int pulse;
	int leap;
	int _pad;
	int magic;
};

int enl_chrony_send(const char *path, int64_t at_ns, int64_t offset_ns)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct chrony_sock_sample s = {
		.tv = { at_ns / 1000000000, (at_ns % 1000000000) / 1000 },
		.offset = offset_ns / 1e9,
		.magic = CHRONY_SOCK_MAGIC,
	};
	int fd, ret = 0;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (sendto(fd, &s, sizeof(s), 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}
