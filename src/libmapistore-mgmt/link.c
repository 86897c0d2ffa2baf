/* SPDX-License-Identifier: GPL-3.0-or-later */
/* link.c - the ZeroMQ context and PUSH socket (with its monitor), opened with descriptor
 * headroom, watched, abandoned or closed. */
#include "link.h"

#include <errno.h>
#include <stdlib.h>
#include <zmq.h>

#include "curve.h"
#include "endpoint_check.h"

/* A blocked zmq_send() gives up after this long, so the thread keeps noticing shutdown and
 * configuration changes while the notifier is away; the message stays at the queue's head. */
#define MM_SEND_TIMEOUT_MS 20
/* Messages ZeroMQ may hold beyond our own queue (its default); 0 would mean unbounded. */
#define MM_SEND_HWM 1000
/* A notifier that went away is tried again 100 ms later, then at intervals doubling up to
 * 250 ms, each plus up to 100 ms of libzmq's jitter (so that many processes do not come in
 * step): a restarted notifier is reached at most about 350 ms after it binds (0.07 of the
 * default heartbeat interval), and one that stays away costs each process three or four
 * connection attempts a second. */
#define MM_RECONNECT_IVL_MS 100
#define MM_RECONNECT_IVL_MAX_MS 250

/* ZeroMQ contexts never to be used or closed again: inherited from a parent process, or whose
 * descriptors the host closed. Kept reachable so leak checkers do not report them. */
struct abandoned_context {
	void *context;
	struct abandoned_context *older;
};
static struct abandoned_context *abandoned_contexts;

/* The state's lock held (or the only thread, in a fork() child). */
static void abandon_context(void *context)
{
	struct abandoned_context *entry = malloc(sizeof(*entry));

	if (entry) {
		entry->context = context;
		entry->older = abandoned_contexts;
		abandoned_contexts = entry;
	}
}

void mm_zmq_contexts_after_fork_in_child(struct mm_zmq_contexts *contexts)
{
	if (contexts->live) {
		abandon_context(contexts->live);
		contexts->live = NULL;
	}
}

static int set_int_option(void *socket, int option, int value)
{
	return zmq_setsockopt(socket, option, &value, sizeof(value));
}

/* No lock held. */
static void *new_context(struct mm_link *link)
{
	void *context;

	pthread_mutex_lock(&link->contexts->lock);
	context = zmq_ctx_new();
	mm_state_lock(link->state);
	link->contexts->live = context;
	mm_state_unlock(link->state);
	pthread_mutex_unlock(&link->contexts->lock);
	return context;
}

/* No lock held. */
static void terminate_context(struct mm_link *link, void *context)
{
	pthread_mutex_lock(&link->contexts->lock);
	while (zmq_ctx_term(context) != 0 && errno == EINTR)
		;
	mm_state_lock(link->state);
	if (link->contexts->live == context)
		link->contexts->live = NULL;
	mm_state_unlock(link->state);
	pthread_mutex_unlock(&link->contexts->lock);
}

static enum mm_link_result failure(int error)
{
	return error == EMFILE || error == ENFILE ? MM_LINK_SHORT : MM_LINK_FAILED;
}

/* No lock held. Stops the socket's monitor and closes it. */
static void close_socket(struct mm_link *link, void *socket)
{
	mm_monitor_stop(&link->monitor, socket);
	zmq_close(socket);
}

/* Sets the socket's options (CURVE's too, when `keys` are enabled), starts its monitor (before
 * the first connection, which it must see too) and connects it; closes it on failure. No lock
 * held. */
static int connect_socket(struct mm_link *link, void *socket, const struct mm_config *config,
			  const struct mm_curve_keys *keys)
{
	if (set_int_option(socket, ZMQ_LINGER, (int)config->linger_ms) != 0 ||
	    set_int_option(socket, ZMQ_SNDHWM, MM_SEND_HWM) != 0 ||
	    set_int_option(socket, ZMQ_SNDTIMEO, MM_SEND_TIMEOUT_MS) != 0 ||
	    set_int_option(socket, ZMQ_RECONNECT_IVL, MM_RECONNECT_IVL_MS) != 0 ||
	    set_int_option(socket, ZMQ_RECONNECT_IVL_MAX, MM_RECONNECT_IVL_MAX_MS) != 0 ||
	    (keys->enabled && mm_curve_apply(socket, keys) != 0)) {
		set_int_option(socket, ZMQ_LINGER, 0);
		zmq_close(socket);
		return -1;
	}
	mm_monitor_start(&link->monitor, link->context, socket, link->connected,
			 link->connected_arg);
	if (zmq_connect(socket, config->endpoint) != 0) {
		set_int_option(socket, ZMQ_LINGER, 0);
		close_socket(link, socket);
		return -1;
	}
	return 0;
}

/* Each libzmq call that opens descriptors is made only once they have been proven free, and
 * the ones it took are then watched. No lock held. */
static enum mm_link_result open_link(struct mm_link *link, const struct mm_config *config,
				     const struct mm_curve_keys *keys)
{
	bool fresh = !link->context;
	unsigned int socket_first = fresh ? MM_ZMQ_CONTEXT_FDS : 0;
	struct mm_descriptor_probe probe;
	void *socket;

	if (!mm_descriptors_probe(&probe, socket_first + MM_ZMQ_SOCKET_FDS + MM_ZMQ_MONITOR_FDS +
						  MM_ZMQ_CONNECTION_FDS))
		return MM_LINK_SHORT;
	if (fresh && !(link->context = new_context(link)))
		return failure(errno);
	if (link->socket) {
		close_socket(link, link->socket);
		link->socket = NULL;
	}
	link->socket_fds.count = 0;
	socket = zmq_socket(link->context, ZMQ_PUSH);
	if (!socket) {
		enum mm_link_result result = failure(errno);

		if (fresh) { /* its descriptors are intact: closing it is safe */
			terminate_context(link, link->context);
			link->context = NULL;
		}
		return result;
	}
	if (fresh)
		mm_descriptors_watch(&link->context_fds, &probe, 0, MM_ZMQ_CONTEXT_FDS);
	if (connect_socket(link, socket, config, keys) != 0)
		return MM_LINK_FAILED;
	/* Once the monitor's sockets are open too (a connection's socket is never watched). */
	mm_descriptors_watch(&link->socket_fds, &probe, socket_first,
			     MM_ZMQ_SOCKET_FDS + MM_ZMQ_MONITOR_FDS);
	link->socket = socket;
	return MM_LINK_OK;
}

bool mm_link_current(const struct mm_link *link)
{
	return link->socket && link->config_generation == link->state->config_generation;
}

enum mm_link_result mm_link_connect(struct mm_link *link)
{
	struct mm_config config = link->state->config;
	uint64_t generation = link->state->config_generation;
	enum mm_link_result result = MM_LINK_HELD;
	struct mm_curve_keys keys;
	int check;

	mm_state_unlock(link->state);
	/* An endpoint that could be another user's, or CURVE keys that cannot be used, are not
	 * connected to: messages wait in the queue, and the reason is kept for the stats. */
	check = mm_endpoint_check(config.endpoint, NULL, 0);
	if (check == MAPISTORE_SUCCESS)
		check = mm_curve_load(&config, &keys);
	if (check == MAPISTORE_SUCCESS)
		result = open_link(link, &config, &keys);
	mm_curve_forget(&keys);
	mm_state_lock(link->state);
	link->state->endpoint_error = check;
	if (result == MM_LINK_OK)
		link->config_generation = generation;
	else if (result == MM_LINK_SHORT)
		mm_state_descriptor_shortage(link->state);
	return result;
}

bool mm_link_intact(struct mm_link *link)
{
	if (!link->context ||
	    (mm_descriptors_intact(&link->context_fds) && mm_descriptors_intact(&link->socket_fds)))
		return true;
	abandon_context(link->context);
	if (link->contexts->live == link->context)
		link->contexts->live = NULL;
	mm_monitor_abandon(&link->monitor);
	*link = (struct mm_link){.state = link->state,
				 .contexts = link->contexts,
				 .connected = link->connected,
				 .connected_arg = link->connected_arg};
	mm_state_context_lost(link->state);
	return false;
}

/* libzmq takes a multipart message whole: once it has its first frame it never refuses the
 * others for lack of room, so a refused message is sent again from its first frame. */
int mm_link_send(struct mm_link *link, const struct mm_message *message)
{
	return mm_link_send_bytes(link, message->bytes, message->len);
}

int mm_link_send_bytes(struct mm_link *link, const uint8_t *bytes, size_t total)
{
	size_t offset = 0;

	do {
		size_t len = mm_wire_frame_len(total, offset, MM_WIRE_FRAME_MAX);
		int more = offset + len < total ? ZMQ_SNDMORE : 0;

		if (zmq_send(link->socket, bytes + offset, len, more) < 0)
			return errno;
		offset += len;
	} while (offset < total);
	return 0;
}

void mm_link_close(struct mm_link *link, int linger_ms)
{
	if (link->socket) {
		set_int_option(link->socket, ZMQ_LINGER, linger_ms);
		close_socket(link, link->socket);
	}
	if (link->context)
		terminate_context(link, link->context);
}
