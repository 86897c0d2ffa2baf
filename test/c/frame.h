/* SPDX-License-Identifier: GPL-3.0-or-later */
/* frame.h - a small, test-only decoder of wire protocol v1 frames (the notifier has the real,
 * strict one); it fails the test on anything it cannot read. */
#ifndef TEST_FRAME_H
#define TEST_FRAME_H

#include <stddef.h>
#include <stdint.h>

struct frame_entry {
	char backend[256];
	char username[256];
	char vuser[256];
	uint8_t replica_guid[16];
	uint16_t repl_id;
	uint32_t count;
};

struct frame {
	int kind; /* 1 register, 2 unregister, 3 heartbeat, 4 goodbye (5 batch: frame_decode_batch) */
	uint32_t pid;
	uint64_t epoch;
	uint64_t seq;
	char host[256];
	/* register, unregister */
	char backend[256];
	char username[256];
	char vuser[256];
	uint8_t replica_guid[16];
	uint16_t repl_id;
	/* heartbeat */
	uint32_t interval_ms;
	uint64_t dropped;
	uint32_t entry_count;
	struct frame_entry *entries;
};

/* Decodes bytes into *frame (entries allocated); returns 0, or -1 for a malformed frame. */
int frame_decode(const uint8_t *bytes, size_t len, struct frame *frame);
void frame_free(struct frame *frame);

/* Decodes a batch frame (kind 5) into its messages (*frames, *count of them, allocated), each
 * with the batch's source and its own seq; returns 0, or -1 for a malformed batch. */
int frame_decode_batch(const uint8_t *bytes, size_t len, struct frame **frames, size_t *count);
void frames_free(struct frame *frames, size_t count);

/* The entry of a heartbeat for a triple, or NULL. */
const struct frame_entry *frame_find_entry(const struct frame *frame, const char *backend,
					   const char *username, const char *vuser);

#endif
