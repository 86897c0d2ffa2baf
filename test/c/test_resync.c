/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Resync on connect: once its connection to the notifier is made again, the library sends its
 * whole set at once, as an ordinary heartbeat with the next sequence number. The heartbeat
 * interval is 100 s, so nothing but the resync explains a heartbeat here. A real PULL socket
 * stands for the notifier; it is closed and bound again on the same ipc endpoint, as a
 * restarted notifier is. Every frame is checked in order, so a heartbeat too many (or a
 * sequence number skipped) fails the test as surely as one missing. */
#include <stdio.h>
#include <string.h>

#include <mapistore/mapistore_mgmt.h>

#include "check.h"
#include "receiver.h"
#include "temp_dir.h"

#define NO_HEARTBEAT_MS MAPISTORE_MGMT_HEARTBEAT_MS_MAX
#define QUEUE_LIMIT 1000u
#define RESTARTS 3
/* Calls while nobody listens: more than ZeroMQ's send high-water mark (1000) and the queue. */
#define CALLS_BEFORE 1500
#define SMALL_QUEUE 10u
/* Only a guard against a hang: every wait below ends on an event. */
#define HANG_GUARD_MS 30000

static struct mapistore_connection_info jdoe = {.username = "jdoe"};

static struct mapistore_mgmt_stats stats_now(void)
{
	struct mapistore_mgmt_stats stats;

	CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
	return stats;
}

/* Polls the library's counters until `reached` holds (the event is its thread's). */
static struct mapistore_mgmt_stats wait_for_stats(bool (*reached)(const struct mapistore_mgmt_stats *,
								  uint64_t),
						  uint64_t argument)
{
	uint64_t give_up_ms = now_ms() + HANG_GUARD_MS;

	for (;;) {
		struct mapistore_mgmt_stats stats = stats_now();

		if (reached(&stats, argument))
			return stats;
		CHECK(now_ms() < give_up_ms);
		sleep_ms(2);
	}
}

static bool all_handed_over(const struct mapistore_mgmt_stats *stats, uint64_t sent)
{
	return stats->queue_length == 0 && stats->messages_sent == sent;
}

static bool connected_times(const struct mapistore_mgmt_stats *stats, uint64_t connections)
{
	return stats->connections == connections;
}

static void call(bool reg, const char *vuser)
{
	int rc = reg ? mapistore_mgmt_backend_register_user(&jdoe, "SOGo", vuser)
		     : mapistore_mgmt_backend_unregister_user(&jdoe, "SOGo", vuser);

	CHECK(rc == MAPISTORE_SUCCESS);
}

static void next_frame(struct receiver *receiver, struct frame *frame)
{
	CHECK(receiver_next(receiver, frame, HANG_GUARD_MS));
}

/* The next frame is this command, with this seq. */
static void expect_command(struct receiver *receiver, bool reg, const char *vuser, uint64_t seq)
{
	struct frame frame;

	next_frame(receiver, &frame);
	CHECK(frame.kind == (reg ? 1 : 2) && strcmp(frame.vuser, vuser) == 0);
	CHECK_EQ_U64(frame.seq, seq);
	frame_free(&frame);
}

/* A heartbeat holding exactly `vusers` (jdoe, SOGo, count 1 each). */
static void check_snapshot(const struct frame *frame, const char *const *vusers, size_t count)
{
	CHECK(frame->kind == 3 && frame->interval_ms == NO_HEARTBEAT_MS);
	CHECK_EQ_U64(frame->entry_count, count);
	for (size_t i = 0; i < count; i++) {
		const struct frame_entry *entry = frame_find_entry(frame, "SOGo", "jdoe", vusers[i]);

		CHECK(entry && entry->count == 1);
	}
}

/* Passes over the commands ZeroMQ kept for the new connection (each in order, none with a
 * seq at or past the heartbeat's) and returns at the first heartbeat, which must be `seq`. */
static void expect_resync(struct receiver *receiver, uint64_t seq, const char *const *vusers,
			  size_t count)
{
	struct frame frame;
	uint64_t last_seq = 0;

	for (;;) {
		next_frame(receiver, &frame);
		CHECK(frame.seq > last_seq);
		last_seq = frame.seq;
		if (frame.kind == 3)
			break;
		CHECK(frame.seq < seq);
		frame_free(&frame);
	}
	CHECK_EQ_U64(frame.seq, seq);
	check_snapshot(&frame, vusers, count);
	frame_free(&frame);
}

static void restart_receiver(struct receiver *receiver)
{
	char endpoint[sizeof(receiver->endpoint)];

	strcpy(endpoint, receiver->endpoint);
	receiver_close(receiver); /* its directory is not the receiver's to remove */
	receiver_bind(receiver, endpoint);
}

/* The first connection carries everything queued since the start: no resync then. Each
 * reconnection is followed by one, with the set as it is after the changes made while the
 * notifier was away. */
static void test_reconnections(const char *endpoint)
{
	const char *const first_set[] = {"alpha", "beta", "gamma", "delta"};
	const char *set[] = {"alpha", "beta", "gamma", "delta"};
	struct receiver receiver;
	struct frame frame;
	uint64_t seq;

	receiver_bind(&receiver, endpoint);
	configure_library(endpoint, NO_HEARTBEAT_MS, QUEUE_LIMIT);
	call(true, "alpha");
	call(true, "beta");
	wait_for_stats(connected_times, 1);
	call(true, "gamma");
	call(true, "delta");
	receiver_expect_announcement(&receiver, &frame, NO_HEARTBEAT_MS, HANG_GUARD_MS);
	frame_free(&frame);
	for (seq = 2; seq <= 5; seq++)
		expect_command(&receiver, true, first_set[seq - 2], seq);
	wait_for_stats(all_handed_over, 5);
	seq = 5;

	for (int restart = 0; restart < RESTARTS; restart++) {
		char added[16];

		/* While the notifier is away: a triple goes, another comes. */
		receiver_close(&receiver);
		snprintf(added, sizeof(added), "added%d", restart);
		call(false, set[restart]);
		call(true, added);
		set[restart] = added;
		seq += 3; /* the two calls, then the resync heartbeat */
		receiver_bind(&receiver, endpoint);
		expect_resync(&receiver, seq, set, 4);
		wait_for_stats(all_handed_over, seq);
		CHECK_EQ_U64(stats_now().connections, 2 + restart);
	}
	/* The announcement and one resync per restart: nothing else. */
	CHECK_EQ_U64(stats_now().heartbeats_sent, 1 + RESTARTS);
	receiver_close(&receiver);
	CHECK(mapistore_mgmt_shutdown() == MAPISTORE_SUCCESS);
}

/* A source that holds nothing sends no snapshot on reconnecting; it announces itself (an
 * empty heartbeat) before its next command, as a new source does. */
static void test_holding_nothing(const char *endpoint)
{
	struct receiver receiver;
	struct frame frame;

	receiver_bind(&receiver, endpoint);
	configure_library(endpoint, NO_HEARTBEAT_MS, QUEUE_LIMIT);
	call(true, "alpha");
	call(false, "alpha");
	receiver_expect_announcement(&receiver, &frame, NO_HEARTBEAT_MS, HANG_GUARD_MS);
	frame_free(&frame);
	expect_command(&receiver, true, "alpha", 2);
	expect_command(&receiver, false, "alpha", 3);
	wait_for_stats(connected_times, 1);

	restart_receiver(&receiver);
	wait_for_stats(connected_times, 2);
	call(true, "beta");
	next_frame(&receiver, &frame);
	CHECK(frame.kind == 3 && frame.entry_count == 0);
	CHECK_EQ_U64(frame.seq, 4);
	frame_free(&frame);
	expect_command(&receiver, true, "beta", 5);
	CHECK_EQ_U64(stats_now().heartbeats_sent, 2);
	receiver_close(&receiver);
	CHECK(mapistore_mgmt_shutdown() == MAPISTORE_SUCCESS);
}

/* Started before any notifier: more calls than ZeroMQ and the queue hold, so some are
 * dropped. The first connection then carries a snapshot with every triple. */
static void test_started_first(const char *endpoint)
{
	static char names[CALLS_BEFORE][16];
	const char *vusers[CALLS_BEFORE];
	struct mapistore_mgmt_stats stats;
	struct receiver receiver;
	uint64_t dropped = 0;
	struct frame frame;

	configure_library(endpoint, NO_HEARTBEAT_MS, SMALL_QUEUE);
	for (int i = 0; i < CALLS_BEFORE; i++) {
		int rc;

		snprintf(names[i], sizeof(names[i]), "user%d", i);
		vusers[i] = names[i];
		rc = mapistore_mgmt_backend_register_user(&jdoe, "SOGo", vusers[i]);
		CHECK(rc == MAPISTORE_SUCCESS || rc == MAPISTORE_ERR_MSG_SEND);
		dropped += rc != MAPISTORE_SUCCESS;
	}
	CHECK(dropped > 0);
	CHECK_EQ_U64(stats_now().connections, 0);

	receiver_bind(&receiver, endpoint);
	for (;;) {
		next_frame(&receiver, &frame);
		if (frame.kind == 3 && frame.entry_count > 0)
			break;
		frame_free(&frame);
	}
	check_snapshot(&frame, vusers, CALLS_BEFORE);
	CHECK_EQ_U64(frame.dropped, dropped);
	/* The snapshot is the last message: every one before it took a seq, none was skipped. */
	stats = wait_for_stats(all_handed_over, frame.seq);
	CHECK_EQ_U64(stats.messages_dropped, dropped);
	CHECK_EQ_U64(stats.connections, 1);
	CHECK_EQ_U64(stats.heartbeats_sent, 2);
	frame_free(&frame);
	receiver_close(&receiver);
	CHECK(mapistore_mgmt_shutdown() == MAPISTORE_SUCCESS);
}

int main(void)
{
	char directory[256];
	char endpoint[512];

	temp_dir_make(directory, sizeof(directory));
	snprintf(endpoint, sizeof(endpoint), "ipc://%s/reconnections.sock", directory);
	test_reconnections(endpoint);
	snprintf(endpoint, sizeof(endpoint), "ipc://%s/nothing.sock", directory);
	test_holding_nothing(endpoint);
	snprintf(endpoint, sizeof(endpoint), "ipc://%s/first.sock", directory);
	test_started_first(endpoint);
	CHECK(temp_dir_remove(directory));
	return 0;
}
