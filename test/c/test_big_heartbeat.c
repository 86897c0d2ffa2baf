/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A heartbeat too big to copy in one go (100,000 triples: the library copies a slice of the set
 * at a time, letting calls in between) is still exactly the set as of its sequence number,
 * while another thread keeps registering and unregistering, new triples included. The
 * receiver rebuilds the set from the register and unregister frames in seq order and compares
 * each heartbeat with it. */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <mapistore/mapistore_mgmt.h>

#include "check.h"
#include "receiver.h"

#define HELD 100000      /* triples held from the start */
#define TOUCHED 110000   /* triples the other thread changes: some are new */
#define INTERVAL_MS 10u
#define QUEUE_LIMIT 10000000u
#define HEARTBEATS_TO_COMPARE 10
#define RECEIVE_TIMEOUT_MS 10000
#define BURST 4096 /* changes between two looks at the queue */

static char names[TOUCHED][16];
static atomic_bool stop;
static atomic_ulong changes;

static int register_index(int index, bool add)
{
	struct mapistore_connection_info conn_info = {.username = names[index]};

	return add ? mapistore_mgmt_backend_register_user(&conn_info, "SOGo", names[index])
		   : mapistore_mgmt_backend_unregister_user(&conn_info, "SOGo", names[index]);
}

static uint64_t queue_length(void)
{
	struct mapistore_mgmt_stats stats;

	CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
	return stats.queue_length;
}

/* Random changes until told to stop, as fast as the library's thread sends them (calls back
 * to back would queue faster than any thread sends, and the heartbeats would wait behind).
 * Unregistering what is not held is fine: ignored by the library's set, and by the
 * receiver's model the same way. */
static void *change_the_set(void *arg)
{
	unsigned int seed = 14;

	(void)arg;
	while (!atomic_load(&stop)) {
		int index = rand_r(&seed) % TOUCHED;

		CHECK(register_index(index, rand_r(&seed) % 2) == MAPISTORE_SUCCESS);
		if (atomic_fetch_add(&changes, 1) % BURST == 0)
			while (queue_length() > BURST && !atomic_load(&stop))
				sched_yield();
	}
	return NULL;
}

static int index_of(const char *username)
{
	int index;

	CHECK(sscanf(username, "u%d", &index) == 1 && index >= 0 && index < TOUCHED);
	return index;
}

/* The heartbeat holds every triple of the model, with its count, and nothing else. */
static void compare(const struct frame *frame, const uint32_t *model)
{
	static bool seen[TOUCHED];
	uint32_t held = 0;

	memset(seen, 0, sizeof(seen));
	CHECK(frame->dropped == 0);
	for (uint32_t i = 0; i < frame->entry_count; i++) {
		int index = index_of(frame->entries[i].username);

		CHECK(!seen[index] && strcmp(frame->entries[i].vuser, names[index]) == 0);
		seen[index] = true;
		CHECK_EQ_U64(frame->entries[i].count, model[index]);
	}
	for (int i = 0; i < TOUCHED; i++)
		held += model[i] > 0;
	CHECK_EQ_U64(frame->entry_count, held);
}

int main(void)
{
	static uint32_t model[TOUCHED];
	struct receiver receiver;
	pthread_t changer;
	uint64_t expected_seq = 1;
	int compared = 0;

	for (int i = 0; i < TOUCHED; i++)
		snprintf(names[i], sizeof(names[i]), "u%d", i);
	receiver_open(&receiver, "ipc");
	configure_library(receiver.endpoint, INTERVAL_MS, QUEUE_LIMIT);
	{
		/* Beyond the notifier's default limit: only this test's receiver takes it. */
		struct mapistore_mgmt_options options = MAPISTORE_MGMT_OPTIONS_INIT;

		options.max_triples = TOUCHED;
		CHECK(mapistore_mgmt_configure(&options) == MAPISTORE_SUCCESS);
	}
	for (int i = 0; i < HELD; i++)
		CHECK(register_index(i, true) == MAPISTORE_SUCCESS);
	CHECK(pthread_create(&changer, NULL, change_the_set, NULL) == 0);
	while (compared < HEARTBEATS_TO_COMPARE) {
		struct frame frame;

		CHECK(receiver_next(&receiver, &frame, RECEIVE_TIMEOUT_MS));
		CHECK_EQ_U64(frame.seq, expected_seq++);
		if (frame.kind == 3) {
			compare(&frame, model);
			compared++;
		} else {
			int index = index_of(frame.username);

			CHECK(frame.kind == 1 || frame.kind == 2);
			if (frame.kind == 1)
				model[index]++;
			else if (model[index] > 0)
				model[index]--;
		}
		frame_free(&frame);
	}
	atomic_store(&stop, true);
	CHECK(pthread_join(changer, NULL) == 0);
	printf("%d heartbeats of about %d triples each equal to the set at their seq, %lu changes "
	       "made meanwhile\n",
	       compared, HELD, (unsigned long)atomic_load(&changes));
	CHECK(atomic_load(&changes) > 0);
	mapistore_mgmt_shutdown();
	receiver_close(&receiver);
	return 0;
}
