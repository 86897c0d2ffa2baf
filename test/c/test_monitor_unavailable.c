/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Without its socket monitor (the library's own threads may start no thread: the monitor's
 * creation fails), the library works as before resync on connect existed: its messages are
 * delivered, no connection is counted, and a shutdown returns (ctest's timeout is the guard
 * against a monitor that blocks its stop). */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <mapistore/mapistore_mgmt.h>

#include "check.h"
#include "receiver.h"

#define NO_HEARTBEAT_MS MAPISTORE_MGMT_HEARTBEAT_MS_MAX
#define HANG_GUARD_MS 30000

static pthread_t main_thread;

int __real_pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
			  void *arg);

/* The test's thread starts the sender; the sender thread would start the monitor. */
int __wrap_pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*start)(void *),
			  void *arg)
{
	if (!pthread_equal(pthread_self(), main_thread))
		return EAGAIN;
	return __real_pthread_create(thread, attr, start, arg);
}

static void expect_register(struct receiver *receiver, const char *vuser, uint64_t seq)
{
	struct frame frame;

	CHECK(receiver_next(receiver, &frame, HANG_GUARD_MS));
	CHECK(frame.kind == 1 && strcmp(frame.vuser, vuser) == 0);
	CHECK_EQ_U64(frame.seq, seq);
	frame_free(&frame);
}

int main(void)
{
	struct mapistore_connection_info jdoe = {.username = "jdoe"};
	struct mapistore_mgmt_stats stats;
	struct receiver receiver;
	struct frame frame;

	main_thread = pthread_self();
	receiver_open(&receiver, "ipc");
	configure_library(receiver.endpoint, NO_HEARTBEAT_MS, 100);
	CHECK(mapistore_mgmt_backend_register_user(&jdoe, "SOGo", "alpha") == MAPISTORE_SUCCESS);
	receiver_expect_announcement(&receiver, &frame, NO_HEARTBEAT_MS, HANG_GUARD_MS);
	frame_free(&frame);
	expect_register(&receiver, "alpha", 2);
	CHECK(mapistore_mgmt_backend_register_user(&jdoe, "SOGo", "beta") == MAPISTORE_SUCCESS);
	expect_register(&receiver, "beta", 3);

	CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
	CHECK_EQ_U64(stats.connections, 0);
	CHECK_EQ_U64(stats.heartbeats_sent, 1);
	CHECK(mapistore_mgmt_shutdown() == MAPISTORE_SUCCESS);
	receiver_close(&receiver);
	return 0;
}
