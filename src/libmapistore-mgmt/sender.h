/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sender.h - the background thread that owns the link to the notifier, from start to stop. It drains the state's queue and asks the state for heartbeats; the process
 * lifecycle (process.c) starts, wakes and stops it. Every function is called with the state's
 * lock held, except mm_sender_init() and the context lock pair. */
#ifndef MM_SENDER_H
#define MM_SENDER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "link.h"
#include "state.h"

/* NONE -> RUNNING (mm_sender_start) -> STOPPING (mm_sender_stop) -> DONE (the thread, once it
 * has closed its socket and context) -> NONE (mm_sender_stop, or a fork() child). */
enum mm_sender_phase {
	MM_SENDER_NONE,     /* no thread: started by the first queued message */
	MM_SENDER_RUNNING,
	MM_SENDER_STOPPING, /* asked to flush until flush_deadline_ms and stop */
	MM_SENDER_DONE,     /* it closed its socket and context and is returning */
};

struct mm_sender {
	struct mm_state *state; /* whose lock guards every field below but contexts.lock */
	struct mm_zmq_contexts contexts; /* fork() takes its lock before the state's */
	pthread_cond_t wake;    /* the thread sleeps on it */
	pthread_cond_t stopped; /* a stop waits on it for DONE, and for another's stop to end */
	enum mm_sender_phase phase;
	pthread_t thread;
	uint64_t generation; /* a thread whose generation is stale must leave the state alone */
	bool sleeping;
	uint64_t flush_deadline_ms;
	/* The buffer of the last heartbeat sent, kept for the next one: a big one is not mapped,
	 * touched and unmapped again every interval. Taken out (NULL) while the thread uses it
	 * without the lock; a fork() child frees what it inherits here. */
	struct mm_message *spare;
	size_t spare_room;
	size_t heartbeat_room; /* of the heartbeat queued last (one at a time) */
};

#define MM_SENDER_INITIALIZER(state_pointer) \
	{.state = (state_pointer), .contexts = MM_ZMQ_CONTEXTS_INITIALIZER}

/* Once, at load: the condition variables (on the monotonic clock). */
void mm_sender_init(struct mm_sender *sender);

/* True while messages may be queued for it: no thread yet, or one running (not stopping). */
bool mm_sender_accepts(const struct mm_sender *sender);

/* Starts the thread if there is none, with every signal blocked in it. Returns 0, or -1 when
 * no thread could be created. */
int mm_sender_start(struct mm_sender *sender);

/* Wakes the thread if it sleeps (something was queued or the configuration changed). */
void mm_sender_wake(struct mm_sender *sender);

/* Waits for another thread's stop to end; then, if a thread runs, queues a goodbye, lets it
 * flush for at most linger_ms and waits a short margin for it to close (one that does not
 * finish in time is detached and finishes alone). The sender is then NONE. Waits on
 * condition variables: the caller keeps cancellation disabled. */
void mm_sender_stop(struct mm_sender *sender);

/* fork(): the parent holds the context lock across it (taken before the state's lock). */
void mm_sender_lock_context(struct mm_sender *sender);
void mm_sender_unlock_context(struct mm_sender *sender);

/* In a fork() child: no thread exists here; its context is abandoned, never used or closed
 * (libzmq is not fork-safe). */
void mm_sender_after_fork_in_child(struct mm_sender *sender);

#endif
