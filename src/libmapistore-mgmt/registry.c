/* SPDX-License-Identifier: GPL-3.0-or-later */
/* registry.c - a chained hash map keyed by the triple's wire encoding (three str8 strings,
 * which the length prefixes make unambiguous), so a snapshot entry is a copy of the key.
 * Entries are also on a list in the order added, which snapshots walk. */
#include "registry.h"

#include <stdlib.h>
#include <string.h>

#define MM_REGISTRY_MIN_BUCKETS 16
/* Buckets of the smaller table moved per add or remove while the table grows: the move ends
 * long before the bigger table fills, and no call rehashes more than a few entries. */
#define MM_REGISTRY_MOVE_STEP 4

struct mm_registry_entry {
	struct mm_registry_entry *next;          /* in its bucket */
	struct mm_registry_entry *older, *newer; /* in the order added */
	uint64_t hash;
	uint64_t copied; /* the snapshot generation that wrote it (or began after it was added) */
	uint32_t count;
	uint16_t repl_id;
	uint8_t replica_guid[MM_WIRE_GUID_SIZE];
	size_t key_len;
	uint8_t key[];
};

/* FNV-1a, 64 bits. */
static uint64_t hash_key(const uint8_t *key, size_t len)
{
	uint64_t hash = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		hash ^= key[i];
		hash *= 0x100000001b3ULL;
	}
	return hash;
}

static struct mm_registry_entry **bucket_of(const struct mm_registry_table *table, uint64_t hash)
{
	return &table->buckets[hash & (table->bucket_count - 1)];
}

/* Moves up to `steps` buckets of the smaller table into the bigger one. */
static void move_buckets(struct mm_registry *registry, size_t steps)
{
	struct mm_registry_table *moving = &registry->moving;

	while (moving->buckets && steps-- > 0) {
		struct mm_registry_entry *entry = moving->buckets[registry->moved];

		while (entry) {
			struct mm_registry_entry *next = entry->next;
			struct mm_registry_entry **bucket = bucket_of(&registry->table, entry->hash);

			entry->next = *bucket;
			*bucket = entry;
			entry = next;
		}
		moving->buckets[registry->moved] = NULL;
		if (++registry->moved == moving->bucket_count) {
			free(moving->buckets);
			*moving = (struct mm_registry_table){0};
			registry->moved = 0;
		}
	}
}

/* Starts doubling the table when it holds as many triples as buckets (and no move is under
 * way). calloc() of a big table maps zeroed pages: no call pays for clearing it. If it cannot
 * be had, the map keeps working with longer chains. */
static void maybe_grow(struct mm_registry *registry)
{
	size_t count = registry->table.bucket_count;
	struct mm_registry_entry **buckets;

	if (registry->moving.buckets || registry->triples < count)
		return;
	count = count ? count * 2 : MM_REGISTRY_MIN_BUCKETS;
	buckets = calloc(count, sizeof(*buckets));
	if (!buckets)
		return;
	if (registry->table.buckets)
		registry->moving = registry->table;
	registry->table = (struct mm_registry_table){buckets, count};
	registry->moved = 0;
}

/* The link that points at the triple's entry, or NULL when it is not held. */
static struct mm_registry_entry **find(const struct mm_registry *registry, const uint8_t *key,
				       size_t key_len, uint64_t hash)
{
	const struct mm_registry_table *tables[] = {&registry->table, &registry->moving};

	for (size_t i = 0; i < 2; i++) {
		struct mm_registry_entry **link;

		if (!tables[i]->buckets)
			continue;
		for (link = bucket_of(tables[i], hash); *link; link = &(*link)->next)
			if ((*link)->hash == hash && (*link)->key_len == key_len &&
			    memcmp((*link)->key, key, key_len) == 0)
				return link;
	}
	return NULL;
}

static uint8_t *put_entry(uint8_t *out, const struct mm_registry_entry *entry)
{
	memcpy(out, entry->key, entry->key_len);
	return mm_wire_put_entry_tail(out + entry->key_len, entry->replica_guid, entry->repl_id,
				      entry->count);
}

/* Before an entry changes: a snapshot under way that has not written it yet writes it now,
 * as it was. */
static void keep_for_snapshot(struct mm_registry *registry, struct mm_registry_entry *entry)
{
	struct mm_registry_snapshot *snapshot = &registry->snapshot;

	if (snapshot->active && entry->copied != snapshot->generation) {
		snapshot->out = put_entry(snapshot->out, entry);
		entry->copied = snapshot->generation;
	}
}

static void append(struct mm_registry *registry, struct mm_registry_entry *entry)
{
	entry->older = registry->newest;
	entry->newer = NULL;
	if (registry->newest)
		registry->newest->newer = entry;
	else
		registry->oldest = entry;
	registry->newest = entry;
}

/* Takes the entry off the list, and out of the walk of a snapshot under way. */
static void unlink_entry(struct mm_registry *registry, struct mm_registry_entry *entry)
{
	struct mm_registry_snapshot *snapshot = &registry->snapshot;

	if (snapshot->active) {
		if (snapshot->next == entry)
			snapshot->next = entry == snapshot->last ? NULL : entry->newer;
		if (snapshot->last == entry)
			snapshot->last = entry->older;
		snapshot->active = snapshot->next != NULL;
	}
	if (entry->older)
		entry->older->newer = entry->newer;
	else
		registry->oldest = entry->newer;
	if (entry->newer)
		entry->newer->older = entry->older;
	else
		registry->newest = entry->older;
}

enum mm_registry_result mm_registry_add(struct mm_registry *registry,
					const struct mm_command *command, size_t max_triples)
{
	uint8_t key[3 * (MAPISTORE_MGMT_MAX_STRING + 1)];
	size_t key_len = (size_t)(mm_wire_put_key(key, command) - key);
	uint64_t hash = hash_key(key, key_len);
	struct mm_registry_entry **link;
	struct mm_registry_entry *entry;

	move_buckets(registry, MM_REGISTRY_MOVE_STEP);
	maybe_grow(registry);
	if (!registry->table.buckets)
		return MM_REGISTRY_NO_MEMORY;
	link = find(registry, key, key_len, hash);
	if (!link) {
		if (registry->triples >= max_triples)
			return MM_REGISTRY_FULL;
		entry = malloc(sizeof(*entry) + key_len);
		if (!entry)
			return MM_REGISTRY_NO_MEMORY;
		entry->hash = hash;
		entry->count = 0;
		entry->key_len = key_len;
		/* Newer than any snapshot under way: it is not part of it. */
		entry->copied = registry->snapshot.generation;
		memcpy(entry->key, key, key_len);
		link = bucket_of(&registry->table, hash);
		entry->next = *link;
		*link = entry;
		append(registry, entry);
		registry->triples++;
		registry->snapshot_bytes += key_len + MM_WIRE_ENTRY_TAIL;
	} else {
		entry = *link;
		if (entry->count == UINT32_MAX)
			return MM_REGISTRY_FULL;
		keep_for_snapshot(registry, entry);
	}
	entry->count++;
	entry->repl_id = command->repl_id;
	memcpy(entry->replica_guid, command->replica_guid, MM_WIRE_GUID_SIZE);
	registry->registrations++;
	return MM_REGISTRY_ADDED;
}

void mm_registry_remove(struct mm_registry *registry, const struct mm_command *command)
{
	uint8_t key[3 * (MAPISTORE_MGMT_MAX_STRING + 1)];
	size_t key_len = (size_t)(mm_wire_put_key(key, command) - key);
	struct mm_registry_entry **link;
	struct mm_registry_entry *entry;

	move_buckets(registry, MM_REGISTRY_MOVE_STEP);
	link = find(registry, key, key_len, hash_key(key, key_len));
	if (!link)
		return;
	entry = *link;
	keep_for_snapshot(registry, entry);
	registry->registrations--;
	if (--entry->count > 0)
		return;
	*link = entry->next;
	unlink_entry(registry, entry);
	registry->triples--;
	registry->snapshot_bytes -= entry->key_len + MM_WIRE_ENTRY_TAIL;
	free(entry);
}

void mm_registry_snapshot_begin(struct mm_registry *registry, uint8_t *out)
{
	struct mm_registry_snapshot *snapshot = &registry->snapshot;

	snapshot->generation++;
	snapshot->next = registry->oldest;
	snapshot->last = registry->newest;
	snapshot->out = out;
	snapshot->active = snapshot->next != NULL;
}

bool mm_registry_snapshot_step(struct mm_registry *registry, size_t max)
{
	struct mm_registry_snapshot *snapshot = &registry->snapshot;

	while (snapshot->active && max-- > 0) {
		struct mm_registry_entry *entry = snapshot->next;

		if (entry->copied != snapshot->generation) {
			snapshot->out = put_entry(snapshot->out, entry);
			entry->copied = snapshot->generation;
		}
		snapshot->next = entry == snapshot->last ? NULL : entry->newer;
		snapshot->active = snapshot->next != NULL;
	}
	return !snapshot->active;
}

void mm_registry_clear(struct mm_registry *registry)
{
	struct mm_registry_entry *entry = registry->oldest;

	while (entry) {
		struct mm_registry_entry *newer = entry->newer;

		free(entry);
		entry = newer;
	}
	free(registry->table.buckets);
	free(registry->moving.buckets);
	memset(registry, 0, sizeof(*registry));
}
