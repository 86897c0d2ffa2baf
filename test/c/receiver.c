/* SPDX-License-Identifier: GPL-3.0-or-later */
/* receiver.c - the C tests' stand-in notifier: a real PULL socket and the test decoder. */
#include "receiver.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include <mapistore/mapistore_mgmt.h>

#include "check.h"
#include "temp_dir.h"

static void create_socket(struct receiver *receiver)
{
	int unbounded = 0;

	memset(receiver, 0, sizeof(*receiver));
	receiver->context = zmq_ctx_new();
	CHECK(receiver->context != NULL);
	receiver->socket = zmq_socket(receiver->context, ZMQ_PULL);
	CHECK(receiver->socket != NULL);
	CHECK(zmq_setsockopt(receiver->socket, ZMQ_RCVHWM, &unbounded, sizeof(unbounded)) == 0);
}

void receiver_bind(struct receiver *receiver, const char *endpoint)
{
	create_socket(receiver);
	CHECK(strlen(endpoint) < sizeof(receiver->endpoint));
	strcpy(receiver->endpoint, endpoint);
	CHECK(zmq_bind(receiver->socket, endpoint) == 0);
}

void receiver_open(struct receiver *receiver, const char *transport)
{
	size_t size = sizeof(receiver->endpoint);

	create_socket(receiver);
	if (strcmp(transport, "ipc") == 0) {
		temp_dir_make(receiver->directory, sizeof(receiver->directory));
		snprintf(receiver->endpoint, sizeof(receiver->endpoint), "ipc://%s/notify.sock",
			 receiver->directory);
		CHECK(zmq_bind(receiver->socket, receiver->endpoint) == 0);
	} else {
		CHECK(zmq_bind(receiver->socket, "tcp://127.0.0.1:*") == 0);
		CHECK(zmq_getsockopt(receiver->socket, ZMQ_LAST_ENDPOINT, receiver->endpoint,
				     &size) == 0);
	}
}

void receiver_spare_endpoint(const struct receiver *receiver, const char *name, char *out,
			     size_t size)
{
	CHECK(receiver->directory[0] != '\0');
	CHECK((size_t)snprintf(out, size, "ipc://%s/%s", receiver->directory, name) < size);
}

/* The next message of the batch received last, if any is left. */
static bool next_of_batch(struct receiver *receiver, struct frame *frame)
{
	if (receiver->batch_next == receiver->batch_count) {
		frames_free(receiver->batch, receiver->batch_count);
		receiver->batch = NULL;
		receiver->batch_count = receiver->batch_next = 0;
		return false;
	}
	*frame = receiver->batch[receiver->batch_next];
	receiver->batch[receiver->batch_next++].entries = NULL; /* the caller's to free now */
	return true;
}

/* Decodes one received message: a lone one into *frame, a batch's first into *frame and the
 * others kept for the next calls. */
static void decode(struct receiver *receiver, const uint8_t *bytes, size_t len,
		   struct frame *frame)
{
	if (len < 2 || bytes[1] != 5) {
		CHECK(frame_decode(bytes, len, frame) == 0);
		return;
	}
	CHECK(frame_decode_batch(bytes, len, &receiver->batch, &receiver->batch_count) == 0);
	receiver->batch_next = 0;
	receiver->batches++;
	CHECK(next_of_batch(receiver, frame));
}

bool receiver_next(struct receiver *receiver, struct frame *frame, int timeout_ms)
{
	zmq_pollitem_t item = {receiver->socket, 0, ZMQ_POLLIN, 0};
	zmq_msg_t message;
	int ready;

	if (receiver->batch && next_of_batch(receiver, frame))
		return true;
	do
		ready = zmq_poll(&item, 1, timeout_ms);
	while (ready < 0 && errno == EINTR);
	CHECK(ready >= 0);
	if (ready == 0)
		return false;
	CHECK(zmq_msg_init(&message) == 0);
	CHECK(zmq_msg_recv(&message, receiver->socket, 0) >= 0);
	receiver->frames = 1;
	receiver->largest_frame = zmq_msg_size(&message);
	if (!zmq_msg_more(&message)) {
		decode(receiver, zmq_msg_data(&message), zmq_msg_size(&message), frame);
	} else {
		/* A multipart message: its frames, concatenated, are the protocol message. */
		uint8_t *bytes = NULL;
		size_t len = 0;
		bool more;

		do {
			size_t size = zmq_msg_size(&message);

			bytes = realloc(bytes, len + size);
			CHECK(bytes != NULL);
			memcpy(bytes + len, zmq_msg_data(&message), size);
			len += size;
			more = zmq_msg_more(&message);
			if (more) {
				CHECK(zmq_msg_recv(&message, receiver->socket, 0) >= 0);
				receiver->frames++;
				if (zmq_msg_size(&message) > receiver->largest_frame)
					receiver->largest_frame = zmq_msg_size(&message);
			}
		} while (more);
		decode(receiver, bytes, len, frame);
		free(bytes);
	}
	zmq_msg_close(&message);
	return true;
}

void receiver_expect_announcement(struct receiver *receiver, struct frame *frame,
				  unsigned int interval_ms, int timeout_ms)
{
	CHECK(receiver_next(receiver, frame, timeout_ms));
	CHECK(frame->kind == 3 && frame->seq == 1 && frame->entry_count == 0);
	CHECK(frame->interval_ms == interval_ms && frame->dropped == 0);
}

void receiver_close(struct receiver *receiver)
{
	int zero = 0;

	frames_free(receiver->batch, receiver->batch_count);
	receiver->batch = NULL;
	zmq_setsockopt(receiver->socket, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_close(receiver->socket);
	zmq_ctx_term(receiver->context);
	if (receiver->directory[0])
		CHECK(temp_dir_remove(receiver->directory));
}

uint64_t now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

void sleep_ms(unsigned int ms)
{
	struct timespec left = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

	while (nanosleep(&left, &left) != 0 && errno == EINTR)
		;
}

void configure_library(const char *endpoint, unsigned int heartbeat_ms, unsigned int queue_limit)
{
	struct mapistore_mgmt_options options = MAPISTORE_MGMT_OPTIONS_INIT;

	options.endpoint = endpoint;
	options.heartbeat_ms = heartbeat_ms;
	options.queue_limit = queue_limit;
	CHECK(mapistore_mgmt_configure(&options) == MAPISTORE_SUCCESS);
}
