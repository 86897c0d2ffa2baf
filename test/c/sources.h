/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sources.h - per-source bookkeeping for the C tests: the receiver's view of each
 * (pid, epoch), checking that seq runs 1, 2, 3, ... without gap or repeat. */
#ifndef TEST_SOURCES_H
#define TEST_SOURCES_H

#include <stdbool.h>
#include <stdint.h>

#include "frame.h"

#define MAX_SOURCES 128

struct source_view {
	uint32_t pid;
	uint64_t epoch;
	uint64_t last_seq;
	uint64_t registers;
	uint64_t unregisters;
	uint64_t heartbeats;
	bool goodbye;
};

struct sources {
	struct source_view views[MAX_SOURCES];
	int count;
};

/* Finds or adds the frame's source and checks the frame's seq is the next one (and that
 * nothing follows a goodbye); counts the frame by kind. Returns the source. */
struct source_view *sources_track(struct sources *sources, const struct frame *frame);

struct source_view *sources_find_pid(struct sources *sources, uint32_t pid);

#endif
