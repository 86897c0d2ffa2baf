/* batch.h - packs the messages queued together into one batch frame (docs/protocol.md,
 * "Batches"): consecutive messages of one source, up to a frame's size. */
#ifndef MM_BATCH_H
#define MM_BATCH_H

#include <stddef.h>

#include "queue.h"

/* How many messages, from `first` on (at most `max`), go into one frame of at most
 * `frame_max` bytes; *frame_len is that frame's length. 1 means `first` goes alone, in its
 * own form (a message larger than a frame, or none that may follow it). */
size_t mm_batch_plan(const struct mm_message *first, size_t max, size_t frame_max,
		     size_t *frame_len);

/* Writes the batch frame of the `count` (>= 2) messages from `first` that mm_batch_plan()
 * chose into `out` (its frame_len bytes). */
void mm_batch_pack(uint8_t *out, const struct mm_message *first, size_t count);

#endif
