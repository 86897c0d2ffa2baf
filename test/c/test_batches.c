/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Batched frames (docs/protocol.md, "Batches"): calls made while the notifier's socket
 * directory does not exist yet are held in the queue; once a receiver is there they arrive as
 * batch frames of at most 256 messages, in order, each message exactly what it would have been
 * alone (seq, kind, fields), the announcement and the goodbye alone. With batching off
 * (MAPISTORE_MGMT_BATCHING_OFF) the same calls arrive as single frames. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <mapistore/mapistore_mgmt.h>

#include "check.h"
#include "receiver.h"
#include "temp_dir.h"

#define COUNT 2000
#define RECEIVE_TIMEOUT_MS 10000
#define INTERVAL_MS 100000u /* no heartbeat but the announcement while a case runs */

static void user_name(char *out, size_t size, int i)
{
	snprintf(out, size, "user%d", i);
}

/* Registers user0..user<count-1>, then unregisters the odd ones, all held; binds a receiver
 * once they all wait, and checks each message. Returns the batch frames received. */
static size_t held_burst(const char *dir, const char *name, unsigned int batching, int count)
{
	struct mapistore_mgmt_options options = MAPISTORE_MGMT_OPTIONS_INIT;
	struct mapistore_mgmt_stats stats;
	struct receiver receiver;
	struct frame frame;
	char later[300], endpoint[400], username[32];
	uint64_t seq = 1;
	size_t batches;

	CHECK((size_t)snprintf(later, sizeof(later), "%s/%s", dir, name) < sizeof(later));
	CHECK((size_t)snprintf(endpoint, sizeof(endpoint), "ipc://%s/notify.sock", later) <
	      sizeof(endpoint));
	options.endpoint = endpoint;
	options.heartbeat_ms = INTERVAL_MS;
	options.queue_limit = 2u * (unsigned int)count;
	options.batching = batching;
	CHECK(mapistore_mgmt_configure(&options) == MAPISTORE_SUCCESS);
	for (int i = 0; i < count; i++) {
		struct mapistore_connection_info info = {.username = username, .repl_id = (uint16_t)i};

		user_name(username, sizeof(username), i);
		CHECK(mapistore_mgmt_backend_register_user(&info, "SOGo", username) ==
		      MAPISTORE_SUCCESS);
	}
	for (int i = 1; i < count; i += 2) {
		struct mapistore_connection_info info = {.username = username};

		user_name(username, sizeof(username), i);
		CHECK(mapistore_mgmt_backend_unregister_user(&info, "SOGo", username) ==
		      MAPISTORE_SUCCESS);
	}
	/* The sender thread finds the directory missing (its first try may come after the calls). */
	for (uint64_t give_up_ms = now_ms() + RECEIVE_TIMEOUT_MS;; sleep_ms(1)) {
		CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
		if (stats.endpoint_error == MAPISTORE_ERR_NO_DIRECTORY)
			break;
		CHECK(now_ms() < give_up_ms);
	}
	CHECK_EQ_U64(stats.queue_length, 1u + (uint64_t)count + (uint64_t)count / 2);

	CHECK(mkdir(later, 0700) == 0);
	receiver_bind(&receiver, endpoint);
	receiver_expect_announcement(&receiver, &frame, INTERVAL_MS, RECEIVE_TIMEOUT_MS);
	CHECK(receiver.batches == 0); /* a heartbeat goes alone */
	frame_free(&frame);
	for (int i = 0; i < count + count / 2; i++) {
		int user = i < count ? i : 2 * (i - count) + 1;

		CHECK(receiver_next(&receiver, &frame, RECEIVE_TIMEOUT_MS));
		CHECK_EQ_U64(frame.seq, ++seq);
		CHECK(frame.kind == (i < count ? 1 : 2));
		CHECK(frame.epoch == stats.epoch && frame.pid == stats.pid);
		user_name(username, sizeof(username), user);
		CHECK(strcmp(frame.username, username) == 0 && strcmp(frame.vuser, username) == 0);
		CHECK(strcmp(frame.backend, "SOGo") == 0);
		CHECK(frame.repl_id == (i < count ? (uint16_t)user : 0));
		frame_free(&frame);
	}
	batches = receiver.batches;
	CHECK(mapistore_mgmt_shutdown() == MAPISTORE_SUCCESS);
	CHECK(receiver_next(&receiver, &frame, RECEIVE_TIMEOUT_MS));
	CHECK(frame.kind == 4 && frame.seq == ++seq);
	CHECK(receiver.batches == batches); /* a goodbye goes alone */
	frame_free(&frame);
	receiver_close(&receiver);
	return batches;
}

int main(void)
{
	char dir[64];
	size_t batched, single;

	temp_dir_make(dir, sizeof(dir));
	batched = held_burst(dir, "batched", 0, COUNT); /* on by default */
	/* At most 256 messages a frame (one turn of the sender thread). */
	CHECK(batched >= (COUNT + COUNT / 2 + 255) / 256);
	single = held_burst(dir, "single", MAPISTORE_MGMT_BATCHING_OFF, COUNT / 4);
	CHECK(single == 0);
	CHECK(held_burst(dir, "again", MAPISTORE_MGMT_BATCHING_ON, COUNT / 4) > 0);
	CHECK(temp_dir_remove(dir));
	printf("%d calls arrived in %zu batch frames; with batching off in none\n",
	       COUNT + COUNT / 2, batched);
	return 0;
}
