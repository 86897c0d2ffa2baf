/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Short of file descriptors, the host is never aborted (libzmq would: errno_assert on EMFILE)
 * and loses nothing. Each case is a real process (this program, run again as a child) that
 * keeps only descriptors 0..2 (0 a pipe from the parent), then:
 * - "limit N": lowers its RLIMIT_NOFILE to N (4..14);
 * - "free N": fills its descriptors up to 64 but N (0..8).
 * It registers three triples. When fewer descriptors are free than ZeroMQ needs, it waits for
 * the shortage to show in its stats (MAPISTORE_ERR_CONTEXT_FAILED, counted, nothing sent),
 * then frees them. Either way the receiver must get a heartbeat from it with every triple it
 * registered (without a restart), and it must exit 0.
 *
 * Not tested here: a host that closes the library's descriptors after it started. The library
 * notices (contexts_lost) before it calls libzmq again, but libzmq's own threads may wake on
 * their closed descriptors and abort first (see the header); a test of it passed only while
 * those threads happened to stay asleep, so it failed now and then on a loaded machine. */
#define _GNU_SOURCE /* close_range */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mapistore/mapistore_mgmt.h>

#include "check.h"
#include "receiver.h"

/* What the library needs free before it opens ZeroMQ: a context with its first socket (6),
 * the socket's monitor (2) and a connection (1). */
#define ZMQ_DESCRIPTORS 9
#define FILLED_LIMIT 64
#define HEARTBEAT_MS 50u
#define QUEUE_LIMIT 100u
#define DEADLINE_MS 30000u
static const char *const vusers[] = {"alpha", "beta", "gamma", "delta"};

static struct mapistore_mgmt_stats stats_now(void)
{
	struct mapistore_mgmt_stats stats;

	CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
	return stats;
}

static void register_vuser(int index)
{
	struct mapistore_connection_info conn_info = {.username = "fdless"};

	CHECK(mapistore_mgmt_backend_register_user(&conn_info, "SOGo", vusers[index]) ==
	      MAPISTORE_SUCCESS);
}

/* The stats once `reached` holds for them, polled in a bounded loop (the event is the
 * library thread's, not ours). */
static struct mapistore_mgmt_stats wait_for(bool (*reached)(const struct mapistore_mgmt_stats *))
{
	uint64_t give_up_ms = now_ms() + DEADLINE_MS;
	struct mapistore_mgmt_stats stats;

	for (;;) {
		stats = stats_now();
		if (reached(&stats))
			return stats;
		CHECK(now_ms() < give_up_ms);
		sleep_ms(5);
	}
}

static bool short_of_descriptors(const struct mapistore_mgmt_stats *stats)
{
	return stats->descriptor_shortages > 0;
}

static bool heartbeat_sent(const struct mapistore_mgmt_stats *stats)
{
	return stats->heartbeats_sent > 0;
}

/* The source's announcing heartbeat and its four registers. */
/* Holds (its registrations stay live) until the parent closes our stdin. */
static void hold_until_told(void)
{
	char byte;

	while (read(0, &byte, 1) > 0)
		;
}

static void run_short_child(const char *mode, int n, const char *endpoint)
{
	struct rlimit limit, lowered;
	struct mapistore_mgmt_stats stats;
	int free_fds;

	CHECK(close_range(3, ~0u, 0) == 0);
	CHECK(getrlimit(RLIMIT_NOFILE, &limit) == 0);
	configure_library(endpoint, HEARTBEAT_MS, QUEUE_LIMIT);
	lowered = (struct rlimit){strcmp(mode, "limit") == 0 ? (rlim_t)n : FILLED_LIMIT,
				  limit.rlim_max};
	CHECK(setrlimit(RLIMIT_NOFILE, &lowered) == 0);
	if (strcmp(mode, "limit") == 0) {
		free_fds = n - 3;
	} else {
		for (int fd = 2; fd < FILLED_LIMIT - 1 - n;) {
			fd = dup(2);
			CHECK(fd >= 0);
		}
		free_fds = n;
	}
	for (int i = 0; i < 3; i++)
		register_vuser(i);
	if (free_fds < ZMQ_DESCRIPTORS) {
		stats = wait_for(short_of_descriptors);
		CHECK(stats.last_error == MAPISTORE_ERR_CONTEXT_FAILED);
		/* The announcing heartbeat and the three registers wait. */
		CHECK(stats.messages_sent == 0 && stats.queue_length == 4);
		CHECK(stats.registrations_held == 3);
		/* Descriptors come free again: the host raises its limit, or closes some. */
		CHECK(setrlimit(RLIMIT_NOFILE, &limit) == 0);
		CHECK(close_range(3, ~0u, 0) == 0);
	}
	stats = wait_for(heartbeat_sent);
	CHECK((stats.descriptor_shortages > 0) == (free_fds < ZMQ_DESCRIPTORS));
	printf("%s %d: %d free, %llu shortages, %llu sent\n", mode, n, free_fds,
	       (unsigned long long)stats.descriptor_shortages,
	       (unsigned long long)stats.messages_sent);
	fflush(stdout);
	hold_until_told();
	exit(0);
}

/* A heartbeat of `pid` holding the three first triples, once each. */
static bool complete_heartbeat(const struct frame *frame, uint32_t pid, int unused)
{
	(void)unused;
	if (frame->kind != 3 || frame->pid != pid || frame->entry_count != 3)
		return false;
	for (int i = 0; i < 3; i++) {
		const struct frame_entry *entry = frame_find_entry(frame, "SOGo", "fdless", vusers[i]);

		if (!entry || entry->count != 1)
			return false;
	}
	return true;
}

/* Receives until a frame satisfies `done` (frames of earlier children are passed over). */
static void receive_until(struct receiver *receiver, pid_t child,
			  bool (*done)(const struct frame *, uint32_t, int), int argument)
{
	uint64_t give_up_ms = now_ms() + DEADLINE_MS;
	bool reached = false;

	while (!reached) {
		struct frame frame;

		if (now_ms() > give_up_ms) {
			kill(child, SIGKILL);
			CHECK(!"the child's registrations reached the receiver");
		}
		if (receiver_next(receiver, &frame, 100)) {
			reached = done(&frame, (uint32_t)child, argument);
			frame_free(&frame);
		}
	}
}

static void run_case(struct receiver *receiver, const char *self, const char *mode, int n)
{
	char number[16];
	int to_child[2];
	pid_t child;
	int status;

	snprintf(number, sizeof(number), "%d", n);
	CHECK(pipe(to_child) == 0);
	fflush(NULL);
	child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		char *const args[] = {(char *)self, "child", (char *)mode, number,
				      receiver->endpoint, NULL};

		dup2(to_child[0], 0);
		execv(self, args);
		_exit(127);
	}
	close(to_child[0]);
	receive_until(receiver, child, complete_heartbeat, 0);
	close(to_child[1]);
	CHECK(waitpid(child, &status, 0) == child);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(int argc, char **argv)
{
	struct receiver receiver;

	if (argc == 5 && strcmp(argv[1], "child") == 0)
		run_short_child(argv[2], atoi(argv[3]), argv[4]);
	receiver_open(&receiver, "ipc");
	for (int limit = 4; limit <= 3 + ZMQ_DESCRIPTORS + 2; limit++)
		run_case(&receiver, argv[0], "limit", limit);
	for (int free_fds = 0; free_fds <= ZMQ_DESCRIPTORS - 1; free_fds++)
		run_case(&receiver, argv[0], "free", free_fds);
	receiver_close(&receiver);
	return 0;
}
