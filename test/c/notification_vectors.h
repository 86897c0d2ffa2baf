/* SPDX-License-Identifier: GPL-3.0-or-later */
/* notification_vectors.h - test/vectors/notification-v1.txt read into memory, for the C tests
 * of the decoder and of the subscriber. */
#ifndef TEST_NOTIFICATION_VECTORS_H
#define TEST_NOTIFICATION_VECTORS_H

#include <stddef.h>
#include <stdint.h>

#define NOTIFICATION_VECTOR_MAX_BODY 4096
#define NOTIFICATION_VECTORS_MAX 32

struct notification_vector {
	char name[128], backend[256], username[256], vuser[256], folder[1024], message_id[1024];
	char sender[1024], subject[1024], error[64];
	unsigned long uidvalidity;
	uint8_t topic[257], body[NOTIFICATION_VECTOR_MAX_BODY];
	size_t topic_len, body_len;
};

/* Reads every block of `path`; exits the test on a file it cannot read. Returns the count. */
size_t notification_vectors_read(const char *path, struct notification_vector *vectors,
				 size_t max);

/* The vector called `name`; exits the test when there is none. */
const struct notification_vector *notification_vector_named(
	const struct notification_vector *vectors, size_t count, const char *name);

#endif
