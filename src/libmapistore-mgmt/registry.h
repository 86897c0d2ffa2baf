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

/* Adds one registration of the command's triple and keeps its replica guid and id as the
 * last seen. Returns 0, or -1 when memory ran out or the count would overflow (nothing
 * changed). */
int mm_registry_add(struct mm_registry *registry, const struct mm_command *command);

/* Takes one registration of the triple away; a triple not held is left alone. */
void mm_registry_remove(struct mm_registry *registry, const struct mm_command *command);

/* Writes one heartbeat entry per triple (registry->snapshot_bytes in all) and returns the
 * byte after them. */
uint8_t *mm_registry_put_snapshot(const struct mm_registry *registry, uint8_t *out);

/* Forgets everything and frees the memory. */
void mm_registry_clear(struct mm_registry *registry);

#endif
