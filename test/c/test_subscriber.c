/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The subscriber end to end, against a real XPUB socket publishing the golden vectors' frames:
 * argument checks, the endpoint from the environment, beside the message socket and by default,
 * filtering by username, poll on the descriptor then drain, malformed frames counted and
 * skipped, counted subscriptions and unsubscribe, threads taking at once, a notification outliving its
 * subscriber, a fork() child refused, no notifier, no free descriptors, and a socket directory
 * squatted, or not made yet (held until it passes the sender's rule). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mapistore/mapistore_mgmt.h>

#include "check.h"
#include "temp_dir.h"
#include "notification_vectors.h"
#include "publisher.h"

static struct notification_vector vectors[NOTIFICATION_VECTORS_MAX];
static size_t vector_count;
static char directory[64];

static const struct notification_vector *vector(const char *name)
{
	return notification_vector_named(vectors, vector_count, name);
}

static void endpoint_in_directory(const char *name, char *out, size_t size)
{
	CHECK((size_t)snprintf(out, size, "ipc://%s/%s", directory, name) < size);
}

/* The next notification, waiting on the descriptor (edge-triggered) only once next() says
 * none waits: the loop the header documents. */
static void next_polling(struct mapistore_mgmt_subscriber *subscriber,
			 struct mapistore_mgmt_notification *notification)
{
	int fd, rc;

	CHECK(mapistore_mgmt_subscriber_fd(subscriber, &fd) == MAPISTORE_SUCCESS);
	while ((rc = mapistore_mgmt_subscriber_next(subscriber, notification)) ==
	       MAPISTORE_ERR_NOT_AVAILABLE) {
		struct pollfd item = {fd, POLLIN, 0};
		int ready = poll(&item, 1, PUBLISHER_HANG_GUARD_MS);

		CHECK(ready == 1 || (ready < 0 && errno == EINTR)); /* 0: an edge was missed */
	}
	CHECK(rc == MAPISTORE_SUCCESS);
}

static void check_is(const struct mapistore_mgmt_notification *n,
		     const struct notification_vector *v)
{
	CHECK(strcmp(n->backend, v->backend) == 0);
	CHECK(strcmp(n->username, v->username) == 0);
	CHECK(strcmp(n->vuser, v->vuser) == 0);
	CHECK(strcmp(n->folder, v->folder) == 0);
	CHECK(strcmp(n->message_id, v->message_id) == 0);
	CHECK_EQ_U64(n->uidvalidity, v->uidvalidity);
	CHECK(strcmp(n->sender, v->sender) == 0);
	CHECK(strcmp(n->subject, v->subject) == 0);
}

static void expect(struct mapistore_mgmt_subscriber *subscriber, const char *vector_name)
{
	struct mapistore_mgmt_notification n;

	next_polling(subscriber, &n);
	check_is(&n, vector(vector_name));
	mapistore_mgmt_notification_clear(&n);
	CHECK(n.storage == NULL && n.backend == NULL);
}

static void expect_nothing(struct mapistore_mgmt_subscriber *subscriber)
{
	struct mapistore_mgmt_notification n;

	CHECK(mapistore_mgmt_subscriber_next(subscriber, &n) == MAPISTORE_ERR_NOT_AVAILABLE);
	CHECK(n.backend == NULL && n.storage == NULL);
}

static struct mapistore_mgmt_subscriber_stats stats_of(struct mapistore_mgmt_subscriber *s)
{
	struct mapistore_mgmt_subscriber_stats stats;

	CHECK(mapistore_mgmt_subscriber_get_stats(s, &stats, sizeof(stats)) == MAPISTORE_SUCCESS);
	return stats;
}

static void test_arguments(void)
{
	struct mapistore_mgmt_subscriber *subscriber = (void *)1;
	struct mapistore_mgmt_notification n;
	char long_name[MAPISTORE_MGMT_MAX_STRING + 2];
	int fd;

	CHECK(mapistore_mgmt_subscriber_new(NULL, NULL) == MAPISTORE_ERR_INVALID_PARAMETER);
	CHECK(mapistore_mgmt_subscriber_new("inproc://x", &subscriber) ==
	      MAPISTORE_ERR_INVALID_PARAMETER);
	CHECK(subscriber == NULL);
	CHECK(mapistore_mgmt_subscriber_new("ipc://", &subscriber) ==
	      MAPISTORE_ERR_INVALID_PARAMETER);
	CHECK(mapistore_mgmt_subscriber_new("tcp://*:5555", &subscriber) ==
	      MAPISTORE_ERR_INVALID_PARAMETER);
	setenv("MAPISTORE_MGMT_NEWMAIL_ENDPOINT", "udp://nowhere", 1);
	CHECK(mapistore_mgmt_subscriber_new(NULL, &subscriber) == MAPISTORE_ERR_INVALID_PARAMETER);
	unsetenv("MAPISTORE_MGMT_NEWMAIL_ENDPOINT");

	CHECK(mapistore_mgmt_subscriber_subscribe(NULL, "jdoe") == MAPISTORE_ERR_INVALID_PARAMETER);
	CHECK(mapistore_mgmt_subscriber_next(NULL, &n) == MAPISTORE_ERR_INVALID_PARAMETER);
	CHECK(mapistore_mgmt_subscriber_fd(NULL, &fd) == MAPISTORE_ERR_INVALID_PARAMETER);
	mapistore_mgmt_subscriber_destroy(NULL);
	mapistore_mgmt_notification_clear(NULL);

	CHECK(mapistore_mgmt_subscriber_new("tcp://127.0.0.1:1", &subscriber) == MAPISTORE_SUCCESS);
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	CHECK(mapistore_mgmt_subscriber_subscribe(subscriber, long_name) ==
	      MAPISTORE_ERR_INVALID_PARAMETER);
	CHECK(mapistore_mgmt_subscriber_subscribe(subscriber, "") ==
	      MAPISTORE_ERR_INVALID_PARAMETER);
	CHECK(mapistore_mgmt_subscriber_subscribe(subscriber, NULL) ==
	      MAPISTORE_ERR_INVALID_PARAMETER);
	CHECK(mapistore_mgmt_subscriber_unsubscribe(subscriber, "\xff") ==
	      MAPISTORE_ERR_INVALID_PARAMETER);
	CHECK(mapistore_mgmt_subscriber_next(subscriber, NULL) == MAPISTORE_ERR_INVALID_PARAMETER);
	CHECK(mapistore_mgmt_subscriber_fd(subscriber, NULL) == MAPISTORE_ERR_INVALID_PARAMETER);
	CHECK(mapistore_mgmt_subscriber_get_stats(subscriber, NULL, 0) ==
	      MAPISTORE_ERR_INVALID_PARAMETER);
	mapistore_mgmt_subscriber_destroy(&subscriber);
	CHECK(subscriber == NULL);
	mapistore_mgmt_subscriber_destroy(&subscriber);
}

/* At RLIMIT_NOFILE, with fewer descriptors free than ZeroMQ needs: an error, not an abort. */
static void test_no_free_descriptors(void)
{
	struct mapistore_mgmt_subscriber *subscriber;
	struct rlimit saved, low;
	int fds[64];
	int count = 0;

	CHECK(getrlimit(RLIMIT_NOFILE, &saved) == 0);
	low = saved;
	low.rlim_cur = 32;
	CHECK(setrlimit(RLIMIT_NOFILE, &low) == 0);
	while (count < 64 && (fds[count] = dup(0)) >= 0)
		count++;
	CHECK(errno == EMFILE && count > 3);
	for (int i = 0; i < 3; i++)
		close(fds[--count]);
	CHECK(mapistore_mgmt_subscriber_new("tcp://127.0.0.1:1", &subscriber) ==
	      MAPISTORE_ERR_CONTEXT_FAILED);
	CHECK(subscriber == NULL);
	while (count > 0)
		close(fds[--count]);
	CHECK(setrlimit(RLIMIT_NOFILE, &saved) == 0);
	CHECK(mapistore_mgmt_subscriber_new("tcp://127.0.0.1:1", &subscriber) == MAPISTORE_SUCCESS);
	mapistore_mgmt_subscriber_destroy(&subscriber);
}

/* The host closes the subscriber's descriptor: it is abandoned, never an abort. */
static void test_descriptors_closed(void)
{
	struct mapistore_mgmt_subscriber *subscriber;
	struct mapistore_mgmt_notification n;
	char endpoint[128];
	int fd;

	endpoint_in_directory("nobody-at-all.sock", endpoint, sizeof(endpoint));
	CHECK(mapistore_mgmt_subscriber_new(endpoint, &subscriber) == MAPISTORE_SUCCESS);
	CHECK(mapistore_mgmt_subscriber_fd(subscriber, &fd) == MAPISTORE_SUCCESS);
	CHECK(close(fd) == 0);
	CHECK(mapistore_mgmt_subscriber_next(subscriber, &n) == MAPISTORE_ERR_CONTEXT_FAILED);
	CHECK(mapistore_mgmt_subscriber_subscribe(subscriber, "jdoe") ==
	      MAPISTORE_ERR_CONTEXT_FAILED);
	mapistore_mgmt_subscriber_destroy(&subscriber);
}

/* Nobody publishes: every call returns at once (ctest's timeout is the hang guard). */
static void test_no_notifier(void)
{
	struct mapistore_mgmt_subscriber *subscriber;
	char endpoint[128];
	int fd;

	endpoint_in_directory("nobody.sock", endpoint, sizeof(endpoint));
	CHECK(mapistore_mgmt_subscriber_new(endpoint, &subscriber) == MAPISTORE_SUCCESS);
	CHECK(mapistore_mgmt_subscriber_subscribe(subscriber, "jdoe") == MAPISTORE_SUCCESS);
	CHECK(mapistore_mgmt_subscriber_fd(subscriber, &fd) == MAPISTORE_SUCCESS && fd >= 0);
	for (int i = 0; i < 1000; i++)
		expect_nothing(subscriber);
	CHECK(mapistore_mgmt_subscriber_unsubscribe(subscriber, "jdoe") == MAPISTORE_SUCCESS);
	mapistore_mgmt_subscriber_destroy(&subscriber);
}

/* A socket directory others may write (a squatter's) is refused: nothing connects to it. */
static void test_squatted_directory(void)
{
	struct mapistore_mgmt_subscriber *subscriber = (struct mapistore_mgmt_subscriber *)1;
	char squatted[128], endpoint[160];

	CHECK((size_t)snprintf(squatted, sizeof(squatted), "%s/squatted", directory) <
	      sizeof(squatted));
	CHECK(mkdir(squatted, 0700) == 0 && chmod(squatted, 0777) == 0);
	snprintf(endpoint, sizeof(endpoint), "ipc://%s/newmail.sock", squatted);
	CHECK(mapistore_mgmt_subscriber_new(endpoint, &subscriber) == MAPISTORE_ERR_DENIED);
	CHECK(subscriber == NULL);
	CHECK(rmdir(squatted) == 0);
}

/* A socket directory not made yet is held, not connected to (whoever made it first would
 * receive the subscriptions): next() says MAPISTORE_ERR_NO_DIRECTORY and checks again at each
 * call; made writable by others (a squatter's, who binds there), it is MAPISTORE_ERR_DENIED;
 * once it passes the sender's rule, next() connects and the subscription made meanwhile
 * reaches the publisher, then its notifications arrive. */
static void test_directory_made_later(void)
{
	struct mapistore_mgmt_subscriber *subscriber;
	struct mapistore_mgmt_notification n;
	struct publisher publisher;
	char later[128], endpoint[160];

	CHECK((size_t)snprintf(later, sizeof(later), "%s/later", directory) < sizeof(later));
	snprintf(endpoint, sizeof(endpoint), "ipc://%s/newmail.sock", later);
	CHECK(mapistore_mgmt_subscriber_new(endpoint, &subscriber) == MAPISTORE_SUCCESS);
	CHECK(mapistore_mgmt_subscriber_subscribe(subscriber, "jdoe") == MAPISTORE_SUCCESS);
	CHECK(mapistore_mgmt_subscriber_next(subscriber, &n) == MAPISTORE_ERR_NO_DIRECTORY);
	CHECK(n.storage == NULL);
	CHECK(mapistore_mgmt_subscriber_next(subscriber, &n) == MAPISTORE_ERR_NO_DIRECTORY);

	CHECK(mkdir(later, 0700) == 0 && chmod(later, 0777) == 0);
	publisher_bind(&publisher, endpoint);
	CHECK(mapistore_mgmt_subscriber_next(subscriber, &n) == MAPISTORE_ERR_DENIED);

	CHECK(chmod(later, 0700) == 0);
	CHECK(mapistore_mgmt_subscriber_next(subscriber, &n) == MAPISTORE_ERR_NOT_AVAILABLE);
	publisher_await(&publisher, true, "jdoe");
	publisher_send_vector(&publisher, vector("newmail-basic"), NULL);
	expect(subscriber, "newmail-basic");
	mapistore_mgmt_subscriber_destroy(&subscriber);
	publisher_close(&publisher);
}

/* NULL: $MAPISTORE_MGMT_NEWMAIL_ENDPOINT, else $XDG_RUNTIME_DIR/mapistore-mgmt/newmail.sock,
 * or for root /run/mapistore-mgmt/newmail.sock (made for the test if absent, removed after),
 * also when $MAPISTORE_MGMT_ENDPOINT is tcp (the notifier then publishes there too). */
static void test_endpoint_from_environment(void)
{
	struct mapistore_mgmt_subscriber *subscriber;
	struct publisher publisher;
	char endpoint[128], runtime[96];
	bool made_runtime, made_dir;

	endpoint_in_directory("from-variable.sock", endpoint, sizeof(endpoint));
	publisher_bind(&publisher, endpoint);
	setenv("MAPISTORE_MGMT_NEWMAIL_ENDPOINT", endpoint, 1);
	CHECK(mapistore_mgmt_subscriber_new(NULL, &subscriber) == MAPISTORE_SUCCESS);
	unsetenv("MAPISTORE_MGMT_NEWMAIL_ENDPOINT");
	CHECK(mapistore_mgmt_subscriber_subscribe(subscriber, "jdoe") == MAPISTORE_SUCCESS);
	publisher_await(&publisher, true, "jdoe");
	publisher_send_vector(&publisher, vector("newmail-basic"), NULL);
	expect(subscriber, "newmail-basic");
	mapistore_mgmt_subscriber_destroy(&subscriber);
	publisher_close(&publisher);

	if (geteuid() == 0)
		CHECK((size_t)snprintf(runtime, sizeof(runtime), "/run") < sizeof(runtime));
	else
		CHECK((size_t)snprintf(runtime, sizeof(runtime), "%s/run", directory) <
		      sizeof(runtime));
	made_runtime = mkdir(runtime, 0700) == 0;
	CHECK((size_t)snprintf(endpoint, sizeof(endpoint), "%s/mapistore-mgmt", runtime) <
	      sizeof(endpoint));
	made_dir = mkdir(endpoint, 0700) == 0;
	CHECK(made_dir || errno == EEXIST);
	CHECK((size_t)snprintf(endpoint, sizeof(endpoint), "ipc://%s/mapistore-mgmt/newmail.sock",
			       runtime) < sizeof(endpoint));
	publisher_bind(&publisher, endpoint);
	setenv("XDG_RUNTIME_DIR", runtime, 1);
	setenv("MAPISTORE_MGMT_ENDPOINT", "tcp://127.0.0.1:5555", 1);
	CHECK(mapistore_mgmt_subscriber_new(NULL, &subscriber) == MAPISTORE_SUCCESS);
	unsetenv("MAPISTORE_MGMT_ENDPOINT");
	CHECK(mapistore_mgmt_subscriber_subscribe(subscriber, "bob") == MAPISTORE_SUCCESS);
	publisher_await(&publisher, true, "bob");
	publisher_send_vector(&publisher, vector("newmail-shared"), NULL);
	expect(subscriber, "newmail-shared");
	mapistore_mgmt_subscriber_destroy(&subscriber);
	publisher_close(&publisher);
	unlink(endpoint + strlen("ipc://"));
	if (made_dir) {
		*strrchr(endpoint, '/') = '\0';
		rmdir(endpoint + strlen("ipc://"));
	}
	if (made_runtime && geteuid() != 0)
		rmdir(runtime);
}

/* NULL and no $MAPISTORE_MGMT_NEWMAIL_ENDPOINT: newmail.sock beside an ipc
 * $MAPISTORE_MGMT_ENDPOINT, where the notifier given that endpoint publishes
 * (src/newmail/config.ts); the new-mail variable still comes first. */
static void test_endpoint_beside_message_socket(void)
{
	struct mapistore_mgmt_subscriber *subscriber;
	struct publisher beside, named;
	char sockets[96], notify[128], endpoint[128];

	CHECK((size_t)snprintf(sockets, sizeof(sockets), "%s/sockets", directory) < sizeof(sockets));
	CHECK(mkdir(sockets, 0700) == 0);
	CHECK((size_t)snprintf(notify, sizeof(notify), "ipc://%s/elsewhere.sock", sockets) <
	      sizeof(notify));
	CHECK((size_t)snprintf(endpoint, sizeof(endpoint), "ipc://%s/newmail.sock", sockets) <
	      sizeof(endpoint));
	publisher_bind(&beside, endpoint);
	setenv("MAPISTORE_MGMT_ENDPOINT", notify, 1);
	CHECK(mapistore_mgmt_subscriber_new(NULL, &subscriber) == MAPISTORE_SUCCESS);
	CHECK(mapistore_mgmt_subscriber_subscribe(subscriber, "jdoe") == MAPISTORE_SUCCESS);
	publisher_await(&beside, true, "jdoe");
	publisher_send_vector(&beside, vector("newmail-basic"), NULL);
	expect(subscriber, "newmail-basic");
	mapistore_mgmt_subscriber_destroy(&subscriber);

	endpoint_in_directory("named.sock", endpoint, sizeof(endpoint));
	publisher_bind(&named, endpoint);
	setenv("MAPISTORE_MGMT_NEWMAIL_ENDPOINT", endpoint, 1);
	CHECK(mapistore_mgmt_subscriber_new(NULL, &subscriber) == MAPISTORE_SUCCESS);
	unsetenv("MAPISTORE_MGMT_NEWMAIL_ENDPOINT");
	unsetenv("MAPISTORE_MGMT_ENDPOINT");
	CHECK(mapistore_mgmt_subscriber_subscribe(subscriber, "bob") == MAPISTORE_SUCCESS);
	publisher_await(&named, true, "bob");
	publisher_send_vector(&named, vector("newmail-shared"), NULL);
	expect(subscriber, "newmail-shared");
	mapistore_mgmt_subscriber_destroy(&subscriber);
	publisher_close(&named);
	publisher_close(&beside);
}

/* jdoe's subscriber never sees jdoe2's: the NUL ends the topic. */
static void test_filtering(struct publisher *publisher,
			   struct mapistore_mgmt_subscriber *subscriber)
{
	publisher_send_vector(publisher, vector("newmail-minimal"), "jdoe2");
	publisher_send_vector(publisher, vector("newmail-shared"), NULL); /* bob's */
	publisher_send_vector(publisher, vector("newmail-basic"), NULL);  /* jdoe's */
	expect(subscriber, "newmail-basic");
	expect_nothing(subscriber);
	CHECK_EQ_U64(stats_of(subscriber).malformed, 0);
}

/* A burst, with every kind of malformed frame among it: waiting on the descriptor only when
 * next() finds nothing, every good notification arrives, in order; the bad ones are counted. */
static void test_poll_and_drain(struct publisher *publisher,
				struct mapistore_mgmt_subscriber *subscriber)
{
	static const char *const errors[] = {"truncated-body", "unknown-version", "unknown-kind",
					     "trailing-bytes"};
	const struct notification_vector *shared = vector("newmail-shared");
	const void *one_frame[1] = {"jdoe"};
	size_t one_size[1] = {5};
	const void *three_frames[3] = {"jdoe", "", ""};
	size_t three_sizes[3] = {5, 0, 0};
	struct mapistore_mgmt_subscriber_stats before = stats_of(subscriber), after;
	const int rounds = 200;

	for (int i = 0; i < rounds; i++) {
		publisher_send_vector(publisher, vector(i % 2 ? "newmail-minimal" : "newmail-basic"),
				      NULL);
		if (i % 40 == 0) {
			for (size_t e = 0; e < 4; e++)
				publisher_send_vector(publisher, vector(errors[e]), "jdoe");
			publisher_send_vector(publisher, shared, "jdoe"); /* bob's body */
			publisher_send(publisher, one_frame, one_size, 1);
			publisher_send(publisher, three_frames, three_sizes, 3);
		}
	}
	for (int i = 0; i < rounds; i++)
		expect(subscriber, i % 2 ? "newmail-minimal" : "newmail-basic");
	expect_nothing(subscriber);
	after = stats_of(subscriber);
	CHECK_EQ_U64(after.delivered - before.delivered, rounds);
	CHECK_EQ_U64(after.malformed - before.malformed, (rounds / 40) * 7);
	CHECK(strcmp(after.last_malformed, "bad-envelope") == 0);
	CHECK_EQ_U64(after.dropped, 0);
}

/* Subscriptions are counted; after the last unsubscribe nothing more arrives. A later
 * notification for bob, on the same connection, proves jdoe's would have come before it. */
static void test_unsubscribe(struct publisher *publisher,
			     struct mapistore_mgmt_subscriber *subscriber)
{
	CHECK(mapistore_mgmt_subscriber_subscribe(subscriber, "bob") == MAPISTORE_SUCCESS);
	publisher_await(publisher, true, "bob");
	CHECK(mapistore_mgmt_subscriber_subscribe(subscriber, "jdoe") == MAPISTORE_SUCCESS);
	CHECK(mapistore_mgmt_subscriber_unsubscribe(subscriber, "jdoe") == MAPISTORE_SUCCESS);
	publisher_send_vector(publisher, vector("newmail-basic"), NULL);
	publisher_send_vector(publisher, vector("newmail-shared"), NULL);
	expect(subscriber, "newmail-basic");
	expect(subscriber, "newmail-shared");

	CHECK(mapistore_mgmt_subscriber_unsubscribe(subscriber, "jdoe") == MAPISTORE_SUCCESS);
	publisher_await(publisher, false, "jdoe");
	publisher_send_vector(publisher, vector("newmail-basic"), NULL);
	publisher_send_vector(publisher, vector("newmail-shared"), NULL);
	expect(subscriber, "newmail-shared");
	expect_nothing(subscriber);
	CHECK(mapistore_mgmt_subscriber_unsubscribe(subscriber, "nobody") == MAPISTORE_SUCCESS);
}

/* Threads taking from one subscriber at once, while another subscribes and reads stats: each
 * notification is returned exactly once. The takers spin on next() until all have come (the
 * descriptor's edge goes to one waiter only, so they do not poll). */
#define TAKERS 4
#define BURST 400

struct taking {
	struct mapistore_mgmt_subscriber *subscriber;
	atomic_uint taken;
	atomic_uint by_id[2];
};

static void *take_all(void *argument)
{
	struct taking *taking = argument;
	struct mapistore_mgmt_notification n;

	while (atomic_load(&taking->taken) < BURST) {
		int rc = mapistore_mgmt_subscriber_next(taking->subscriber, &n);

		if (rc == MAPISTORE_ERR_NOT_AVAILABLE) {
			sched_yield();
			continue;
		}
		CHECK(rc == MAPISTORE_SUCCESS);
		atomic_fetch_add(&taking->by_id[strcmp(n.message_id, "1") == 0], 1);
		mapistore_mgmt_notification_clear(&n);
		atomic_fetch_add(&taking->taken, 1);
	}
	return NULL;
}

static void *meddle(void *argument)
{
	struct taking *taking = argument;

	while (atomic_load(&taking->taken) < BURST) {
		/* jdoe is subscribed already: counted, so nothing changes upstream. */
		CHECK(mapistore_mgmt_subscriber_subscribe(taking->subscriber, "jdoe") ==
		      MAPISTORE_SUCCESS);
		CHECK(mapistore_mgmt_subscriber_unsubscribe(taking->subscriber, "jdoe") ==
		      MAPISTORE_SUCCESS);
		stats_of(taking->subscriber);
	}
	return NULL;
}

static void test_threads(struct publisher *publisher, struct mapistore_mgmt_subscriber *subscriber)
{
	static struct taking taking;
	pthread_t threads[TAKERS + 1];
	uint64_t delivered_before = stats_of(subscriber).delivered;

	taking.subscriber = subscriber;
	for (int i = 0; i < TAKERS; i++)
		CHECK(pthread_create(&threads[i], NULL, take_all, &taking) == 0);
	CHECK(pthread_create(&threads[TAKERS], NULL, meddle, &taking) == 0);
	for (int i = 0; i < BURST; i++)
		publisher_send_vector(publisher, vector(i % 2 ? "newmail-minimal" : "newmail-basic"),
				      NULL);
	for (int i = 0; i <= TAKERS; i++)
		CHECK(pthread_join(threads[i], NULL) == 0);
	CHECK_EQ_U64(atomic_load(&taking.taken), BURST);
	CHECK_EQ_U64(atomic_load(&taking.by_id[1]), BURST / 2);
	CHECK_EQ_U64(stats_of(subscriber).delivered - delivered_before, BURST);
	expect_nothing(subscriber);
}

/* A notification is the caller's: it outlives the subscriber that returned it. */
static void test_lifetime(struct publisher *publisher,
			  struct mapistore_mgmt_subscriber **subscriber)
{
	struct mapistore_mgmt_notification n;

	publisher_send_vector(publisher, vector("newmail-shared"), NULL);
	next_polling(*subscriber, &n);
	mapistore_mgmt_subscriber_destroy(subscriber);
	check_is(&n, vector("newmail-shared"));
	mapistore_mgmt_notification_clear(&n);
	mapistore_mgmt_notification_clear(&n); /* cleared twice: a no-op */
}

/* A fork() child gets MAPISTORE_ERR_DENIED from the parent's subscriber and can make its own;
 * the parent's goes on working. */
static void test_fork(struct publisher *publisher, struct mapistore_mgmt_subscriber *subscriber)
{
	int go_on[2], status;
	pid_t child;

	CHECK(pipe(go_on) == 0);
	child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		struct mapistore_mgmt_subscriber_stats stats;
		struct mapistore_mgmt_subscriber *own;
		struct mapistore_mgmt_notification n;
		int fd;

		CHECK(mapistore_mgmt_subscriber_next(subscriber, &n) == MAPISTORE_ERR_DENIED);
		CHECK(mapistore_mgmt_subscriber_subscribe(subscriber, "x") == MAPISTORE_ERR_DENIED);
		CHECK(mapistore_mgmt_subscriber_unsubscribe(subscriber, "x") == MAPISTORE_ERR_DENIED);
		CHECK(mapistore_mgmt_subscriber_fd(subscriber, &fd) == MAPISTORE_ERR_DENIED);
		CHECK(mapistore_mgmt_subscriber_get_stats(subscriber, &stats, sizeof(stats)) ==
		      MAPISTORE_ERR_DENIED);
		mapistore_mgmt_subscriber_destroy(&subscriber);
		CHECK(subscriber == NULL);
		CHECK(mapistore_mgmt_subscriber_new(publisher->endpoint, &own) == MAPISTORE_SUCCESS);
		CHECK(mapistore_mgmt_subscriber_subscribe(own, "child") == MAPISTORE_SUCCESS);
		CHECK(mapistore_mgmt_subscriber_fd(own, &fd) == MAPISTORE_SUCCESS);
		/* ZeroMQ sends the subscription from its own thread: stay until it is seen. */
		CHECK(read(go_on[0], &fd, 1) == 1);
		_exit(0); /* its connection closes: the publisher sees the subscription end */
	}
	publisher_await(publisher, true, "child");
	CHECK(write(go_on[1], "!", 1) == 1);
	close(go_on[0]);
	close(go_on[1]);
	CHECK(waitpid(child, &status, 0) == child);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	publisher_await(publisher, false, "child");
	publisher_send_vector(publisher, vector("newmail-basic"), NULL);
	expect(subscriber, "newmail-basic");
}

int main(int argc, char **argv)
{
	struct mapistore_mgmt_subscriber *subscriber;
	struct publisher publisher;
	char endpoint[128];

	CHECK(argc == 2);
	vector_count = notification_vectors_read(argv[1], vectors, NOTIFICATION_VECTORS_MAX);
	temp_dir_make(directory, sizeof(directory));

	test_no_free_descriptors(); /* first: no other ZeroMQ thread may meet the low limit */
	test_arguments();
	test_no_notifier();
	test_squatted_directory();
	test_directory_made_later();
	test_descriptors_closed();
	test_endpoint_from_environment();
	test_endpoint_beside_message_socket();

	endpoint_in_directory("newmail.sock", endpoint, sizeof(endpoint));
	publisher_bind(&publisher, endpoint);
	CHECK(mapistore_mgmt_subscriber_new(endpoint, &subscriber) == MAPISTORE_SUCCESS);
	CHECK(mapistore_mgmt_subscriber_subscribe(subscriber, "jdoe") == MAPISTORE_SUCCESS);
	publisher_await(&publisher, true, "jdoe");
	test_filtering(&publisher, subscriber);
	test_poll_and_drain(&publisher, subscriber);
	test_threads(&publisher, subscriber);
	test_fork(&publisher, subscriber);
	test_unsubscribe(&publisher, subscriber);
	test_lifetime(&publisher, &subscriber);
	CHECK(subscriber == NULL);
	publisher_close(&publisher);
	CHECK(temp_dir_remove(directory));
	printf("subscriber: every check passed\n");
	return 0;
}
