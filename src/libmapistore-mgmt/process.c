/* SPDX-License-Identifier: GPL-3.0-or-later */
/* process.c - the process lifecycle: queueing a command (starting the sender for it),
 * configuration, stats, shutdown, and the load, fork() and exit handlers. */
#include "process.h"

struct mm_process mm_process = {
	.state = MM_STATE_INITIALIZER,
	.sender = MM_SENDER_INITIALIZER(&mm_process.state),
};

int mm_process_record_error(int code)
{
	mm_state_lock(&mm_process.state);
	mm_state_fail(&mm_process.state, code);
	mm_state_unlock(&mm_process.state);
	return code;
}

void mm_process_lock_zmq_contexts(void)
{
	mm_sender_lock_context(&mm_process.sender);
}

void mm_process_unlock_zmq_contexts(void)
{
	mm_sender_unlock_context(&mm_process.sender);
}

/* During shutdown and after exit nothing is queued: counted as dropped. */
int mm_process_submit(enum mm_kind kind, const struct mm_command *command)
{
	struct mm_state *state = &mm_process.state;
	bool queue_it;
	int rc;

	mm_state_lock(state);
	mm_state_ensure_configured(state);
	queue_it = !mm_process.exiting && mm_sender_accepts(&mm_process.sender) &&
		   !mm_state_queue_full(state);
	if (queue_it && mm_sender_start(&mm_process.sender) != 0)
		rc = mm_state_fail(state, MAPISTORE_ERR_NO_MEMORY);
	else
		rc = mm_state_submit(state, kind, command, queue_it);
	if (rc == MAPISTORE_SUCCESS)
		mm_sender_wake(&mm_process.sender);
	mm_state_unlock(state);
	return rc;
}

int mm_process_configure(const struct mapistore_mgmt_options *options)
{
	int rc;

	mm_state_lock(&mm_process.state);
	rc = mm_state_configure(&mm_process.state, options);
	if (rc == MAPISTORE_SUCCESS)
		mm_sender_wake(&mm_process.sender);
	mm_state_unlock(&mm_process.state);
	return rc;
}

void mm_process_stats(struct mapistore_mgmt_stats *stats)
{
	mm_state_lock(&mm_process.state);
	mm_state_stats(&mm_process.state, stats);
	mm_state_unlock(&mm_process.state);
}

/* Lock held. The sender's waits are cancellation points: a host thread cancelled in one
 * would end holding the lock and hang every later call, so cancellation waits until the
 * shutdown is done. */
static void shutdown_locked(struct mm_state_leftovers *leftovers)
{
	int cancel_state;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
	mm_sender_stop(&mm_process.sender);
	mm_state_reset(&mm_process.state, leftovers);
	pthread_setcancelstate(cancel_state, NULL);
}

int mm_process_shutdown(void)
{
	struct mm_state_leftovers leftovers;

	mm_state_lock(&mm_process.state);
	shutdown_locked(&leftovers);
	mm_state_unlock(&mm_process.state);
	mm_state_free_leftovers(&leftovers);
	return MAPISTORE_SUCCESS;
}

/* fork(): the locks are held across it so the child inherits a consistent state, and no
 * context half created or half terminated (a fork() during a shutdown therefore waits for
 * the sender's zmq_ctx_term(), at most linger_ms). */
static void before_fork(void)
{
	mm_sender_lock_context(&mm_process.sender);
	mm_state_lock(&mm_process.state);
}

static void after_fork_in_parent(void)
{
	mm_state_unlock(&mm_process.state);
	mm_sender_unlock_context(&mm_process.sender);
}

/* The child is a new source: the parent's registrations, queue and sender stay the
 * parent's. */
static void after_fork_in_child(void)
{
	mm_sender_after_fork_in_child(&mm_process.sender);
	mm_state_after_fork_in_child(&mm_process.state);
	mm_state_unlock(&mm_process.state);
	mm_sender_unlock_context(&mm_process.sender);
}

__attribute__((constructor)) static void mm_process_load(void)
{
	mm_sender_init(&mm_process.sender);
	mm_state_init(&mm_process.state);
	pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
}

/* At exit (the shared library is linked -z nodelete, so only then): say goodbye, flush
 * within linger_ms, stop the sender; later calls queue nothing and start no thread. */
__attribute__((destructor)) static void mm_process_unload(void)
{
	struct mm_state_leftovers leftovers;

	mm_state_lock(&mm_process.state);
	shutdown_locked(&leftovers);
	mm_process.exiting = true;
	mm_state_unlock(&mm_process.state);
	mm_state_free_leftovers(&leftovers);
}
