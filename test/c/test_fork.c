/* fork(): the parent registers, then 50 children each register and unregister and exit while
 * the parent keeps sending. A real PULL receiver (tcp, where an exiting sender's last
 * messages are not lost, libzmq #4660) checks per source: seq 1, 2, 3, ... without gaps;
 * every child is its own source (own pid, new epoch) with exactly its own messages; the
 * parent's registrations never appear in a child's messages or snapshots; the parent's
 * sequence carries on untouched. A child's goodbye is counted when it arrives. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mapistore/mapistore_mgmt.h>

#include "check.h"
#include "receiver.h"
#include "sources.h"

#define CHILDREN 50
#define INTERVAL_MS 20u
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

struct child_record {
	pid_t pid;
	char username[32];
	bool reaped;
};

static struct child_record children[CHILDREN];

static struct child_record *child_of(uint32_t pid)
{
	for (int i = 0; i < CHILDREN; i++)
		if ((uint32_t)children[i].pid == pid)
			return &children[i];
	return NULL;
}

/* Checks a frame against what its sender may say; the parent's triples never leave it. */
static void check_frame(const struct frame *frame, uint32_t parent_pid, uint64_t parent_epoch)
{
	if (frame->pid == parent_pid) {
		CHECK(frame->epoch == parent_epoch);
		if (frame->kind == 1 || frame->kind == 2)
			CHECK(strcmp(frame->username, "parent") == 0);
		return;
	}
	{
		struct child_record *child = child_of(frame->pid);

		CHECK(child != NULL);
		CHECK(frame->epoch != parent_epoch);
		if (frame->kind == 1 || frame->kind == 2)
			CHECK(strcmp(frame->username, child->username) == 0);
		for (uint32_t i = 0; frame->kind == 3 && i < frame->entry_count; i++)
			CHECK(strcmp(frame->entries[i].username, child->username) == 0);
	}
}

static bool all_children_done(struct sources *sources, bool report)
{
	bool done = true;

	for (int i = 0; i < CHILDREN; i++) {
		struct source_view *view = sources_find_pid(sources, (uint32_t)children[i].pid);

		if (!view || view->unregisters < 2) {
			if (report)
				fprintf(stderr, "child %d (pid %d): %s\n", i, (int)children[i].pid,
					view ? "its unregisters did not arrive" : "nothing arrived");
			done = false;
		}
	}
	return done;
}

static void reap_children(void)
{
	uint64_t give_up_ms = now_ms() + DEADLINE_MS;
	int left = CHILDREN;

	while (left > 0) {
		for (int i = 0; i < CHILDREN; i++) {
			int status;

			if (children[i].reaped || waitpid(children[i].pid, &status, WNOHANG) == 0)
				continue;
			CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
			children[i].reaped = true;
			left--;
		}
		CHECK(now_ms() < give_up_ms);
		sleep_ms(5);
	}
}

int main(void)
{
	struct receiver receiver;
	struct sources sources = {0};
	struct mapistore_connection_info parent = {.username = "parent"};
	struct mapistore_mgmt_stats stats;
	uint64_t give_up_ms, parent_epoch;
	struct frame frame;
	int goodbyes = 0;

	receiver_open(&receiver, "tcp");
	configure_library(receiver.endpoint, INTERVAL_MS, 0);
	/* 50 children connecting at once on a loaded machine may need more than the default
	 * 200 ms to connect before their exit-time flush gives up: allow them time. */
	{
		struct mapistore_mgmt_options options = MAPISTORE_MGMT_OPTIONS_INIT;

		options.linger_ms = LINGER_MS;
		CHECK(mapistore_mgmt_configure(&options) == MAPISTORE_SUCCESS);
	}
	CHECK(mapistore_mgmt_backend_register_user(&parent, "SOGo", "parent") == MAPISTORE_SUCCESS);
	CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
	parent_epoch = stats.epoch;
	fflush(NULL);
	for (int i = 0; i < CHILDREN; i++) {
		CHECK(mapistore_mgmt_backend_register_user(&parent, "SOGo", "busy") == MAPISTORE_SUCCESS);
		snprintf(children[i].username, sizeof(children[i].username), "child-%d", i);
		children[i].pid = fork();
		CHECK(children[i].pid >= 0);
		if (children[i].pid == 0)
			run_child(i);
		CHECK(mapistore_mgmt_backend_unregister_user(&parent, "SOGo", "busy") == MAPISTORE_SUCCESS);
	}

	give_up_ms = now_ms() + DEADLINE_MS;
	while (!all_children_done(&sources, false)) {
		if (now_ms() > give_up_ms)
			CHECK(all_children_done(&sources, true));
		if (!receiver_next(&receiver, &frame, 1000))
			continue;
		sources_track(&sources, &frame);
		check_frame(&frame, (uint32_t)getpid(), parent_epoch);
		frame_free(&frame);
	}
	reap_children();
	/* The children have exited: their goodbyes are in flight or lost. Take them for a short
	 * while (the parent's own heartbeats keep coming meanwhile). */
	give_up_ms = now_ms() + 1000;
	while (now_ms() < give_up_ms && receiver_next(&receiver, &frame, 100)) {
		sources_track(&sources, &frame);
		check_frame(&frame, (uint32_t)getpid(), parent_epoch);
		frame_free(&frame);
	}

	CHECK(sources.count == CHILDREN + 1);
	for (int i = 0; i < CHILDREN; i++) {
		struct source_view *view = sources_find_pid(&sources, (uint32_t)children[i].pid);

		CHECK(view->registers == 2 && view->unregisters == 2 && view->heartbeats >= 1);
		goodbyes += view->goodbye;
	}
	{
		struct source_view *view = sources_find_pid(&sources, (uint32_t)getpid());

		CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
		CHECK(view && view->registers == 1 + CHILDREN && view->unregisters == CHILDREN);
		CHECK(stats.epoch == parent_epoch && stats.pid == (uint32_t)getpid());
		CHECK(stats.registrations_held == 1);
		CHECK(view->last_seq <= stats.messages_sent);
	}
	printf("%d children, each its own gapless source; %d goodbyes arrived\n", CHILDREN, goodbyes);
	mapistore_mgmt_shutdown();
	receiver_close(&receiver);
	return 0;
}
