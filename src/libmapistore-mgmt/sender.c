/* sender.c - the background thread: owns the ZeroMQ context and PUSH socket, drains the
 * queue in order, queues heartbeats when due, reconnects when the endpoint changes, and
 * flushes then closes within linger_ms when stopped. Its whole life is here: start, wake,
 * the loop, stop, and what a fork() child does with it. */
#define _GNU_SOURCE /* SCHED_BATCH */
#include "sender.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <zmq.h>

#include "curve.h"
#include "endpoint_check.h"

/* A blocked zmq_send() gives up after this long, so the thread keeps noticing shutdown and
 * configuration changes while the notifier is away; the message stays at the queue's head. */
#define MM_SEND_TIMEOUT_MS 20
/* Wait before trying again after an error other than a full socket (or a failed connect). */
#define MM_RETRY_MS 100
/* Messages ZeroMQ may hold beyond our own queue (its default); 0 would mean unbounded. */
#define MM_SEND_HWM 1000
/* Messages handed to ZeroMQ per turn of the lock: bounds how long the lock is then held. */
#define MM_BATCH 256
/* How long a stop waits for the thread beyond its flush deadline: the thread may be in a
 * zmq_send() (bounded by its send timeout) or closing with the remaining linger. */
#define MM_STOP_MARGIN_MS 100u

/* ZeroMQ contexts inherited from a parent process. libzmq is not fork-safe: a child never
 * uses or closes them, it only keeps them reachable so leak checkers do not report them. */
struct abandoned_context {
	void *context;
	struct abandoned_context *older;
};
static struct abandoned_context *abandoned_contexts;

struct link {
	void *context;
	void *socket;
	uint64_t config_generation; /* of the endpoint the socket is connected to */
};

static void init_conditions(struct mm_sender *sender)
{
	pthread_condattr_t attr;

	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&sender->wake, &attr);
	pthread_cond_init(&sender->stopped, &attr);
	pthread_condattr_destroy(&attr);
}

void mm_sender_init(struct mm_sender *sender)
{
	init_conditions(sender);
}

/* Lock held. Sleeps until woken or until `deadline_ms` (0: no deadline), never beyond the
 * flush deadline once a stop has begun. */
static void sleep_until(struct mm_sender *sender, uint64_t deadline_ms)
{
	if (sender->phase == MM_SENDER_STOPPING &&
	    (deadline_ms == 0 || deadline_ms > sender->flush_deadline_ms))
		deadline_ms = sender->flush_deadline_ms;
	sender->sleeping = true;
	if (deadline_ms == 0) {
		pthread_cond_wait(&sender->wake, &sender->state->lock);
	} else {
		struct timespec at = mm_timespec_at(deadline_ms);

		pthread_cond_timedwait(&sender->wake, &sender->state->lock, &at);
	}
	sender->sleeping = false;
}

static int set_int_option(void *socket, int option, int value)
{
	return zmq_setsockopt(socket, option, &value, sizeof(value));
}

/* Closes the previous socket (it may go on delivering within its linger) and connects a new
 * one. No lock held. */
static int open_socket(struct link *link, const struct mm_config *config,
		       const struct mm_curve_keys *keys)
{
	void *socket;

	if (link->socket) {
		zmq_close(link->socket);
		link->socket = NULL;
	}
	socket = zmq_socket(link->context, ZMQ_PUSH);
	if (!socket)
		return -1;
	if (set_int_option(socket, ZMQ_LINGER, (int)config->linger_ms) != 0 ||
	    set_int_option(socket, ZMQ_SNDHWM, MM_SEND_HWM) != 0 ||
	    set_int_option(socket, ZMQ_SNDTIMEO, MM_SEND_TIMEOUT_MS) != 0 ||
	    (keys->enabled && mm_curve_apply(socket, keys) != 0) ||
	    zmq_connect(socket, config->endpoint) != 0) {
		set_int_option(socket, ZMQ_LINGER, 0);
		zmq_close(socket);
		return -1;
	}
	link->socket = socket;
	return 0;
}

/* zmq_ctx_new() and zmq_ctx_term() take process-wide locks (libzmq's crypto library is
 * initialised and closed there, behind a global mutex in some builds): a fork() in the middle
 * of either could leave the child's copy of such a lock taken for ever, and the child's own
 * sender would hang in its first zmq_ctx_new(). Both run under context_lock, which the fork
 * handlers take first, and publish or withdraw the context before releasing it, so a child
 * knows the context it inherits. No lock held. */
static void *new_context(struct mm_sender *sender)
{
	void *context;

	pthread_mutex_lock(&sender->context_lock);
	context = zmq_ctx_new();
	mm_state_lock(sender->state);
	sender->zmq_context = context;
	mm_state_unlock(sender->state);
	pthread_mutex_unlock(&sender->context_lock);
	return context;
}

static void terminate_context(struct mm_sender *sender, void *context)
{
	pthread_mutex_lock(&sender->context_lock);
	while (zmq_ctx_term(context) != 0 && errno == EINTR)
		;
	mm_state_lock(sender->state);
	if (sender->zmq_context == context)
		sender->zmq_context = NULL;
	mm_state_unlock(sender->state);
	pthread_mutex_unlock(&sender->context_lock);
}

/* Lock held, released while libzmq works. An endpoint that fails mm_endpoint_check(), or CURVE
 * keys that cannot be used, are not connected to: messages wait in the queue, and the reason
 * is kept for the stats. */
static int connect_link(struct mm_sender *sender, struct link *link)
{
	struct mm_config config = sender->state->config;
	uint64_t generation = sender->state->config_generation;
	struct mm_curve_keys keys;
	int check, rc = -1;

	mm_state_unlock(sender->state);
	check = mm_endpoint_check(config.endpoint, NULL, 0);
	if (check == MAPISTORE_SUCCESS)
		check = mm_curve_load(&config, &keys);
	if (check == MAPISTORE_SUCCESS && !link->context)
		link->context = new_context(sender);
	if (check == MAPISTORE_SUCCESS && link->context)
		rc = open_socket(link, &config, &keys);
	mm_curve_forget(&keys);
	mm_state_lock(sender->state);
	sender->state->endpoint_error = check;
	if (rc == 0)
		link->config_generation = generation;
	return rc;
}

/* No lock held. */
static void close_link(struct mm_sender *sender, struct link *link, int linger_ms)
{
	if (link->socket) {
		set_int_option(link->socket, ZMQ_LINGER, linger_ms);
		zmq_close(link->socket);
	}
	if (link->context)
		terminate_context(sender, link->context);
}

/* Lock held. Hands up to MM_BATCH of the oldest messages to ZeroMQ, taking the lock once
 * before and once after; what the socket refused goes back to the queue's head, in order.
 * Returns false when this thread's generation went stale meanwhile (a stop gave up on it). */
static bool send_batch(struct mm_sender *sender, struct link *link, uint64_t generation,
		       uint64_t *retry_at_ms)
{
	struct mm_queue batch = mm_state_take_batch(sender->state, MM_BATCH);
	struct mm_message *message;
	size_t sent = 0;
	int error = 0;

	mm_state_unlock(sender->state);
	for (message = batch.head; message; message = message->next, sent++) {
		if (zmq_send(link->socket, message->bytes, message->len, 0) < 0) {
			error = errno;
			break;
		}
	}
	mm_state_lock(sender->state);
	if (generation != sender->generation) {
		mm_queue_clear(&batch);
		return false;
	}
	mm_state_batch_done(sender->state, &batch, sent);
	if (error != 0 && error != EAGAIN)
		*retry_at_ms = mm_now_ms() + MM_RETRY_MS;
	return true;
}

/* A SCHED_BATCH thread never preempts the thread that wakes it: a host thread that queues a
 * message is not descheduled in favour of this one, which runs on an idle core or at the next
 * tick (same weight as nice 0, so it is not starved). Failure is harmless: the thread then
 * stays SCHED_OTHER. */
static void run_as_batch(void)
{
	struct sched_param param = {0};

	pthread_setschedparam(pthread_self(), SCHED_BATCH, &param);
}

/* Lock held. The thread's loop, until its generation goes stale or a stop has flushed (or
 * reached its flush deadline). */
static void run(struct mm_sender *sender, uint64_t generation, struct link *link)
{
	struct mm_state *state = sender->state;
	uint64_t retry_at_ms = 0;

	while (generation == sender->generation) {
		uint64_t now_ms = mm_now_ms();
		uint64_t next_heartbeat_ms;

		if (sender->phase == MM_SENDER_STOPPING &&
		    (state->queue.length == 0 || now_ms >= sender->flush_deadline_ms))
			break;
		if (now_ms < retry_at_ms) {
			sleep_until(sender, retry_at_ms);
			continue;
		}
		if (!link->socket || link->config_generation != state->config_generation) {
			if (connect_link(sender, link) != 0)
				retry_at_ms = now_ms + MM_RETRY_MS;
			continue;
		}
		next_heartbeat_ms =
			sender->phase == MM_SENDER_RUNNING ? mm_state_heartbeat(state, now_ms) : 0;
		if (state->queue.length == 0)
			sleep_until(sender, next_heartbeat_ms);
		else if (!send_batch(sender, link, generation, &retry_at_ms))
			break;
	}
}

/* What a new thread is told: its sender, and the generation it belongs to (read under the
 * lock when the thread first runs, it could already be a newer one's). */
struct thread_start {
	struct mm_sender *sender;
	uint64_t generation;
};

static void *sender_main(void *arg)
{
	struct thread_start start = *(struct thread_start *)arg;
	struct mm_sender *sender = start.sender;
	uint64_t generation = start.generation;
	struct link link = {0};
	bool current;
	int linger_ms = 0;

	free(arg);
	run_as_batch();
	mm_state_lock(sender->state);
	run(sender, generation, &link);
	current = generation == sender->generation;
	if (current && sender->phase == MM_SENDER_STOPPING) {
		uint64_t now_ms = mm_now_ms();

		if (sender->flush_deadline_ms > now_ms)
			linger_ms = (int)(sender->flush_deadline_ms - now_ms);
	}
	mm_state_unlock(sender->state);
	close_link(sender, &link, linger_ms);
	mm_state_lock(sender->state);
	if (current && generation == sender->generation) {
		sender->phase = MM_SENDER_DONE;
		pthread_cond_broadcast(&sender->stopped);
	}
	mm_state_unlock(sender->state);
	return NULL;
}

bool mm_sender_accepts(const struct mm_sender *sender)
{
	return sender->phase == MM_SENDER_NONE || sender->phase == MM_SENDER_RUNNING;
}

int mm_sender_start(struct mm_sender *sender)
{
	struct thread_start *start;
	sigset_t all, previous;
	int rc;

	if (sender->phase != MM_SENDER_NONE)
		return 0;
	start = malloc(sizeof(*start));
	if (!start)
		return -1;
	*start = (struct thread_start){sender, sender->generation};
	/* The thread inherits this mask: no host signal is ever delivered to it. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &previous);
	rc = pthread_create(&sender->thread, NULL, sender_main, start);
	pthread_sigmask(SIG_SETMASK, &previous, NULL);
	if (rc != 0) {
		free(start);
		return -1;
	}
	sender->phase = MM_SENDER_RUNNING;
	return 0;
}

void mm_sender_wake(struct mm_sender *sender)
{
	if (sender->sleeping) {
		sender->sleeping = false;
		pthread_cond_signal(&sender->wake);
	}
}

/* Lets the thread flush for at most linger_ms, then waits a short margin for it to close; a
 * thread that does not finish in time is left to finish alone (detached, its generation
 * stale) rather than waited for. */
static void stop_running(struct mm_sender *sender)
{
	struct mm_state *state = sender->state;
	uint64_t give_up_ms;

	mm_state_queue_goodbye(state);
	sender->phase = MM_SENDER_STOPPING;
	sender->flush_deadline_ms = mm_now_ms() + state->config.linger_ms;
	give_up_ms = sender->flush_deadline_ms + MM_STOP_MARGIN_MS;
	sender->sleeping = false;
	pthread_cond_signal(&sender->wake);
	while (sender->phase != MM_SENDER_DONE && mm_now_ms() < give_up_ms) {
		struct timespec at = mm_timespec_at(give_up_ms);

		pthread_cond_timedwait(&sender->stopped, &state->lock, &at);
	}
	if (sender->phase == MM_SENDER_DONE)
		pthread_join(sender->thread, NULL);
	else
		pthread_detach(sender->thread);
}

/* No thread, and any thread still alive is stale. */
static void forget_thread(struct mm_sender *sender)
{
	sender->phase = MM_SENDER_NONE;
	sender->generation++;
	sender->sleeping = false;
}

/* A sender STOPPING or DONE is being stopped by another thread (a shutdown, or the exit-time
 * destructor): wait for that one to finish (at most its linger_ms plus the margin) rather
 * than stop under it, which would let it detach a newer thread. */
void mm_sender_stop(struct mm_sender *sender)
{
	while (sender->phase == MM_SENDER_STOPPING || sender->phase == MM_SENDER_DONE)
		pthread_cond_wait(&sender->stopped, &sender->state->lock);
	if (sender->phase == MM_SENDER_RUNNING)
		stop_running(sender);
	forget_thread(sender);
	pthread_cond_broadcast(&sender->stopped);
}

void mm_sender_lock_context(struct mm_sender *sender)
{
	pthread_mutex_lock(&sender->context_lock);
}

void mm_sender_unlock_context(struct mm_sender *sender)
{
	pthread_mutex_unlock(&sender->context_lock);
}

void mm_sender_after_fork_in_child(struct mm_sender *sender)
{
	init_conditions(sender);
	if (sender->zmq_context) {
		struct abandoned_context *entry = malloc(sizeof(*entry));

		if (entry) {
			entry->context = sender->zmq_context;
			entry->older = abandoned_contexts;
			abandoned_contexts = entry;
		}
		sender->zmq_context = NULL;
	}
	forget_thread(sender);
}
