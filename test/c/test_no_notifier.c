/* SPDX-License-Identifier: GPL-3.0-or-later */
/* No notifier: a process makes 1,000,000 calls against an endpoint where nobody listens.
 * Every call returns at once (SUCCESS or MSG_SEND), the queue never holds more than its bound,
 * every call is accounted for (dropped = calls - sent - queued), and the process then exits
 * promptly: the parent waits for it with a bounded wait. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mapistore/mapistore_mgmt.h>

#include "check.h"
#include "receiver.h"
#include "temp_dir.h"

#define CALLS 1000000u
#define QUEUE_LIMIT 10000u
#define NO_HEARTBEAT_MS MAPISTORE_MGMT_HEARTBEAT_MS_MAX
#define EXIT_DEADLINE_MS 30000u

static void flood(const char *endpoint)
{
	struct mapistore_connection_info conn_info = {.username = "jdoe"};
	struct mapistore_mgmt_stats stats;
	uint64_t refused = 0;

	/* No heartbeats during the test but the first message (it announces the interval), so
	 * sent + queued counts that one and the calls' messages. */
	configure_library(endpoint, NO_HEARTBEAT_MS, QUEUE_LIMIT);
	for (unsigned int i = 0; i < CALLS; i += 2) {
		int rc = mapistore_mgmt_backend_register_user(&conn_info, "SOGo", "jdoe");

		CHECK(rc == MAPISTORE_SUCCESS || rc == MAPISTORE_ERR_MSG_SEND);
		refused += rc != MAPISTORE_SUCCESS;
		rc = mapistore_mgmt_backend_unregister_user(&conn_info, "SOGo", "jdoe");
		CHECK(rc == MAPISTORE_SUCCESS || rc == MAPISTORE_ERR_MSG_SEND);
		refused += rc != MAPISTORE_SUCCESS;
		if (i % 65536 == 0) {
			CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
			CHECK(stats.queue_length <= QUEUE_LIMIT);
		}
	}
	CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
	printf("%u calls: %llu queued or handed to ZeroMQ, %llu dropped, queue %llu of %u\n", CALLS,
	       (unsigned long long)(stats.messages_sent + stats.queue_length),
	       (unsigned long long)stats.messages_dropped, (unsigned long long)stats.queue_length,
	       QUEUE_LIMIT);
	CHECK(stats.queue_length <= QUEUE_LIMIT);
	CHECK(stats.heartbeats_sent == 1);
	CHECK_EQ_U64(stats.messages_dropped, refused);
	CHECK_EQ_U64(stats.messages_dropped, CALLS + 1 - stats.messages_sent - stats.queue_length);
	CHECK(refused > 0 && stats.registrations_held == 0);
	fflush(stdout);
	exit(0); /* the library's destructor runs here: it must not hang */
}

int main(void)
{
	/* Nobody ever binds this endpoint. The parent starts no thread before fork() (no ZeroMQ
	 * context either): a child forked from a multi-threaded parent can deadlock in
	 * AddressSanitizer's allocator. */
	char directory[64];
	char endpoint[600];
	uint64_t started_ms, exited_ms;
	pid_t child;
	int status;

	temp_dir_make(directory, sizeof(directory));
	snprintf(endpoint, sizeof(endpoint), "ipc://%s/absent.sock", directory);
	fflush(NULL);
	started_ms = now_ms();
	child = fork();
	CHECK(child >= 0);
	if (child == 0)
		flood(endpoint);
	for (;;) {
		pid_t done = waitpid(child, &status, WNOHANG);

		CHECK(done >= 0);
		if (done == child)
			break;
		if (now_ms() - started_ms > EXIT_DEADLINE_MS) {
			kill(child, SIGKILL);
			CHECK(!"the flooding process exited in time");
		}
		sleep_ms(10);
	}
	exited_ms = now_ms();
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("calls and exit took %llu ms in all\n", (unsigned long long)(exited_ms - started_ms));
	CHECK(temp_dir_remove(directory));
	return 0;
}
