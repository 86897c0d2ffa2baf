/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Threads: 8 threads x 10,000 register/unregister pairs at once, twice: with a queue bound
 * no burst reaches, then with a small one so that drops happen. The receiver checks one
 * gapless sequence; its total equals what stats says was sent; commands received + drops =
 * calls; every snapshot taken with no drop since the previous one equals the set rebuilt from
 * the messages; nothing is held at the end.
 *
 * Heartbeats go out only while something is held, so the main thread holds a "keeper"
 * registration through each burst and releases it only once it has received a snapshot taken
 * after every message of the burst with no drop since the previous snapshot: at least one exact
 * comparison per phase, whatever the scheduling (snapshots during the burst are compared too
 * when they happen). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <mapistore/mapistore_mgmt.h>

#include "check.h"
#include "receiver.h"
#include "sources.h"

#define THREADS 8
#define PAIRS 10000
#define INTERVAL_MS 20u
#define DEADLINE_MS 60000u
/* Calls per phase: the burst, and the keeper's register and unregister. */
#define PHASE_CALLS (2u * THREADS * PAIRS + 2u)

/* The receiver's model of the sender's set: per thread, its own triple (t<i>, t<i>) and its
 * triple (t<i>, shared); and the main thread's (keeper, keeper). */
struct model {
	int64_t own[THREADS];
	int64_t shared[THREADS];
	int64_t keeper;
};

static struct mapistore_connection_info keeper = {.username = "keeper"};

static uint64_t refused[THREADS];
static atomic_int finished;

static void *hammer(void *arg)
{
	int index = (int)(intptr_t)arg;
	char username[16];
	struct mapistore_connection_info conn_info = {.username = username};

	snprintf(username, sizeof(username), "t%d", index);
	for (int i = 0; i < PAIRS; i++) {
		const char *vuser = i % 2 ? "shared" : username;
		int rc = mapistore_mgmt_backend_register_user(&conn_info, "SOGo", vuser);

		CHECK(rc == MAPISTORE_SUCCESS || rc == MAPISTORE_ERR_MSG_SEND);
		refused[index] += rc != MAPISTORE_SUCCESS;
		rc = mapistore_mgmt_backend_unregister_user(&conn_info, "SOGo", vuser);
		CHECK(rc == MAPISTORE_SUCCESS || rc == MAPISTORE_ERR_MSG_SEND);
		refused[index] += rc != MAPISTORE_SUCCESS;
	}
	atomic_fetch_add(&finished, 1);
	return NULL;
}

static int64_t *model_slot(struct model *model, const char *username, const char *vuser)
{
	int index;

	if (strcmp(username, "keeper") == 0 && strcmp(vuser, "keeper") == 0)
		return &model->keeper;
	CHECK(sscanf(username, "t%d", &index) == 1 && index >= 0 && index < THREADS);
	return strcmp(vuser, "shared") == 0 ? &model->shared[index] : &model->own[index];
}

static void check_snapshot_equals_model(const struct frame *frame, const struct model *model)
{
	const struct frame_entry *kept = frame_find_entry(frame, "SOGo", "keeper", "keeper");
	uint32_t expected = model->keeper > 0;

	CHECK(model->keeper >= 0);
	CHECK(kept ? kept->count == (uint64_t)model->keeper : model->keeper == 0);

	for (int i = 0; i < THREADS; i++) {
		char username[16];
		const struct frame_entry *own, *shared;

		snprintf(username, sizeof(username), "t%d", i);
		own = frame_find_entry(frame, "SOGo", username, username);
		shared = frame_find_entry(frame, "SOGo", username, "shared");
		CHECK(model->own[i] >= 0 && model->shared[i] >= 0);
		CHECK(own ? own->count == (uint64_t)model->own[i] : model->own[i] == 0);
		CHECK(shared ? shared->count == (uint64_t)model->shared[i] : model->shared[i] == 0);
		expected += (model->own[i] > 0) + (model->shared[i] > 0);
	}
	CHECK(frame->entry_count == expected);
}

/* Checks one received frame against the model and applies it. A snapshot taken with no drop
 * since the previous one must equal the model; any snapshot then replaces it. */
static void receive_frame(const struct frame *frame, struct model *model, uint64_t *last_dropped,
			  uint64_t *commands, uint64_t *exact_snapshots)
{
	if (frame->kind == 3) {
		CHECK(frame->dropped >= *last_dropped);
		if (frame->dropped == *last_dropped) {
			check_snapshot_equals_model(frame, model);
			(*exact_snapshots)++;
		}
		*last_dropped = frame->dropped;
		memset(model, 0, sizeof(*model));
		for (uint32_t i = 0; i < frame->entry_count; i++)
			*model_slot(model, frame->entries[i].username, frame->entries[i].vuser) =
				frame->entries[i].count;
	} else {
		CHECK(frame->kind == 1 || frame->kind == 2);
		(*commands)++;
		*model_slot(model, frame->username, frame->vuser) += frame->kind == 1 ? 1 : -1;
	}
}

struct totals {
	uint64_t received, commands, drops, last_dropped, exact_snapshots;
};

static void take_frame(struct receiver *receiver, struct sources *sources, struct model *model,
		       struct totals *totals, int timeout_ms, bool *got)
{
	struct frame frame;

	*got = receiver_next(receiver, &frame, timeout_ms);
	if (!*got)
		return;
	sources_track(sources, &frame);
	totals->received++;
	receive_frame(&frame, model, &totals->last_dropped, &totals->commands,
		      &totals->exact_snapshots);
	frame_free(&frame);
}

/* Receives until the sender has nothing left to send: nothing queued, everything it counts as
 * sent received, nothing held (no heartbeat due for that), and the last snapshot received
 * reports every drop (no repairing heartbeat due either). No time is assumed. */
static struct mapistore_mgmt_stats drain(struct receiver *receiver, struct sources *sources,
					 struct model *model, struct totals *totals)
{
	struct mapistore_mgmt_stats stats;
	uint64_t give_up_ms = now_ms() + DEADLINE_MS;
	bool got;

	for (;;) {
		CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
		if (stats.queue_length == 0 && stats.registrations_held == 0 &&
		    totals->received >= stats.messages_sent &&
		    totals->last_dropped == stats.messages_dropped)
			return stats;
		CHECK(now_ms() < give_up_ms);
		take_frame(receiver, sources, model, totals, 100, &got);
	}
}

/* After the burst: receives until every call of it is accounted for (received or dropped),
 * then until a snapshot that follows them all is compared exactly. The keeper is still held,
 * so heartbeats keep coming; the first may report the burst's last drops, the next cannot. */
static void receive_exact_snapshot_after_burst(struct receiver *receiver, struct sources *sources,
					       struct model *model, struct totals *totals,
					       uint64_t calls)
{
	uint64_t give_up_ms = now_ms() + DEADLINE_MS;
	bool got;

	while (totals->commands + totals->drops < calls) {
		CHECK(now_ms() < give_up_ms);
		take_frame(receiver, sources, model, totals, 100, &got);
	}
	CHECK_EQ_U64(totals->commands + totals->drops, calls);
	for (uint64_t exact = totals->exact_snapshots; totals->exact_snapshots == exact;) {
		CHECK(now_ms() < give_up_ms);
		take_frame(receiver, sources, model, totals, 100, &got);
	}
}

/* 8 threads hammer at once while the keeper is held; frames are received meanwhile, then until
 * an exact snapshot follows the burst, then (keeper released) until the sender is done. */
static struct mapistore_mgmt_stats run_phase(struct receiver *receiver, struct sources *sources,
					     struct model *model, struct totals *totals,
					     unsigned int queue_limit, uint64_t calls_before)
{
	pthread_t threads[THREADS];
	uint64_t give_up_ms = now_ms() + DEADLINE_MS;
	bool got;

	configure_library(receiver->endpoint, INTERVAL_MS, queue_limit);
	CHECK(mapistore_mgmt_backend_register_user(&keeper, "SOGo", "keeper") == MAPISTORE_SUCCESS);
	atomic_store(&finished, 0);
	memset(refused, 0, sizeof(refused));
	for (int i = 0; i < THREADS; i++)
		CHECK(pthread_create(&threads[i], NULL, hammer, (void *)(intptr_t)i) == 0);
	while (atomic_load(&finished) < THREADS) {
		CHECK(now_ms() < give_up_ms);
		do
			take_frame(receiver, sources, model, totals, 10, &got);
		while (got);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(threads[i], NULL);
		totals->drops += refused[i];
	}
	receive_exact_snapshot_after_burst(receiver, sources, model, totals,
					   calls_before + PHASE_CALLS - 1);
	CHECK(mapistore_mgmt_backend_unregister_user(&keeper, "SOGo", "keeper") ==
	      MAPISTORE_SUCCESS);
	return drain(receiver, sources, model, totals);
}

int main(void)
{
	/* First a bound no phase can reach even if the sender takes nothing before the burst ends
	 * (every call queued, the heartbeat that announces the source ahead of the first call, and
	 * the one heartbeat that may wait beside them): no drop, every snapshot is compared exactly.
	 * Then a small one (drops: counted, reported, repaired). */
	static const unsigned int queue_limits[] = {PHASE_CALLS + 2, 1000};
	struct receiver receiver;
	struct sources sources = {0};
	struct model model = {0};
	struct totals totals = {0};
	struct mapistore_mgmt_stats stats = {0};
	struct frame frame;
	uint64_t calls = 0;

	receiver_open(&receiver, "ipc");
	for (int phase = 0; phase < 2; phase++) {
		stats = run_phase(&receiver, &sources, &model, &totals, queue_limits[phase], calls);
		calls += PHASE_CALLS;
		printf("queue bound %u: %llu calls in all, %llu commands and %llu heartbeats "
		       "received (%llu compared exactly), %llu dropped\n",
		       queue_limits[phase], (unsigned long long)calls,
		       (unsigned long long)totals.commands, (unsigned long long)stats.heartbeats_sent,
		       (unsigned long long)totals.exact_snapshots, (unsigned long long)totals.drops);
		if (phase == 0)
			CHECK(totals.drops == 0 && stats.messages_dropped == 0);
		CHECK(sources.count == 1);
		CHECK_EQ_U64(totals.received, stats.messages_sent);
		CHECK_EQ_U64(sources.views[0].last_seq, stats.messages_sent);
		CHECK_EQ_U64(stats.messages_dropped, totals.drops);
		CHECK_EQ_U64(totals.commands + totals.drops, calls);
		CHECK_EQ_U64(totals.received - totals.commands, stats.heartbeats_sent);
		CHECK(stats.registrations_held == 0 && stats.triples_held == 0);
		/* The last snapshot repaired any drop; what followed it leaves nothing held. */
		for (int i = 0; i < THREADS; i++)
			CHECK(model.own[i] == 0 && model.shared[i] == 0);
		CHECK(model.keeper == 0);
		/* At least the one after the burst in each phase. */
		CHECK(totals.exact_snapshots >= (uint64_t)phase + 1);
	}
	CHECK(!receiver_next(&receiver, &frame, 100));
	mapistore_mgmt_shutdown();
	receiver_close(&receiver);
	return 0;
}
