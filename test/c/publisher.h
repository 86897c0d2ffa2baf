/* SPDX-License-Identifier: GPL-3.0-or-later */
/* publisher.h - a real ZeroMQ XPUB socket standing where the notifier's PUB socket would, for
 * the C tests of the subscriber. An XPUB also receives the subscriptions: a test waits for the
 * one it made to arrive before publishing, instead of waiting for time to pass. */
#ifndef TEST_PUBLISHER_H
#define TEST_PUBLISHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "notification_vectors.h"

/* Generous: only a guard against a hang, never a measure. */
#define PUBLISHER_HANG_GUARD_MS 30000

struct publisher {
	void *context;
	void *socket;
	char endpoint[512];
};

/* Binds on exactly `endpoint` (an ipc path's directory must exist). */
void publisher_bind(struct publisher *publisher, const char *endpoint);

/* Waits for the subscription (subscribe) or its end (!subscribe) to `username` NUL; fails the
 * test on anything else, or after PUBLISHER_HANG_GUARD_MS. */
void publisher_await(struct publisher *publisher, bool subscribe, const char *username);

/* Sends the frames given, in one message. */
void publisher_send(struct publisher *publisher, const void *const *frames,
		    const size_t *sizes, size_t count);

/* Sends [topic, body] of a vector under the topic `username` NUL (NULL: the vector's own). */
void publisher_send_vector(struct publisher *publisher, const struct notification_vector *vector,
			   const char *username);

void publisher_close(struct publisher *publisher);

#endif
