/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sender.c - the background thread: owns the link to the notifier (link.c), drains the queue
 * in order, builds heartbeats when due, reconnects when the endpoint changes, and flushes
 * then closes within linger_ms when stopped. Its whole life is here: start, wake, the loop,
 * stop, and what a fork() child does with it. */
#define _GNU_SOURCE /* SCHED_BATCH */
#include "sender.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "link.h"

/* Wait before trying again after an error other than a full socket (or a failed connect). */
#define MM_RETRY_MS 100
/* Messages handed to ZeroMQ per turn of the lock: bounds how long the lock is then held, and
 * so the messages of one batch frame. */
#define MM_BATCH 256
/* How long a stop waits for the thread beyond its flush deadline: the thread may be in a
 * zmq_send() (bounded by its send timeout) or closing with the remaining linger. */
#define MM_STOP_MARGIN_MS 100u
/* Room a heartbeat's buffer has beyond its size then, for registrations made meanwhile. */
#define MM_HEARTBEAT_SLACK 4096u
/* Turns the thread gives waiting callers between two slices of a heartbeat. */
#define MM_WAITER_TURNS 100

/* The one buffer batch frames are packed in. Static, so that nothing is allocated for it and a
 * fork() child has nothing to free; busy while a thread packs and sends from it (a stale
 * thread still sending when a new one starts: the new one then sends its messages alone). */
static uint8_t batch_frame[MM_WIRE_FRAME_MAX];
static atomic_flag batch_frame_busy = ATOMIC_FLAG_INIT;

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

/* Lock held. Keeps a heartbeat's buffer for the next one, freeing (without the lock) the one
 * kept before. */
static void keep_spare(struct mm_sender *sender, struct mm_message *message, size_t room)
{
	struct mm_message *older = sender->spare;

	sender->spare = message;
	sender->spare_room = room;
	if (older) {
		mm_state_unlock(sender->state);
		free(older);
		mm_state_lock(sender->state);
	}
}

/* No lock held. Hands the messages of `batch` to ZeroMQ in order: those queued together go in
 * batch frames when `batching`, any other alone. Returns how many were handed over; *error is
 * the errno of the send that failed (0: none did). */
static size_t send_messages(struct mm_link *link, const struct mm_queue *batch, bool batching,
			    int *error)
{
	const struct mm_message *message = batch->head;
	size_t sent = 0;

	batching = batching && !atomic_flag_test_and_set(&batch_frame_busy);
	while (message) {
		size_t frame_len, count = 1;

		if (batching)
			count = mm_batch_plan(message, batch->length - sent, sizeof(batch_frame),
					      &frame_len);
		if (count == 1) {
			*error = mm_link_send(link, message);
		} else {
			mm_batch_pack(batch_frame, message, count);
			*error = mm_link_send_bytes(link, batch_frame, frame_len);
		}
		if (*error != 0)
			break;
		sent += count;
		while (count-- > 0)
			message = message->next;
	}
	if (batching)
		atomic_flag_clear(&batch_frame_busy);
	return sent;
}

/* Lock held. Hands up to MM_BATCH of the oldest messages to ZeroMQ, taking the lock once
 * before and once after; what the socket refused goes back to the queue's head, in order.
 * Returns false when this thread's generation went stale meanwhile (a stop gave up on it). */
static bool send_batch(struct mm_sender *sender, struct mm_link *link, uint64_t generation,
		       uint64_t *retry_at_ms)
{
	struct mm_queue batch = mm_state_take_batch(sender->state, MM_BATCH);
	bool batching = sender->state->config.batching;
	struct mm_message *heartbeat;
	size_t sent;
	int error = 0;

	mm_state_unlock(sender->state);
	sent = send_messages(link, &batch, batching, &error);
	mm_state_lock(sender->state);
	if (generation != sender->generation) {
		mm_queue_clear(&batch);
		return false;
	}
	heartbeat = mm_state_batch_done(sender->state, &batch, sent);
	if (error != 0 && error != EAGAIN)
		*retry_at_ms = mm_now_ms() + MM_RETRY_MS;
	if (heartbeat)
		keep_spare(sender, heartbeat, sender->heartbeat_room);
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

/* Lock held. Lets the threads waiting for the lock have it before this one takes it again (a
 * mutex may well go straight back to the thread that released it); a bounded number of
 * turns, so that a flood of calls delays a heartbeat but cannot stop it. */
static void let_waiters_in(struct mm_state *state)
{
	mm_state_unlock(state);
	for (int turns = 0; turns < MM_WAITER_TURNS &&
			    atomic_load_explicit(&state->waiting, memory_order_relaxed) > 0;
	     turns++)
		sched_yield();
	mm_state_lock(state);
}

/* Lock held. Starts a heartbeat of `size` bytes now. Its buffer is allocated and its pages
 * touched without the lock (for a million triples that is tens of megabytes), with room for
 * the set to grow meanwhile; the last heartbeat's buffer is used again when big enough. (A
 * fork() child made while the buffer is out of sender->spare inherits it unreachable: a leak
 * there, never a double free.) */
static void start_heartbeat(struct mm_sender *sender, uint64_t generation, size_t size)
{
	struct mm_state *state = sender->state;
	struct mm_message *message = sender->spare;
	size_t room = sender->spare_room;

	sender->spare = NULL;
	mm_state_unlock(state);
	if (message && room < size) {
		free(message);
		message = NULL;
	}
	if (!message) {
		room = size + size / 8 + MM_HEARTBEAT_SLACK;
		message = mm_message_new(MM_KIND_HEARTBEAT, room);
		if (message)
			memset(message->bytes, 0, room);
	}
	mm_state_lock(state);
	if (!message)
		return;
	message->len = room;
	if (generation == sender->generation && mm_state_begin_heartbeat(state, message)) {
		sender->heartbeat_room = room;
		return;
	}
	keep_spare(sender, message, room);
}

/* Lock held. Copies one slice of the heartbeat being built, then lets the host's threads
 * have the lock: a snapshot of a million triples never holds it for more than a slice. */
static void build_heartbeat_slice(struct mm_state *state)
{
	mm_state_build_heartbeat(state);
	let_waiters_in(state);
}

/* Lock held. The thread's loop, until its generation goes stale or a stop has flushed (or
 * reached its flush deadline). */
static void run(struct mm_sender *sender, uint64_t generation, struct mm_link *link)
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
		if (!mm_link_current(link)) {
			if (mm_link_intact(link) && mm_link_connect(link) != MM_LINK_OK)
				retry_at_ms = now_ms + MM_RETRY_MS;
			continue;
		}
		next_heartbeat_ms = 0;
		if (sender->phase == MM_SENDER_RUNNING) {
			size_t heartbeat_size;

			next_heartbeat_ms = mm_state_heartbeat_due(state, now_ms, &heartbeat_size);
			if (heartbeat_size > 0) {
				start_heartbeat(sender, generation, heartbeat_size);
				continue;
			}
		}
		if (state->building)
			build_heartbeat_slice(state);
		else if (state->queue.length == 0)
			sleep_until(sender, next_heartbeat_ms);
		else if (mm_link_intact(link) && !send_batch(sender, link, generation, &retry_at_ms))
			break;
	}
}

/* On the link's monitor thread, for each connection its socket completes: the notifier there
 * may lack this source's set (mm_state_connected), so the thread is woken to send it, as an
 * ordinary heartbeat, through the queue. */
static void resync_on_connect(void *arg, bool first)
{
	struct mm_sender *sender = arg;

	mm_state_lock(sender->state);
	mm_state_connected(sender->state, first);
	mm_sender_wake(sender);
	mm_state_unlock(sender->state);
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
	struct mm_link link = {.state = sender->state,
			       .contexts = &sender->contexts,
			       .connected = resync_on_connect,
			       .connected_arg = sender};
	struct mm_message *spare;
	bool current;
	int linger_ms = 0;

	free(arg);
	run_as_batch();
	mm_state_lock(sender->state);
	run(sender, generation, &link);
	mm_link_intact(&link);
	spare = sender->spare;
	sender->spare = NULL;
	current = generation == sender->generation;
	if (current && sender->phase == MM_SENDER_STOPPING) {
		uint64_t now_ms = mm_now_ms();

		if (sender->flush_deadline_ms > now_ms)
			linger_ms = (int)(sender->flush_deadline_ms - now_ms);
	}
	mm_state_unlock(sender->state);
	free(spare);
	mm_link_close(&link, linger_ms);
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
	pthread_mutex_lock(&sender->contexts.lock);
}

void mm_sender_unlock_context(struct mm_sender *sender)
{
	pthread_mutex_unlock(&sender->contexts.lock);
}

void mm_sender_after_fork_in_child(struct mm_sender *sender)
{
	init_conditions(sender);
	atomic_flag_clear(&batch_frame_busy); /* a parent's thread was using it: not here */
	mm_zmq_contexts_after_fork_in_child(&sender->contexts);
	free(sender->spare);
	sender->spare = NULL;
	forget_thread(sender);
}
