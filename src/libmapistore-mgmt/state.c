/* state.c - the process's state and its lifecycle: queueing a command, heartbeats, stats,
 * configuration changes, shutdown and exit, and fork(). */
#include "state.h"

#include <stdlib.h>
#include <string.h>

#include "sender.h"

/* How long shutdown waits for the sender beyond its flush deadline: the sender may be in a
 * zmq_send() (bounded by its send timeout) or closing with the remaining linger. */
#define MM_STOP_MARGIN_MS 100u

struct mm_state mm_state = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.context_lock = PTHREAD_MUTEX_INITIALIZER,
	.next_seq = 1,
};

/* ZeroMQ contexts inherited from a parent process. libzmq is not fork-safe: a child never
 * uses or closes them, it only keeps them reachable so leak checkers do not report them. */
struct mm_abandoned_context {
	void *context;
	struct mm_abandoned_context *older;
};
static struct mm_abandoned_context *abandoned_contexts;

static size_t queue_length(void)
{
	return mm_state.queue.length + mm_state.in_flight.length;
}

static void ensure_configured(void)
{
	if (!mm_state.configured) {
		mm_config_from_environment(&mm_state.config);
		mm_state.configured = true;
	}
}

static void wake_sender(void)
{
	if (mm_state.sender_sleeping) {
		mm_state.sender_sleeping = false;
		pthread_cond_signal(&mm_state.wake);
	}
}

/* A new source: no registrations, nothing queued, seq from 1, counters at 0, no sender, and
 * an epoch drawn with the next message. The configuration stays. The batch an (old) sender
 * holds in flight is freed by that sender (or by the fork child handler), and its context
 * stays published until that sender has terminated it. */
static void start_new_source(void)
{
	mm_queue_clear(&mm_state.queue);
	mm_registry_clear(&mm_state.registry);
	mm_state.in_flight = (struct mm_queue){0};
	mm_state.next_seq = 1;
	mm_state.messages_sent = 0;
	mm_state.messages_dropped = 0;
	mm_state.heartbeats_sent = 0;
	mm_state.last_error = MAPISTORE_SUCCESS;
	mm_state.dropped_since_heartbeat = false;
	mm_state.next_heartbeat_ms = 0;
	mm_state.heartbeat_queued = false;
	mm_state.sender = MM_SENDER_NONE;
	mm_state.sender_generation++;
	mm_state.sender_sleeping = false;
	mm_state.source.epoch = 0;
}

int mm_state_record_error(int code)
{
	mm_lock();
	mm_state.last_error = code;
	mm_unlock();
	return code;
}

int mm_state_submit(enum mm_kind kind, const struct mm_command *command)
{
	struct mm_message *message = NULL;
	int rc = MAPISTORE_SUCCESS;
	bool full;

	mm_lock();
	ensure_configured();
	/* During shutdown and after exit nothing is queued: counted as dropped. */
	full = mm_state.exiting ||
	       (mm_state.sender != MM_SENDER_NONE && mm_state.sender != MM_SENDER_RUNNING) ||
	       queue_length() >= mm_state.config.queue_limit;
	if (!full) {
		if (mm_sender_start() != 0) {
			rc = MAPISTORE_ERR_NO_MEMORY;
			goto out;
		}
		message = mm_message_new(kind, mm_wire_command_size(&mm_state.source, command));
		if (!message) {
			rc = MAPISTORE_ERR_NO_MEMORY;
			goto out;
		}
	}
	if (kind == MM_KIND_REGISTER) {
		if (mm_registry_add(&mm_state.registry, command) != 0) {
			rc = MAPISTORE_ERR_NO_MEMORY;
			goto out;
		}
	} else {
		mm_registry_remove(&mm_state.registry, command);
	}
	if (full) {
		mm_state.messages_dropped++;
		mm_state.dropped_since_heartbeat = true;
		rc = MAPISTORE_ERR_MSG_SEND;
		goto out;
	}
	mm_source_ensure_epoch(&mm_state.source);
	mm_wire_encode_command(message->bytes, kind, &mm_state.source, mm_state.next_seq++, command);
	mm_queue_push_back(&mm_state.queue, message);
	message = NULL;
	wake_sender();
out:
	if (rc != MAPISTORE_SUCCESS)
		mm_state.last_error = rc;
	mm_unlock();
	free(message);
	return rc;
}

/* Heartbeats go out while the source holds registrations, and after drops until one snapshot
 * has repaired the notifier's view. A snapshot takes its seq under the lock that orders every
 * other message, so it describes the state after every message with a lower seq. While one
 * still waits in the queue (the notifier is away) no other is built: snapshots can be large,
 * and the newest one is all the notifier needs. */
uint64_t mm_state_heartbeat(uint64_t now_ms)
{
	bool wanted = mm_state.registry.triples > 0 || mm_state.dropped_since_heartbeat;
	struct mm_message *message;
	uint8_t *out;

	if (!wanted || mm_state.sender != MM_SENDER_RUNNING) {
		mm_state.next_heartbeat_ms = 0;
		return 0;
	}
	if (mm_state.next_heartbeat_ms == 0)
		mm_state.next_heartbeat_ms = now_ms + mm_state.config.heartbeat_ms;
	if (now_ms < mm_state.next_heartbeat_ms || mm_state.heartbeat_queued ||
	    queue_length() >= mm_state.config.queue_limit)
		return mm_state.next_heartbeat_ms;
	message = mm_message_new(MM_KIND_HEARTBEAT, mm_wire_header_size(&mm_state.source) +
							    MM_WIRE_HEARTBEAT_FIXED +
							    mm_state.registry.snapshot_bytes);
	if (message) {
		out = mm_wire_put_header(message->bytes, MM_KIND_HEARTBEAT, &mm_state.source,
					 mm_state.next_seq++);
		out = mm_wire_put_heartbeat_fixed(out, mm_state.config.heartbeat_ms,
						  mm_state.messages_dropped,
						  (uint32_t)mm_state.registry.triples);
		mm_registry_put_snapshot(&mm_state.registry, out);
		mm_queue_push_back(&mm_state.queue, message);
		mm_state.heartbeat_queued = true;
		mm_state.dropped_since_heartbeat = false;
	}
	mm_state.next_heartbeat_ms = now_ms + mm_state.config.heartbeat_ms;
	return mm_state.next_heartbeat_ms;
}

void mm_state_count_sent(const struct mm_message *message)
{
	mm_state.messages_sent++;
	if (message->kind == MM_KIND_HEARTBEAT) {
		mm_state.heartbeats_sent++;
		mm_state.heartbeat_queued = false;
	}
}

int mm_state_configure(const struct mapistore_mgmt_options *options)
{
	struct mm_config previous;
	int rc;

	mm_lock();
	ensure_configured();
	previous = mm_state.config;
	rc = mm_config_apply(&mm_state.config, options);
	if (rc != MAPISTORE_SUCCESS) {
		mm_state.last_error = rc;
	} else {
		if (strcmp(previous.endpoint, mm_state.config.endpoint) != 0)
			mm_state.config_generation++;
		if (previous.heartbeat_ms != mm_state.config.heartbeat_ms)
			mm_state.next_heartbeat_ms = 0;
		wake_sender();
	}
	mm_unlock();
	return rc;
}

void mm_state_stats(struct mapistore_mgmt_stats *stats)
{
	mm_lock();
	memset(stats, 0, sizeof(*stats));
	stats->messages_sent = mm_state.messages_sent;
	stats->messages_dropped = mm_state.messages_dropped;
	stats->heartbeats_sent = mm_state.heartbeats_sent;
	stats->registrations_held = mm_state.registry.registrations;
	stats->triples_held = mm_state.registry.triples;
	stats->queue_length = queue_length();
	stats->epoch = mm_state.source.epoch;
	stats->pid = mm_state.source.pid;
	stats->last_error = mm_state.last_error;
	mm_unlock();
}

/* Lock held. The goodbye takes the queue's last place only if there is one left. */
static void queue_goodbye(void)
{
	struct mm_message *message;

	if (mm_state.next_seq == 1 || queue_length() >= mm_state.config.queue_limit)
		return;
	message = mm_message_new(MM_KIND_GOODBYE, mm_wire_header_size(&mm_state.source));
	if (!message)
		return;
	mm_wire_put_header(message->bytes, MM_KIND_GOODBYE, &mm_state.source, mm_state.next_seq++);
	mm_queue_push_back(&mm_state.queue, message);
}

/* Lock held. Lets the sender flush for at most linger_ms, then waits a short margin for it to
 * close; a sender that does not finish in time is left to finish alone (detached, its
 * generation stale) rather than waited for. */
static void stop_sender(void)
{
	uint64_t give_up_ms;

	queue_goodbye();
	mm_state.sender = MM_SENDER_STOPPING;
	mm_state.flush_deadline_ms = mm_now_ms() + mm_state.config.linger_ms;
	give_up_ms = mm_state.flush_deadline_ms + MM_STOP_MARGIN_MS;
	mm_state.sender_sleeping = false;
	pthread_cond_signal(&mm_state.wake);
	while (mm_state.sender != MM_SENDER_DONE && mm_now_ms() < give_up_ms) {
		struct timespec at = mm_timespec_at(give_up_ms);

		pthread_cond_timedwait(&mm_state.stopped, &mm_state.lock, &at);
	}
	if (mm_state.sender == MM_SENDER_DONE)
		pthread_join(mm_state.thread, NULL);
	else
		pthread_detach(mm_state.thread);
}

/* Lock held. A sender STOPPING or DONE is being stopped by another thread's shutdown (or the
 * exit-time destructor): wait for that one to finish (at most its linger_ms plus the margin)
 * rather than start a new source under it, which would let it detach a newer sender.
 * The waits are cancellation points: a host thread cancelled in one would end holding the
 * lock and hang every later call, so cancellation waits until the shutdown is done. */
static int shutdown_locked(void)
{
	int cancel_state;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
	while (mm_state.sender == MM_SENDER_STOPPING || mm_state.sender == MM_SENDER_DONE)
		pthread_cond_wait(&mm_state.stopped, &mm_state.lock);
	if (mm_state.sender == MM_SENDER_RUNNING)
		stop_sender();
	start_new_source();
	pthread_cond_broadcast(&mm_state.stopped);
	pthread_setcancelstate(cancel_state, NULL);
	return MAPISTORE_SUCCESS;
}

int mm_state_shutdown(void)
{
	int rc;

	mm_lock();
	rc = shutdown_locked();
	mm_unlock();
	return rc;
}

static void init_conditions(void)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&mm_state.wake, &attr);
	pthread_cond_init(&mm_state.stopped, &attr);
	pthread_condattr_destroy(&attr);
}

/* fork(): the locks are held across it so the child inherits a consistent state, and no
 * context half created or half terminated (a fork() during a shutdown therefore waits for
 * the sender's zmq_ctx_term(), at most linger_ms). */
static void before_fork(void)
{
	pthread_mutex_lock(&mm_state.context_lock);
	mm_lock();
}

static void after_fork_in_parent(void)
{
	mm_unlock();
	pthread_mutex_unlock(&mm_state.context_lock);
}

/* The child is a new source: the parent's registrations, queue and sender stay the parent's.
 * Its sender thread does not exist here, so the batch it had in flight is freed here and
 * its ZeroMQ context is abandoned (never used or closed: libzmq is not fork-safe). */
static void after_fork_in_child(void)
{
	init_conditions();
	if (mm_state.zmq_context) {
		struct mm_abandoned_context *entry = malloc(sizeof(*entry));

		if (entry) {
			entry->context = mm_state.zmq_context;
			entry->older = abandoned_contexts;
			abandoned_contexts = entry;
		}
		mm_state.zmq_context = NULL;
	}
	mm_queue_clear(&mm_state.in_flight);
	start_new_source();
	mm_source_after_fork(&mm_state.source);
	mm_unlock();
	pthread_mutex_unlock(&mm_state.context_lock);
}

__attribute__((constructor)) static void mm_state_load(void)
{
	init_conditions();
	mm_source_init(&mm_state.source);
	pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
}

/* At exit (the shared library is linked -z nodelete, so only then): say goodbye, flush
 * within linger_ms, stop the sender; later calls queue nothing and start no thread. */
__attribute__((destructor)) static void mm_state_unload(void)
{
	mm_lock();
	shutdown_locked();
	mm_state.exiting = true;
	mm_unlock();
}
