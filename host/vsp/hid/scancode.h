/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Keys as the synthetic keyboard carries them: scancode set 1 make codes
 * with their E0/E1 prefixes, and the translations enl-host needs into
 * them: key names and combos (`ctl key ctrl+alt+f2`), text on a US layout
 * (`ctl type`) and X11 keysyms (what a VNC client sends).
 */
#ifndef ENL_HOST_HID_SCANCODE_H
#define ENL_HOST_HID_SCANCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* enl_scan_event.flags */
#define ENL_SCAN_BREAK	0x1u	/* key up */
#define ENL_SCAN_E0	0x2u
#define ENL_SCAN_E1	0x4u

/* One keystroke message's worth: a make code and how it is sent. */
struct enl_scan_event {
	uint8_t code;		/* set 1 make code, 0x01..0x7f */
	uint8_t flags;		/* ENL_SCAN_* */
};

/* A key: its make code and whether it needs the E0 prefix. */
struct enl_key {
	uint8_t code;
	bool e0;
	bool pause;		/* Pause: E1 1D 45 on press, nothing on release */
};

/* Events one key press or release can need at most (Pause: four). */
#define ENL_SCAN_MAX_PER_KEY	4
/* Most keys in one combo. */
#define ENL_SCAN_MAX_COMBO	8

/* A key by name ("a", "Return", "ctrl", "f2", "kp7"...), any case. */
int enl_key_by_name(const char *name, struct enl_key *key);

/* The events of pressing (down) or releasing key; how many (<= 4). */
size_t enl_key_events(const struct enl_key *key, bool down,
		      struct enl_scan_event *ev);

/*
 * "ctrl+alt+f2": press each key left to right, release right to left.
 * Returns the number of events written, -EINVAL (unknown key, empty part;
 * *bad then points at the offending part) or -ENOSPC (more than max).
 */
int enl_scan_combo(const char *combo, struct enl_scan_event *ev, size_t max,
		   const char **bad);

/*
 * Text typed on a US keyboard: printable ASCII, newline (Return) and tab;
 * shifted characters are wrapped in left shift. Returns the number of
 * events written, -EINVAL (a character with no key; *bad_at = its byte
 * offset) or -ENOSPC.
 */
int enl_scan_text(const char *text, struct enl_scan_event *ev, size_t max,
		  size_t *bad_at);

/*
 * An X11 keysym (RFB KeyEvent) going down or up: letters and symbols map
 * to the key that produces them on a US layout, without shift (the client
 * sends Shift itself). Returns the number of events (0 for a keysym with
 * no key).
 */
size_t enl_scan_keysym(uint32_t keysym, bool down, struct enl_scan_event *ev);

#endif /* ENL_HOST_HID_SCANCODE_H */
