/* SPDX-License-Identifier: GPL-3.0-or-later */
/* subscriber.c - new-mail notifications from the notifier's PUB socket: subscribe by username,
 * take the next one without waiting, decode (notification.c), count what is refused. */
#include "subscriber.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include <mapistore/mapistore_mgmt.h>

#include "config.h"
#include "descriptors.h"
#include "endpoint_check.h"
#include "notification.h"
#include "process.h"
#include "utf8.h"

struct mapistore_mgmt_subscriber {
	pthread_mutex_t lock; /* serialises every call but destroy */
	unsigned int fork_generation; /* the process's when created: a child's differs */
	void *context;
	void *socket;
	bool abandoned; /* the host closed its descriptors: libzmq is never called again */
	bool connected; /* held until the endpoint's directory passes mm_endpoint_check() */
	char endpoint[MM_ENDPOINT_MAX];
	struct mm_descriptor_watch context_fds;
	struct mm_descriptor_watch socket_fds;
	struct mapistore_mgmt_subscriber_stats stats;
};

/* Bumped in every fork() child: a subscriber created before the fork is the parent's. */
static atomic_uint fork_generation;

static void after_fork_in_child(void)
{
	atomic_fetch_add(&fork_generation, 1);
}

__attribute__((constructor)) static void mm_subscriber_load(void)
{
	pthread_atfork(NULL, NULL, after_fork_in_child);
}

/* ZeroMQ contexts never to be used or closed again (a parent's, in a child; or one whose
 * descriptors the host closed), kept reachable for leak checkers. A lock-free stack: a fork()
 * child may push while a lock of the parent's threads would stay taken for ever. */
struct abandoned_context {
	void *context;
	struct abandoned_context *older;
};
static _Atomic(struct abandoned_context *) abandoned_contexts;

static void abandon_context(void *context)
{
	struct abandoned_context *entry = malloc(sizeof(*entry));

	if (!entry)
		return;
	entry->context = context;
	entry->older = atomic_load(&abandoned_contexts);
	while (!atomic_compare_exchange_weak(&abandoned_contexts, &entry->older, entry))
		;
}

static int set_int_option(void *socket, int option, int value)
{
	return zmq_setsockopt(socket, option, &value, sizeof(value));
}

static int endpoint_of(const char *endpoint, char out[MM_ENDPOINT_MAX])
{
	if (!endpoint)
		endpoint = getenv("MAPISTORE_MGMT_NEWMAIL_ENDPOINT");
	if (!endpoint || !*endpoint) {
		mm_config_default_newmail_endpoint(out);
		return MAPISTORE_SUCCESS;
	}
	if (!mm_config_endpoint_valid(endpoint))
		return MAPISTORE_ERR_INVALID_PARAMETER;
	strcpy(out, endpoint);
	return MAPISTORE_SUCCESS;
}

static void terminate_context(void *context)
{
	mm_process_lock_zmq_contexts();
	while (zmq_ctx_term(context) != 0 && errno == EINTR)
		;
	mm_process_unlock_zmq_contexts();
}

/* Connects once the endpoint's directory passes the sender's rule (endpoint_check.h): one not
 * made yet, or one that could be another user's, is not connected to (whoever made it would
 * receive the subscriptions and could publish forged notifications). Until then subscriptions
 * wait in the socket, and each call of mapistore_mgmt_subscriber_next() checks again, as the
 * sender's thread does. Returns MAPISTORE_SUCCESS once connected, else the check's code or
 * MAPISTORE_ERR_CONTEXT_FAILED. */
static int connect_when_trusted(struct mapistore_mgmt_subscriber *subscriber)
{
	int rc;

	if (subscriber->connected)
		return MAPISTORE_SUCCESS;
	rc = mm_endpoint_check(subscriber->endpoint, NULL, 0);
	if (rc != MAPISTORE_SUCCESS)
		return rc;
	if (zmq_connect(subscriber->socket, subscriber->endpoint) != 0)
		return MAPISTORE_ERR_CONTEXT_FAILED;
	subscriber->connected = true;
	return MAPISTORE_SUCCESS;
}

/* libzmq is called only once the descriptors it will open are proven free (descriptors.h),
 * and the ones it took are watched from then on. */
static int open_socket(struct mapistore_mgmt_subscriber *subscriber)
{
	struct mm_descriptor_probe probe;

	if (!mm_descriptors_probe(&probe, MM_ZMQ_CONTEXT_FDS + MM_ZMQ_SOCKET_FDS +
						  MM_ZMQ_CONNECTION_FDS))
		return MAPISTORE_ERR_CONTEXT_FAILED;
	mm_process_lock_zmq_contexts();
	subscriber->context = zmq_ctx_new();
	mm_process_unlock_zmq_contexts();
	if (!subscriber->context)
		return MAPISTORE_ERR_CONTEXT_FAILED;
	subscriber->socket = zmq_socket(subscriber->context, ZMQ_SUB);
	if (!subscriber->socket) {
		terminate_context(subscriber->context);
		return MAPISTORE_ERR_CONTEXT_FAILED;
	}
	mm_descriptors_watch(&subscriber->context_fds, &probe, 0, MM_ZMQ_CONTEXT_FDS);
	mm_descriptors_watch(&subscriber->socket_fds, &probe, MM_ZMQ_CONTEXT_FDS,
			     MM_ZMQ_SOCKET_FDS);
	if (set_int_option(subscriber->socket, ZMQ_LINGER, 0) != 0 ||
	    set_int_option(subscriber->socket, ZMQ_RCVHWM, MAPISTORE_MGMT_SUBSCRIBER_QUEUE) != 0 ||
	    connect_when_trusted(subscriber) == MAPISTORE_ERR_CONTEXT_FAILED) {
		zmq_close(subscriber->socket);
		terminate_context(subscriber->context);
		return MAPISTORE_ERR_CONTEXT_FAILED;
	}
	return MAPISTORE_SUCCESS;
}

int mapistore_mgmt_subscriber_new(const char *endpoint,
				  struct mapistore_mgmt_subscriber **subscriber)
{
	char address[MM_ENDPOINT_MAX];
	struct mapistore_mgmt_subscriber *created;
	int rc;

	if (!subscriber)
		return MAPISTORE_ERR_INVALID_PARAMETER;
	*subscriber = NULL;
	rc = endpoint_of(endpoint, address);
	if (rc != MAPISTORE_SUCCESS)
		return rc;
	/* A socket directory another user could have made is refused at once; one not made yet is
	 * held (connect_when_trusted()): the notifier need not be there. */
	if (mm_endpoint_check(address, NULL, 0) == MAPISTORE_ERR_DENIED)
		return MAPISTORE_ERR_DENIED;
	created = calloc(1, sizeof(*created));
	if (!created)
		return MAPISTORE_ERR_NO_MEMORY;
	created->fork_generation = atomic_load(&fork_generation);
	strcpy(created->endpoint, address);
	rc = open_socket(created);
	if (rc != MAPISTORE_SUCCESS) {
		free(created);
		return rc;
	}
	pthread_mutex_init(&created->lock, NULL);
	*subscriber = created;
	return MAPISTORE_SUCCESS;
}

static bool forked(const struct mapistore_mgmt_subscriber *subscriber)
{
	return subscriber->fork_generation != atomic_load(&fork_generation);
}

/* Takes the lock when the subscriber may be used: not a parent's in a fork() child (whose
 * lock may be held for ever, so it is not touched), and its descriptors still its own. */
static int enter(struct mapistore_mgmt_subscriber *subscriber)
{
	if (forked(subscriber))
		return MAPISTORE_ERR_DENIED;
	pthread_mutex_lock(&subscriber->lock);
	if (!subscriber->abandoned && (!mm_descriptors_intact(&subscriber->context_fds) ||
				       !mm_descriptors_intact(&subscriber->socket_fds))) {
		abandon_context(subscriber->context);
		subscriber->abandoned = true;
	}
	if (subscriber->abandoned) {
		pthread_mutex_unlock(&subscriber->lock);
		return MAPISTORE_ERR_CONTEXT_FAILED;
	}
	return MAPISTORE_SUCCESS;
}

static int leave(struct mapistore_mgmt_subscriber *subscriber, int rc)
{
	pthread_mutex_unlock(&subscriber->lock);
	return rc;
}

/* ZMQ_SUBSCRIBE or ZMQ_UNSUBSCRIBE to the topic `username` NUL. */
static int subscription(struct mapistore_mgmt_subscriber *subscriber, const char *username,
			int option)
{
	char topic[MAPISTORE_MGMT_MAX_STRING + 1];
	size_t len;
	int rc;

	if (!subscriber || !username)
		return MAPISTORE_ERR_INVALID_PARAMETER;
	len = strnlen(username, MAPISTORE_MGMT_MAX_STRING + 1);
	if (len == 0 || len > MAPISTORE_MGMT_MAX_STRING || !mm_utf8_valid(username, len))
		return MAPISTORE_ERR_INVALID_PARAMETER;
	memcpy(topic, username, len + 1);
	rc = enter(subscriber);
	if (rc != MAPISTORE_SUCCESS)
		return rc;
	if (zmq_setsockopt(subscriber->socket, option, topic, len + 1) != 0)
		rc = errno == ENOMEM ? MAPISTORE_ERR_NO_MEMORY : MAPISTORE_ERROR;
	return leave(subscriber, rc);
}

int mapistore_mgmt_subscriber_subscribe(struct mapistore_mgmt_subscriber *subscriber,
					const char *username)
{
	return subscription(subscriber, username, ZMQ_SUBSCRIBE);
}

int mapistore_mgmt_subscriber_unsubscribe(struct mapistore_mgmt_subscriber *subscriber,
					  const char *username)
{
	return subscription(subscriber, username, ZMQ_UNSUBSCRIBE);
}

int mapistore_mgmt_subscriber_fd(struct mapistore_mgmt_subscriber *subscriber, int *fd)
{
	size_t size = sizeof(*fd);
	int rc;

	if (!subscriber || !fd)
		return MAPISTORE_ERR_INVALID_PARAMETER;
	rc = enter(subscriber);
	if (rc != MAPISTORE_SUCCESS)
		return rc;
	if (zmq_getsockopt(subscriber->socket, ZMQ_FD, fd, &size) != 0)
		rc = MAPISTORE_ERROR;
	return leave(subscriber, rc);
}

/* One frame without waiting: 0, or the errno (EAGAIN: none waits). */
static int receive_frame(void *socket, zmq_msg_t *frame)
{
	zmq_msg_init(frame);
	while (zmq_msg_recv(frame, socket, ZMQ_DONTWAIT) < 0) {
		int error = errno;

		if (error != EINTR) {
			zmq_msg_close(frame);
			return error;
		}
	}
	return 0;
}

/* The frames left of a message after its second. */
static void discard_rest(void *socket)
{
	zmq_msg_t frame;
	bool more = true;

	while (more && receive_frame(socket, &frame) == 0) {
		more = zmq_msg_more(&frame);
		zmq_msg_close(&frame);
	}
}

static void count_malformed(struct mapistore_mgmt_subscriber *subscriber, const char *reason)
{
	subscriber->stats.malformed++;
	subscriber->stats.last_malformed = reason;
}

/* The topic is the body's username and one NUL. */
static bool topic_matches(zmq_msg_t *topic, const char *username)
{
	size_t len = strlen(username);

	return zmq_msg_size(topic) == len + 1 && memcmp(zmq_msg_data(topic), username, len + 1) == 0;
}

/* Decodes [topic, body] into *notification: MAPISTORE_SUCCESS, MAPISTORE_ERR_NO_MEMORY, or
 * MAPISTORE_ERR_INVALID_DATA for a frame counted as malformed. */
static int decode(struct mapistore_mgmt_subscriber *subscriber, zmq_msg_t *topic,
		  zmq_msg_t *body, struct mapistore_mgmt_notification *notification)
{
	size_t len = zmq_msg_size(body);
	char *storage = malloc(len ? len : 1);
	enum mm_notification_result result;

	if (!storage) {
		subscriber->stats.dropped++;
		return MAPISTORE_ERR_NO_MEMORY;
	}
	result = mm_notification_decode(zmq_msg_data(body), len, storage, notification);
	if (result != MM_NOTIFICATION_OK || !topic_matches(topic, notification->username)) {
		free(storage);
		count_malformed(subscriber, result != MM_NOTIFICATION_OK
						    ? mm_notification_reason(result)
						    : MM_SUBSCRIBER_BAD_ENVELOPE);
		return MAPISTORE_ERR_INVALID_DATA;
	}
	notification->storage = storage;
	subscriber->stats.delivered++;
	return MAPISTORE_SUCCESS;
}

/* The next message's frames, decoded: as decode(), or MAPISTORE_ERR_NOT_AVAILABLE or
 * MAPISTORE_ERR_MSG_RCV. A multipart message arrives whole, so its later frames never wait. */
static int receive_one(struct mapistore_mgmt_subscriber *subscriber,
		       struct mapistore_mgmt_notification *notification)
{
	zmq_msg_t topic, body;
	int error = receive_frame(subscriber->socket, &topic);
	bool two_frames;
	int rc;

	if (error)
		return error == EAGAIN ? MAPISTORE_ERR_NOT_AVAILABLE : MAPISTORE_ERR_MSG_RCV;
	if (!zmq_msg_more(&topic)) {
		zmq_msg_close(&topic);
		count_malformed(subscriber, MM_SUBSCRIBER_BAD_ENVELOPE);
		return MAPISTORE_ERR_INVALID_DATA;
	}
	if (receive_frame(subscriber->socket, &body) != 0) {
		zmq_msg_close(&topic);
		return MAPISTORE_ERR_MSG_RCV;
	}
	two_frames = !zmq_msg_more(&body);
	if (!two_frames)
		discard_rest(subscriber->socket);
	if (two_frames) {
		rc = decode(subscriber, &topic, &body, notification);
	} else {
		count_malformed(subscriber, MM_SUBSCRIBER_BAD_ENVELOPE);
		rc = MAPISTORE_ERR_INVALID_DATA;
	}
	zmq_msg_close(&body);
	zmq_msg_close(&topic);
	return rc;
}

int mapistore_mgmt_subscriber_next(struct mapistore_mgmt_subscriber *subscriber,
				   struct mapistore_mgmt_notification *notification)
{
	int rc;

	if (!notification)
		return MAPISTORE_ERR_INVALID_PARAMETER;
	memset(notification, 0, sizeof(*notification));
	if (!subscriber)
		return MAPISTORE_ERR_INVALID_PARAMETER;
	rc = enter(subscriber);
	if (rc != MAPISTORE_SUCCESS)
		return rc;
	rc = connect_when_trusted(subscriber);
	if (rc != MAPISTORE_SUCCESS)
		return leave(subscriber, rc);
	/* Malformed frames are skipped: at most the socket's queue, so this loop is bounded. */
	while ((rc = receive_one(subscriber, notification)) == MAPISTORE_ERR_INVALID_DATA)
		;
	if (rc != MAPISTORE_SUCCESS)
		memset(notification, 0, sizeof(*notification));
	return leave(subscriber, rc);
}

void mapistore_mgmt_notification_clear(struct mapistore_mgmt_notification *notification)
{
	if (!notification)
		return;
	free(notification->storage);
	memset(notification, 0, sizeof(*notification));
}

int mapistore_mgmt_subscriber_get_stats(struct mapistore_mgmt_subscriber *subscriber,
					struct mapistore_mgmt_subscriber_stats *stats, size_t size)
{
	if (!subscriber || !stats || size != sizeof(*stats))
		return MAPISTORE_ERR_INVALID_PARAMETER;
	if (forked(subscriber))
		return MAPISTORE_ERR_DENIED;
	pthread_mutex_lock(&subscriber->lock);
	*stats = subscriber->stats;
	pthread_mutex_unlock(&subscriber->lock);
	return MAPISTORE_SUCCESS;
}

/* In a fork() child the parent's ZeroMQ objects and lock are left as they are (libzmq is not
 * fork-safe, and the lock may be held by a thread the child does not have). */
void mapistore_mgmt_subscriber_destroy(struct mapistore_mgmt_subscriber **subscriber)
{
	struct mapistore_mgmt_subscriber *doomed;

	if (!subscriber || !*subscriber)
		return;
	doomed = *subscriber;
	*subscriber = NULL;
	if (forked(doomed)) {
		abandon_context(doomed->context);
		free(doomed);
		return;
	}
	if (!doomed->abandoned && mm_descriptors_intact(&doomed->context_fds) &&
	    mm_descriptors_intact(&doomed->socket_fds)) {
		zmq_close(doomed->socket);
		terminate_context(doomed->context);
	} else if (!doomed->abandoned) {
		abandon_context(doomed->context);
	}
	pthread_mutex_destroy(&doomed->lock);
	free(doomed);
}
