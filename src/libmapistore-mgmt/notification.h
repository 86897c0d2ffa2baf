/* SPDX-License-Identifier: GPL-3.0-or-later */
/* notification.h - the decoder of new-mail notification bodies, frames v1
 * (docs/notifications.md). Pure: no allocation, no lock, no libzmq. */
#ifndef MM_NOTIFICATION_H
#define MM_NOTIFICATION_H

#include <stddef.h>
#include <stdint.h>

#include <mapistore/mapistore_mgmt.h>

#define MM_NOTIFICATION_VERSION 1
#define MM_NOTIFICATION_KIND_NEW_MAIL 1

/* Why a body is rejected: the reasons of docs/notifications.md, in its words. */
#define MM_NOTIFICATION_RESULTS(X)                 \
	X(MM_NOTIFICATION_OK, "ok")                  \
	X(MM_NOTIFICATION_TRUNCATED, "truncated")           \
	X(MM_NOTIFICATION_TRAILING_BYTES, "trailing-bytes") \
	X(MM_NOTIFICATION_UNKNOWN_VERSION, "unknown-version") \
	X(MM_NOTIFICATION_UNKNOWN_KIND, "unknown-kind")     \
	X(MM_NOTIFICATION_INVALID_STRING, "invalid-string")

#define MM_NOTIFICATION_ENUM(name, text) name,
enum mm_notification_result { MM_NOTIFICATION_RESULTS(MM_NOTIFICATION_ENUM) };
#undef MM_NOTIFICATION_ENUM

/* The reason's name as the spec and the golden vectors spell it ("truncated", ...). */
const char *mm_notification_reason(enum mm_notification_result result);

/* Decodes body[0..len). The strings are copied, each followed by a NUL, into `strings`, which
 * must hold `len` bytes (every string has a length prefix at least as long as its NUL), and
 * the fields of `out` point into it (sender and subject are "" when absent; out->storage is
 * left alone). On a rejection `out` and `strings` hold nothing meaningful. */
enum mm_notification_result mm_notification_decode(const uint8_t *body, size_t len,
						   char *strings,
						   struct mapistore_mgmt_notification *out);

#endif
