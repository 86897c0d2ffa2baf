/* SPDX-License-Identifier: GPL-3.0-or-later */
/* link.h - the sender thread's connection to the notifier: a ZeroMQ context and PUSH socket.
 * libzmq aborts the whole process where it cannot open a descriptor or finds one of its own
 * closed, so a link is opened only once the descriptors libzmq will take are proven free, and
 * checked before each use: a context whose descriptors the host closed is abandoned (never
 * used or closed again) and a new one opened. Only the sender thread uses a link; the state
 * pointer is for its lock and its counters. */
#ifndef MM_LINK_H
#define MM_LINK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "descriptors.h"
#include "monitor.h"
#include "queue.h"
#include "state.h"

/* The process's ZeroMQ context as fork() must know it. zmq_ctx_new() and zmq_ctx_term() take
 * process-wide locks (libzmq's crypto library is initialised and closed there, behind a global
 * mutex in some builds): a child forked in the middle of either could inherit such a lock
 * taken for ever. Both run under `lock`, which the fork handlers take first, and the live
 * context is published before it is released, so a child knows what it inherits. */
struct mm_zmq_contexts {
	pthread_mutex_t lock;
	void *live; /* the newest live context; written under the state's lock as well */
};

#define MM_ZMQ_CONTEXTS_INITIALIZER {.lock = PTHREAD_MUTEX_INITIALIZER}

/* In a fork() child: the inherited context is kept reachable (for leak checkers), never used
 * or closed (libzmq is not fork-safe). */
void mm_zmq_contexts_after_fork_in_child(struct mm_zmq_contexts *contexts);

struct mm_link {
	struct mm_state *state;
	struct mm_zmq_contexts *contexts;
	/* Told of each connection the socket completes (on the monitor's thread). */
	mm_monitor_connected_fn *connected;
	void *connected_arg;
	void *context;
	void *socket;
	struct mm_monitor monitor; /* of the socket's connections */
	uint64_t config_generation; /* of the endpoint the socket is connected to */
	struct mm_descriptor_watch context_fds; /* its mailbox, the reaper's and I/O thread's */
	struct mm_descriptor_watch socket_fds;  /* the socket's mailbox and its monitor's two */
};

enum mm_link_result {
	MM_LINK_OK,
	MM_LINK_SHORT,  /* too few free descriptors: libzmq was not asked */
	MM_LINK_FAILED, /* libzmq refused (an endpoint it cannot reach, for one) */
	MM_LINK_HELD,   /* not to be trusted (endpoint_check.h, curve.h): libzmq was not asked;
			 * the reason is the state's endpoint_error */
};

/* Lock held. True when the socket is connected to the configured endpoint. */
bool mm_link_current(const struct mm_link *link);

/* Lock held, released while libzmq works. Checks the endpoint's directory and reads the CURVE
 * keys, then opens the context if there is none, then a socket connected to the configured
 * endpoint (the previous one is closed, and may go on delivering within its linger), watched
 * by a monitor that calls link->connected for each connection it completes (none when the
 * monitor could not start: its thread, for one). A shortage of descriptors is counted in the
 * state; why the link is held, kept in it. */
enum mm_link_result mm_link_connect(struct mm_link *link);

/* Lock held. True when the link's descriptors are still its own (or it has none). Otherwise
 * the context is abandoned, the loss counted in the state, and the link is empty. */
bool mm_link_intact(struct mm_link *link);

/* No lock held. Hands a message to ZeroMQ, waiting at most a short send timeout: one frame,
 * or a multipart message of MM_WIRE_FRAME_MAX-byte frames (docs/protocol.md, "Frames").
 * Returns 0 or the errno (EAGAIN: the socket is full). */
int mm_link_send(struct mm_link *link, const struct mm_message *message);
/* The same for `len` bytes that are not a queued message (a batch frame). */
int mm_link_send_bytes(struct mm_link *link, const uint8_t *bytes, size_t len);

/* No lock held. Stops the monitor, closes the socket (it may deliver for linger_ms more) and
 * the context. */
void mm_link_close(struct mm_link *link, int linger_ms);

#endif
