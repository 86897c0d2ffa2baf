/* registry.h - the registrations this process holds: (backend, username, vuser) -> count. */
#ifndef MM_REGISTRY_H
#define MM_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

struct mm_registry_entry;

struct mm_registry {
	struct mm_registry_entry **buckets;
	size_t bucket_count;
	size_t triples;          /* distinct triples held */
	uint64_t registrations;  /* sum of the counts */
	size_t snapshot_bytes;   /* size of the heartbeat entries that describe the set */
};

enum mm_registry_result {
	MM_REGISTRY_ADDED,
	MM_REGISTRY_FULL,      /* a new triple, and `max_triples` are held already */
	MM_REGISTRY_NO_MEMORY, /* memory ran out, or the triple's count would overflow */
};

/* Adds one registration of the command's triple and keeps its replica guid and id as the
 * last seen; a triple not held yet is added only while fewer than `max_triples` are. Nothing
 * changes unless it returns MM_REGISTRY_ADDED. */
enum mm_registry_result mm_registry_add(struct mm_registry *registry,
					const struct mm_command *command, size_t max_triples);

/* Takes one registration of the triple away; a triple not held is left alone. */
void mm_registry_remove(struct mm_registry *registry, const struct mm_command *command);

/* Writes one heartbeat entry per triple (registry->snapshot_bytes in all) and returns the
 * byte after them. */
uint8_t *mm_registry_put_snapshot(const struct mm_registry *registry, uint8_t *out);

/* Forgets everything and frees the memory. */
void mm_registry_clear(struct mm_registry *registry);

#endif
