/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sources.c - the C tests' per-source sequence checks. */
#include "sources.h"

#include <stdio.h>

#include "check.h"

struct source_view *sources_track(struct sources *sources, const struct frame *frame)
{
	struct source_view *view = NULL;

	for (int i = 0; i < sources->count && !view; i++)
		if (sources->views[i].pid == frame->pid && sources->views[i].epoch == frame->epoch)
			view = &sources->views[i];
	if (!view) {
		CHECK(sources->count < MAX_SOURCES);
		view = &sources->views[sources->count++];
		*view = (struct source_view){.pid = frame->pid, .epoch = frame->epoch};
	}
	if (frame->seq != view->last_seq + 1 || view->goodbye) {
		fprintf(stderr, "source pid %u: seq %llu after %llu%s\n", frame->pid,
			(unsigned long long)frame->seq, (unsigned long long)view->last_seq,
			view->goodbye ? " and a goodbye" : "");
		CHECK(!"sequence without gap");
	}
	view->last_seq = frame->seq;
	view->registers += frame->kind == 1;
	view->unregisters += frame->kind == 2;
	view->heartbeats += frame->kind == 3;
	view->goodbye = frame->kind == 4;
	return view;
}

struct source_view *sources_find_pid(struct sources *sources, uint32_t pid)
{
	for (int i = 0; i < sources->count; i++)
		if (sources->views[i].pid == pid)
			return &sources->views[i];
	return NULL;
}
