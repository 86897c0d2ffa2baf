/* SPDX-License-Identifier: GPL-3.0-or-later */
/* process.h - the process lifecycle: the one state and sender of this process, what the
 * public calls do with them, and what happens at load, at fork() and at exit. */
#ifndef MM_PROCESS_H
#define MM_PROCESS_H

#include <mapistore/mapistore_mgmt.h>

#include "sender.h"
#include "state.h"

struct mm_process {
	struct mm_state state;
	struct mm_sender sender;
	bool exiting; /* the destructor ran: nothing is queued any more */
};

/* The process-wide instance: named only by process.c (and by test_fork_context.c, which
 * holds the sender's context lock). */
extern struct mm_process mm_process;

/* The public calls, after their argument checks (no lock held). */
int mm_process_submit(enum mm_kind kind, const struct mm_command *command);
int mm_process_configure(const struct mapistore_mgmt_options *options);
void mm_process_stats(struct mapistore_mgmt_stats *stats);
int mm_process_shutdown(void);
/* Held around zmq_ctx_new() and zmq_ctx_term() made outside the sender (the subscribers'):
 * fork() takes it first, so a child never inherits libzmq's process-wide locks half taken. */
void mm_process_lock_zmq_contexts(void);
void mm_process_unlock_zmq_contexts(void);
/* Records a refused call's code as the last error and returns it. */
int mm_process_record_error(int code);

#endif
