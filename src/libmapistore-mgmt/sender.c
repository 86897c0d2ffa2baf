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
#include <string.h>
#include <zmq.h>

#include "descriptors.h"

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
/* Room a heartbeat's buffer has beyond its size then, for registrations made meanwhile. */
#define MM_HEARTBEAT_SLACK 4096u
/* Turns the thread gives waiting callers between two slices of a heartbeat. */
#define MM_WAITER_TURNS 100

/* ZeroMQ contexts never to be used or closed again: inherited from a parent process (libzmq
 * is not fork-safe), or whose descriptors the host closed (libzmq would abort). */
struct abandoned_context {
	void *context;
	struct abandoned_context *older;
};
static struct abandoned_context *abandoned_contexts;

struct link {
	void *context;
	void *socket;
	uint64_t config_generation; /* of the endpoint the socket is connected to */
	struct mm_descriptor_watch context_fds; /* its mailbox, reaper's and I/O thread's */
	struct mm_descriptor_watch socket_fds;  /* the socket's mailbox */
};

/* The buffer of the last heartbeat sent, kept for the next one: a big one is not unmapped and
 * mapped again every interval. It is the thread's own (a fork() child made while the thread
 * held one inherits it unreachable: a leak there, never a double free). */
struct spare {
	struct mm_message *message;
	size_t room;
};

enum link_result {
	LINK_OK,
	LINK_SHORT,  /* too few free descriptors: libzmq was not asked */
	LINK_FAILED, /* libzmq refused (an endpoint it cannot reach, for one) */
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

/* Keeps a context this process must never use or close again reachable, so leak checkers
 * do not report it. Lock held (or the only thread, in a fork() child). */
static void abandon_context(void *context)
{
	struct abandoned_context *entry = malloc(sizeof(*entry));

	if (entry) {
		entry->context = context;
		entry->older = abandoned_contexts;
		abandoned_contexts = entry;
	}
}

static enum link_result failure(int error)
{
	return error == EMFILE || error == ENFILE ? LINK_SHORT : LINK_FAILED;
}

/* Connects the socket's options and endpoint; closes it on failure. No lock held. */
static int connect_socket(void *socket, const struct mm_config *config)
{
	if (set_int_option(socket, ZMQ_LINGER, (int)config->linger_ms) != 0 ||
	    set_int_option(socket, ZMQ_SNDHWM, MM_SEND_HWM) != 0 ||
	    set_int_option(socket, ZMQ_SNDTIMEO, MM_SEND_TIMEOUT_MS) != 0 ||
	    zmq_connect(socket, config->endpoint) != 0) {
		set_int_option(socket, ZMQ_LINGER, 0);
		zmq_close(socket);
		return -1;
	}
	return 0;
}

/* Opens the context if there is none, then a socket connected to the endpoint (the previous
 * one is closed, and may go on delivering within its linger). Each libzmq call that opens
 * descriptors is made only once they have been proven free, and the ones it took are then
 * watched. No lock held. */
static enum link_result open_link(struct mm_sender *sender, struct link *link,
				  const struct mm_config *config)
{
	bool fresh = !link->context;
	unsigned int socket_first = fresh ? MM_ZMQ_CONTEXT_FDS : 0;
	struct mm_descriptor_probe probe;
	void *socket;

	if (!mm_descriptors_probe(&probe, socket_first + MM_ZMQ_SOCKET_FDS + MM_ZMQ_CONNECTION_FDS))
		return LINK_SHORT;
	if (fresh && !(link->context = new_context(sender)))
		return failure(errno);
	if (link->socket) {
		zmq_close(link->socket);
		link->socket = NULL;
	}
	socket = zmq_socket(link->context, ZMQ_PUSH);
	if (!socket) {
		enum link_result result = failure(errno);

		if (fresh) { /* its descriptors are intact: closing it is safe */
			terminate_context(sender, link->context);
			link->context = NULL;
		}
		return result;
	}
	if (fresh)
		mm_descriptors_watch(&link->context_fds, &probe, 0, MM_ZMQ_CONTEXT_FDS);
	mm_descriptors_watch(&link->socket_fds, &probe, socket_first, MM_ZMQ_SOCKET_FDS);
	if (connect_socket(socket, config) != 0)
		return LINK_FAILED;
	link->socket = socket;
	return LINK_OK;
}

/* Lock held, released while libzmq works. */
static enum link_result connect_link(struct mm_sender *sender, struct link *link)
{
	struct mm_config config = sender->state->config;
	uint64_t generation = sender->state->config_generation;
	enum link_result result;

	mm_state_unlock(sender->state);
	result = open_link(sender, link, &config);
	mm_state_lock(sender->state);
	if (result == LINK_OK)
		link->config_generation = generation;
	return result;
}

/* Lock held. True when the link's descriptors are still its own. When the host has closed
 * or replaced one, any libzmq call on the context could abort the process: the context is
 * abandoned (never used or closed again) and counted, and a new one is opened. */
static bool link_intact(struct mm_sender *sender, struct link *link)
{
	if (!link->context ||
	    (mm_descriptors_intact(&link->context_fds) && mm_descriptors_intact(&link->socket_fds)))
		return true;
	abandon_context(link->context);
	if (sender->zmq_context == link->context)
		sender->zmq_context = NULL;
	*link = (struct link){0};
	mm_state_context_lost(sender->state);
	return false;
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

/* Hands one message to ZeroMQ: one frame, or a multipart message of MM_WIRE_FRAME_MAX-byte
 * frames (docs/protocol.md, "Frames"). libzmq takes a multipart message whole: once it has
 * its first frame it never refuses the others for lack of room. Returns 0, or -1 with errno
 * when it refused the message, which is then sent again from its first frame. No lock held. */
static int send_message(void *socket, const struct mm_message *message)
{
	size_t offset = 0;

	do {
		size_t len = mm_wire_frame_len(message->len, offset, MM_WIRE_FRAME_MAX);
		int more = offset + len < message->len ? ZMQ_SNDMORE : 0;

		if (zmq_send(socket, message->bytes + offset, len, more) < 0)
			return -1;
		offset += len;
	} while (offset < message->len);
	return 0;
}

/* Lock held. Hands up to MM_BATCH of the oldest messages to ZeroMQ, taking the lock once
 * before and once after; what the socket refused goes back to the queue's head, in order.
 * Returns false when this thread's generation went stale meanwhile (a stop gave up on it). */
static bool send_batch(struct mm_sender *sender, struct link *link, uint64_t generation,
		       uint64_t *retry_at_ms, struct spare *spare)
{
	struct mm_queue batch = mm_state_take_batch(sender->state, MM_BATCH);
	struct mm_message *message, *heartbeat;
	size_t sent = 0;
	int error = 0;

	mm_state_unlock(sender->state);
	for (message = batch.head; message; message = message->next, sent++) {
		if (send_message(link->socket, message) < 0) {
			error = errno;
			break;
		}
	}
	mm_state_lock(sender->state);
	if (generation != sender->generation) {
		mm_queue_clear(&batch);
		return false;
	}
	heartbeat = mm_state_batch_done(sender->state, &batch, sent);
	if (error != 0 && error != EAGAIN)
		*retry_at_ms = mm_now_ms() + MM_RETRY_MS;
	if (heartbeat) {
		if (spare->message) {
			mm_state_unlock(sender->state);
			free(spare->message);
			mm_state_lock(sender->state);
		}
		*spare = (struct spare){heartbeat, heartbeat->len};
	}
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
 * the set to grow meanwhile; the last heartbeat's buffer is used again when big enough. */
static void start_heartbeat(struct mm_sender *sender, uint64_t generation, size_t size,
			    struct spare *spare)
{
	struct mm_state *state = sender->state;
	struct mm_message *message = spare->message;
	size_t room = spare->room;

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
	*spare = (struct spare){0};
	mm_state_lock(state);
	if (!message)
		return;
	message->len = room;
	if (generation == sender->generation && mm_state_begin_heartbeat(state, message))
		return;
	*spare = (struct spare){message, room};
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
static void run(struct mm_sender *sender, uint64_t generation, struct link *link,
		struct spare *spare)
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
		if (!link_intact(sender, link))
			continue;
		if (!link->socket || link->config_generation != state->config_generation) {
			enum link_result result = connect_link(sender, link);

			if (result == LINK_SHORT)
				mm_state_descriptor_shortage(state);
			if (result != LINK_OK)
				retry_at_ms = now_ms + MM_RETRY_MS;
			continue;
		}
		next_heartbeat_ms = 0;
		if (sender->phase == MM_SENDER_RUNNING) {
			size_t heartbeat_size;

			next_heartbeat_ms = mm_state_heartbeat_due(state, now_ms, &heartbeat_size);
			if (heartbeat_size > 0) {
				start_heartbeat(sender, generation, heartbeat_size, spare);
				continue;
			}
		}
		if (state->building)
			build_heartbeat_slice(state);
		else if (state->queue.length == 0)
			sleep_until(sender, next_heartbeat_ms);
		else if (!send_batch(sender, link, generation, &retry_at_ms, spare))
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
	struct spare spare = {0};
	bool current;
	int linger_ms = 0;

	free(arg);
	run_as_batch();
	mm_state_lock(sender->state);
	run(sender, generation, &link, &spare);
	link_intact(sender, &link);
	current = generation == sender->generation;
	if (current && sender->phase == MM_SENDER_STOPPING) {
		uint64_t now_ms = mm_now_ms();

		if (sender->flush_deadline_ms > now_ms)
			linger_ms = (int)(sender->flush_deadline_ms - now_ms);
	}
	mm_state_unlock(sender->state);
	free(spare.message);
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
		abandon_context(sender->zmq_context);
		sender->zmq_context = NULL;
	}
	forget_thread(sender);
}
