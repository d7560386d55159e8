/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * UTF-16LE (the strings Hyper-V puts on the wire) <-> UTF-8, with every
 * length bounded by the caller's buffers and every code point validated.
 */
#ifndef ENL_UTF16_H
#define ENL_UTF16_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Decode at most in_bytes of UTF-16LE, stopping at the first NUL unit, into
 * NUL-terminated UTF-8 in out (out_size bytes with the NUL). Returns the UTF-8
 * length without the NUL, -EINVAL for an odd byte count or a NUL code point
 * smuggled in UTF-8 terms, -EILSEQ for an unpaired surrogate, -ENOSPC when
 * out is too small.
 */
ssize_t enl_utf16le_to_utf8(const void *in, size_t in_bytes,
			    char *out, size_t out_size);

/*
 * Encode the NUL-terminated UTF-8 string in as UTF-16LE with a NUL unit at
 * the end. Returns the bytes written including that NUL unit (the way KVP
 * counts key and value sizes), -EILSEQ for invalid UTF-8 (overlong forms,
 * encoded surrogates, beyond U+10FFFF, truncated sequences), -ENOSPC when out
 * is too small.
 */
ssize_t enl_utf8_to_utf16le(const char *in, void *out, size_t out_bytes);

#endif /* ENL_UTF16_H */
