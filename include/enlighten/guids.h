/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Device classes the suite serves: the class GUID a VMBus offer carries in
 * if_type, and the short service name used for /dev/vmbus/<name> and logs.
 *
 * Each ENL_GUID_* expands to an initializer, usable for a struct enl_guid
 * or (same layout) a kernel guid_t:
 *	static const struct enl_guid g = ENL_GUID_KVP;
 *	{ .guid = ENL_GUID_KVP }	(struct hv_vmbus_device_id)
 */
#ifndef _ENLIGHTEN_GUIDS_H
#define _ENLIGHTEN_GUIDS_H

#include <enlighten/types.h>

/* ---- Hyper-V device classes ------------------------------------------- */

/* Synthetic SCSI controller, {ba6163d9-04a1-4d29-b605-72e2ffb1dc7f} */
#define ENL_GUID_SCSI							\
	ENL_GUID_INIT(0xba6163d9, 0x04a1, 0x4d29, 0xb6, 0x05,		\
		      0x72, 0xe2, 0xff, 0xb1, 0xdc, 0x7f)

/* Synthetic IDE (storvsc on an IDE channel), {32412632-86cb-44a2-9b5c-50d1417354f5} */
#define ENL_GUID_IDE							\
	ENL_GUID_INIT(0x32412632, 0x86cb, 0x44a2, 0x9b, 0x5c,		\
		      0x50, 0xd1, 0x41, 0x73, 0x54, 0xf5)

/* Synthetic network adapter, {f8615163-df3e-46c5-913f-f2d2f965ed0e} */
#define ENL_GUID_NETWORK						\
	ENL_GUID_INIT(0xf8615163, 0xdf3e, 0x46c5, 0x91, 0x3f,		\
		      0xf2, 0xd2, 0xf9, 0x65, 0xed, 0x0e)

/* Synthetic mouse (synthhid), {cfa8b69e-5b4a-4cc0-b98b-8ba1a1f3f95a} */
#define ENL_GUID_MOUSE							\
	ENL_GUID_INIT(0xcfa8b69e, 0x5b4a, 0x4cc0, 0xb9, 0x8b,		\
		      0x8b, 0xa1, 0xa1, 0xf3, 0xf9, 0x5a)

/* Synthetic keyboard, {f912ad6d-2b17-48ea-bd65-f927a61c7684} */
#define ENL_GUID_KEYBOARD						\
	ENL_GUID_INIT(0xf912ad6d, 0x2b17, 0x48ea, 0xbd, 0x65,		\
		      0xf9, 0x27, 0xa6, 0x1c, 0x76, 0x84)

/* Synthetic video, {da0a7802-e377-4aac-8e77-0558eb1073f8} */
#define ENL_GUID_SYNTHVID						\
	ENL_GUID_INIT(0xda0a7802, 0xe377, 0x4aac, 0x8e, 0x77,		\
		      0x05, 0x58, 0xeb, 0x10, 0x73, 0xf8)

/* Heartbeat IC, {57164f39-9115-4e78-ab55-382f3bd5422d} */
#define ENL_GUID_HEARTBEAT						\
	ENL_GUID_INIT(0x57164f39, 0x9115, 0x4e78, 0xab, 0x55,		\
		      0x38, 0x2f, 0x3b, 0xd5, 0x42, 0x2d)

/* Shutdown IC, {0e0b6031-5213-4934-818b-38d90ced39db} */
#define ENL_GUID_SHUTDOWN						\
	ENL_GUID_INIT(0x0e0b6031, 0x5213, 0x4934, 0x81, 0x8b,		\
		      0x38, 0xd9, 0x0c, 0xed, 0x39, 0xdb)

/* Time synchronization IC, {9527e630-d0ae-497b-adce-e80ab0175caf} */
#define ENL_GUID_TIMESYNC						\
	ENL_GUID_INIT(0x9527e630, 0xd0ae, 0x497b, 0xad, 0xce,		\
		      0xe8, 0x0a, 0xb0, 0x17, 0x5c, 0xaf)

/* Key-value pair exchange IC, {a9a0f4e7-5a45-4d96-b827-8a841e8c03e6} */
#define ENL_GUID_KVP							\
	ENL_GUID_INIT(0xa9a0f4e7, 0x5a45, 0x4d96, 0xb8, 0x27,		\
		      0x8a, 0x84, 0x1e, 0x8c, 0x03, 0xe6)

/* Backup (volume shadow copy) IC, {35fa2e29-ea23-4236-96ae-3a6ebacba440} */
#define ENL_GUID_VSS							\
	ENL_GUID_INIT(0x35fa2e29, 0xea23, 0x4236, 0x96, 0xae,		\
		      0x3a, 0x6e, 0xba, 0xcb, 0xa4, 0x40)

/* ---- Enlighten's own device classes ----------------------------------- */

/*
 * These were generated once with a random (version 4) UUID generator for
 * this project and are served only by enl-host; Hyper-V never offers them.
 * Never change them: guests and hosts of different releases must agree.
 */

/* Clipboard sharing, {17ca3b05-68b7-423e-8571-576c393677b3} */
#define ENL_GUID_CLIPBOARD						\
	ENL_GUID_INIT(0x17ca3b05, 0x68b7, 0x423e, 0x85, 0x71,		\
		      0x57, 0x6c, 0x39, 0x36, 0x77, 0xb3)

/* Echo test device, {267a601f-3d52-4452-9f34-375f9d83e7cf} */
#define ENL_GUID_ECHO							\
	ENL_GUID_INIT(0x267a601f, 0x3d52, 0x4452, 0x9f, 0x34,		\
		      0x37, 0x5f, 0x9d, 0x83, 0xe7, 0xcf)

/*
 * Echo test device with sub-channels (echo.h), served by enl-host only,
 * {2f424213-b9c9-4d9a-a9bb-f80d0f31bf87}
 */
#define ENL_GUID_ECHO_MQ						\
	ENL_GUID_INIT(0x2f424213, 0xb9c9, 0x4d9a, 0xa9, 0xbb,		\
		      0xf8, 0x0d, 0x0f, 0x31, 0xbf, 0x87)

/* ---- Lookup ----------------------------------------------------------- */

enum enl_dev_class {
	ENL_DEV_UNKNOWN = 0,
	ENL_DEV_SCSI,
	ENL_DEV_IDE,
	ENL_DEV_NETWORK,
	ENL_DEV_MOUSE,
	ENL_DEV_KEYBOARD,
	ENL_DEV_SYNTHVID,
	ENL_DEV_HEARTBEAT,
	ENL_DEV_SHUTDOWN,
	ENL_DEV_TIMESYNC,
	ENL_DEV_KVP,
	ENL_DEV_VSS,
	ENL_DEV_CLIPBOARD,
	ENL_DEV_ECHO,
	ENL_DEV_ECHO_MQ,
	ENL_DEV_COUNT
};

static inline int enl_guid_equal(const struct enl_guid *a,
				 const struct enl_guid *b)
{
	unsigned int i;

	for (i = 0; i < sizeof(a->b); i++)
		if (a->b[i] != b->b[i])
			return 0;
	return 1;
}

/* Class GUID of @cls; the all-zero GUID for ENL_DEV_UNKNOWN or out of range. */
static inline const struct enl_guid *enl_dev_class_guid(enum enl_dev_class cls)
{
	static const struct enl_guid guids[ENL_DEV_COUNT] = {
		[ENL_DEV_SCSI]		= ENL_GUID_SCSI,
		[ENL_DEV_IDE]		= ENL_GUID_IDE,
		[ENL_DEV_NETWORK]	= ENL_GUID_NETWORK,
		[ENL_DEV_MOUSE]		= ENL_GUID_MOUSE,
		[ENL_DEV_KEYBOARD]	= ENL_GUID_KEYBOARD,
		[ENL_DEV_SYNTHVID]	= ENL_GUID_SYNTHVID,
		[ENL_DEV_HEARTBEAT]	= ENL_GUID_HEARTBEAT,
		[ENL_DEV_SHUTDOWN]	= ENL_GUID_SHUTDOWN,
		[ENL_DEV_TIMESYNC]	= ENL_GUID_TIMESYNC,
		[ENL_DEV_KVP]		= ENL_GUID_KVP,
		[ENL_DEV_VSS]		= ENL_GUID_VSS,
		[ENL_DEV_CLIPBOARD]	= ENL_GUID_CLIPBOARD,
		[ENL_DEV_ECHO]		= ENL_GUID_ECHO,
		[ENL_DEV_ECHO_MQ]	= ENL_GUID_ECHO_MQ,
	};

	if ((unsigned int)cls >= ENL_DEV_COUNT)
		cls = ENL_DEV_UNKNOWN;
	return &guids[cls];
}

/* Class of an offer's if_type; ENL_DEV_UNKNOWN if the suite does not serve it. */
static inline enum enl_dev_class enl_dev_class_from_guid(const struct enl_guid *g)
{
	unsigned int i;

	for (i = ENL_DEV_UNKNOWN + 1; i < ENL_DEV_COUNT; i++)
		if (enl_guid_equal(g, enl_dev_class_guid((enum enl_dev_class)i)))
			return (enum enl_dev_class)i;
	return ENL_DEV_UNKNOWN;
}

/*
 * Short service name: the /dev/vmbus/<name> node of the IC-style services
 * and the tag in logs. Never NULL; "unknown" for anything unserved.
 */
static inline const char *enl_dev_class_name(enum enl_dev_class cls)
{
	switch (cls) {
	case ENL_DEV_SCSI:	return "scsi";
	case ENL_DEV_IDE:	return "ide";
	case ENL_DEV_NETWORK:	return "network";
	case ENL_DEV_MOUSE:	return "mouse";
	case ENL_DEV_KEYBOARD:	return "keyboard";
	case ENL_DEV_SYNTHVID:	return "video";
	case ENL_DEV_HEARTBEAT:	return "heartbeat";
	case ENL_DEV_SHUTDOWN:	return "shutdown";
	case ENL_DEV_TIMESYNC:	return "timesync";
	case ENL_DEV_KVP:	return "kvp";
	case ENL_DEV_VSS:	return "vss";
	case ENL_DEV_CLIPBOARD:	return "clipboard";
	case ENL_DEV_ECHO:	return "echo";
	case ENL_DEV_ECHO_MQ:	return "echo-mq";
	default:		return "unknown";
	}
}

#endif /* _ENLIGHTEN_GUIDS_H */
