/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A QMP listener: QEMU connects to our socket as its control monitor, so we
 * learn why it shut down (guest poweroff vs reset/panic), which its exit
 * status alone cannot tell under -no-reboot.
 */
#ifndef ENL_HOST_QMP_H
#define ENL_HOST_QMP_H

struct enl_qmp;

/*
 * connected(ctx), if given, is called once QEMU is in (the socket's name is
 * unlinked by then: the caller's run directory may go).
 */
struct enl_qmp *enl_qmp_new(const char *path, void (*connected)(void *ctx),
			    void *ctx, int *err);
void enl_qmp_free(struct enl_qmp *qmp);

/* Read what QEMU left in the socket (call once it exited). */
void enl_qmp_drain(struct enl_qmp *qmp);

/* "reason" of the last SHUTDOWN event ("guest-shutdown", ...) or NULL. */
const char *enl_qmp_shutdown_reason(const struct enl_qmp *qmp);

/* Pull one string member out of a QMP JSON line; NULL when absent. */
char *enl_qmp_json_string(const char *line, const char *key);

#endif /* ENL_HOST_QMP_H */
