/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fork-sender PARENT_USER CHILD_USER - a C host that forks, for the addon's end-to-end test.
 *
 * The parent registers SOGo/PARENT_USER/PARENT_USER, then forks; the child (a new source that
 * holds nothing of its parent's) registers SOGo/CHILD_USER/CHILD_USER. Each prints
 * "<parent|child> <pid> ready" and holds until SIGTERM; the parent passes SIGTERM on to the
 * child and waits for it; a parent that dies otherwise takes the child with it (SIGTERM on
 * its death). Both then return from main, so the library says goodbye at exit.
 * The endpoint comes from MAPISTORE_MGMT_ENDPOINT.
 */
#define _POSIX_C_SOURCE 200809L
#include <mapistore/mapistore_mgmt.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t terminated;

static void on_sigterm(int signo)
{
	(void)signo;
	terminated = 1;
}

static int register_user(const char *user)
{
	struct mapistore_connection_info conn_info;

	memset(&conn_info, 0, sizeof conn_info);
	conn_info.username = (char *)user;
	int rc = mapistore_mgmt_backend_register_user(&conn_info, "SOGo", user);
	if (rc != MAPISTORE_SUCCESS)
		fprintf(stderr, "fork-sender: register %s: %s\n", user, mapistore_mgmt_errstr(rc));
	return rc;
}

/* Prints the ready line, then sleeps until SIGTERM (blocked outside sigsuspend: no race). */
static void hold(const char *role, const sigset_t *unblocked)
{
	printf("%s %d ready\n", role, (int)getpid());
	fflush(stdout);
	while (!terminated)
		sigsuspend(unblocked);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: fork-sender PARENT_USER CHILD_USER\n");
		return 2;
	}
	sigset_t term, unblocked;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	sigprocmask(SIG_BLOCK, &term, &unblocked);
	struct sigaction action;
	memset(&action, 0, sizeof action);
	action.sa_handler = on_sigterm;
	sigaction(SIGTERM, &action, NULL);

	if (register_user(argv[1]) != MAPISTORE_SUCCESS)
		return 1;
	pid_t parent = getpid();
	pid_t child = fork();
	if (child < 0) {
		perror("fork-sender: fork");
		return 1;
	}
	if (child == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
			return 1;
		if (register_user(argv[2]) != MAPISTORE_SUCCESS)
			return 1;
		hold("child", &unblocked);
		return 0;
	}
	hold("parent", &unblocked);
	kill(child, SIGTERM);
	int status;
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return 1;
	return 0;
}
