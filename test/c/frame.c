/* SPDX-License-Identifier: GPL-3.0-or-later */
/* frame.c - test-only decoder of wire protocol v1. */
#include "frame.h"

#include <stdlib.h>
#include <string.h>

struct reader {
	const uint8_t *p;
	const uint8_t *end;
	int failed;
};

static uint64_t get_le(struct reader *r, size_t width)
{
	uint64_t value = 0;

	if ((size_t)(r->end - r->p) < width) {
		r->failed = 1;
		return 0;
	}
	for (size_t i = 0; i < width; i++)
		value |= (uint64_t)r->p[i] << (8 * i);
	r->p += width;
	return value;
}

static void get_str8(struct reader *r, char out[256])
{
	size_t len = (size_t)get_le(r, 1);

	if (r->failed || len == 0 || (size_t)(r->end - r->p) < len || memchr(r->p, 0, len)) {
		r->failed = 1;
		out[0] = '\0';
		return;
	}
	memcpy(out, r->p, len);
	out[len] = '\0';
	r->p += len;
}

static void get_bytes(struct reader *r, uint8_t *out, size_t len)
{
	if ((size_t)(r->end - r->p) < len) {
		r->failed = 1;
		return;
	}
	memcpy(out, r->p, len);
	r->p += len;
}

/* The body of a message of frame->kind. Returns -1 for an unknown kind or an entry count that
 * could never fit. */
static int decode_body(struct reader *r, size_t len, struct frame *frame)
{
	if (frame->kind == 1 || frame->kind == 2) {
		get_str8(r, frame->backend);
		get_str8(r, frame->username);
		get_str8(r, frame->vuser);
		get_bytes(r, frame->replica_guid, 16);
		frame->repl_id = (uint16_t)get_le(r, 2);
	} else if (frame->kind == 3) {
		frame->interval_ms = (uint32_t)get_le(r, 4);
		frame->dropped = get_le(r, 8);
		frame->entry_count = (uint32_t)get_le(r, 4);
		if (r->failed || frame->entry_count > len)
			return -1;
		frame->entries = calloc(frame->entry_count + 1, sizeof(*frame->entries));
		if (!frame->entries)
			return -1;
		for (uint32_t i = 0; i < frame->entry_count && !r->failed; i++) {
			struct frame_entry *e = &frame->entries[i];

			get_str8(r, e->backend);
			get_str8(r, e->username);
			get_str8(r, e->vuser);
			get_bytes(r, e->replica_guid, 16);
			e->repl_id = (uint16_t)get_le(r, 2);
			e->count = (uint32_t)get_le(r, 4);
			if (e->count == 0)
				r->failed = 1;
		}
	} else if (frame->kind != 4) {
		return -1;
	}
	return 0;
}

static int decode_header(struct reader *r, struct frame *frame)
{
	memset(frame, 0, sizeof(*frame));
	if (get_le(r, 1) != 1)
		return -1;
	frame->kind = (int)get_le(r, 1);
	frame->pid = (uint32_t)get_le(r, 4);
	frame->epoch = get_le(r, 8);
	frame->seq = get_le(r, 8);
	get_str8(r, frame->host);
	return r->failed || frame->pid == 0 || frame->seq == 0 ? -1 : 0;
}

int frame_decode(const uint8_t *bytes, size_t len, struct frame *frame)
{
	struct reader r = {bytes, bytes + len, 0};

	if (decode_header(&r, frame) != 0 || decode_body(&r, len, frame) != 0 || r.failed ||
	    r.p != r.end) {
		frame_free(frame);
		return -1;
	}
	return 0;
}

int frame_decode_batch(const uint8_t *bytes, size_t len, struct frame **frames, size_t *count)
{
	struct reader r = {bytes, bytes + len, 0};
	struct frame header;
	size_t n;

	*frames = NULL;
	*count = 0;
	if (decode_header(&r, &header) != 0 || header.kind != 5)
		return -1;
	n = (size_t)get_le(&r, 2);
	if (r.failed || n < 2 || !(*frames = calloc(n, sizeof(**frames))))
		return -1;
	for (size_t i = 0; i < n && !r.failed; i++) {
		struct frame *frame = &(*frames)[i];

		*frame = header;
		frame->seq = header.seq + i;
		frame->kind = (int)get_le(&r, 1);
		*count = i + 1;
		if (frame->kind < 1 || frame->kind > 4 || decode_body(&r, len, frame) != 0)
			r.failed = 1;
	}
	if (r.failed || r.p != r.end) {
		frames_free(*frames, *count);
		*frames = NULL;
		*count = 0;
		return -1;
	}
	return 0;
}

void frames_free(struct frame *frames, size_t count)
{
	for (size_t i = 0; i < count; i++)
		frame_free(&frames[i]);
	free(frames);
}

void frame_free(struct frame *frame)
{
	free(frame->entries);
	frame->entries = NULL;
}

const struct frame_entry *frame_find_entry(const struct frame *frame, const char *backend,
					   const char *username, const char *vuser)
{
	for (uint32_t i = 0; i < frame->entry_count; i++) {
		const struct frame_entry *e = &frame->entries[i];

		if (strcmp(e->backend, backend) == 0 && strcmp(e->username, username) == 0 &&
		    strcmp(e->vuser, vuser) == 0)
			return e;
	}
	return NULL;
}
