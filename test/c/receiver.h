/* SPDX-License-Identifier: GPL-3.0-or-later */
/* receiver.h - a real ZeroMQ PULL socket bound on a unique endpoint, standing where the
 * notifier would, for the C tests. */
#ifndef TEST_RECEIVER_H
#define TEST_RECEIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frame.h"

struct receiver {
	void *context;
	void *socket;
	char endpoint[512];
	char directory[256]; /* ipc only: the temporary directory holding the socket */
	/* Of the last message received: its ZeroMQ frames, and the largest one's size. */
	size_t frames;
	size_t largest_frame;
	/* Batch frames received, and the messages of the last one not yet returned. */
	size_t batches;
	struct frame *batch;
	size_t batch_count, batch_next;
};

/* Binds on "ipc" (a socket in a fresh temporary directory) or "tcp" (127.0.0.1, a free port). */
void receiver_open(struct receiver *receiver, const char *transport);

/* Binds on exactly this endpoint (the directory of an ipc path is not removed at close). */
void receiver_bind(struct receiver *receiver, const char *endpoint);

/* An ipc endpoint in the receiver's directory where nobody listens (yet). */
void receiver_spare_endpoint(const struct receiver *receiver, const char *name, char *out,
			     size_t size);

/* Waits up to timeout_ms for a message and decodes it (a malformed one fails the test); a
 * multipart message is decoded as its frames concatenated. The messages of a batch frame are
 * returned one by one, in order (receiver->batches counts batch frames). Returns false on
 * timeout. */
bool receiver_next(struct receiver *receiver, struct frame *frame, int timeout_ms);

/* Receives a new source's first message and checks it is what the library sends first: an
 * empty heartbeat, seq 1, announcing `interval_ms`. Fills *frame (the caller frees it). */
void receiver_expect_announcement(struct receiver *receiver, struct frame *frame,
				  unsigned int interval_ms, int timeout_ms);
void receiver_close(struct receiver *receiver);

/* Milliseconds on the monotonic clock. */
uint64_t now_ms(void);

/* Sleeps for ms milliseconds (for bounded polling loops). */
void sleep_ms(unsigned int ms);

/* Points the library at the receiver with the given heartbeat interval and queue bound. */
void configure_library(const char *endpoint, unsigned int heartbeat_ms, unsigned int queue_limit);

#endif
