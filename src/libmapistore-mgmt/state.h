/* SPDX-License-Identifier: GPL-3.0-or-later */
/* state.h - the state under the lock: configuration, source identity, registration set, send
 * queue, sequence numbers, heartbeat schedule and counters. Every function below except
 * mm_state_init() and mm_state_free_leftovers() is called with the lock held and does short,
 * bounded work: none calls libzmq or waits. The process lifecycle (process.c) and the sender thread (sender.c) use it; it
 * uses only the containers and the wire encoder beneath it. */
#ifndef MM_STATE_H
#define MM_STATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "queue.h"
#include "registry.h"
#include "source.h"

struct mm_state {
	pthread_mutex_t lock;
	atomic_uint waiting; /* threads in mm_state_lock(): the sender lets them go first */
	bool configured; /* config read from the environment (lazily) */
	struct mm_config config;
	uint64_t config_generation; /* bumped when the endpoint changes: the sender reconnects */

	struct mm_source source;
	struct mm_registry registry;
	struct mm_queue queue;
	struct mm_queue in_flight; /* the batch the sender is handing to zmq_send() now */
	uint64_t next_seq;
	uint64_t messages_sent;
	uint64_t messages_dropped;
	uint64_t heartbeats_sent;
	uint64_t descriptor_shortages;
	uint64_t contexts_lost;
	uint64_t triples_refused;
	uint64_t connections;
	int last_error;
	int endpoint_error; /* why the sender holds messages instead of connecting (endpoint_check.h) */
	bool dropped_since_heartbeat; /* the notifier's view may be wrong until a snapshot */
	uint64_t next_heartbeat_ms;   /* monotonic; 0 when none is scheduled */
	bool heartbeat_queued;        /* one waits in the queue: a newer one waits for it */
	struct mm_message *building;  /* the queued heartbeat whose entries are still being copied */
	bool announce; /* a new interval, endpoint or connection: a heartbeat must tell it */
	uint64_t last_queued_ms;      /* monotonic time a call last queued a message */
};

#define MM_STATE_INITIALIZER {.lock = PTHREAD_MUTEX_INITIALIZER, .next_seq = 1}

static inline void mm_state_lock(struct mm_state *state)
{
	atomic_fetch_add_explicit(&state->waiting, 1, memory_order_relaxed);
	pthread_mutex_lock(&state->lock);
	atomic_fetch_sub_explicit(&state->waiting, 1, memory_order_relaxed);
}

static inline void mm_state_unlock(struct mm_state *state)
{
	pthread_mutex_unlock(&state->lock);
}

/* Milliseconds on the monotonic clock, and the matching absolute time for timed waits. */
static inline uint64_t mm_now_ms(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000u + (uint64_t)now.tv_nsec / 1000000u;
}

static inline struct timespec mm_timespec_at(uint64_t ms)
{
	struct timespec at = {(time_t)(ms / 1000u), (long)(ms % 1000u) * 1000000L};

	return at;
}

/* Once, at load (no lock needed): this process's identity. */
void mm_state_init(struct mm_state *state);

/* Reads the configuration from the environment the first time it is needed. */
void mm_state_ensure_configured(struct mm_state *state);

/* True when the messages waiting, in the queue and in the sender's hands, reach queue_limit. */
bool mm_state_queue_full(const struct mm_state *state);

/* Records `code` as the last error and returns it. */
int mm_state_fail(struct mm_state *state, int code);

/* Records the command in the registration set and, when `queue_it`, queues its message;
 * otherwise counts a drop (MAPISTORE_ERR_MSG_SEND). A register of a new triple while
 * config.max_triples are held is refused (MAPISTORE_MGMT_ERR_LIMIT, nothing changed).
 * A source holding nothing whose interval the notifier may not know (a new source, one silent
 * for an interval, a new interval or endpoint) queues an empty heartbeat ahead of the
 * message. Returns a MAPISTORE_* code, recorded as the last error when it is not success. */
int mm_state_submit(struct mm_state *state, enum mm_kind kind, const struct mm_command *command,
		    bool queue_it);

/* Applies options (mm_config_apply); a new endpoint bumps config_generation; a new endpoint
 * or interval is announced by the next heartbeat, due at once. Returns a MAPISTORE_* code,
 * recorded when it is an error. */
int mm_state_configure(struct mm_state *state, const struct mapistore_mgmt_options *options);

/* The sender could not open its ZeroMQ context or socket for lack of descriptors, or found
 * the host had closed the ones its context held: counted, and MAPISTORE_ERR_CONTEXT_FAILED
 * recorded as the last error. */
void mm_state_descriptor_shortage(struct mm_state *state);
void mm_state_context_lost(struct mm_state *state);

/* The sender's socket completed a connection (`first`: its first), counted. Unless it is the
 * first and nothing was dropped before it (everything the notifier needs then follows in
 * order), the notifier at the other end may lack this source's set (a notifier restarted
 * without its state): the next heartbeat is due at once, or, for a source holding nothing,
 * its next command is preceded by one (as for a new endpoint). */
void mm_state_connected(struct mm_state *state, bool first);

void mm_state_stats(const struct mm_state *state, struct mapistore_mgmt_stats *stats);

/* Heartbeats, in three steps so that no call waits for a whole snapshot:
 * mm_state_heartbeat_due() says when one is due and how big it is now; the sender allocates
 * that much (and more) without the lock; mm_state_begin_heartbeat() takes its seq and place in
 * the queue; mm_state_build_heartbeat() then copies its entries a slice at a time
 * (state->building until it is complete).
 *
 * Returns when the next heartbeat is due (0: none wanted); *size is the bytes of one due now
 * (0: none is), and the one after is scheduled an interval later. */
uint64_t mm_state_heartbeat_due(struct mm_state *state, uint64_t now_ms, size_t *size);

/* Queues a heartbeat in `message` (whose len is its room; set to the heartbeat's size) and
 * begins its snapshot. False, with nothing changed, when it no longer fits or is no longer
 * wanted (the set grew, the queue filled, or one is already queued). */
bool mm_state_begin_heartbeat(struct mm_state *state, struct mm_message *message);

/* Copies the next slice of the heartbeat being built (at most MM_STATE_SNAPSHOT_SLICE
 * entries). */
void mm_state_build_heartbeat(struct mm_state *state);
#define MM_STATE_SNAPSHOT_SLICE 256

/* A source that holds nothing announces itself again ahead of a call made after this long a
 * silence (or one interval, if shorter): the notifier's short lease of such a source
 * (--empty-lease-ms, at least twice this) may have dropped it. Checked against the notifier's
 * defaults by test/server/defaults.test.ts. */
#define MM_ANNOUNCE_SILENCE_MS 1000u

/* The goodbye, when the source has sent anything and the queue has a place left. */
void mm_state_queue_goodbye(struct mm_state *state);

/* Moves up to `max` of the oldest messages into state->in_flight and returns them: they stay
 * reachable from the state (a fork() child frees them) while the sender works unlocked. */
struct mm_queue mm_state_take_batch(struct mm_state *state, size_t max);

/* The sender handed the first `sent` messages of `batch` to ZeroMQ: counts and frees them,
 * and puts the rest back at the queue's head, in order. A heartbeat sent with entries is not
 * freed but returned (or NULL), for the caller to free without the lock: freeing a big one
 * takes long.
 * (A fork() child made meanwhile inherits it unreachable: a leak there, never a double
 * free.) */
struct mm_message *mm_state_batch_done(struct mm_state *state, struct mm_queue *batch,
				       size_t sent);

/* What a reset leaves behind, to be freed without the lock (a million registrations take a
 * while to free). */
struct mm_state_leftovers {
	struct mm_registry registry;
	struct mm_queue queue;
};

/* A new source: no registrations, nothing queued, seq from 1, counters at 0, and an epoch
 * drawn with the next message. The configuration stays. The old set and queue go to
 * `leftovers`; a batch still in flight belongs to the sender that took it. */
void mm_state_reset(struct mm_state *state, struct mm_state_leftovers *leftovers);

/* Frees what a reset left behind (no lock needed: nothing else refers to it). */
void mm_state_free_leftovers(struct mm_state_leftovers *leftovers);

/* In a fork() child: a new source with the child's pid; the batch in flight is freed (its
 * sender thread does not exist here). */
void mm_state_after_fork_in_child(struct mm_state *state);

#endif
