/* state.h - the state under the lock: configuration, source identity, registration set, send
 * queue, sequence numbers, heartbeat schedule and counters. Every function below except
 * mm_state_init() is called with the lock held and does short, bounded work: none calls libzmq
 * or waits. The process lifecycle (process.c) and the sender thread (sender.c) use it; it
 * uses only the containers and the wire encoder beneath it. */
#ifndef MM_STATE_H
#define MM_STATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "config.h"
#include "queue.h"
#include "registry.h"
#include "source.h"

struct mm_state {
	pthread_mutex_t lock;
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
	int last_error;
	int endpoint_error; /* why the sender holds messages instead of connecting (endpoint_check.h) */
	bool dropped_since_heartbeat; /* the notifier's view may be wrong until a snapshot */
	uint64_t next_heartbeat_ms;   /* monotonic; 0 when none is scheduled */
	bool heartbeat_queued;        /* one waits in the queue: a newer one waits for it */
};

#define MM_STATE_INITIALIZER {.lock = PTHREAD_MUTEX_INITIALIZER, .next_seq = 1}

static inline void mm_state_lock(struct mm_state *state)
{
	pthread_mutex_lock(&state->lock);
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

/* Messages waiting, in the queue and in the sender's hands. */
size_t mm_state_queue_length(const struct mm_state *state);
bool mm_state_queue_full(const struct mm_state *state);

/* Records `code` as the last error and returns it. */
int mm_state_fail(struct mm_state *state, int code);

/* Records the command in the registration set and, when `queue_it`, queues its message;
 * otherwise counts a drop (MAPISTORE_ERR_MSG_SEND). Returns a MAPISTORE_* code, recorded as
 * the last error when it is not success. */
int mm_state_submit(struct mm_state *state, enum mm_kind kind, const struct mm_command *command,
		    bool queue_it);

/* Applies options (mm_config_apply); a new endpoint bumps config_generation, a new interval
 * reschedules the heartbeat. Returns a MAPISTORE_* code, recorded when it is an error. */
int mm_state_configure(struct mm_state *state, const struct mapistore_mgmt_options *options);

void mm_state_stats(const struct mm_state *state, struct mapistore_mgmt_stats *stats);

/* Queues a heartbeat when one is due and wanted; returns when the next is due (0: none). */
uint64_t mm_state_heartbeat(struct mm_state *state, uint64_t now_ms);

/* The goodbye, when the source has sent anything and the queue has a place left. */
void mm_state_queue_goodbye(struct mm_state *state);

/* Moves up to `max` of the oldest messages into state->in_flight and returns them: they stay
 * reachable from the state (a fork() child frees them) while the sender works unlocked. */
struct mm_queue mm_state_take_batch(struct mm_state *state, size_t max);

/* The sender handed the first `sent` messages of `batch` to ZeroMQ: counts and frees them,
 * and puts the rest back at the queue's head, in order. */
void mm_state_batch_done(struct mm_state *state, struct mm_queue *batch, size_t sent);

/* A new source: no registrations, nothing queued, seq from 1, counters at 0, and an epoch
 * drawn with the next message. The configuration stays. A batch still in flight belongs to
 * the sender that took it. */
void mm_state_reset(struct mm_state *state);

/* In a fork() child: a new source with the child's pid; the batch in flight is freed (its
 * sender thread does not exist here). */
void mm_state_after_fork_in_child(struct mm_state *state);

#endif
