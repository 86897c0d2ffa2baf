/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Configuration and lifecycle: the environment configures a library nobody configured; a
 * source announces its interval first; a new endpoint applies to the next messages and held
 * registrations follow with the next heartbeat; shutdown says goodbye and forgets everything,
 * and a later call starts a new source (new epoch, seq 1); with the notifier away, shutdown
 * returns promptly with the queue full. (That heartbeats do not pile up in the queue meanwhile:
 * test_heartbeat_away.c.) */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <mapistore/mapistore_mgmt.h>

#include "check.h"
#include "receiver.h"

#define RECEIVE_TIMEOUT_MS 10000

static struct mapistore_mgmt_stats stats_now(void)
{
	struct mapistore_mgmt_stats stats;

	CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
	return stats;
}

/* The next frame that is not a heartbeat (heartbeats are checked by the caller if wanted). */
static void next_command(struct receiver *receiver, struct frame *frame)
{
	for (;;) {
		CHECK(receiver_next(receiver, frame, RECEIVE_TIMEOUT_MS));
		if (frame->kind != 3)
			return;
		frame_free(frame);
	}
}

static void next_heartbeat(struct receiver *receiver, struct frame *frame)
{
	for (;;) {
		CHECK(receiver_next(receiver, frame, RECEIVE_TIMEOUT_MS));
		if (frame->kind == 3)
			return;
		frame_free(frame);
	}
}

int main(void)
{
	struct receiver first, second;
	struct mapistore_connection_info jdoe = {.username = "jdoe"};
	struct mapistore_mgmt_stats stats;
	struct frame frame;
	uint64_t epoch, seq;

	/* Zero configuration: the environment, read at first use. */
	receiver_open(&first, "ipc");
	receiver_open(&second, "tcp");
	CHECK(setenv("MAPISTORE_MGMT_ENDPOINT", first.endpoint, 1) == 0);
	CHECK(setenv("MAPISTORE_MGMT_HEARTBEAT_MS", "50", 1) == 0);
	errno = EBADF; /* a successful call leaves the caller's errno alone */
	CHECK(mapistore_mgmt_backend_register_user(&jdoe, "SOGo", "mail") == MAPISTORE_SUCCESS);
	CHECK(errno == EBADF);
	receiver_expect_announcement(&first, &frame, 50, RECEIVE_TIMEOUT_MS);
	frame_free(&frame);
	next_command(&first, &frame);
	CHECK(frame.kind == 1 && frame.seq == 2 && strcmp(frame.vuser, "mail") == 0);
	epoch = frame.epoch;
	CHECK(epoch == stats_now().epoch && frame.pid == stats_now().pid);
	frame_free(&frame);
	next_heartbeat(&first, &frame);
	CHECK(frame.interval_ms == 50 && frame.entry_count == 1);
	seq = frame.seq;
	frame_free(&frame);

	/* A new endpoint: the next message goes there, and a heartbeat (due at once, to announce
	 * the source there) carries both. */
	configure_library(second.endpoint, 0, 0);
	CHECK(mapistore_mgmt_backend_register_user(&jdoe, "SOGo", "calendar") == MAPISTORE_SUCCESS);
	next_command(&second, &frame);
	CHECK(frame.kind == 1 && frame.epoch == epoch && frame.seq > seq);
	CHECK(strcmp(frame.vuser, "calendar") == 0);
	frame_free(&frame);
	next_heartbeat(&second, &frame);
	CHECK(frame.entry_count == 2 && frame_find_entry(&frame, "SOGo", "jdoe", "mail") &&
	      frame_find_entry(&frame, "SOGo", "jdoe", "calendar"));
	seq = frame.seq;
	frame_free(&frame);

	/* Shutdown: a goodbye after everything sent before it (heartbeats may come first; a frame
	 * can even arrive before the sender has counted it sent, so stats cannot say which seq the
	 * goodbye takes), then a fresh start. */
	CHECK(mapistore_mgmt_shutdown() == MAPISTORE_SUCCESS);
	do {
		CHECK(receiver_next(&second, &frame, RECEIVE_TIMEOUT_MS));
		CHECK(frame.epoch == epoch && frame.seq == ++seq);
		CHECK(frame.kind == 3 || frame.kind == 4);
		frame_free(&frame);
	} while (frame.kind != 4);
	stats = stats_now();
	CHECK(stats.epoch == 0 && stats.messages_sent == 0 && stats.registrations_held == 0);
	CHECK(stats.queue_length == 0 && stats.heartbeats_sent == 0);
	CHECK(mapistore_mgmt_shutdown() == MAPISTORE_SUCCESS); /* twice is harmless */
	CHECK(mapistore_mgmt_backend_register_user(&jdoe, "SOGo", "tasks") == MAPISTORE_SUCCESS);
	receiver_expect_announcement(&second, &frame, 50, RECEIVE_TIMEOUT_MS);
	CHECK(frame.epoch != epoch && frame.epoch != 0);
	frame_free(&frame);
	next_command(&second, &frame);
	CHECK(frame.kind == 1 && frame.seq == 2 && frame.epoch != epoch && frame.epoch != 0);
	CHECK(frame.epoch == stats_now().epoch);
	frame_free(&frame);

	/* The notifier away and the queue full: shutdown still returns, within about linger. */
	{
		char absent[600];
		uint64_t started_ms;
		int rc = MAPISTORE_SUCCESS;

		receiver_spare_endpoint(&first, "absent.sock", absent, sizeof(absent));
		configure_library(absent, 0, 100);
		for (int i = 0; i < 100000 && rc == MAPISTORE_SUCCESS; i++)
			rc = mapistore_mgmt_backend_register_user(&jdoe, "SOGo", "flood");
		CHECK(rc == MAPISTORE_ERR_MSG_SEND && stats_now().queue_length == 100);
		started_ms = now_ms();
		CHECK(mapistore_mgmt_shutdown() == MAPISTORE_SUCCESS);
		printf("shutdown with a full queue and no notifier took %llu ms (linger 200 ms)\n",
		       (unsigned long long)(now_ms() - started_ms));
		stats = stats_now();
		CHECK(stats.queue_length == 0 && stats.registrations_held == 0 && stats.epoch == 0);
	}

	receiver_close(&second);
	receiver_close(&first);
	return 0;
}
