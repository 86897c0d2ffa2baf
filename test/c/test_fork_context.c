/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fork() never copies a ZeroMQ context half created or half terminated: libzmq takes
 * process-wide locks there, and a child forked in the middle would inherit them taken. The
 * sender holds its contexts.lock around zmq_ctx_new() and zmq_ctx_term(); fork() must wait
 * for it. A thread stands in for a sender terminating its context: it takes the lock, lets the
 * main thread fork, and marks the context terminated before it lets go. The parent must see
 * that mark as soon as fork() returns. (Were fork() not to wait, the mark would be missing,
 * unless this thread was held up for the whole 50 ms it holds the lock.) */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "receiver.h"
#include "process.h"

#define HOLD_MS 50u

static atomic_bool terminated;
static int locked_pipe[2];

static void *terminate_slowly(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&mm_process.sender.contexts.lock);
	CHECK(write(locked_pipe[1], "x", 1) == 1);
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

	CHECK(pipe(locked_pipe) == 0);
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
