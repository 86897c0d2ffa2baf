/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A triple's count is 32 bits (a heartbeat entry carries it so): one more register of a triple
 * held 4294967295 times is refused as a limit, MAPISTORE_MGMT_ERR_LIMIT counted in
 * triples_refused, with nothing recorded or queued; an unregister makes room again. The
 * registry is compiled in here so that the test can start a count near the top (2^32 calls
 * would take minutes). */
#include "registry.c"

#include <stdio.h>

#include "check.h"
#include "state.h"

static struct mapistore_mgmt_stats stats_of(const struct mm_state *state)
{
	struct mapistore_mgmt_stats stats;

	mm_state_stats(state, &stats);
	return stats;
}

int main(void)
{
	struct mm_state state = MM_STATE_INITIALIZER;
	struct mm_command command = {
		.backend = {"SOGo", 4}, .username = {"jdoe", 4}, .vuser = {"mail", 4}};
	struct mm_state_leftovers leftovers;
	struct mapistore_mgmt_stats before;

	mm_state_init(&state);
	mm_state_ensure_configured(&state);
	CHECK(mm_state_submit(&state, MM_KIND_REGISTER, &command, true) == MAPISTORE_SUCCESS);
	state.registry.oldest->count = UINT32_MAX - 1;
	state.registry.registrations = UINT32_MAX - 1;
	CHECK(mm_state_submit(&state, MM_KIND_REGISTER, &command, true) == MAPISTORE_SUCCESS);
	CHECK(state.registry.oldest->count == UINT32_MAX);

	before = stats_of(&state);
	CHECK(mm_state_submit(&state, MM_KIND_REGISTER, &command, true) == MAPISTORE_MGMT_ERR_LIMIT);
	CHECK(mm_state_submit(&state, MM_KIND_REGISTER, &command, false) == MAPISTORE_MGMT_ERR_LIMIT);
	CHECK_EQ_U64(stats_of(&state).triples_refused, 2);
	CHECK(stats_of(&state).last_error == MAPISTORE_MGMT_ERR_LIMIT);
	CHECK_EQ_U64(stats_of(&state).registrations_held, UINT32_MAX);
	CHECK_EQ_U64(stats_of(&state).queue_length, before.queue_length);
	CHECK_EQ_U64(stats_of(&state).messages_dropped, before.messages_dropped);
	CHECK(state.registry.oldest->count == UINT32_MAX);

	CHECK(mm_state_submit(&state, MM_KIND_UNREGISTER, &command, true) == MAPISTORE_SUCCESS);
	CHECK(mm_state_submit(&state, MM_KIND_REGISTER, &command, true) == MAPISTORE_SUCCESS);
	CHECK(state.registry.oldest->count == UINT32_MAX);

	mm_state_reset(&state, &leftovers);
	mm_state_free_leftovers(&leftovers);
	printf("a register beyond a triple's 4294967295 is refused with MAPISTORE_MGMT_ERR_LIMIT\n");
	return 0;
}
