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

size_t mm_state_queue_length(const struct mm_state *state)
{
	return state->queue.length + state->in_flight.length;
}

bool mm_state_queue_full(const struct mm_state *state)
{
	return mm_state_queue_length(state) >= state->config.queue_limit;
}

int mm_state_fail(struct mm_state *state, int code)
{
	state->last_error = code;
	return code;
}

int mm_state_submit(struct mm_state *state, enum mm_kind kind, const struct mm_command *command,
		    bool queue_it)
{
	struct mm_message *message = NULL;

	if (queue_it) {
		message = mm_message_new(kind, mm_wire_command_size(&state->source, command));
		if (!message)
			return mm_state_fail(state, MAPISTORE_ERR_NO_MEMORY);
	}
	if (kind == MM_KIND_REGISTER) {
		if (mm_registry_add(&state->registry, command) != 0) {
			free(message);
			return mm_state_fail(state, MAPISTORE_ERR_NO_MEMORY);
		}
	} else {
		mm_registry_remove(&state->registry, command);
	}
	if (!queue_it) {
		state->messages_dropped++;
		state->dropped_since_heartbeat = true;
		return mm_state_fail(state, MAPISTORE_ERR_MSG_SEND);
	}
	mm_source_ensure_epoch(&state->source);
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
	    strcmp(previous.curve_secret_key_file, state->config.curve_secret_key_file) != 0)
		state->config_generation++;
	if (previous.heartbeat_ms != state->config.heartbeat_ms)
		state->next_heartbeat_ms = 0;
	return MAPISTORE_SUCCESS;
}

void mm_state_stats(const struct mm_state *state, struct mapistore_mgmt_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	stats->messages_sent = state->messages_sent;
	stats->messages_dropped = state->messages_dropped;
	stats->heartbeats_sent = state->heartbeats_sent;
	stats->registrations_held = state->registry.registrations;
	stats->triples_held = state->registry.triples;
	stats->queue_length = mm_state_queue_length(state);
	stats->epoch = state->source.epoch;
	stats->pid = state->source.pid;
	stats->last_error = state->last_error;
	stats->endpoint_error = state->endpoint_error;
}

/* Heartbeats go out while the source holds registrations, and after drops until one snapshot
 * has repaired the notifier's view. A snapshot takes its seq under the lock that orders every
 * other message, so it describes the state after every message with a lower seq. While one
 * still waits in the queue (the notifier is away) no other is built: snapshots can be large,
 * and the newest one is all the notifier needs. */
uint64_t mm_state_heartbeat(struct mm_state *state, uint64_t now_ms)
{
	bool wanted = state->registry.triples > 0 || state->dropped_since_heartbeat;
	struct mm_message *message;
	uint8_t *out;

	if (!wanted) {
		state->next_heartbeat_ms = 0;
		return 0;
	}
	if (state->next_heartbeat_ms == 0)
		state->next_heartbeat_ms = now_ms + state->config.heartbeat_ms;
	if (now_ms < state->next_heartbeat_ms || state->heartbeat_queued || mm_state_queue_full(state))
		return state->next_heartbeat_ms;
	message = mm_message_new(MM_KIND_HEARTBEAT, mm_wire_header_size(&state->source) +
							    MM_WIRE_HEARTBEAT_FIXED +
							    state->registry.snapshot_bytes);
	if (message) {
		out = mm_wire_put_header(message->bytes, MM_KIND_HEARTBEAT, &state->source,
					 state->next_seq++);
		out = mm_wire_put_heartbeat_fixed(out, state->config.heartbeat_ms,
						  state->messages_dropped,
						  (uint32_t)state->registry.triples);
		mm_registry_put_snapshot(&state->registry, out);
		mm_queue_push_back(&state->queue, message);
		state->heartbeat_queued = true;
		state->dropped_since_heartbeat = false;
	}
	state->next_heartbeat_ms = now_ms + state->config.heartbeat_ms;
	return state->next_heartbeat_ms;
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

void mm_state_batch_done(struct mm_state *state, struct mm_queue *batch, size_t sent)
{
	state->in_flight = (struct mm_queue){0};
	while (sent-- > 0) {
		struct mm_message *message = mm_queue_pop(batch);

		state->messages_sent++;
		if (message->kind == MM_KIND_HEARTBEAT) {
			state->heartbeats_sent++;
			state->heartbeat_queued = false;
		}
		free(message);
	}
	mm_queue_put_back(&state->queue, batch);
}

void mm_state_reset(struct mm_state *state)
{
	mm_queue_clear(&state->queue);
	mm_registry_clear(&state->registry);
	state->in_flight = (struct mm_queue){0};
	state->next_seq = 1;
	state->messages_sent = 0;
	state->messages_dropped = 0;
	state->heartbeats_sent = 0;
	state->last_error = MAPISTORE_SUCCESS;
	state->dropped_since_heartbeat = false;
	state->next_heartbeat_ms = 0;
	state->heartbeat_queued = false;
	state->source.epoch = 0;
}

void mm_state_after_fork_in_child(struct mm_state *state)
{
	mm_queue_clear(&state->in_flight);
	mm_state_reset(state);
	mm_source_after_fork(&state->source);
}
