/* SPDX-License-Identifier: GPL-3.0-or-later */
/* wire.h - the encoder of wire protocol v1 (docs/protocol.md). */
#ifndef MM_WIRE_H
#define MM_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "source.h"

#define MM_WIRE_VERSION 1
#define MM_WIRE_GUID_SIZE 16

enum mm_kind {
	MM_KIND_REGISTER = 1,
	MM_KIND_UNREGISTER = 2,
	MM_KIND_HEARTBEAT = 3,
	MM_KIND_GOODBYE = 4,
	MM_KIND_BATCH = 5, /* several messages of kinds 1..4 in one frame */
};

/* A string already checked: 1..255 bytes of UTF-8. */
struct mm_text {
	const char *bytes;
	size_t len;
};

/* A user command's fields, as they go on the wire. */
struct mm_command {
	struct mm_text backend;
	struct mm_text username;
	struct mm_text vuser;
	uint8_t replica_guid[MM_WIRE_GUID_SIZE];
	uint16_t repl_id;
};

/* Sizes in bytes. The key is the three str8 strings (backend, username, vuser). */
size_t mm_wire_header_size(const struct mm_source *source);
size_t mm_wire_key_size(const struct mm_command *command);
size_t mm_wire_command_size(const struct mm_source *source, const struct mm_command *command);
/* The largest frame sent. A longer message (a heartbeat) goes as a ZeroMQ multipart message
 * whose frames, concatenated, are its bytes: frames of MM_WIRE_FRAME_MAX bytes, the last one
 * shorter (docs/protocol.md, "Frames"). The notifier accepts frames of at least this size. */
#define MM_WIRE_FRAME_MAX 65536

/* The length of the frame of a `len`-byte message that starts at `offset` (< len), frames
 * being at most `frame_max` bytes. */
static inline size_t mm_wire_frame_len(size_t len, size_t offset, size_t frame_max)
{
	return len - offset < frame_max ? len - offset : frame_max;
}

/* A heartbeat's fixed part after the header: interval, dropped, n. */
#define MM_WIRE_HEARTBEAT_FIXED (4 + 8 + 4)
/* A heartbeat entry after its key: guid, repl_id, count. */
#define MM_WIRE_ENTRY_TAIL (MM_WIRE_GUID_SIZE + 2 + 4)

/* Each writer stores its field at `out` and returns the byte after it. */
uint8_t *mm_wire_put_header(uint8_t *out, enum mm_kind kind, const struct mm_source *source,
			    uint64_t seq);
uint8_t *mm_wire_put_key(uint8_t *out, const struct mm_command *command);
uint8_t *mm_wire_put_heartbeat_fixed(uint8_t *out, uint32_t interval_ms, uint64_t dropped,
				     uint32_t entries);
uint8_t *mm_wire_put_entry_tail(uint8_t *out, const uint8_t guid[MM_WIRE_GUID_SIZE],
				uint16_t repl_id, uint32_t count);

/* Batches (docs/protocol.md, "Batches"): the header of the first message with kind 5, a u16
 * count, then each message's kind byte and body. Built from messages already encoded. */
#define MM_WIRE_BATCH_COUNT 2
/* The header's length in an encoded message. */
size_t mm_wire_message_header_size(const uint8_t *message);
/* True when the encoded message `next` may be message number `index` of a batch that begins
 * with `first`: the same source (pid, epoch, host) and seq = first's seq + index. */
bool mm_wire_batch_continues(const uint8_t *first, const uint8_t *next, uint64_t index);
/* The batch's header: `first`'s header as kind 5, then `count`. */
uint8_t *mm_wire_put_batch_header(uint8_t *out, const uint8_t *first, uint16_t count);
/* One message of a batch: the encoded message's kind byte, then its `len - header` bytes of
 * body. */
uint8_t *mm_wire_put_batch_member(uint8_t *out, const uint8_t *message, size_t len);

/* A whole register or unregister frame, mm_wire_command_size() bytes, with an explicit
 * source identity (the golden-vector test passes its own). */
uint8_t *mm_wire_encode_command(uint8_t *out, enum mm_kind kind, const struct mm_source *source,
				uint64_t seq, const struct mm_command *command);

#endif
