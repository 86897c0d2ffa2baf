/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Shutdown and the host's other threads: two shutdowns at once stop the sender once and leave
 * a later registration alone; a thread cancelled during its shutdown, or with a cancel
 * pending when its call draws the source's epoch, finishes the call and does not end holding
 * the library's lock. The shutdown scenarios start a shutdown in a thread while the sender
 * flushes toward a notifier that is away (so the shutdown lasts linger_ms), and act once it
 * is under way; a scenario whose shutdown ended before that could be seen is tried again.
 * A thread that ended holding the lock would hang every later call, the exit-time destructor
 * included: such a failure is reported and the test ends with _exit(). */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <unistd.h>

#include <mapistore/mapistore_mgmt.h>

#include "check.h"
#include "receiver.h"

#define LINGER_MS 2000u
#define ATTEMPTS 5

static atomic_bool shutdown_called, shutdown_returned;

static struct mapistore_mgmt_stats stats_now(void)
{
	struct mapistore_mgmt_stats stats;

	CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
	return stats;
}

/* The threads that a cancel ends are not instrumented by AddressSanitizer: the unwinding of a
 * cancellation skips the epilogue that unpoisons a frame's locals, and AddressSanitizer then
 * trips over its own marks when the thread ends (a false stack-use-after-scope). */
#define CANCELLABLE __attribute__((no_sanitize("address")))

/* A cancel pending when the shutdown returns acts at the pthread_testcancel(). */
CANCELLABLE static void *shut_down(void *arg)
{
	(void)arg;
	atomic_store(&shutdown_called, true);
	CHECK(mapistore_mgmt_shutdown() == MAPISTORE_SUCCESS);
	atomic_store(&shutdown_returned, true);
	pthread_testcancel();
	return NULL;
}

/* Ends the test at once when a call did not return: the lock may be held for ever. */
static void check_returned(bool returned, const char *call)
{
	if (!returned) {
		fprintf(stderr, "%s was cancelled inside the library\n", call);
		_exit(1);
	}
}

/* Starts a shutdown in *thread, with `absent` as the endpoint, and returns true once it is
 * under way, false when it ended first. Under way: once the thread has called it, a call is
 * refused although the queue has room (its bound is far beyond what the probes queue while
 * they let the thread run). */
static bool start_shutdown(const char *absent, pthread_t *thread)
{
	struct mapistore_connection_info jdoe = {.username = "jdoe"};
	struct mapistore_mgmt_options options = MAPISTORE_MGMT_OPTIONS_INIT;

	options.endpoint = absent;
	options.queue_limit = 10000000;
	options.linger_ms = LINGER_MS;
	CHECK(mapistore_mgmt_configure(&options) == MAPISTORE_SUCCESS);
	CHECK(mapistore_mgmt_backend_register_user(&jdoe, "SOGo", "before") == MAPISTORE_SUCCESS);
	atomic_store(&shutdown_called, false);
	atomic_store(&shutdown_returned, false);
	CHECK(pthread_create(thread, NULL, shut_down, NULL) == 0);
	while (!atomic_load(&shutdown_called))
		sched_yield();
	while (!atomic_load(&shutdown_returned)) {
		int rc = mapistore_mgmt_backend_register_user(&jdoe, "SOGo", "probe");

		CHECK(rc == MAPISTORE_SUCCESS || rc == MAPISTORE_ERR_MSG_SEND);
		if (rc == MAPISTORE_ERR_MSG_SEND)
			return true;
		sched_yield();
	}
	return false;
}

/* Back to a short linger, and a new source, between scenarios. */
static void start_over(void)
{
	struct mapistore_mgmt_options options = MAPISTORE_MGMT_OPTIONS_INIT;

	options.linger_ms = 200;
	CHECK(mapistore_mgmt_configure(&options) == MAPISTORE_SUCCESS);
	CHECK(mapistore_mgmt_shutdown() == MAPISTORE_SUCCESS);
}

/* Two shutdowns at once (a host thread's and the exit-time destructor's, say): the second
 * must wait for the first to finish rather than start a new source under it. A register made
 * once both have returned is then held by a running sender that nobody stops behind its back. */
static bool concurrent_shutdowns(const char *absent)
{
	struct mapistore_connection_info jdoe = {.username = "jdoe"};
	struct mapistore_mgmt_stats stats;
	pthread_t first;
	bool under_way = start_shutdown(absent, &first);

	if (under_way) {
		CHECK(mapistore_mgmt_shutdown() == MAPISTORE_SUCCESS);
		CHECK(mapistore_mgmt_backend_register_user(&jdoe, "SOGo", "after") == MAPISTORE_SUCCESS);
	}
	CHECK(pthread_join(first, NULL) == 0);
	if (under_way) {
		stats = stats_now();
		CHECK(stats.registrations_held == 1 && stats.triples_held == 1 && stats.epoch != 0);
	}
	start_over();
	return under_way;
}

/* A thread cancelled while its shutdown waits for the sender: the shutdown runs to its end
 * (the cancel acts after it), and the lock is free for the next call. */
static bool cancelled_shutdown(const char *absent)
{
	struct mapistore_mgmt_stats stats;
	pthread_t thread;
	void *result;
	bool under_way = start_shutdown(absent, &thread);

	if (under_way)
		CHECK(pthread_cancel(thread) == 0);
	CHECK(pthread_join(thread, &result) == 0);
	if (under_way) {
		check_returned(atomic_load(&shutdown_returned), "mapistore_mgmt_shutdown()");
		CHECK(result == PTHREAD_CANCELED);
		stats = stats_now();
		CHECK(stats.epoch == 0 && stats.registrations_held == 0 && stats.queue_length == 0);
	}
	start_over();
	return under_way;
}

static atomic_bool registered;
static int ready_pipe[2], cancelled_pipe[2];

/* Calls register with a cancel pending: the source's first call, which draws its epoch. */
CANCELLABLE static void *register_with_cancel_pending(void *arg)
{
	struct mapistore_connection_info jdoe = {.username = "jdoe"};
	char byte;

	(void)arg;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
	CHECK(write(ready_pipe[1], "r", 1) == 1);
	CHECK(read(cancelled_pipe[0], &byte, 1) == 1);
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, NULL);
	CHECK(mapistore_mgmt_backend_register_user(&jdoe, "SOGo", "cancelled") == MAPISTORE_SUCCESS);
	atomic_store(&registered, true);
	pthread_testcancel();
	return NULL;
}

static bool cancel_pending_at_first_call(const char *absent)
{
	pthread_t thread;
	void *result;
	char byte;

	(void)absent;
	CHECK(stats_now().epoch == 0);
	CHECK(pipe(ready_pipe) == 0 && pipe(cancelled_pipe) == 0);
	CHECK(pthread_create(&thread, NULL, register_with_cancel_pending, NULL) == 0);
	CHECK(read(ready_pipe[0], &byte, 1) == 1);
	CHECK(pthread_cancel(thread) == 0);
	CHECK(write(cancelled_pipe[1], "c", 1) == 1);
	CHECK(pthread_join(thread, &result) == 0);
	check_returned(atomic_load(&registered), "mapistore_mgmt_backend_register_user()");
	CHECK(result == PTHREAD_CANCELED);
	CHECK(stats_now().registrations_held == 1 && stats_now().epoch != 0);
	for (int i = 0; i < 2; i++) {
		close(ready_pipe[i]);
		close(cancelled_pipe[i]);
	}
	start_over();
	return true;
}

static void run(bool (*scenario)(const char *), const char *absent, const char *name)
{
	int attempts = 0;

	while (!scenario(absent))
		CHECK(++attempts < ATTEMPTS);
	printf("%s: checked\n", name);
}

int main(void)
{
	struct receiver receiver;
	char absent[600];

	receiver_open(&receiver, "ipc");
	receiver_spare_endpoint(&receiver, "absent.sock", absent, sizeof(absent));
	run(concurrent_shutdowns, absent, "two shutdowns at once");
	run(cancelled_shutdown, absent, "a shutdown cancelled under way");
	run(cancel_pending_at_first_call, absent, "a first call with a cancel pending");
	receiver_close(&receiver);
	return 0;
}
