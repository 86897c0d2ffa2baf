/* SPDX-License-Identifier: GPL-3.0-or-later */
/* With the notifier away and ZeroMQ holding all it will, heartbeats do not pile up in the
 * library's queue: one waits there at most (the newest snapshot is all the notifier needs).
 * ZeroMQ's refusals are counted as they happen (--wrap=zmq_send reaches the static library's
 * calls): each is one turn of the sender's loop, which first asks whether a heartbeat is due.
 * A refused send has waited out the 20 ms send timeout and heartbeats are due every 10 ms, so
 * every turn after the first refusal is a chance to queue one more; the test watches TURNS of
 * them. */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>

#include <mapistore/mapistore_mgmt.h>

#include "check.h"
#include "receiver.h"

#define REGISTERS 3000
#define TURNS 20
#define INTERVAL_MS 10
#define HANG_GUARD_MS 60000

static atomic_uint refused_sends;

int __real_zmq_send(void *socket, const void *buf, size_t len, int flags);

int __wrap_zmq_send(void *socket, const void *buf, size_t len, int flags)
{
	int rc = __real_zmq_send(socket, buf, len, flags);

	if (rc < 0 && errno == EAGAIN)
		atomic_fetch_add(&refused_sends, 1);
	return rc;
}

static struct mapistore_mgmt_stats stats_now(void)
{
	struct mapistore_mgmt_stats stats;

	CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
	return stats;
}

/* Heartbeats queued and not yet handed to ZeroMQ: every message but the registers is one. */
static uint64_t heartbeats_waiting(const struct mapistore_mgmt_stats *stats)
{
	return stats->messages_sent + stats->queue_length - REGISTERS - stats->heartbeats_sent;
}

/* Until ZeroMQ has refused `count` sends, checking meanwhile that one heartbeat waits at most. */
static void watch_until_refused(unsigned int count)
{
	uint64_t give_up_ms = now_ms() + HANG_GUARD_MS;

	while (atomic_load(&refused_sends) < count) {
		struct mapistore_mgmt_stats stats = stats_now();

		CHECK(heartbeats_waiting(&stats) <= 1);
		CHECK(now_ms() < give_up_ms);
		sleep_ms(1);
	}
}

int main(void)
{
	struct mapistore_connection_info jdoe = {.username = "jdoe"};
	struct mapistore_mgmt_options single = MAPISTORE_MGMT_OPTIONS_INIT;
	struct mapistore_mgmt_stats full, after;
	struct receiver receiver;
	char absent[600];

	/* Nobody listens on the endpoint: ZeroMQ queues what it can, then refuses. One frame per
	 * message, so that its 1000 frames fill with 1000 of them (in batches it would hold up to
	 * 256 times as many). */
	receiver_open(&receiver, "ipc");
	receiver_spare_endpoint(&receiver, "away.sock", absent, sizeof(absent));
	configure_library(absent, INTERVAL_MS, 100000);
	single.batching = MAPISTORE_MGMT_BATCHING_OFF;
	CHECK(mapistore_mgmt_configure(&single) == MAPISTORE_SUCCESS);
	for (int i = 0; i < REGISTERS; i++)
		CHECK(mapistore_mgmt_backend_register_user(&jdoe, "SOGo", "away") == MAPISTORE_SUCCESS);

	/* ZeroMQ full: the first refusal, then the turn it ends (its batch counted). */
	watch_until_refused(2);
	full = stats_now();
	watch_until_refused(2 + TURNS);
	after = stats_now();
	printf("%u sends refused; %llu messages handed to ZeroMQ, %llu waiting in the queue\n",
	       atomic_load(&refused_sends), (unsigned long long)after.messages_sent,
	       (unsigned long long)after.queue_length);
	CHECK_EQ_U64(after.messages_sent, full.messages_sent);
	CHECK(after.queue_length >= REGISTERS - after.messages_sent);
	/* One heartbeat was due and could not go; none was added beside it. */
	CHECK_EQ_U64(heartbeats_waiting(&after), 1);
	CHECK(mapistore_mgmt_shutdown() == MAPISTORE_SUCCESS);
	receiver_close(&receiver);
	return 0;
}
