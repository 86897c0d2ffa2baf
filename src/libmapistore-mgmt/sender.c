/* sender.c - the background thread: owns the ZeroMQ context and PUSH socket, drains the
 * queue in order, queues heartbeats when due, reconnects when the endpoint changes, and
 * flushes then closes within linger_ms when shutdown asks. */
#define _GNU_SOURCE /* SCHED_BATCH */
#include "sender.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <zmq.h>

#include "state.h"

/* A blocked zmq_send() gives up after this long, so the thread keeps noticing shutdown and
 * configuration changes while the notifier is away; the message stays at the queue's head. */
#define MM_SEND_TIMEOUT_MS 20
/* Wait before trying again after an error other than a full socket (or a failed connect). */
#define MM_RETRY_MS 100
/* Messages ZeroMQ may hold beyond our own queue (its default); 0 would mean unbounded. */
#define MM_SEND_HWM 1000
/* Messages handed to ZeroMQ per turn of the lock: bounds how long the lock is then held. */
#define MM_BATCH 256

struct link {
	void *context;
	void *socket;
	uint64_t config_generation; /* of the endpoint the socket is connected to */
};

/* Lock held. Sleeps until woken or until `deadline_ms` (0: no deadline), never beyond the
 * flush deadline once shutdown has begun. */
static void sleep_until(uint64_t deadline_ms)
{
	if (mm_state.sender == MM_SENDER_STOPPING &&
	    (deadline_ms == 0 || deadline_ms > mm_state.flush_deadline_ms))
		deadline_ms = mm_state.flush_deadline_ms;
	mm_state.sender_sleeping = true;
	if (deadline_ms == 0) {
		pthread_cond_wait(&mm_state.wake, &mm_state.lock);
	} else {
		struct timespec at = mm_timespec_at(deadline_ms);

		pthread_cond_timedwait(&mm_state.wake, &mm_state.lock, &at);
	}
	mm_state.sender_sleeping = false;
}

static int set_int_option(void *socket, int option, int value)
{
	return zmq_setsockopt(socket, option, &value, sizeof(value));
}

/* Closes the previous socket (it may go on delivering within its linger) and connects a new
 * one. No lock held. */
static int open_socket(struct link *link, const struct mm_config *config)
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
static void *new_context(void)
{
	void *context;

	pthread_mutex_lock(&mm_state.context_lock);
	context = zmq_ctx_new();
	mm_lock();
	mm_state.zmq_context = context;
	mm_unlock();
	pthread_mutex_unlock(&mm_state.context_lock);
	return context;
}

static void terminate_context(void *context)
{
	pthread_mutex_lock(&mm_state.context_lock);
	while (zmq_ctx_term(context) != 0 && errno == EINTR)
		;
	mm_lock();
	if (mm_state.zmq_context == context)
		mm_state.zmq_context = NULL;
	mm_unlock();
	pthread_mutex_unlock(&mm_state.context_lock);
}

/* Lock held, released while libzmq works. */
static int connect_link(struct link *link)
{
	struct mm_config config = mm_state.config;
	uint64_t generation = mm_state.config_generation;
	int rc = -1;

	mm_unlock();
	if (!link->context)
		link->context = new_context();
	if (link->context)
		rc = open_socket(link, &config);
	mm_lock();
	if (rc == 0)
		link->config_generation = generation;
	return rc;
}

/* No lock held. */
static void close_link(struct link *link, int linger_ms)
{
	if (link->socket) {
		set_int_option(link->socket, ZMQ_LINGER, linger_ms);
		zmq_close(link->socket);
	}
	if (link->context)
		terminate_context(link->context);
}

/* Lock held. Hands up to MM_BATCH of the oldest messages to ZeroMQ, taking the lock once
 * before and once after. The batch stays reachable from the state while the lock is released
 * (a fork() child frees it); what the socket refused goes back to the queue's head, in order.
 * Returns false when this thread's generation went stale meanwhile (shutdown gave up). */
static bool send_batch(struct link *link, uint64_t generation, uint64_t *retry_at_ms)
{
	struct mm_queue batch;
	struct mm_message *message;
	size_t sent = 0;
	int error = 0;

	mm_queue_take(&mm_state.queue, MM_BATCH, &mm_state.in_flight);
	batch = mm_state.in_flight;
	mm_unlock();
	for (message = batch.head; message; message = message->next, sent++) {
		if (zmq_send(link->socket, message->bytes, message->len, 0) < 0) {
			error = errno;
			break;
		}
	}
	mm_lock();
	if (generation != mm_state.sender_generation) {
		mm_queue_clear(&batch);
		return false;
	}
	mm_state.in_flight = (struct mm_queue){0};
	while (sent-- > 0) {
		message = mm_queue_pop(&batch);
		mm_state_count_sent(message);
		free(message);
	}
	mm_queue_put_back(&mm_state.queue, &batch);
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

static void *sender_main(void *arg)
{
	uint64_t generation = (uint64_t)(uintptr_t)arg;
	struct link link = {0};
	uint64_t retry_at_ms = 0;
	bool current;
	int linger_ms = 0;

	run_as_batch();
	mm_lock();
	while (generation == mm_state.sender_generation) {
		uint64_t now_ms = mm_now_ms();
		uint64_t next_heartbeat_ms;

		if (mm_state.sender == MM_SENDER_STOPPING &&
		    (mm_state.queue.length == 0 || now_ms >= mm_state.flush_deadline_ms))
			break;
		if (now_ms < retry_at_ms) {
			sleep_until(retry_at_ms);
			continue;
		}
		if (!link.socket || link.config_generation != mm_state.config_generation) {
			if (connect_link(&link) != 0)
				retry_at_ms = now_ms + MM_RETRY_MS;
			continue;
		}
		next_heartbeat_ms = mm_state_heartbeat(now_ms);
		if (mm_state.queue.length == 0)
			sleep_until(next_heartbeat_ms);
		else if (!send_batch(&link, generation, &retry_at_ms))
			break;
	}
	current = generation == mm_state.sender_generation;
	if (current && mm_state.sender == MM_SENDER_STOPPING) {
		uint64_t now_ms = mm_now_ms();

		if (mm_state.flush_deadline_ms > now_ms)
			linger_ms = (int)(mm_state.flush_deadline_ms - now_ms);
	}
	mm_unlock();
	close_link(&link, linger_ms);
	mm_lock();
	if (current && generation == mm_state.sender_generation) {
		mm_state.sender = MM_SENDER_DONE;
		pthread_cond_broadcast(&mm_state.stopped);
	}
	mm_unlock();
	return NULL;
}

int mm_sender_start(void)
{
	sigset_t all, previous;
	int rc;

	if (mm_state.sender != MM_SENDER_NONE)
		return 0;
	/* The thread inherits this mask: no host signal is ever delivered to it. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &previous);
	rc = pthread_create(&mm_state.thread, NULL, sender_main,
			    (void *)(uintptr_t)mm_state.sender_generation);
	pthread_sigmask(SIG_SETMASK, &previous, NULL);
	if (rc != 0)
		return -1;
	mm_state.sender = MM_SENDER_RUNNING;
	mm_state.next_heartbeat_ms = 0;
	return 0;
}
