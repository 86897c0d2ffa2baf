/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SOGo-like server example, built against an installed copy of the library
 * (build-example.sh), against a real XPUB publishing the golden vectors' frames: it resolves
 * each of jdoe's notifications to its message's URI with the backend's generate_uri, and
 * never prints another user's. generate_uri's wildcards and rootURI are checked too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "notification_vectors.h"
#include "publisher.h"
#include "temp_dir.h"

static struct notification_vector vectors[NOTIFICATION_VECTORS_MAX];
static size_t vector_count;

/* Runs PROGRAM with its arguments, stdout into `out`; returns the exit status. The environment
 * is prepared before fork(): the child of a multi-threaded process only execs. */
static pid_t start(char *const argv[], int *out_fd)
{
	int fds[2];
	pid_t child;

	CHECK(pipe(fds) == 0);
	fflush(NULL);
	child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	*out_fd = fds[0];
	return child;
}

/* Reads the child's whole output (until it closes stdout) and its exit status. */
static int finish(pid_t child, int fd, char *out, size_t size)
{
	size_t len = 0;
	ssize_t got;
	int status;

	while ((got = read(fd, out + len, size - 1 - len)) > 0)
		len += (size_t)got;
	out[len] = '\0';
	close(fd);
	CHECK(waitpid(child, &status, 0) == child);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void check_generate_uri(const char *program, const char *username, const char *folder,
			       const char *message, const char *root, const char *expected)
{
	char *const argv[] = {(char *)program, "--generate-uri", (char *)username, (char *)folder,
			      (char *)message, (char *)root, NULL};
	char out[512], want[512];
	int fd;
	pid_t child = start(argv, &fd);

	CHECK(finish(child, fd, out, sizeof(out)) == 0);
	snprintf(want, sizeof(want), "%s\n", expected);
	if (strcmp(out, want) != 0) {
		fprintf(stderr, "generate_uri gave %s, expected %s\n", out, expected);
		exit(1);
	}
}

static void line_count(const char *out, const char *line, int expected)
{
	int count = 0;

	for (const char *at = out; (at = strstr(at, line)); at += strlen(line))
		count++;
	if (count != expected) {
		fprintf(stderr, "\"%s\" %d times, expected %d, in:\n%s", line, count, expected, out);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	char endpoint[128], directory[64], out[8192];
	struct publisher publisher;
	pid_t child;
	int fd;

	CHECK(argc == 3);
	vector_count = notification_vectors_read(argv[2], vectors, NOTIFICATION_VECTORS_MAX);

	check_generate_uri(argv[1], "jdoe", "INBOX", "4711", NULL, "sogo://jdoe:*@INBOX/4711.eml");
	check_generate_uri(argv[1], "-", "-", "-", NULL, "sogo://*:*@*/");
	check_generate_uri(argv[1], "jdoe", "-", "-", NULL, "sogo://jdoe:*@*/");
	check_generate_uri(argv[1], "-", "Sent", "7", NULL, "sogo://*:*@Sent/7.eml");
	check_generate_uri(argv[1], "-", "-", "9", "sogo://bob:*@mail/folderINBOX",
			   "sogo://bob:*@mail/folderINBOX/9.eml");
	check_generate_uri(argv[1], "-", "-", "-", "sogo://bob:*@mail/", "sogo://bob:*@mail/");

	temp_dir_make(directory, sizeof(directory));
	snprintf(endpoint, sizeof(endpoint), "ipc://%s/newmail.sock", directory);
	publisher_bind(&publisher, endpoint);
	CHECK(setenv("MAPISTORE_MGMT_NEWMAIL_ENDPOINT", endpoint, 1) == 0);
	snprintf(endpoint, sizeof(endpoint), "ipc://%s/notify.sock", directory); /* nobody */
	CHECK(setenv("MAPISTORE_MGMT_ENDPOINT", endpoint, 1) == 0);
	{
		char *const server[] = {argv[1], "jdoe", "--count", "2", NULL};

		child = start(server, &fd);
	}
	publisher_await(&publisher, true, "jdoe");
	publisher_send_vector(&publisher, notification_vector_named(vectors, vector_count,
								    "newmail-minimal"), "jdoe2");
	publisher_send_vector(&publisher, notification_vector_named(vectors, vector_count,
								    "newmail-shared"), NULL);
	publisher_send_vector(&publisher, notification_vector_named(vectors, vector_count,
								    "newmail-basic"), NULL);
	publisher_send_vector(&publisher, notification_vector_named(vectors, vector_count,
								    "newmail-minimal"), NULL);
	CHECK(finish(child, fd, out, sizeof(out)) == 0);
	printf("%s", out);
	line_count(out, "new mail for jdoe (SOGo, jdoe): sogo://jdoe:*@INBOX/4711.eml\n", 1);
	line_count(out, "new mail for jdoe (SOGo, jdoe): sogo://jdoe:*@INBOX/1.eml\n", 1);
	line_count(out, "\nnew mail for ", 2);
	line_count(out, "notifications: 2 delivered, 0 malformed\n", 1);
	line_count(out, "opened sogo://jdoe:*@mail/ (register: MAPISTORE_SUCCESS)\n", 1);
	line_count(out, "closed sogo://jdoe:*@mail/ (unregister: MAPISTORE_SUCCESS)\n", 1);
	publisher_close(&publisher);
	CHECK(temp_dir_remove(directory));
	return 0;
}
