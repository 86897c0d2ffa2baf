/* SPDX-License-Identifier: GPL-3.0-or-later */
/* source.h - who sends: this process's identity on the wire (host, pid, epoch). */
#ifndef MM_SOURCE_H
#define MM_SOURCE_H

#include <stdint.h>

#include <mapistore/mapistore_mgmt.h>

struct mm_source {
	char host[MAPISTORE_MGMT_MAX_STRING + 1];
	uint8_t host_len;
	uint32_t pid;   /* cached: refreshed after fork, never read with getpid() per message */
	uint64_t epoch; /* 0 until the source first queues a message */
};

/* Fill host and pid, epoch 0. */
void mm_source_init(struct mm_source *source);

/* Draw a random non-zero epoch if the source has none yet. */
void mm_source_ensure_epoch(struct mm_source *source);

/* In a fork() child: the new pid, and no epoch until the child first sends. */
void mm_source_after_fork(struct mm_source *source);

#endif
