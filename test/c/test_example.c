/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The SOGo-like example, built against an installed copy of the library (build-example.sh),
 * simulates one Outlook session against a real receiver: 3 registers of (SOGo, USER, USER)
 * when its contexts open, then 3 unregisters when the session is freed, from one source. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "receiver.h"
#include "sources.h"

#define RECEIVE_TIMEOUT_MS 10000
#define DEADLINE_MS 30000u
#define EXIT_LINGER_MS "20000"

int main(int argc, char **argv)
{
	struct receiver receiver;
	struct sources sources = {0};
	struct frame frame;
	uint64_t give_up_ms;
	pid_t child;
	int status, commands = 0;

	CHECK(argc == 2);
	receiver_open(&receiver, "tcp");
	/* The environment is prepared before fork(): the child of a multi-threaded process only
	 * execs (allocating there can deadlock under AddressSanitizer). */
	CHECK(setenv("MAPISTORE_MGMT_ENDPOINT", receiver.endpoint, 1) == 0);
	/* Its exit-time goodbye is awaited below: let a loaded machine take its time to send it
	 * (exit waits only as long as the flush needs; the default 200 ms is a bet on timing). */
	CHECK(setenv("MAPISTORE_MGMT_LINGER_MS", EXIT_LINGER_MS, 1) == 0);
	fflush(NULL);
	child = fork();
	CHECK(child >= 0);
	if (child == 0) {
		execl(argv[1], argv[1], "jdoe", "--hold-ms", "100", (char *)NULL);
		_exit(127);
	}
	while (commands < 6) {
		CHECK(receiver_next(&receiver, &frame, RECEIVE_TIMEOUT_MS));
		sources_track(&sources, &frame);
		CHECK(frame.pid == (uint32_t)child);
		if (frame.kind != 3) {
			CHECK(frame.kind == (commands < 3 ? 1 : 2));
			CHECK(strcmp(frame.backend, "SOGo") == 0 && strcmp(frame.username, "jdoe") == 0 &&
			      strcmp(frame.vuser, "jdoe") == 0 && frame.repl_id == 1);
			commands++;
		}
		frame_free(&frame);
	}
	give_up_ms = now_ms() + DEADLINE_MS;
	while (waitpid(child, &status, WNOHANG) == 0) {
		if (now_ms() > give_up_ms)
			kill(child, SIGKILL);
		sleep_ms(5);
	}
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CHECK(receiver_next(&receiver, &frame, RECEIVE_TIMEOUT_MS) && frame.kind == 4);
	sources_track(&sources, &frame);
	frame_free(&frame);
	CHECK(sources.count == 1);
	printf("3 registers, 3 unregisters and a goodbye from the example\n");
	receiver_close(&receiver);
	return 0;
}
