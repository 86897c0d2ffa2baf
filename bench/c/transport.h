/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * transport.h - one way of handing a register message to someone else, timed call by call by
 * call_cost.c: the library, a raw zmq_send, or a POSIX mq_send.
 */
#ifndef BENCH_TRANSPORT_H
#define BENCH_TRANSPORT_H

/* What one call did. */
enum call_result { CALL_ACCEPTED, CALL_REFUSED, CALL_FAILED };

struct transport {
	const char *name;
	/* Prepares the sender (and, for mq, its receiver thread); 0 on success. */
	int (*open)(const char *endpoint);
	/* One call; `i` alternates register (even) and unregister (odd) where that matters. */
	enum call_result (*call)(unsigned long i);
	void (*close)(void);
};

extern const struct transport transport_lib; /* mapistore_mgmt_backend_(un)register_user */
extern const struct transport transport_zmq; /* zmq_send(ZMQ_DONTWAIT) on a PUSH socket */
extern const struct transport transport_mq;  /* mq_send(O_NONBLOCK) to a draining thread */

#endif
