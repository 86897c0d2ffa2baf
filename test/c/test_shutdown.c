/* Shutdown and the host's other threads: two shutdowns at once stop the sender once and leave
 * a later registration alone. Each scenario starts a shutdown in a thread while the sender
 * flushes toward a notifier that is away (so the shutdown lasts linger_ms), and acts once it
 * is under way; a scenario whose shutdown ended before that could be seen is tried again. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#include <mapistore/mapistore_mgmt.h>

#include "check.h"
#include "receiver.h"

#define LINGER_MS 2000u
#define ATTEMPTS 5

static atomic_bool shutdown_returned;

static struct mapistore_mgmt_stats stats_now(void)
{
	struct mapistore_mgmt_stats stats;

	CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
	return stats;
}

static void *shut_down(void *arg)
{
	(void)arg;
	CHECK(mapistore_mgmt_shutdown() == MAPISTORE_SUCCESS);
	atomic_store(&shutdown_returned, true);
	return NULL;
}

/* Starts a shutdown in *thread, with `absent` as the endpoint, and returns true once it is
 * under way (a call is refused while the queue has room), false when it ended first. */
static bool start_shutdown(const char *absent, pthread_t *thread)
{
	struct mapistore_connection_info jdoe = {.username = "jdoe"};
	struct mapistore_mgmt_options options = MAPISTORE_MGMT_OPTIONS_INIT;

	options.endpoint = absent;
	options.queue_limit = 100000;
	options.linger_ms = LINGER_MS;
	CHECK(mapistore_mgmt_configure(&options) == MAPISTORE_SUCCESS);
	CHECK(mapistore_mgmt_backend_register_user(&jdoe, "SOGo", "before") == MAPISTORE_SUCCESS);
	atomic_store(&shutdown_returned, false);
	CHECK(pthread_create(thread, NULL, shut_down, NULL) == 0);
	while (!atomic_load(&shutdown_returned)) {
		int rc = mapistore_mgmt_backend_register_user(&jdoe, "SOGo", "probe");

		CHECK(rc == MAPISTORE_SUCCESS || rc == MAPISTORE_ERR_MSG_SEND);
		if (rc == MAPISTORE_ERR_MSG_SEND)
			return true;
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
	receiver_close(&receiver);
	return 0;
}
