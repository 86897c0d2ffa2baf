/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wire.c - writes the little-endian frames of wire protocol v1, field by field. */
#include "wire.h"

#include <string.h>

#define MM_WIRE_HEADER_FIXED (1 + 1 + 4 + 8 + 8)
/* Offsets in the header: the kind, pid and epoch (the source but its host), seq, host. */
#define MM_WIRE_KIND_AT 1
#define MM_WIRE_SOURCE_AT 2
#define MM_WIRE_SEQ_AT 14
#define MM_WIRE_HOST_AT 22

static uint8_t *put_u8(uint8_t *out, uint8_t value)
{
	*out = value;
	return out + 1;
}

static uint8_t *put_le(uint8_t *out, uint64_t value, size_t width)
{
	for (size_t i = 0; i < width; i++)
		out[i] = (uint8_t)(value >> (8 * i));
	return out + width;
}

static uint8_t *put_str8(uint8_t *out, const char *bytes, size_t len)
{
	out = put_u8(out, (uint8_t)len);
	memcpy(out, bytes, len);
	return out + len;
}

size_t mm_wire_header_size(const struct mm_source *source)
{
	return MM_WIRE_HEADER_FIXED + 1 + source->host_len;
}

size_t mm_wire_key_size(const struct mm_command *command)
{
	return 3 + command->backend.len + command->username.len + command->vuser.len;
}

size_t mm_wire_command_size(const struct mm_source *source, const struct mm_command *command)
{
	return mm_wire_header_size(source) + mm_wire_key_size(command) + MM_WIRE_GUID_SIZE + 2;
}

uint8_t *mm_wire_put_header(uint8_t *out, enum mm_kind kind, const struct mm_source *source,
			    uint64_t seq)
{
	out = put_u8(out, MM_WIRE_VERSION);
	out = put_u8(out, (uint8_t)kind);
	out = put_le(out, source->pid, 4);
	out = put_le(out, source->epoch, 8);
	out = put_le(out, seq, 8);
	return put_str8(out, source->host, source->host_len);
}

uint8_t *mm_wire_put_key(uint8_t *out, const struct mm_command *command)
{
	out = put_str8(out, command->backend.bytes, command->backend.len);
	out = put_str8(out, command->username.bytes, command->username.len);
	return put_str8(out, command->vuser.bytes, command->vuser.len);
}

uint8_t *mm_wire_put_heartbeat_fixed(uint8_t *out, uint32_t interval_ms, uint64_t dropped,
				     uint32_t entries)
{
	out = put_le(out, interval_ms, 4);
	out = put_le(out, dropped, 8);
	return put_le(out, entries, 4);
}

static uint8_t *put_guid_and_repl_id(uint8_t *out, const uint8_t guid[MM_WIRE_GUID_SIZE],
				     uint16_t repl_id)
{
	memcpy(out, guid, MM_WIRE_GUID_SIZE);
	return put_le(out + MM_WIRE_GUID_SIZE, repl_id, 2);
}

uint8_t *mm_wire_put_entry_tail(uint8_t *out, const uint8_t guid[MM_WIRE_GUID_SIZE],
				uint16_t repl_id, uint32_t count)
{
	out = put_guid_and_repl_id(out, guid, repl_id);
	return put_le(out, count, 4);
}

uint8_t *mm_wire_encode_command(uint8_t *out, enum mm_kind kind, const struct mm_source *source,
				uint64_t seq, const struct mm_command *command)
{
	out = mm_wire_put_header(out, kind, source, seq);
	out = mm_wire_put_key(out, command);
	return put_guid_and_repl_id(out, command->replica_guid, command->repl_id);
}

size_t mm_wire_message_header_size(const uint8_t *message)
{
	return MM_WIRE_HEADER_FIXED + 1 + message[MM_WIRE_HOST_AT];
}

static uint64_t get_u64(const uint8_t *in)
{
	uint64_t value = 0;

	for (size_t i = 0; i < 8; i++)
		value |= (uint64_t)in[i] << (8 * i);
	return value;
}

bool mm_wire_batch_continues(const uint8_t *first, const uint8_t *next, uint64_t index)
{
	size_t host_end = mm_wire_message_header_size(first);

	return memcmp(first + MM_WIRE_SOURCE_AT, next + MM_WIRE_SOURCE_AT,
		      MM_WIRE_SEQ_AT - MM_WIRE_SOURCE_AT) == 0 &&
	       memcmp(first + MM_WIRE_HOST_AT, next + MM_WIRE_HOST_AT, host_end - MM_WIRE_HOST_AT) == 0 &&
	       get_u64(next + MM_WIRE_SEQ_AT) == get_u64(first + MM_WIRE_SEQ_AT) + index;
}

uint8_t *mm_wire_put_batch_header(uint8_t *out, const uint8_t *first, uint16_t count)
{
	size_t header = mm_wire_message_header_size(first);

	memcpy(out, first, header);
	out[MM_WIRE_KIND_AT] = MM_KIND_BATCH;
	return put_le(out + header, count, MM_WIRE_BATCH_COUNT);
}

uint8_t *mm_wire_put_batch_member(uint8_t *out, const uint8_t *message, size_t len)
{
	size_t header = mm_wire_message_header_size(message);

	out = put_u8(out, message[MM_WIRE_KIND_AT]);
	memcpy(out, message + header, len - header);
	return out + len - header;
}
