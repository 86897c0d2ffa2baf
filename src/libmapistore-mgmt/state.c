/* SPDX-License-Identifier: GPL-3.0-or-later */
/* state.c - the state under the lock: recording commands, building heartbeats, handing
 * batches to the sender, stats and configuration. */
#include "state.h"

#include <stdlib.h>
#include <string.h>

void mm_state_init(struct mm_state *state)
{
	mm_source_init(&state->source);
}

void mm_state_ensure_configured(struct mm_state *state)
{
	if (!state->configured) {
		mm_config_from_environment(&state->config);
		state->configured = true;
	}
}

/* Messages waiting, in the queue and in the sender's hands. */
static size_t queue_length(const struct mm_state *state)
{
	return state->queue.length + state->in_flight.length;
}

bool mm_state_queue_full(const struct mm_state *state)
{
	return queue_length(state) >= state->config.queue_limit;
}

int mm_state_fail(struct mm_state *state, int code)
{
	state->last_error = code;
	return code;
}

/* A snapshot of an empty set, queued now. */
static void queue_empty_heartbeat(struct mm_state *state)
{
	size_t size = mm_wire_header_size(&state->source) + MM_WIRE_HEARTBEAT_FIXED;
	struct mm_message *message = mm_message_new(MM_KIND_HEARTBEAT, size);
	uint8_t *out;

	if (!message)
		return;
	out = mm_wire_put_header(message->bytes, MM_KIND_HEARTBEAT, &state->source,
				 state->next_seq++);
	mm_wire_put_heartbeat_fixed(out, state->config.heartbeat_ms, state->messages_dropped, 0);
	mm_queue_push_back(&state->queue, message);
	state->heartbeat_queued = true;
	state->dropped_since_heartbeat = false;
	state->announce = false;
}

/* The notifier learns a source's interval, hence its lease, from heartbeats only, and a
 * source that holds nothing sends none: a new source, one silent for an interval or for
 * MM_ANNOUNCE_SILENCE_MS (the notifier may have expired it: a source that holds nothing takes
 * its short lease, --empty-lease-ms), or one with a new interval or endpoint may be unknown
 * there. Such a source announces itself with a heartbeat of its (empty) set ahead of the
 * command, so that a process that dies at once goes after three of its own intervals. Only
 * with room for both messages, and never beside another queued heartbeat (which goes first
 * anyway). A source that holds registrations has its next heartbeat made due at once instead
 * (mm_state_heartbeat_due). Lock held, the epoch drawn. */
static void announce_if_needed(struct mm_state *state, bool new_source)
{
	uint64_t now_ms = mm_now_ms();
	uint64_t silence_ms = state->config.heartbeat_ms < MM_ANNOUNCE_SILENCE_MS
				      ? state->config.heartbeat_ms
				      : MM_ANNOUNCE_SILENCE_MS;
	bool unknown = new_source || state->announce || now_ms - state->last_queued_ms >= silence_ms;

	if (unknown && state->registry.triples == 0 && !state->heartbeat_queued &&
	    queue_length(state) + 2 <= state->config.queue_limit)
		queue_empty_heartbeat(state);
	state->last_queued_ms = now_ms;
}

static int record(struct mm_state *state, enum mm_kind kind, const struct mm_command *command)
{
	if (kind != MM_KIND_REGISTER) {
		mm_registry_remove(&state->registry, command);
		return MAPISTORE_SUCCESS;
	}
	switch (mm_registry_add(&state->registry, command, state->config.max_triples)) {
	case MM_REGISTRY_ADDED:
		return MAPISTORE_SUCCESS;
	case MM_REGISTRY_FULL:
		state->triples_refused++;
		return MAPISTORE_MGMT_ERR_LIMIT;
	default:
		return MAPISTORE_ERR_NO_MEMORY;
	}
}

int mm_state_submit(struct mm_state *state, enum mm_kind kind, const struct mm_command *command,
		    bool queue_it)
{
	struct mm_message *message = NULL;
	bool new_source = state->source.epoch == 0;
	int rc;

	if (queue_it) {
		message = mm_message_new(kind, mm_wire_command_size(&state->source, command));
		if (!message)
			return mm_state_fail(state, MAPISTORE_ERR_NO_MEMORY);
		mm_source_ensure_epoch(&state->source);
		announce_if_needed(state, new_source);
	}
	rc = record(state, kind, command);
	if (rc != MAPISTORE_SUCCESS) {
		free(message);
		return mm_state_fail(state, rc);
	}
	if (!queue_it) {
		state->messages_dropped++;
		state->dropped_since_heartbeat = true;
		return mm_state_fail(state, MAPISTORE_ERR_MSG_SEND);
	}
	mm_wire_encode_command(message->bytes, kind, &state->source, state->next_seq++, command);
	mm_queue_push_back(&state->queue, message);
	return MAPISTORE_SUCCESS;
}

int mm_state_configure(struct mm_state *state, const struct mapistore_mgmt_options *options)
{
	struct mm_config previous;
	int rc;

	mm_state_ensure_configured(state);
	previous = state->config;
	rc = mm_config_apply(&state->config, options);
	if (rc != MAPISTORE_SUCCESS)
		return mm_state_fail(state, rc);
	if (strcmp(previous.endpoint, state->config.endpoint) != 0 ||
	    strcmp(previous.curve_server_key_file, state->config.curve_server_key_file) != 0 ||
	    strcmp(previous.curve_secret_key_file, state->config.curve_secret_key_file) != 0) {
		state->config_generation++;
		state->announce = true;
	}
	if (previous.heartbeat_ms != state->config.heartbeat_ms)
		state->announce = true;
	return MAPISTORE_SUCCESS;
}

void mm_state_descriptor_shortage(struct mm_state *state)
{
	state->descriptor_shortages++;
	state->last_error = MAPISTORE_ERR_CONTEXT_FAILED;
}

void mm_state_context_lost(struct mm_state *state)
{
	state->contexts_lost++;
	state->last_error = MAPISTORE_ERR_CONTEXT_FAILED;
}

void mm_state_connected(struct mm_state *state, bool first)
{
	state->connections++;
	if (!first || state->dropped_since_heartbeat)
		state->announce = true;
}

void mm_state_stats(const struct mm_state *state, struct mapistore_mgmt_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	stats->messages_sent = state->messages_sent;
	stats->messages_dropped = state->messages_dropped;
	stats->heartbeats_sent = state->heartbeats_sent;
	stats->registrations_held = state->registry.registrations;
	stats->triples_held = state->registry.triples;
	stats->queue_length = queue_length(state);
	stats->epoch = state->source.epoch;
	stats->pid = state->source.pid;
	stats->last_error = state->last_error;
	stats->descriptor_shortages = state->descriptor_shortages;
	stats->contexts_lost = state->contexts_lost;
	stats->triples_refused = state->triples_refused;
	stats->endpoint_error = state->endpoint_error;
	stats->connections = state->connections;
}

/* Heartbeats go out while the source holds registrations, and after drops until one snapshot
 * has repaired the notifier's view; one is due at once to announce a new interval or
 * endpoint. While one still waits in the queue (the notifier is away) no other is built:
 * snapshots can be large, and the newest one is all the notifier needs. */
static bool heartbeat_wanted(const struct mm_state *state)
{
	return state->registry.triples > 0 || state->dropped_since_heartbeat;
}

static size_t heartbeat_size(const struct mm_state *state)
{
	return mm_wire_header_size(&state->source) + MM_WIRE_HEARTBEAT_FIXED +
	       state->registry.snapshot_bytes;
}

uint64_t mm_state_heartbeat_due(struct mm_state *state, uint64_t now_ms, size_t *size)
{
	*size = 0;
	if (!heartbeat_wanted(state)) {
		state->next_heartbeat_ms = 0;
		return 0;
	}
	if (state->next_heartbeat_ms == 0)
		state->next_heartbeat_ms = now_ms + state->config.heartbeat_ms;
	if ((now_ms < state->next_heartbeat_ms && !state->announce) || state->heartbeat_queued ||
	    mm_state_queue_full(state))
		return state->next_heartbeat_ms;
	*size = heartbeat_size(state);
	state->next_heartbeat_ms = now_ms + state->config.heartbeat_ms;
	return state->next_heartbeat_ms;
}

/* A snapshot takes its seq under the lock that orders every other message, so it describes
 * the state after every message with a lower seq: the registry copies the set as it is now,
 * whatever changes while the slices are copied. */
bool mm_state_begin_heartbeat(struct mm_state *state, struct mm_message *message)
{
	size_t size = heartbeat_size(state);
	uint8_t *out;

	if (size > message->len || !heartbeat_wanted(state) || state->heartbeat_queued ||
	    mm_state_queue_full(state))
		return false;
	message->len = size;
	out = mm_wire_put_header(message->bytes, MM_KIND_HEARTBEAT, &state->source,
				 state->next_seq++);
	out = mm_wire_put_heartbeat_fixed(out, state->config.heartbeat_ms, state->messages_dropped,
					  (uint32_t)state->registry.triples);
	mm_registry_snapshot_begin(&state->registry, out);
	mm_queue_push_back(&state->queue, message);
	state->building = message;
	mm_state_build_heartbeat(state);
	state->heartbeat_queued = true;
	state->dropped_since_heartbeat = false;
	state->announce = false;
	return true;
}

void mm_state_build_heartbeat(struct mm_state *state)
{
	if (state->building &&
	    mm_registry_snapshot_step(&state->registry, MM_STATE_SNAPSHOT_SLICE))
		state->building = NULL;
}

void mm_state_queue_goodbye(struct mm_state *state)
{
	struct mm_message *message;

	if (state->next_seq == 1 || mm_state_queue_full(state))
		return;
	message = mm_message_new(MM_KIND_GOODBYE, mm_wire_header_size(&state->source));
	if (!message)
		return;
	mm_wire_put_header(message->bytes, MM_KIND_GOODBYE, &state->source, state->next_seq++);
	mm_queue_push_back(&state->queue, message);
}

struct mm_queue mm_state_take_batch(struct mm_state *state, size_t max)
{
	mm_queue_take(&state->queue, max, &state->in_flight);
	return state->in_flight;
}

struct mm_message *mm_state_batch_done(struct mm_state *state, struct mm_queue *batch,
				       size_t sent)
{
	struct mm_message *heartbeat = NULL;

	state->in_flight = (struct mm_queue){0};
	while (sent-- > 0) {
		struct mm_message *message = mm_queue_pop(batch);

		state->messages_sent++;
		if (message->kind == MM_KIND_HEARTBEAT) {
			state->heartbeats_sent++;
			state->heartbeat_queued = false;
		}
		/* One heartbeat at most: none is built while one waits. An empty one (a source's
		 * announcement) is small and not worth keeping: freed like a command. */
		if (message->kind == MM_KIND_HEARTBEAT &&
		    message->len > mm_wire_header_size(&state->source) + MM_WIRE_HEARTBEAT_FIXED)
			heartbeat = message;
		else
			free(message);
	}
	mm_queue_put_back(&state->queue, batch);
	return heartbeat;
}

void mm_state_reset(struct mm_state *state, struct mm_state_leftovers *leftovers)
{
	*leftovers = (struct mm_state_leftovers){state->registry, state->queue};
	state->registry = (struct mm_registry){0};
	state->queue = (struct mm_queue){0};
	state->in_flight = (struct mm_queue){0};
	state->next_seq = 1;
	state->messages_sent = 0;
	state->messages_dropped = 0;
	state->heartbeats_sent = 0;
	state->descriptor_shortages = 0;
	state->contexts_lost = 0;
	state->triples_refused = 0;
	state->connections = 0;
	state->last_error = MAPISTORE_SUCCESS;
	state->dropped_since_heartbeat = false;
	state->next_heartbeat_ms = 0;
	state->heartbeat_queued = false;
	state->building = NULL;
	state->announce = false;
	state->last_queued_ms = 0;
	state->source.epoch = 0;
}

void mm_state_free_leftovers(struct mm_state_leftovers *leftovers)
{
	mm_queue_clear(&leftovers->queue);
	mm_registry_clear(&leftovers->registry);
}

void mm_state_after_fork_in_child(struct mm_state *state)
{
	struct mm_state_leftovers leftovers;

	mm_queue_clear(&state->in_flight);
	mm_state_reset(state, &leftovers);
	mm_state_free_leftovers(&leftovers);
	mm_source_after_fork(&state->source);
}
