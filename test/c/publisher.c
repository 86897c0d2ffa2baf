/* SPDX-License-Identifier: GPL-3.0-or-later */
/* publisher.c - the C tests' stand-in for the notifier's PUB side (an XPUB socket). */
#include "publisher.h"

#include <string.h>
#include <zmq.h>

#include "check.h"

void publisher_bind(struct publisher *publisher, const char *endpoint)
{
	int guard = PUBLISHER_HANG_GUARD_MS;

	memset(publisher, 0, sizeof(*publisher));
	publisher->context = zmq_ctx_new();
	CHECK(publisher->context != NULL);
	publisher->socket = zmq_socket(publisher->context, ZMQ_XPUB);
	CHECK(publisher->socket != NULL);
	CHECK(zmq_setsockopt(publisher->socket, ZMQ_RCVTIMEO, &guard, sizeof(guard)) == 0);
	CHECK(strlen(endpoint) < sizeof(publisher->endpoint));
	strcpy(publisher->endpoint, endpoint);
	CHECK(zmq_bind(publisher->socket, endpoint) == 0);
}

void publisher_await(struct publisher *publisher, bool subscribe, const char *username)
{
	char message[300];
	size_t len = strlen(username);
	int received = zmq_recv(publisher->socket, message, sizeof(message), 0);

	CHECK(received == (int)len + 2);
	CHECK(message[0] == (subscribe ? 1 : 0));
	CHECK(memcmp(message + 1, username, len + 1) == 0);
}

void publisher_send(struct publisher *publisher, const void *const *frames,
		    const size_t *sizes, size_t count)
{
	for (size_t i = 0; i < count; i++)
		CHECK(zmq_send(publisher->socket, frames[i], sizes[i],
			       i + 1 < count ? ZMQ_SNDMORE : 0) == (int)sizes[i]);
}

void publisher_send_vector(struct publisher *publisher, const struct notification_vector *vector,
			   const char *username)
{
	const void *frames[2] = {username ? (const void *)username : vector->topic, vector->body};
	size_t sizes[2] = {username ? strlen(username) + 1 : vector->topic_len, vector->body_len};

	publisher_send(publisher, frames, sizes, 2);
}

void publisher_close(struct publisher *publisher)
{
	int linger = 0;

	zmq_setsockopt(publisher->socket, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_close(publisher->socket);
	zmq_ctx_term(publisher->context);
}
