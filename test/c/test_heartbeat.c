/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Heartbeats: a source announces its interval first (an empty snapshot, seq 1), and again
 * when it registers after a silence of an interval; a process holding registrations sends a
 * snapshot about every heartbeat_ms
 * (never faster: the k-th cannot arrive before k intervals have passed since the first call,
 * whatever the scheduler does; and at the configured interval, not the 5 s default), each
 * snapshot carries exactly the set held (counts, last replica guid and id), the interval and
 * the drop total; after the last unregister no heartbeat follows; holding nothing, a source
 * with a long interval announces itself again after a second of silence. */
#include <stdbool.h>
#include <string.h>

#include <mapistore/mapistore_mgmt.h>

#include "check.h"
#include "receiver.h"

#define INTERVAL_MS 100u
#define DEFAULT_INTERVAL_MS 5000u
#define RECEIVE_TIMEOUT_MS 10000
#define HEARTBEATS_TO_SEE 5

static void check_snapshot(const struct frame *frame)
{
	const struct frame_entry *mine = frame_find_entry(frame, "SOGo", "jdoe", "jdoe");
	const struct frame_entry *shared = frame_find_entry(frame, "SOGo", "alice", "shared");

	CHECK(frame->kind == 3);
	CHECK(frame->interval_ms == INTERVAL_MS);
	CHECK(frame->dropped == 0);
	CHECK(frame->entry_count == 2);
	CHECK(mine && mine->count == 2 && mine->repl_id == 7 && mine->replica_guid[0] == 0x33 &&
	      mine->replica_guid[15] == 0xff);
	CHECK(shared && shared->count == 1 && shared->repl_id == 9);
}

int main(void)
{
	struct receiver receiver;
	struct mapistore_connection_info jdoe = {
		.username = "jdoe",
		.replica_guid = {0x00112233, 0x4455, 0x6677, {0x88, 0x99}, {0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff}},
		.repl_id = 5,
	};
	struct mapistore_connection_info alice = {.username = "alice", .repl_id = 9};
	struct mapistore_mgmt_stats stats;
	uint64_t started_ms, first_ms = 0, last_ms = 0, expected_seq = 1;
	int heartbeats = 0, commands = 0;
	struct frame frame;

	receiver_open(&receiver, "ipc");
	configure_library(receiver.endpoint, INTERVAL_MS, 0);
	started_ms = now_ms();
	CHECK(mapistore_mgmt_backend_register_user(&jdoe, "SOGo", "jdoe") == MAPISTORE_SUCCESS);
	jdoe.repl_id = 7;
	CHECK(mapistore_mgmt_backend_register_user(&jdoe, "SOGo", "jdoe") == MAPISTORE_SUCCESS);
	CHECK(mapistore_mgmt_backend_register_user(&alice, "SOGo", "shared") == MAPISTORE_SUCCESS);

	receiver_expect_announcement(&receiver, &frame, INTERVAL_MS, RECEIVE_TIMEOUT_MS);
	frame_free(&frame);
	expected_seq++;
	while (heartbeats < HEARTBEATS_TO_SEE) {
		CHECK(receiver_next(&receiver, &frame, RECEIVE_TIMEOUT_MS));
		CHECK_EQ_U64(frame.seq, expected_seq++);
		if (frame.kind == 3) {
			check_snapshot(&frame);
			last_ms = now_ms();
			if (heartbeats++ == 0)
				first_ms = last_ms;
			CHECK(last_ms - started_ms >= (uint64_t)heartbeats * INTERVAL_MS);
		} else {
			CHECK(frame.kind == 1 && heartbeats == 0);
			commands++;
		}
		frame_free(&frame);
	}
	CHECK(commands == 3);
	{
		uint64_t average_ms = (last_ms - first_ms) / (HEARTBEATS_TO_SEE - 1);

		printf("heartbeat every %llu ms on average (interval %u ms)\n",
		       (unsigned long long)average_ms, INTERVAL_MS);
		/* Not a rate: only tells the configured 100 ms from the 5 s default, with room for
		 * a loaded machine 50 times over. */
		CHECK(average_ms < DEFAULT_INTERVAL_MS);
	}

	/* Release everything; the unregisters arrive after any snapshot taken before them. */
	CHECK(mapistore_mgmt_backend_unregister_user(&jdoe, "SOGo", "jdoe") == MAPISTORE_SUCCESS);
	CHECK(mapistore_mgmt_backend_unregister_user(&alice, "SOGo", "shared") == MAPISTORE_SUCCESS);
	CHECK(mapistore_mgmt_backend_unregister_user(&jdoe, "SOGo", "jdoe") == MAPISTORE_SUCCESS);
	for (int unregisters = 0; unregisters < 3;) {
		CHECK(receiver_next(&receiver, &frame, RECEIVE_TIMEOUT_MS));
		CHECK_EQ_U64(frame.seq, expected_seq++);
		if (frame.kind == 2)
			unregisters++;
		else
			CHECK(frame.kind == 3); /* a snapshot taken between the unregisters */
		frame_free(&frame);
	}
	/* Nothing held: five intervals pass without a heartbeat. */
	CHECK(!receiver_next(&receiver, &frame, 5 * INTERVAL_MS));
	CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
	CHECK(stats.registrations_held == 0 && stats.triples_held == 0);
	CHECK_EQ_U64(stats.messages_sent, expected_seq - 1);
	CHECK(stats.heartbeats_sent >= HEARTBEATS_TO_SEE);

	/* Holding again after a silence: the interval is announced again (the notifier may have
	 * expired the silent source), then heartbeats start again. */
	CHECK(mapistore_mgmt_backend_register_user(&alice, "SOGo", "shared") == MAPISTORE_SUCCESS);
	CHECK(receiver_next(&receiver, &frame, RECEIVE_TIMEOUT_MS) && frame.kind == 3);
	CHECK(frame.entry_count == 0 && frame.interval_ms == INTERVAL_MS && frame.seq == expected_seq);
	frame_free(&frame);
	CHECK(receiver_next(&receiver, &frame, RECEIVE_TIMEOUT_MS) && frame.kind == 1);
	frame_free(&frame);
	CHECK(receiver_next(&receiver, &frame, RECEIVE_TIMEOUT_MS) && frame.kind == 3);
	CHECK(frame.entry_count == 1 && frame_find_entry(&frame, "SOGo", "alice", "shared"));
	frame_free(&frame);

	/* With a long interval, a source that holds nothing announces itself again after a
	 * silence of MM_ANNOUNCE_SILENCE_MS (1 s), not of an interval: the notifier gives such a
	 * source a short lease and may have dropped it. (A new interval is announced anyway.) */
	CHECK(mapistore_mgmt_backend_unregister_user(&alice, "SOGo", "shared") == MAPISTORE_SUCCESS);
	for (bool unregistered = false; !unregistered;) {
		CHECK(receiver_next(&receiver, &frame, RECEIVE_TIMEOUT_MS));
		unregistered = frame.kind == 2;
		frame_free(&frame);
	}
	configure_library(receiver.endpoint, MAPISTORE_MGMT_HEARTBEAT_MS_MAX, 0);
	for (int round = 0; round < 2; round++) {
		/* Round 0: the new interval is announced; round 1: after a second of silence. */
		CHECK(mapistore_mgmt_backend_unregister_user(&alice, "SOGo", "shared") ==
		      MAPISTORE_SUCCESS);
		CHECK(receiver_next(&receiver, &frame, RECEIVE_TIMEOUT_MS) && frame.kind == 3);
		CHECK(frame.entry_count == 0 && frame.interval_ms == MAPISTORE_MGMT_HEARTBEAT_MS_MAX);
		frame_free(&frame);
		CHECK(receiver_next(&receiver, &frame, RECEIVE_TIMEOUT_MS) && frame.kind == 2);
		frame_free(&frame);
		CHECK(!receiver_next(&receiver, &frame, 1000)); /* the silence: nothing for a second */
	}

	mapistore_mgmt_shutdown();
	receiver_close(&receiver);
	return 0;
}
