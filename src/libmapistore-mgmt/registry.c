/* registry.c - a chained hash map keyed by the triple's wire encoding (three str8 strings,
 * which the length prefixes make unambiguous), so a snapshot entry is a copy of the key. */
#include "registry.h"

#include <stdlib.h>
#include <string.h>

#define MM_REGISTRY_MIN_BUCKETS 16

struct mm_registry_entry {
	struct mm_registry_entry *next;
	uint64_t hash;
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

/* Doubles the table when it holds more triples than buckets. If the bigger table cannot be
 * allocated the map keeps working with longer chains. */
static void grow(struct mm_registry *registry)
{
	size_t count = registry->bucket_count ? registry->bucket_count * 2 : MM_REGISTRY_MIN_BUCKETS;
	struct mm_registry_entry **buckets = calloc(count, sizeof(*buckets));

	if (!buckets)
		return;
	for (size_t i = 0; i < registry->bucket_count; i++) {
		struct mm_registry_entry *entry = registry->buckets[i];

		while (entry) {
			struct mm_registry_entry *next = entry->next;
			size_t slot = entry->hash & (count - 1);

			entry->next = buckets[slot];
			buckets[slot] = entry;
			entry = next;
		}
	}
	free(registry->buckets);
	registry->buckets = buckets;
	registry->bucket_count = count;
}

/* The link that points at the triple's entry (or at NULL where it would go). */
static struct mm_registry_entry **find(const struct mm_registry *registry, const uint8_t *key,
				       size_t key_len, uint64_t hash)
{
	struct mm_registry_entry **link = &registry->buckets[hash & (registry->bucket_count - 1)];

	while (*link && ((*link)->hash != hash || (*link)->key_len != key_len ||
			 memcmp((*link)->key, key, key_len) != 0))
		link = &(*link)->next;
	return link;
}

enum mm_registry_result mm_registry_add(struct mm_registry *registry,
					const struct mm_command *command, size_t max_triples)
{
	uint8_t key[3 * (MAPISTORE_MGMT_MAX_STRING + 1)];
	size_t key_len = (size_t)(mm_wire_put_key(key, command) - key);
	uint64_t hash = hash_key(key, key_len);
	struct mm_registry_entry **link;
	struct mm_registry_entry *entry;

	if (registry->triples >= registry->bucket_count)
		grow(registry);
	if (!registry->buckets)
		return MM_REGISTRY_NO_MEMORY;
	link = find(registry, key, key_len, hash);
	entry = *link;
	if (!entry) {
		if (registry->triples >= max_triples)
			return MM_REGISTRY_FULL;
		entry = malloc(sizeof(*entry) + key_len);
		if (!entry)
			return MM_REGISTRY_NO_MEMORY;
		entry->next = NULL;
		entry->hash = hash;
		entry->count = 0;
		entry->key_len = key_len;
		memcpy(entry->key, key, key_len);
		*link = entry;
		registry->triples++;
		registry->snapshot_bytes += key_len + MM_WIRE_ENTRY_TAIL;
	} else if (entry->count == UINT32_MAX) {
		return MM_REGISTRY_NO_MEMORY;
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

	if (!registry->buckets)
		return;
	link = find(registry, key, key_len, hash_key(key, key_len));
	entry = *link;
	if (!entry)
		return;
	registry->registrations--;
	if (--entry->count > 0)
		return;
	*link = entry->next;
	registry->triples--;
	registry->snapshot_bytes -= entry->key_len + MM_WIRE_ENTRY_TAIL;
	free(entry);
}

uint8_t *mm_registry_put_snapshot(const struct mm_registry *registry, uint8_t *out)
{
	for (size_t i = 0; i < registry->bucket_count; i++) {
		for (const struct mm_registry_entry *entry = registry->buckets[i]; entry;
		     entry = entry->next) {
			memcpy(out, entry->key, entry->key_len);
			out = mm_wire_put_entry_tail(out + entry->key_len, entry->replica_guid,
						     entry->repl_id, entry->count);
		}
	}
	return out;
}

void mm_registry_clear(struct mm_registry *registry)
{
	for (size_t i = 0; i < registry->bucket_count; i++) {
		struct mm_registry_entry *entry = registry->buckets[i];

		while (entry) {
			struct mm_registry_entry *next = entry->next;

			free(entry);
			entry = next;
		}
	}
	free(registry->buckets);
	memset(registry, 0, sizeof(*registry));
}
