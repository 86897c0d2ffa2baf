/* SPDX-License-Identifier: GPL-3.0-or-later */
/* queue.h - the FIFO of encoded frames waiting for the background thread. */
#ifndef MM_QUEUE_H
#define MM_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "wire.h"

struct mm_message {
	struct mm_message *next;
	enum mm_kind kind;
	size_t len;
	uint8_t bytes[];
};

struct mm_queue {
	struct mm_message *head;
	struct mm_message *tail;
	size_t length;
};

/* A message of `len` bytes (to be filled), or NULL when memory ran out. */
struct mm_message *mm_message_new(enum mm_kind kind, size_t len);

void mm_queue_push_back(struct mm_queue *queue, struct mm_message *message);
/* Moves the oldest `max` messages (or all) of `queue` into the empty queue `batch`. */
void mm_queue_take(struct mm_queue *queue, size_t max, struct mm_queue *batch);
/* Puts what is left of a batch back at the head of `queue`, in order; `batch` is then empty. */
void mm_queue_put_back(struct mm_queue *queue, struct mm_queue *batch);
/* The oldest message, removed from the queue, or NULL when it is empty. */
struct mm_message *mm_queue_pop(struct mm_queue *queue);
/* Frees every message; the queue is then empty. */
void mm_queue_clear(struct mm_queue *queue);

#endif
