/* state.h - everything the process holds, behind one mutex: configuration, source identity,
 * registration set, send queue, sequence numbers, counters, and the background sender's
 * lifecycle. Callers (api.c) and the sender (sender.c) take the lock only for short, bounded
 * work; neither ever calls libzmq while holding it. */
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

enum mm_sender_state {
	MM_SENDER_NONE,     /* no thread: started by the first queued message */
	MM_SENDER_RUNNING,
	MM_SENDER_STOPPING, /* shutdown asked it to flush until flush_deadline_ms and stop */
	MM_SENDER_DONE,     /* it closed its socket and context and is returning */
};

struct mm_state {
	pthread_mutex_t lock;
	/* Held by the sender around zmq_ctx_new() and zmq_ctx_term(), and by fork() (taken
	 * before `lock`): a child is never forked in the middle of either (see sender.c). */
	pthread_mutex_t context_lock;
	pthread_cond_t wake;    /* the sender sleeps on it */
	pthread_cond_t stopped; /* shutdown waits on it for MM_SENDER_DONE, and for another's end */

	bool configured; /* config read from the environment (lazily) */
	bool exiting;    /* the destructor ran: nothing is queued any more */
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
	bool dropped_since_heartbeat; /* the notifier's view may be wrong until a snapshot */
	uint64_t next_heartbeat_ms;   /* monotonic; 0 when none is scheduled */
	bool heartbeat_queued;        /* one waits in the queue: a newer one waits for it */

	enum mm_sender_state sender;
	pthread_t thread;
	uint64_t sender_generation; /* a sender whose generation is stale must leave the state alone */
	bool sender_sleeping;
	uint64_t flush_deadline_ms;
	void *zmq_context; /* the newest live context, published so a fork() child can abandon it */
};

extern struct mm_state mm_state;

static inline void mm_lock(void)
{
	pthread_mutex_lock(&mm_state.lock);
}

static inline void mm_unlock(void)
{
	pthread_mutex_unlock(&mm_state.lock);
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

/* Public calls (without the lock held). */
int mm_state_submit(enum mm_kind kind, const struct mm_command *command);
int mm_state_configure(const struct mapistore_mgmt_options *options);
void mm_state_stats(struct mapistore_mgmt_stats *stats);
int mm_state_shutdown(void);
int mm_state_record_error(int code);

/* For the sender, with the lock held. */
uint64_t mm_state_heartbeat(uint64_t now_ms);
void mm_state_count_sent(const struct mm_message *message);

#endif
