/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fork(): a host process registers, then forks 50 children while it keeps sending; each child
 * registers twice, waits until it has sent a heartbeat, unregisters and exits. A real PULL
 * receiver in a separate process (tcp, where an exiting sender's last messages are not lost,
 * libzmq #4660) checks per source: seq 1, 2, 3, ... without gaps; every child is its own
 * source (own pid, new epoch, seq from 1) with exactly its own messages; the host's
 * registrations never appear in a child's messages or snapshots; the host's sequence carries
 * on untouched. A child's goodbye is counted when it arrives, and may be missing. */
#include <signal.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mapistore/mapistore_mgmt.h>

#include "check.h"
#include "receiver.h"
#include "sources.h"

#define CHILDREN 50
#define CHILD_INTERVAL_MS 20u
#define HOST_INTERVAL_MS MAPISTORE_MGMT_HEARTBEAT_MS_MAX
#define DEADLINE_MS 60000u
#define LINGER_MS 10000u

static void run_child(int index)
{
	char username[32];
	struct mapistore_connection_info conn_info = {.username = username};
	struct mapistore_mgmt_stats stats;
	uint64_t give_up_ms = now_ms() + DEADLINE_MS;

	snprintf(username, sizeof(username), "child-%d", index);
	CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
	CHECK(stats.pid == (uint32_t)getpid() && stats.epoch == 0);
	CHECK(stats.registrations_held == 0 && stats.messages_sent == 0 && stats.queue_length == 0);
	CHECK(stats.heartbeats_sent == 0 && stats.last_error == MAPISTORE_SUCCESS);

	/* The host sends no heartbeats; the child does, often. */
	configure_library(NULL, CHILD_INTERVAL_MS, 0);
	CHECK(mapistore_mgmt_backend_register_user(&conn_info, "SOGo", "mail") == MAPISTORE_SUCCESS);
	CHECK(mapistore_mgmt_backend_register_user(&conn_info, "SOGo", "calendar") == MAPISTORE_SUCCESS);
	do {
		sleep_ms(5);
		CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
		CHECK(now_ms() < give_up_ms);
	} while (stats.heartbeats_sent == 0);
	CHECK(stats.registrations_held == 2 && stats.triples_held == 2);
	CHECK(mapistore_mgmt_backend_unregister_user(&conn_info, "SOGo", "mail") == MAPISTORE_SUCCESS);
	CHECK(mapistore_mgmt_backend_unregister_user(&conn_info, "SOGo", "calendar") == MAPISTORE_SUCCESS);
	exit(0);
}

/* GCC 12's AddressSanitizer allocator is not fork-safe: a child deadlocks in malloc when
 * another thread of the parent held an allocator lock at fork() (glibc's malloc has no such
 * problem). Under ASan the host therefore forks only once its threads are done with the message
 * it just sent: the receiver has seen it (ZeroMQ's I/O thread frees a message this small once
 * it has copied it out, before writing), and the library's queue is empty (its sender thread
 * has counted and freed it, under the lock get_stats takes, and then only sleeps). Without
 * ASan, it forks while that message is being sent. */
static void quiesce_for_sanitizer(int delivered_pipe)
{
#if defined(__SANITIZE_ADDRESS__)
	struct pollfd item = {delivered_pipe, POLLIN, 0};
	struct mapistore_mgmt_stats stats;
	uint64_t give_up_ms = now_ms() + DEADLINE_MS;
	char byte;

	CHECK(poll(&item, 1, (int)DEADLINE_MS) == 1 && read(delivered_pipe, &byte, 1) == 1);
	for (;;) {
		CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
		if (stats.queue_length == 0)
			break;
		CHECK(now_ms() < give_up_ms);
		sleep_ms(1);
	}
#else
	(void)delivered_pipe;
#endif
}

/* The host: registers, then forks the children while it keeps sending, and reaps them. */
static void run_host(int endpoint_pipe, int delivered_pipe)
{
	char endpoint[512] = {0};
	struct mapistore_connection_info parent = {.username = "parent"};
	struct mapistore_mgmt_options options = MAPISTORE_MGMT_OPTIONS_INIT;
	pid_t children[CHILDREN];
	uint64_t give_up_ms;
	int left = CHILDREN;

	CHECK(read(endpoint_pipe, endpoint, sizeof(endpoint) - 1) > 0);
	close(endpoint_pipe);
	configure_library(endpoint, HOST_INTERVAL_MS, 0);
	/* 50 children connecting at once on a loaded machine may need more than the default
	 * 200 ms to connect before their exit-time flush gives up: allow them time. */
	options.linger_ms = LINGER_MS;
	CHECK(mapistore_mgmt_configure(&options) == MAPISTORE_SUCCESS);
	CHECK(mapistore_mgmt_backend_register_user(&parent, "SOGo", "parent") == MAPISTORE_SUCCESS);
	for (int i = 0; i < CHILDREN; i++) {
		CHECK(mapistore_mgmt_backend_register_user(&parent, "SOGo", "busy") == MAPISTORE_SUCCESS);
		quiesce_for_sanitizer(delivered_pipe);
		children[i] = fork();
		CHECK(children[i] >= 0);
		if (children[i] == 0)
			run_child(i);
		CHECK(mapistore_mgmt_backend_unregister_user(&parent, "SOGo", "busy") == MAPISTORE_SUCCESS);
	}
	give_up_ms = now_ms() + DEADLINE_MS;
	while (left > 0) {
		for (int i = 0; i < CHILDREN; i++) {
			int status;

			if (children[i] == 0 || waitpid(children[i], &status, WNOHANG) == 0)
				continue;
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				fprintf(stderr, "child-%d (pid %d) ended with status %d\n", i,
					(int)children[i], status);
			CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
			children[i] = 0;
			left--;
		}
		for (int i = 0; i < CHILDREN && now_ms() > give_up_ms; i++)
			if (children[i] != 0)
				fprintf(stderr, "child-%d (pid %d) has not exited\n", i, (int)children[i]);
		CHECK(now_ms() < give_up_ms);
		sleep_ms(5);
	}
	exit(0);
}

/* The collector's view of one child source: which child it is, by the username it uses. */
static int child_index(const struct frame *frame)
{
	const char *username = frame->kind == 3 ? (frame->entry_count ? frame->entries[0].username : NULL)
						: frame->username;
	int index = -1;

	if (username)
		CHECK(sscanf(username, "child-%d", &index) == 1 && index >= 0 && index < CHILDREN);
	return index;
}

struct child_source {
	uint32_t pid;
	int index;
};

static struct child_source child_sources[CHILDREN];
static int child_source_count;
static pid_t host_pid;
static bool host_reaped;

/* Checks a frame against what its sender may say; the host's triples never leave it. */
static void check_frame(const struct frame *frame, uint64_t *host_epoch)
{
	struct child_source *child = NULL;
	char username[32];

	if (frame->pid == (uint32_t)host_pid) {
		CHECK(*host_epoch == 0 || frame->epoch == *host_epoch);
		*host_epoch = frame->epoch;
		if (frame->kind == 1 || frame->kind == 2)
			CHECK(strcmp(frame->username, "parent") == 0);
		return;
	}
	CHECK(frame->epoch != *host_epoch);
	for (int i = 0; i < child_source_count; i++)
		if (child_sources[i].pid == frame->pid)
			child = &child_sources[i];
	if (!child) {
		/* A child's first frame announces its interval (an empty snapshot); its first
		 * register, next, says which child it is. */
		CHECK(frame->kind == 3 && frame->seq == 1 && frame->entry_count == 0 &&
		      child_source_count < CHILDREN);
		child = &child_sources[child_source_count++];
		child->pid = frame->pid;
		child->index = -1;
		return;
	}
	if (child->index < 0) {
		CHECK(frame->kind == 1 && frame->seq == 2);
		child->index = child_index(frame);
		for (int i = 0; i < child_source_count; i++)
			CHECK(&child_sources[i] == child || child_sources[i].index != child->index);
	}
	snprintf(username, sizeof(username), "child-%d", child->index);
	if (frame->kind == 1 || frame->kind == 2)
		CHECK(strcmp(frame->username, username) == 0);
	for (uint32_t i = 0; frame->kind == 3 && i < frame->entry_count; i++)
		CHECK(strcmp(frame->entries[i].username, username) == 0);
}

static bool all_children_done(struct sources *sources, bool report)
{
	int done = 0;

	for (int i = 0; i < child_source_count; i++) {
		struct source_view *view = sources_find_pid(sources, child_sources[i].pid);

		done += view->unregisters == 2;
		if (report && view->unregisters < 2)
			fprintf(stderr, "child-%d (pid %u): %llu registers, %llu heartbeats, %llu unregisters\n",
				child_sources[i].index, child_sources[i].pid,
				(unsigned long long)view->registers, (unsigned long long)view->heartbeats,
				(unsigned long long)view->unregisters);
	}
	if (report)
		fprintf(stderr, "%d of %d children seen, %d done\n", child_source_count, CHILDREN, done);
	return done == CHILDREN;
}

/* The host registered once, then once and unregistered once per child. */
static bool host_done(struct sources *sources)
{
	struct source_view *view = sources_find_pid(sources, (uint32_t)host_pid);

	return view && view->registers >= 1 + CHILDREN && view->unregisters >= CHILDREN;
}

/* A failed check must not leave the host or its children behind. */
static void kill_host_group(void)
{
	if (host_pid > 0 && !host_reaped)
		kill(-host_pid, SIGKILL);
}

int main(void)
{
	struct receiver receiver;
	struct sources sources = {0};
	uint64_t give_up_ms, host_epoch = 0;
	struct frame frame;
	int endpoint_pipe[2], delivered_pipe[2], status, goodbyes = 0;

	/* The host is forked before this process touches ZeroMQ, so that neither the receiver's
	 * context nor its threads are copied into the processes under test. */
	CHECK(pipe(endpoint_pipe) == 0 && pipe(delivered_pipe) == 0);
	fflush(NULL);
	host_pid = fork();
	CHECK(host_pid >= 0);
	if (host_pid == 0) {
		CHECK(setpgid(0, 0) == 0);
		close(endpoint_pipe[1]);
		close(delivered_pipe[1]);
		run_host(endpoint_pipe[0], delivered_pipe[0]);
	}
	setpgid(host_pid, host_pid);
	atexit(kill_host_group);
	close(endpoint_pipe[0]);
	close(delivered_pipe[0]);
	receiver_open(&receiver, "tcp");
	CHECK(write(endpoint_pipe[1], receiver.endpoint, strlen(receiver.endpoint)) > 0);
	close(endpoint_pipe[1]);

	give_up_ms = now_ms() + DEADLINE_MS;
	while (!all_children_done(&sources, false)) {
		if (now_ms() > give_up_ms)
			CHECK(all_children_done(&sources, true));
		if (!receiver_next(&receiver, &frame, 1000))
			continue;
		sources_track(&sources, &frame);
		check_frame(&frame, &host_epoch);
		/* Tells the host its latest "busy" register arrived (it waits for it under ASan). */
		if (frame.pid == (uint32_t)host_pid && frame.kind == 1 && strcmp(frame.vuser, "busy") == 0)
			CHECK(write(delivered_pipe[1], "x", 1) == 1);
		frame_free(&frame);
	}
	/* The host exits once its children have: every child exited with status 0. */
	while (waitpid(host_pid, &status, WNOHANG) == 0) {
		CHECK(now_ms() < give_up_ms);
		sleep_ms(5);
	}
	host_reaped = true;
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The host's last unregisters may still be on their way: wait for every one. */
	give_up_ms = now_ms() + DEADLINE_MS;
	while (!host_done(&sources)) {
		CHECK(now_ms() < give_up_ms);
		if (!receiver_next(&receiver, &frame, 1000))
			continue;
		sources_track(&sources, &frame);
		check_frame(&frame, &host_epoch);
		frame_free(&frame);
	}
	/* Goodbyes are in flight or lost (tolerated, only counted): checked as they have come. */
	while (receiver_next(&receiver, &frame, 0)) {
		sources_track(&sources, &frame);
		check_frame(&frame, &host_epoch);
		frame_free(&frame);
	}

	CHECK(sources.count == CHILDREN + 1 && child_source_count == CHILDREN);
	for (int i = 0; i < CHILDREN; i++) {
		struct source_view *view = sources_find_pid(&sources, child_sources[i].pid);

		CHECK(view->registers == 2 && view->unregisters == 2 && view->heartbeats >= 1);
		goodbyes += view->goodbye;
	}
	for (int i = 0; i < sources.count; i++) {
		struct source_view *view = &sources.views[i];

		if (view->pid == (uint32_t)host_pid)
			CHECK(view->epoch == host_epoch && view->registers == 1 + CHILDREN &&
			      view->unregisters == CHILDREN);
	}
	printf("%d children, each its own gapless source; %d goodbyes arrived\n", CHILDREN, goodbyes);
	receiver_close(&receiver);
	return 0;
}
