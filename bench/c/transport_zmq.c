/* SPDX-License-Identifier: GPL-3.0-or-later */
/* transport_zmq.c - a raw, non-blocking zmq_send of a register frame on a PUSH socket. */
#include "transport.h"

#include "frame.h"

#include <errno.h>
#include <zmq.h>

static void *context;
static void *push;
static uint8_t frame[FRAME_MAX];
static size_t frame_len;

static int zmq_open_push(const char *endpoint)
{
	int linger = 0;
	frame_len = frame_register(frame, "SOGo", "jdoe", "jdoe");
	context = zmq_ctx_new();
	push = context ? zmq_socket(context, ZMQ_PUSH) : NULL;
	if (push == NULL)
		return -1;
	zmq_setsockopt(push, ZMQ_LINGER, &linger, sizeof linger);
	return zmq_connect(push, endpoint);
}

static enum call_result zmq_call(unsigned long i)
{
	(void)i;
	if (zmq_send(push, frame, frame_len, ZMQ_DONTWAIT) >= 0)
		return CALL_ACCEPTED;
	return errno == EAGAIN ? CALL_REFUSED : CALL_FAILED;
}

static void zmq_close_push(void)
{
	zmq_close(push);
	zmq_ctx_term(context);
}

const struct transport transport_zmq = {"zmq", zmq_open_push, zmq_call, zmq_close_push};
