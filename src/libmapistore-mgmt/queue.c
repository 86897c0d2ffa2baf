/* SPDX-License-Identifier: GPL-3.0-or-later */
/* queue.c - a singly linked FIFO; its bound is enforced by the caller (state.c). */
#include "queue.h"

#include <stdlib.h>

struct mm_message *mm_message_new(enum mm_kind kind, size_t len)
{
	struct mm_message *message = malloc(sizeof(*message) + len);

	if (message) {
		message->next = NULL;
		message->kind = kind;
		message->len = len;
	}
	return message;
}

void mm_queue_push_back(struct mm_queue *queue, struct mm_message *message)
{
	message->next = NULL;
	if (queue->tail)
		queue->tail->next = message;
	else
		queue->head = message;
	queue->tail = message;
	queue->length++;
}

void mm_queue_take(struct mm_queue *queue, size_t max, struct mm_queue *batch)
{
	if (queue->length <= max) {
		*batch = *queue;
		*queue = (struct mm_queue){0};
		return;
	}
	batch->head = queue->head;
	batch->tail = queue->head;
	for (size_t i = 1; i < max; i++)
		batch->tail = batch->tail->next;
	batch->length = max;
	queue->head = batch->tail->next;
	queue->length -= max;
	batch->tail->next = NULL;
}

void mm_queue_put_back(struct mm_queue *queue, struct mm_queue *batch)
{
	if (!batch->head)
		return;
	batch->tail->next = queue->head;
	queue->head = batch->head;
	if (!queue->tail)
		queue->tail = batch->tail;
	queue->length += batch->length;
	*batch = (struct mm_queue){0};
}

struct mm_message *mm_queue_pop(struct mm_queue *queue)
{
	struct mm_message *message = queue->head;

	if (message) {
		queue->head = message->next;
		if (!queue->head)
			queue->tail = NULL;
		queue->length--;
		message->next = NULL;
	}
	return message;
}

void mm_queue_clear(struct mm_queue *queue)
{
	struct mm_message *message;

	while ((message = mm_queue_pop(queue)))
		free(message);
}
