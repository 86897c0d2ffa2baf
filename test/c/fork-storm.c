/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fork-storm USER CHILDREN - a C host whose forked children die without a goodbye, for the
 * lease tests (test/integration/leases.test.ts).
 *
 * The parent registers SOGo/USER/USER, then forks CHILDREN children; child i (a new source)
 * registers SOGo/USER-i/USER-i and waits. The parent prints "parent PID ready" once every
 * child is forked, then waits for signals: SIGUSR1 makes every child _exit(0) at once (no
 * destructor runs, so no goodbye is sent); the parent reaps them and prints "children gone".
 * SIGTERM makes the parent return from main (a goodbye at exit). A child whose parent dies
 * goes too (SIGTERM). The endpoint and interval come from the MAPISTORE_MGMT_* variables.
 */
#define _POSIX_C_SOURCE 200809L
#include <mapistore/mapistore_mgmt.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t last_signal;

static void on_signal(int signo)
{
	last_signal = signo;
}

static int register_user(const char *user)
{
	struct mapistore_connection_info conn_info;
	int rc;

	memset(&conn_info, 0, sizeof conn_info);
	conn_info.username = (char *)user;
	rc = mapistore_mgmt_backend_register_user(&conn_info, "SOGo", user);
	if (rc != MAPISTORE_SUCCESS)
		fprintf(stderr, "fork-storm: register %s: %s\n", user, mapistore_mgmt_errname(rc));
	return rc;
}

/* Sleeps until one of the blocked signals arrives (they are unblocked only in sigsuspend). */
static int next_signal(const sigset_t *unblocked)
{
	last_signal = 0;
	while (last_signal == 0)
		sigsuspend(unblocked);
	return last_signal;
}

int main(int argc, char **argv)
{
	sigset_t handled, unblocked;
	struct sigaction action;
	pid_t parent = getpid();
	pid_t *children;
	int count;

	if (argc != 3 || (count = atoi(argv[2])) < 1) {
		fprintf(stderr, "usage: fork-storm USER CHILDREN\n");
		return 2;
	}
	children = calloc((size_t)count, sizeof(*children));
	sigemptyset(&handled);
	sigaddset(&handled, SIGTERM);
	sigaddset(&handled, SIGUSR1);
	sigprocmask(SIG_BLOCK, &handled, &unblocked);
	memset(&action, 0, sizeof action);
	action.sa_handler = on_signal;
	sigaction(SIGTERM, &action, NULL);
	sigaction(SIGUSR1, &action, NULL);
	if (!children || register_user(argv[1]) != MAPISTORE_SUCCESS)
		return 1;
	for (int i = 0; i < count; i++) {
		char user[64];

		children[i] = fork();
		if (children[i] < 0) {
			perror("fork-storm: fork");
			return 1;
		}
		if (children[i] > 0)
			continue;
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
			_exit(1);
		snprintf(user, sizeof user, "%s-%d", argv[1], i);
		if (register_user(user) != MAPISTORE_SUCCESS)
			_exit(1);
		next_signal(&unblocked);
		_exit(0);
	}
	printf("parent %d ready\n", (int)parent);
	fflush(stdout);
	while (next_signal(&unblocked) == SIGUSR1) {
		int failed = 0;

		for (int i = 0; i < count; i++)
			kill(children[i], SIGUSR1);
		for (int i = 0; i < count; i++) {
			int status;

			if (waitpid(children[i], &status, 0) != children[i] || !WIFEXITED(status) ||
			    WEXITSTATUS(status) != 0)
				failed++;
		}
		if (failed)
			printf("%d children failed\n", failed);
		else
			printf("children gone\n");
		fflush(stdout);
	}
	free(children);
	return 0;
}
