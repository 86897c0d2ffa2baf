/* SPDX-License-Identifier: GPL-3.0-or-later */
/* notification.c - decoding a notification body (docs/notifications.md), field by field in
 * frame order, so that the first field breaking a rule names the reason. */
#include "notification.h"

#include <string.h>

#include "utf8.h"

#define MM_NOTIFICATION_TEXT(name, text) [name] = text,
static const char *const reasons[] = {MM_NOTIFICATION_RESULTS(MM_NOTIFICATION_TEXT)};
#undef MM_NOTIFICATION_TEXT

const char *mm_notification_reason(enum mm_notification_result result)
{
	return reasons[result];
}

struct reader {
	const uint8_t *at;
	const uint8_t *end;
	char *strings; /* where the next string and its NUL go */
};

static size_t remaining(const struct reader *reader)
{
	return (size_t)(reader->end - reader->at);
}

static enum mm_notification_result read_u8(struct reader *reader, uint8_t *value)
{
	if (remaining(reader) < 1)
		return MM_NOTIFICATION_TRUNCATED;
	*value = *reader->at++;
	return MM_NOTIFICATION_OK;
}

static enum mm_notification_result read_u32(struct reader *reader, uint32_t *value)
{
	if (remaining(reader) < 4)
		return MM_NOTIFICATION_TRUNCATED;
	*value = (uint32_t)reader->at[0] | (uint32_t)reader->at[1] << 8 |
		 (uint32_t)reader->at[2] << 16 | (uint32_t)reader->at[3] << 24;
	reader->at += 4;
	return MM_NOTIFICATION_OK;
}

/* A string of `prefix` length bytes (1: str8, 2: str16); an empty one is refused when
 * `required`. A NUL byte or ill-formed UTF-8 is refused. */
static enum mm_notification_result read_string(struct reader *reader, unsigned int prefix,
					       bool required, const char **value)
{
	size_t len;

	if (remaining(reader) < prefix)
		return MM_NOTIFICATION_TRUNCATED;
	len = prefix == 1 ? reader->at[0] : (size_t)reader->at[0] | (size_t)reader->at[1] << 8;
	reader->at += prefix;
	if (remaining(reader) < len)
		return MM_NOTIFICATION_TRUNCATED;
	if ((required && len == 0) || memchr(reader->at, 0, len) ||
	    !mm_utf8_valid((const char *)reader->at, len))
		return MM_NOTIFICATION_INVALID_STRING;
	memcpy(reader->strings, reader->at, len);
	reader->strings[len] = '\0';
	*value = reader->strings;
	reader->strings += len + 1;
	reader->at += len;
	return MM_NOTIFICATION_OK;
}

#define TRY(call)                                               \
	do {                                                    \
		enum mm_notification_result result_ = (call);   \
		if (result_ != MM_NOTIFICATION_OK)              \
			return result_;                         \
	} while (0)

enum mm_notification_result mm_notification_decode(const uint8_t *body, size_t len,
						   char *strings,
						   struct mapistore_mgmt_notification *out)
{
	struct reader reader = {body, body + len, strings};
	uint8_t version, kind;

	TRY(read_u8(&reader, &version));
	if (version != MM_NOTIFICATION_VERSION)
		return MM_NOTIFICATION_UNKNOWN_VERSION;
	TRY(read_u8(&reader, &kind));
	if (kind != MM_NOTIFICATION_KIND_NEW_MAIL)
		return MM_NOTIFICATION_UNKNOWN_KIND;
	TRY(read_string(&reader, 1, true, &out->backend));
	TRY(read_string(&reader, 1, true, &out->username));
	TRY(read_string(&reader, 1, true, &out->vuser));
	TRY(read_string(&reader, 2, true, &out->folder));
	TRY(read_string(&reader, 2, true, &out->message_id));
	TRY(read_u32(&reader, &out->uidvalidity));
	TRY(read_string(&reader, 2, false, &out->sender));
	TRY(read_string(&reader, 2, false, &out->subject));
	return remaining(&reader) ? MM_NOTIFICATION_TRAILING_BYTES : MM_NOTIFICATION_OK;
}
