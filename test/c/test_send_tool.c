/* mapistore-mgmt-send, as other parts and people use it: its output lines, exit statuses
 * (0 all calls succeeded, 1 a call failed, 2 usage error) and what really reaches a receiver,
 * including the goodbye of a held process stopped with SIGTERM. */
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "receiver.h"

#define RECEIVE_TIMEOUT_MS 10000
#define DEADLINE_MS 30000u
#define EXIT_LINGER_MS "20000"

static const char *tool;

struct run {
	pid_t pid;
	int out; /* the tool's stdout */
	char output[8192];
	size_t length;
};

static void start(struct run *run, const char *const *args)
{
	char *argv[32];
	int pipe_fds[2];
	int n = 0;

	argv[n++] = (char *)tool;
	for (; *args; args++)
		argv[n++] = (char *)*args;
	argv[n] = NULL;
	CHECK(pipe(pipe_fds) == 0);
	fflush(NULL);
	run->pid = fork();
	CHECK(run->pid >= 0);
	if (run->pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(pipe_fds[1], STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close(pipe_fds[0]);
		execv(tool, argv);
		_exit(127);
	}
	close(pipe_fds[1]);
	run->out = pipe_fds[0];
	run->length = 0;
	run->output[0] = '\0';
}

/* Reads the tool's output until `text` appears in it (or the end when NULL). */
static void read_until(struct run *run, const char *text)
{
	while (!text || !strstr(run->output, text)) {
		ssize_t n = read(run->out, run->output + run->length, sizeof(run->output) - 1 - run->length);

		CHECK(n >= 0);
		if (n == 0) {
			CHECK(!text);
			return;
		}
		run->length += (size_t)n;
		run->output[run->length] = '\0';
	}
}

static int finish(struct run *run)
{
	uint64_t give_up_ms = now_ms() + DEADLINE_MS;
	int status;

	read_until(run, NULL);
	close(run->out);
	while (waitpid(run->pid, &status, WNOHANG) == 0) {
		CHECK(now_ms() < give_up_ms);
		sleep_ms(5);
	}
	CHECK(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int run_tool(struct run *run, const char *const *args)
{
	start(run, args);
	return finish(run);
}

static void expect_usage_error(const char *const *args)
{
	struct run run;

	CHECK(run_tool(&run, args) == 2);
	CHECK(run.length == 0); /* nothing ran */
}

static void expect_frame(struct receiver *receiver, int kind, uint64_t seq, uint32_t pid,
			 uint64_t epoch)
{
	struct frame frame;

	CHECK(receiver_next(receiver, &frame, RECEIVE_TIMEOUT_MS));
	CHECK(frame.kind == kind && frame.seq == seq && frame.pid == pid && frame.epoch == epoch);
	if (kind == 1 || kind == 2)
		CHECK(strcmp(frame.username, "jdoe") == 0 && strcmp(frame.backend, "SOGo") == 0 &&
		      strcmp(frame.vuser, "shared") == 0);
	frame_free(&frame);
}

int main(int argc, char **argv)
{
	struct receiver receiver;
	struct run run;
	struct frame frame;
	char host[256];
	uint32_t pid;
	uint64_t epoch;

	CHECK(argc == 2);
	tool = argv[1];
	/* The goodbyes sent at exit are awaited below: let a loaded machine take its time to send
	 * them (exit waits only as long as the flush needs; the default 200 ms is a bet on timing). */
	CHECK(setenv("MAPISTORE_MGMT_LINGER_MS", EXIT_LINGER_MS, 1) == 0);
	receiver_open(&receiver, "tcp");

	{
		const char *const args[] = {"--endpoint", receiver.endpoint, "--heartbeat-ms", "60000",
					    "register", "jdoe", "SOGo", "shared", "stats",
					    "unregister", "jdoe", "SOGo", "shared", NULL};

		CHECK(run_tool(&run, args) == 0);
	}
	CHECK(sscanf(run.output, "source host=%255s pid=%" SCNu32 " epoch=%" SCNx64 "\n", host, &pid,
		     &epoch) == 3);
	CHECK(epoch != 0 && pid == (uint32_t)run.pid);
	CHECK(strstr(run.output, "\nregister jdoe SOGo shared -> MAPISTORE_SUCCESS\nstats {"));
	CHECK(strstr(run.output, "\"registrations_held\":1,"));
	CHECK(strstr(run.output, "}\nunregister jdoe SOGo shared -> MAPISTORE_SUCCESS\n"));
	expect_frame(&receiver, 1, 1, pid, epoch);
	expect_frame(&receiver, 2, 2, pid, epoch);
	expect_frame(&receiver, 4, 3, pid, epoch); /* the goodbye, sent at exit */

	/* A call the library refuses: status 1, and nothing sent. */
	{
		const char *const args[] = {"--endpoint", receiver.endpoint, "register", "jdoe", "",
					    "shared", NULL};

		CHECK(run_tool(&run, args) == 1);
		CHECK(strstr(run.output, "register jdoe  shared -> MAPISTORE_ERR_INVALID_PARAMETER\n"));
		CHECK(strstr(run.output, "epoch=0000000000000000\n"));
	}

	/* Usage errors: status 2 before anything runs. */
	{
		const char *const none[] = {NULL};
		const char *const unknown[] = {"bogus", NULL};
		const char *const short_register[] = {"register", "jdoe", "SOGo", NULL};
		const char *const bad_sleep[] = {"sleep", "soon", NULL};
		const char *const bad_endpoint[] = {"--endpoint", "inproc://x", "stats", NULL};
		const char *const zero_limit[] = {"--queue-limit", "0", "stats", NULL};
		const char *const unknown_option[] = {"--verbose", "stats", NULL};

		expect_usage_error(none);
		expect_usage_error(unknown);
		expect_usage_error(short_register);
		expect_usage_error(bad_sleep);
		expect_usage_error(bad_endpoint);
		expect_usage_error(zero_limit);
		expect_usage_error(unknown_option);
	}

	/* hold: stays registered until SIGTERM, then exits normally with a goodbye. */
	{
		const char *const args[] = {"--endpoint", receiver.endpoint, "register", "jdoe",
					    "SOGo", "shared", "sleep", "10", "hold", NULL};

		start(&run, args);
		read_until(&run, "holding\n");
		CHECK(sscanf(run.output, "source host=%255s pid=%" SCNu32 " epoch=%" SCNx64 "\n", host,
			     &pid, &epoch) == 3);
		expect_frame(&receiver, 1, 1, pid, epoch);
		CHECK(kill(run.pid, SIGTERM) == 0);
		CHECK(finish(&run) == 0);
		expect_frame(&receiver, 4, 2, pid, epoch);
	}
	CHECK(!receiver_next(&receiver, &frame, 200));
	receiver_close(&receiver);
	printf("mapistore-mgmt-send: output, statuses and frames as documented\n");
	return 0;
}
