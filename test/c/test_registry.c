/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The registry against a plain model, with a fixed seed: random adds and removes over a few
 * thousand triples (the table grows, moving its buckets while calls go on), and snapshots
 * copied a few entries at a time while adds and removes keep changing the set. Each snapshot
 * must equal the model as it was when the snapshot began: every triple then held once, with
 * its count, guid and repl_id of that moment, and nothing added since. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "registry.h"

#define TRIPLES 3000
#define ROUNDS 40
#define CALLS_PER_ROUND 20000

struct model_entry {
	uint32_t count;
	uint16_t repl_id;
	uint8_t guid[MM_WIRE_GUID_SIZE];
};

static char names[TRIPLES][16];

static struct mm_command command_for(int index, uint16_t repl_id)
{
	struct mm_command command = {
		.backend = {"SOGo", 4},
		.username = {names[index], strlen(names[index])},
		.vuser = {names[index], strlen(names[index]) > 3 ? 3 : strlen(names[index])},
		.repl_id = repl_id,
	};

	memset(command.replica_guid, (int)(repl_id & 0xff), MM_WIRE_GUID_SIZE);
	return command;
}

/* One random call, applied to the registry and the model alike. */
static void random_call(struct mm_registry *registry, struct model_entry *model)
{
	int index = rand() % TRIPLES;
	uint16_t repl_id = (uint16_t)rand();
	struct mm_command command = command_for(index, repl_id);

	if (rand() % 2) {
		CHECK(mm_registry_add(registry, &command, SIZE_MAX) == MM_REGISTRY_ADDED);
		model[index].count++;
		model[index].repl_id = repl_id;
		memcpy(model[index].guid, command.replica_guid, MM_WIRE_GUID_SIZE);
	} else {
		mm_registry_remove(registry, &command);
		if (model[index].count > 0)
			model[index].count--;
	}
}

static void check_totals(const struct mm_registry *registry, const struct model_entry *model)
{
	size_t triples = 0, bytes = 0;
	uint64_t registrations = 0;

	for (int i = 0; i < TRIPLES; i++) {
		if (model[i].count == 0)
			continue;
		struct mm_command command = command_for(i, 0);

		triples++;
		registrations += model[i].count;
		bytes += mm_wire_key_size(&command) + MM_WIRE_ENTRY_TAIL;
	}
	CHECK_EQ_U64(registry->triples, triples);
	CHECK_EQ_U64(registry->registrations, registrations);
	CHECK_EQ_U64(registry->snapshot_bytes, bytes);
}

/* Reads the snapshot's entries back and compares them with the model of its beginning. */
static void check_snapshot(const uint8_t *bytes, size_t len, const struct model_entry *then)
{
	static bool seen[TRIPLES];
	const uint8_t *at = bytes, *end = bytes + len;
	size_t expected = 0;

	memset(seen, 0, sizeof(seen));
	for (int i = 0; i < TRIPLES; i++)
		expected += then[i].count > 0;
	while (at < end) {
		char username[16] = {0};
		int index;
		uint16_t repl_id;
		uint32_t count;

		CHECK(at[0] == 4 && memcmp(at + 1, "SOGo", 4) == 0);
		at += 5;
		CHECK(at[0] < sizeof(username));
		memcpy(username, at + 1, at[0]);
		at += 1 + at[0];
		at += 1 + at[0]; /* vuser */
		CHECK(sscanf(username, "u%d", &index) == 1 && index >= 0 && index < TRIPLES);
		CHECK(!seen[index]);
		seen[index] = true;
		CHECK(memcmp(at, then[index].guid, MM_WIRE_GUID_SIZE) == 0);
		at += MM_WIRE_GUID_SIZE;
		repl_id = (uint16_t)(at[0] | at[1] << 8);
		at += 2;
		count = (uint32_t)at[0] | (uint32_t)at[1] << 8 | (uint32_t)at[2] << 16 |
			(uint32_t)at[3] << 24;
		at += 4;
		CHECK(count == then[index].count && repl_id == then[index].repl_id);
		expected--;
	}
	CHECK(at == end && expected == 0);
}

int main(void)
{
	static struct model_entry model[TRIPLES], then[TRIPLES];
	struct mm_registry registry = {0};
	size_t snapshots = 0;

	srand(14);
	for (int i = 0; i < TRIPLES; i++)
		snprintf(names[i], sizeof(names[i]), "u%d", i);
	for (int round = 0; round < ROUNDS; round++) {
		size_t len;
		uint8_t *bytes;

		for (int call = 0; call < CALLS_PER_ROUND; call++)
			random_call(&registry, model);
		check_totals(&registry, model);
		/* A snapshot copied 1..16 entries at a time, 0..40 calls between slices. */
		memcpy(then, model, sizeof(then));
		len = registry.snapshot_bytes;
		bytes = malloc(len ? len : 1);
		CHECK(bytes != NULL);
		mm_registry_snapshot_begin(&registry, bytes);
		while (!mm_registry_snapshot_step(&registry, 1 + (size_t)(rand() % 16))) {
			for (int call = rand() % 41; call > 0; call--)
				random_call(&registry, model);
		}
		check_snapshot(bytes, len, then);
		check_totals(&registry, model);
		free(bytes);
		snapshots++;
	}
	mm_registry_clear(&registry);
	CHECK(registry.triples == 0 && registry.registrations == 0);
	printf("%zu snapshots taken while the set changed, each equal to the set it began with\n",
	       snapshots);
	return 0;
}
