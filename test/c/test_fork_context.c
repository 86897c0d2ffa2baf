/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fork() never copies a ZeroMQ context half created or half terminated: libzmq takes
 * process-wide locks there, and a child forked in the middle would inherit them taken. The
 * sender holds its contexts.lock around zmq_ctx_new() and zmq_ctx_term(); fork() must wait
 * for it. A thread stands in for a sender terminating its context: it takes the lock, and once
 * fork() has begun (this test's prepare handler, which runs before the library's, says so) it
 * marks the context terminated and lets go. The parent and the child must both see that mark.
 * The thread holds the lock HOLD_MS longer before marking: that only widens the window in which
 * a fork() that did not wait would return with the mark missing; with fork() waiting, as it
 * must, the checks hold however long the thread takes. */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "receiver.h"
#include "process.h"

#define HOLD_MS 50u

static atomic_bool terminated;
static int locked_pipe[2], forking_pipe[2];

/* Registered after the library's handlers, so it runs first (POSIX: prepare handlers run in
 * the reverse order of registration), before the library's takes contexts.lock. */
static void tell_forking(void)
{
	CHECK(write(forking_pipe[1], "f", 1) == 1);
}

static void *terminate_slowly(void *arg)
{
	char byte;

	(void)arg;
	pthread_mutex_lock(&mm_process.sender.contexts.lock);
	CHECK(write(locked_pipe[1], "x", 1) == 1);
	CHECK(read(forking_pipe[0], &byte, 1) == 1);
	sleep_ms(HOLD_MS);
	atomic_store(&terminated, true);
	pthread_mutex_unlock(&mm_process.sender.contexts.lock);
	return NULL;
}

int main(void)
{
	pthread_t thread;
	pid_t child;
	char byte;
	int status;

	CHECK(pipe(locked_pipe) == 0 && pipe(forking_pipe) == 0);
	CHECK(pthread_atfork(tell_forking, NULL, NULL) == 0);
	CHECK(pthread_create(&thread, NULL, terminate_slowly, NULL) == 0);
	CHECK(read(locked_pipe[0], &byte, 1) == 1);
	fflush(NULL);
	child = fork();
	CHECK(child >= 0);
	if (child == 0)
		_exit(atomic_load(&terminated) ? 0 : 1); /* a child of a threaded process: no malloc */
	CHECK(atomic_load(&terminated));
	CHECK(waitpid(child, &status, 0) == child && WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(pthread_join(thread, NULL) == 0);
	/* The lock is free again in the parent, as the handlers left it. */
	CHECK(pthread_mutex_trylock(&mm_process.sender.contexts.lock) == 0);
	pthread_mutex_unlock(&mm_process.sender.contexts.lock);
	printf("fork() waited for the context lock\n");
	return 0;
}
