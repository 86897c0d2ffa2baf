/* SPDX-License-Identifier: GPL-3.0-or-later */
/* utf8.h - well-formed UTF-8 as docs/protocol.md requires it. */
#ifndef MM_UTF8_H
#define MM_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when bytes[0..len) is well-formed UTF-8: no overlong form, no surrogate, nothing
 * above U+10FFFF, no truncated sequence. NUL bytes are valid UTF-8 (callers pass C strings,
 * which cannot hold one). */
bool mm_utf8_valid(const char *bytes, size_t len);

#endif
