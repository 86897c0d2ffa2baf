/* SPDX-License-Identifier: GPL-3.0-or-later */
/* batch.h - packs the messages queued together into one batch frame (docs/protocol.md,
 * "Batches"): consecutive registers and unregisters of one source, up to a frame's size. */
#ifndef MM_BATCH_H
#define MM_BATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "queue.h"

/* How many messages, from `first` on (at most `max`), go into one frame of at most
 * `frame_max` bytes; *frame_len is that frame's length. 1 means `first` goes alone, in its
 * own form (a heartbeat or goodbye, a message larger than a frame, or one that no other may
 * follow). */
size_t mm_batch_plan(const struct mm_message *first, size_t max, size_t frame_max,
		     size_t *frame_len);

/* Writes the batch frame of the `count` (>= 2) messages from `first` that mm_batch_plan()
 * chose into `out` (its frame_len bytes). */
void mm_batch_pack(uint8_t *out, const struct mm_message *first, size_t count);

#endif
