/* SPDX-License-Identifier: GPL-3.0-or-later */
/* batch.c - plans and packs batch frames from encoded messages. A message is copied as it was
 * encoded when queued (its seq included): only its header is left out, the batch's stands for
 * it. */
#include "batch.h"

/* A batch's count is a u16. */
#define MM_BATCH_COUNT_MAX 65535u

/* Heartbeats and goodbyes always go alone, though a batch may hold them: a notifier older than
 * batches then still gets every one (its leases renewed, its table repaired each interval). */
static bool may_batch(const struct mm_message *message)
{
	return message->kind == MM_KIND_REGISTER || message->kind == MM_KIND_UNREGISTER;
}

size_t mm_batch_plan(const struct mm_message *first, size_t max, size_t frame_max,
		     size_t *frame_len)
{
	size_t header = mm_wire_message_header_size(first->bytes);
	size_t len = header + MM_WIRE_BATCH_COUNT + 1 + first->len - header;
	size_t count = 1;

	if (max > MM_BATCH_COUNT_MAX)
		max = MM_BATCH_COUNT_MAX;
	if (!may_batch(first) || len > frame_max) {
		*frame_len = first->len;
		return 1;
	}
	for (const struct mm_message *next = first->next; next && count < max; next = next->next) {
		size_t member = 1 + next->len - header;

		if (!may_batch(next) || next->len < header || len + member > frame_max ||
		    !mm_wire_batch_continues(first->bytes, next->bytes, count))
			break;
		len += member;
		count++;
	}
	*frame_len = count == 1 ? first->len : len;
	return count;
}

void mm_batch_pack(uint8_t *out, const struct mm_message *first, size_t count)
{
	const struct mm_message *message = first;

	out = mm_wire_put_batch_header(out, first->bytes, (uint16_t)count);
	for (size_t i = 0; i < count; i++, message = message->next)
		out = mm_wire_put_batch_member(out, message->bytes, message->len);
}
