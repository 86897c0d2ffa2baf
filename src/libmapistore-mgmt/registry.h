/* SPDX-License-Identifier: GPL-3.0-or-later */
/* registry.h - the registrations this process holds: (backend, username, vuser) -> count.
 * Every operation is O(1) in the worst case, also while the table grows (it moves its
 * entries to the bigger table a few buckets per call) and while a heartbeat snapshot is being
 * copied (a slice at a time, between which the set may change). */
#ifndef MM_REGISTRY_H
#define MM_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

struct mm_registry_entry;

struct mm_registry_table {
	struct mm_registry_entry **buckets;
	size_t bucket_count; /* a power of two, or 0 */
};

/* A snapshot being copied: the set as it was when it began. */
struct mm_registry_snapshot {
	bool active;
	uint64_t generation;            /* an entry marked with it is copied, or newer */
	struct mm_registry_entry *next; /* the next entry of the walk */
	struct mm_registry_entry *last; /* the newest entry the snapshot describes */
	uint8_t *out;                   /* where the next entry is written */
};

struct mm_registry {
	struct mm_registry_table table;
	struct mm_registry_table moving; /* the smaller table, emptied into `table` bucket by bucket */
	size_t moved;                    /* buckets of `moving` already emptied */
	struct mm_registry_entry *oldest, *newest; /* every entry, in the order added */
	size_t triples;         /* distinct triples held */
	uint64_t registrations; /* sum of the counts */
	size_t snapshot_bytes;  /* size of the heartbeat entries that describe the set */
	struct mm_registry_snapshot snapshot;
};

enum mm_registry_result {
	MM_REGISTRY_ADDED,
	MM_REGISTRY_FULL,      /* a new triple while `max_triples` are held, or a triple held
				* UINT32_MAX times (a heartbeat entry's count is 32 bits) */
	MM_REGISTRY_NO_MEMORY, /* memory ran out */
};

/* Adds one registration of the command's triple and keeps its replica guid and id as the
 * last seen; a triple not held yet is added only while fewer than `max_triples` are, one held
 * already only below UINT32_MAX registrations. Nothing changes unless it returns
 * MM_REGISTRY_ADDED. */
enum mm_registry_result mm_registry_add(struct mm_registry *registry,
					const struct mm_command *command, size_t max_triples);

/* Takes one registration of the triple away; a triple not held is left alone. */
void mm_registry_remove(struct mm_registry *registry, const struct mm_command *command);

/* Begins a snapshot of the set as it is now: one heartbeat entry per triple, snapshot_bytes
 * in all, written at `out` by mm_registry_snapshot_step(). Until it is complete, an add or
 * remove that changes an entry not yet written writes it first, as it was. */
void mm_registry_snapshot_begin(struct mm_registry *registry, uint8_t *out);

/* Writes up to `max` more entries of the snapshot; true when it is complete. */
bool mm_registry_snapshot_step(struct mm_registry *registry, size_t max);

/* Forgets everything (a snapshot under way included) and frees the memory. */
void mm_registry_clear(struct mm_registry *registry);

#endif
