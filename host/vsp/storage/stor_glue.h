/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * enl-host's storage glue: `--disk FILE[,ro][,wt][,ide][,lun=N][,bs=N]
 * [,serial=S][,nodirect]` and the ctl verb `disk`. A disk goes to the
 * first offer of its controller class ("scsi", or "ide" with ,ide), which
 * is offered first if there is none; `--offer scsi` gives an empty one.
 * Compiled into enl-host itself (it needs host/ctl), like the other glue.
 */
#ifndef ENL_HOST_STOR_GLUE_H
#define ENL_HOST_STOR_GLUE_H

#include <stdbool.h>

#include <glib.h>

#include "stor_vsp.h"
#include "vsp.h"

struct enl_ctl;
struct enl_vmbus_server;

/* One --disk / `disk add` argument, parsed. */
struct enl_disk_spec {
	bool ide;			/* the IDE accelerator, not SCSI */
	int lun;			/* -1: the lowest free one */
	struct enl_stor_disk_opts opts;	/* opts.path, opts.serial owned */
};

/* 0, or -EINVAL with the reason in err. */
int enl_disk_spec_parse(const char *s, struct enl_disk_spec *spec,
			GString *err);
void enl_disk_spec_clear(struct enl_disk_spec *spec);
/* "N", "scsi:N" or "ide:N": 0 or -EINVAL. */
int enl_disk_addr_parse(const char *s, bool *ide, unsigned int *lun);
/* Bytes with an optional K, M, G or T (powers of 1024): 0 or -EINVAL. */
int enl_disk_size_parse(const char *s, uint64_t *bytes);

/*
 * Attach the disk spec names to the first offer of its class (offering
 * one if there is none) and tell a guest using it (ENUMERATE_BUS).
 * 0 or -errno, why in out; on success out gets "scsi:LUN" or "ide:LUN".
 */
int enl_stor_add_disk(struct enl_vmbus_server *srv, const char *spec,
		      GString *out);

/* disk add|remove|resize|list [--json]|stats */
void enl_stor_register_ctl(struct enl_vmbus_server *srv, struct enl_ctl *ctl);

/*
 * Run fn on every SCSI controller and IDE accelerator (not their
 * sub-channels), in relid order, each on its own context; how many.
 */
int enl_stor_each_ctrl(struct enl_vmbus_server *srv, struct enl_ctl_req *req,
		       enl_vsp_req_fn fn);

/*
 * The disk step of `enl-host ctl backup --to DEST` (backup.c), for the
 * backup verb to run while the guest is frozen: every LUN of every SCSI
 * controller and IDE accelerator copied to DEST (a directory: one
 * <class><lun>.img each, e.g. scsi0.img, <class><lun>-relid<N>.img on
 * a class's further controllers; or, for a single disk, the file itself),
 * as a reflink where the file system can, else extent by extent, made
 * durable. New files only (an existing one is an error). A line per
 * disk to out; 0 or -errno.
 */
int enl_stor_backup(struct enl_vmbus_server *srv, const char *dest,
		    GString *out);

#endif /* ENL_HOST_STOR_GLUE_H */
