/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The limits the library shares with the notifier (docs/protocol.md, "Limits"): a process
 * holds at most MAPISTORE_MGMT_MAX_TRIPLES distinct triples by default, and a call past that
 * returns MAPISTORE_MGMT_ERR_LIMIT, changing and sending nothing; the snapshot of the largest
 * set allowed, every string at its longest (about 8 MB), arrives whole as one multipart
 * message of frames no larger than the notifier always accepts; a host can set another limit
 * (max_triples, for a notifier whose own was changed too), also with 1.0.0's options struct
 * (which leaves it as it is). */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <mapistore/mapistore_mgmt.h>

#include "check.h"
#include "receiver.h"

#define INTERVAL_MS 200u
#define RECEIVE_TIMEOUT_MS 20000
#define FRAME_MAX 65536u /* the smallest --max-frame-bytes a notifier accepts */

/* A 255-byte vuser that names triple `i`. */
static void vuser_of(unsigned int i, char out[MAPISTORE_MGMT_MAX_STRING + 1])
{
	memset(out, 'v', MAPISTORE_MGMT_MAX_STRING);
	out[MAPISTORE_MGMT_MAX_STRING] = '\0';
	snprintf(out, 16, "%010u", i);
	out[10] = 'v';
}

static struct mapistore_mgmt_stats stats_now(void)
{
	struct mapistore_mgmt_stats stats;

	CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
	return stats;
}

int main(void)
{
	char username[MAPISTORE_MGMT_MAX_STRING + 1], backend[MAPISTORE_MGMT_MAX_STRING + 1];
	char vuser[MAPISTORE_MGMT_MAX_STRING + 1];
	struct mapistore_connection_info conn_info = {.username = username};
	struct mapistore_mgmt_stats before, after;
	struct receiver receiver;
	struct frame frame;
	bool whole = false;

	memset(username, 'u', MAPISTORE_MGMT_MAX_STRING);
	username[MAPISTORE_MGMT_MAX_STRING] = '\0';
	memset(backend, 'b', MAPISTORE_MGMT_MAX_STRING);
	backend[MAPISTORE_MGMT_MAX_STRING] = '\0';
	receiver_open(&receiver, "ipc");
	configure_library(receiver.endpoint, INTERVAL_MS, 100000);

	for (unsigned int i = 0; i < MAPISTORE_MGMT_MAX_TRIPLES; i++) {
		vuser_of(i, vuser);
		CHECK(mapistore_mgmt_backend_register_user(&conn_info, backend, vuser) ==
		      MAPISTORE_SUCCESS);
	}
	/* One more distinct triple: refused, nothing recorded or queued. */
	before = stats_now();
	vuser_of(MAPISTORE_MGMT_MAX_TRIPLES, vuser);
	CHECK(mapistore_mgmt_backend_register_user(&conn_info, backend, vuser) ==
	      MAPISTORE_MGMT_ERR_LIMIT);
	after = stats_now();
	CHECK(after.last_error == MAPISTORE_MGMT_ERR_LIMIT);
	CHECK_EQ_U64(after.triples_refused, before.triples_refused + 1);
	CHECK_EQ_U64(after.triples_held, MAPISTORE_MGMT_MAX_TRIPLES);
	CHECK_EQ_U64(after.registrations_held, before.registrations_held);
	CHECK_EQ_U64(after.messages_sent + after.queue_length,
		     before.messages_sent + before.queue_length);
	CHECK(strcmp(mapistore_mgmt_errname(MAPISTORE_MGMT_ERR_LIMIT), "MAPISTORE_MGMT_ERR_LIMIT") == 0);
	/* Another registration of a triple held is fine; a triple released makes room. */
	vuser_of(7, vuser);
	CHECK(mapistore_mgmt_backend_register_user(&conn_info, backend, vuser) == MAPISTORE_SUCCESS);
	CHECK(mapistore_mgmt_backend_unregister_user(&conn_info, backend, vuser) == MAPISTORE_SUCCESS);
	CHECK(mapistore_mgmt_backend_unregister_user(&conn_info, backend, vuser) == MAPISTORE_SUCCESS);
	vuser_of(MAPISTORE_MGMT_MAX_TRIPLES, vuser);
	CHECK(mapistore_mgmt_backend_register_user(&conn_info, backend, vuser) == MAPISTORE_SUCCESS);
	CHECK_EQ_U64(stats_now().triples_held, MAPISTORE_MGMT_MAX_TRIPLES);

	/* Snapshots taken along the way hold fewer; wait for one of the whole set. */
	while (!whole) {
		CHECK(receiver_next(&receiver, &frame, RECEIVE_TIMEOUT_MS));
		if (frame.kind == 3 && frame.entry_count == MAPISTORE_MGMT_MAX_TRIPLES) {
			vuser_of(MAPISTORE_MGMT_MAX_TRIPLES, vuser);
			CHECK(frame_find_entry(&frame, backend, username, vuser));
			vuser_of(7, vuser);
			CHECK(!frame_find_entry(&frame, backend, username, vuser));
			printf("a snapshot of %u triples: %zu frames, the largest %zu bytes\n",
			       frame.entry_count, receiver.frames, receiver.largest_frame);
			CHECK(receiver.frames > 100 && receiver.largest_frame <= FRAME_MAX);
			whole = true;
		}
		frame_free(&frame);
	}

	/* Another limit: lowered, no new triple is taken (those held stay); raised, more are. */
	{
		struct mapistore_mgmt_options options = MAPISTORE_MGMT_OPTIONS_INIT;
		struct mapistore_mgmt_options options_1_0 = MAPISTORE_MGMT_OPTIONS_INIT;

		options.max_triples = 10;
		CHECK(mapistore_mgmt_configure(&options) == MAPISTORE_SUCCESS);
		vuser_of(MAPISTORE_MGMT_MAX_TRIPLES + 1, vuser);
		CHECK(mapistore_mgmt_backend_register_user(&conn_info, backend, vuser) ==
		      MAPISTORE_MGMT_ERR_LIMIT);
		CHECK_EQ_U64(stats_now().triples_held, MAPISTORE_MGMT_MAX_TRIPLES);
		options.max_triples = MAPISTORE_MGMT_MAX_TRIPLES + 1;
		CHECK(mapistore_mgmt_configure(&options) == MAPISTORE_SUCCESS);
		/* A caller built against 1.0.0 knows no max_triples: its options leave it alone. */
		options_1_0.size = offsetof(struct mapistore_mgmt_options, max_triples);
		options_1_0.queue_limit = 100000;
		CHECK(mapistore_mgmt_configure(&options_1_0) == MAPISTORE_SUCCESS);
		CHECK(mapistore_mgmt_backend_register_user(&conn_info, backend, vuser) ==
		      MAPISTORE_SUCCESS);
		CHECK_EQ_U64(stats_now().triples_held, MAPISTORE_MGMT_MAX_TRIPLES + 1);
		options.max_triples = 10000001;
		CHECK(mapistore_mgmt_configure(&options) == MAPISTORE_ERR_INVALID_PARAMETER);
	}
	mapistore_mgmt_shutdown();
	receiver_close(&receiver);
	return 0;
}
