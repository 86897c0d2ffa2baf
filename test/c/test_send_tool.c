/* SPDX-License-Identifier: GPL-3.0-or-later */
/* mapistore-mgmt-send, as other parts and people use it: its output lines, exit statuses
 * (0 all calls succeeded, 1 a call failed, 2 usage error), --help, the endpoint it names on
 * stderr, and what really reaches a receiver, including the goodbye of a held process stopped
 * with SIGTERM. */
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

extern char **environ;

static const char *tool;

struct run {
	pid_t pid;
	int out; /* the tool's stdout */
	char output[8192];
	size_t length;
	int err; /* the tool's stderr, read once stdout has ended (the tool writes little there) */
	char errors[4096];
};

/* Starts the tool with `args`, in the environment `env` (NULL: this process's). */
static void start_in(struct run *run, const char *const *args, char *const *env)
{
	char *argv[32];
	int out_fds[2], err_fds[2];
	int n = 0;

	argv[n++] = (char *)tool;
	for (; *args; args++)
		argv[n++] = (char *)*args;
	argv[n] = NULL;
	CHECK(pipe(out_fds) == 0 && pipe(err_fds) == 0);
	fflush(NULL);
	run->pid = fork();
	CHECK(run->pid >= 0);
	if (run->pid == 0) {
		dup2(out_fds[1], STDOUT_FILENO);
		dup2(err_fds[1], STDERR_FILENO);
		close(out_fds[0]);
		close(err_fds[0]);
		execve(tool, argv, env ? env : environ);
		_exit(127);
	}
	close(out_fds[1]);
	close(err_fds[1]);
	run->out = out_fds[0];
	run->err = err_fds[0];
	run->length = 0;
	run->output[0] = '\0';
	run->errors[0] = '\0';
}

static void start(struct run *run, const char *const *args)
{
	start_in(run, args, NULL);
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

static void read_errors(struct run *run)
{
	size_t length = 0;
	ssize_t n;

	while ((n = read(run->err, run->errors + length, sizeof(run->errors) - 1 - length)) > 0)
		length += (size_t)n;
	CHECK(n == 0);
	run->errors[length] = '\0';
	close(run->err);
}

static int finish(struct run *run)
{
	uint64_t give_up_ms = now_ms() + DEADLINE_MS;
	int status;

	read_until(run, NULL);
	close(run->out);
	read_errors(run);
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

/* Status 2, nothing run, and on stderr one line that starts with `message`, then the usage. */
static void expect_usage_error(const char *const *args, const char *message)
{
	struct run run;
	const char *end_of_line;

	CHECK(run_tool(&run, args) == 2);
	CHECK(run.length == 0);
	CHECK(strncmp(run.errors, "mapistore-mgmt-send: ", 21) == 0);
	CHECK(strncmp(run.errors + 21, message, strlen(message)) == 0);
	end_of_line = strchr(run.errors, '\n');
	CHECK(end_of_line && strncmp(end_of_line + 1, "usage: mapistore-mgmt-send ", 27) == 0);
}

/* The endpoint line the tool prints on stderr for `stats`, run in the environment `env`. */
static void expect_endpoint(const char *const *args, char *const *env, const char *endpoint)
{
	struct run run;
	char expected[512];

	start_in(&run, args, env);
	CHECK(finish(&run) == 0);
	snprintf(expected, sizeof(expected), "mapistore-mgmt-send: endpoint %s\n", endpoint);
	CHECK(strcmp(run.errors, expected) == 0);
}

/* --help and -h: the same help on stdout, status 0, nothing else. */
static void check_help(void)
{
	const char *const long_form[] = {"--help", NULL};
	const char *const short_form[] = {"-h", "stats", NULL};
	struct run help, short_help;

	CHECK(run_tool(&help, long_form) == 0);
	CHECK(strncmp(help.output, "usage: mapistore-mgmt-send ", 27) == 0);
	CHECK(strstr(help.output, "\n  --endpoint=E "));
	CHECK(strstr(help.output, "\n  -h, --help "));
	CHECK(help.errors[0] == '\0');
	CHECK(run_tool(&short_help, short_form) == 0); /* help only: the step does not run */
	CHECK(strcmp(short_help.output, help.output) == 0 && short_help.errors[0] == '\0');
}

/* Which endpoint the tool names: its option, else the library's variable, else root's own
 * directory under /run, or another user's under XDG_RUNTIME_DIR, else /tmp/mapistore-mgmt-UID,
 * exactly as the library chooses. */
static void check_printed_endpoint(void)
{
	const char *const stats[] = {"stats", NULL};
	const char *const option[] = {"--endpoint=tcp://127.0.0.1:7", "stats", NULL};
	char *const variable[] = {"MAPISTORE_MGMT_ENDPOINT=ipc:///run/mm-test/notify.sock",
				  "XDG_RUNTIME_DIR=/run/user/4242", NULL};
	char *const runtime_dir[] = {"XDG_RUNTIME_DIR=/run/user/4242", NULL};
	char *const nothing[] = {NULL};

	expect_endpoint(option, variable, "tcp://127.0.0.1:7");
	expect_endpoint(stats, variable, "ipc:///run/mm-test/notify.sock");
	char own[64];

	if (geteuid() == 0) {
		expect_endpoint(stats, runtime_dir, "ipc:///run/mapistore-mgmt/notify.sock");
		expect_endpoint(stats, nothing, "ipc:///run/mapistore-mgmt/notify.sock");
		return;
	}
	snprintf(own, sizeof(own), "ipc:///tmp/mapistore-mgmt-%u/notify.sock", (unsigned)geteuid());
	expect_endpoint(stats, runtime_dir, "ipc:///run/user/4242/mapistore-mgmt/notify.sock");
	expect_endpoint(stats, nothing, own);
}

/* The next frame is from the source the tool printed: the host it prints is the one sent. */
static void expect_frame(struct receiver *receiver, int kind, uint64_t seq, const char *host,
			 uint32_t pid, uint64_t epoch)
{
	struct frame frame;

	CHECK(receiver_next(receiver, &frame, RECEIVE_TIMEOUT_MS));
	CHECK(frame.kind == kind && frame.seq == seq && frame.pid == pid && frame.epoch == epoch);
	CHECK(strcmp(frame.host, host) == 0);
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
	check_help();
	check_printed_endpoint();
	/* The goodbyes sent at exit are awaited below: let a loaded machine take its time to send
	 * them (exit waits only as long as the flush needs; the default 200 ms is a bet on timing). */
	CHECK(setenv("MAPISTORE_MGMT_LINGER_MS", EXIT_LINGER_MS, 1) == 0);
	receiver_open(&receiver, "tcp");

	/* Options as --name=VALUE and as --name VALUE alike. */
	{
		char endpoint_option[600];
		const char *const args[] = {endpoint_option, "--heartbeat-ms", "60000", "register",
					    "jdoe", "SOGo", "shared", "stats", "unregister", "jdoe",
					    "SOGo", "shared", NULL};
		char expected[600];

		snprintf(endpoint_option, sizeof(endpoint_option), "--endpoint=%s", receiver.endpoint);
		CHECK(run_tool(&run, args) == 0);
		snprintf(expected, sizeof(expected), "mapistore-mgmt-send: endpoint %s\n",
			 receiver.endpoint);
		CHECK(strcmp(run.errors, expected) == 0);
	}
	CHECK(sscanf(run.output, "source host=%255s pid=%" SCNu32 " epoch=%" SCNx64 "\n", host, &pid,
		     &epoch) == 3);
	CHECK(epoch != 0 && pid == (uint32_t)run.pid);
	CHECK(strstr(run.output, "\nregister jdoe SOGo shared -> MAPISTORE_SUCCESS\nstats {"));
	CHECK(strstr(run.output, "\"registrations_held\":1,"));
	CHECK(strstr(run.output, "}\nunregister jdoe SOGo shared -> MAPISTORE_SUCCESS\n"));
	expect_frame(&receiver, 3, 1, host, pid, epoch); /* the source announces its interval */
	expect_frame(&receiver, 1, 2, host, pid, epoch);
	expect_frame(&receiver, 2, 3, host, pid, epoch);
	expect_frame(&receiver, 4, 4, host, pid, epoch); /* the goodbye, sent at exit */

	/* A call the library refuses: status 1, and nothing sent (the library's counters say so:
	 * nothing handed to ZeroMQ, nothing queued, no epoch drawn). */
	{
		const char *const args[] = {"--endpoint", receiver.endpoint, "register", "jdoe", "",
					    "shared", "stats", NULL};

		CHECK(run_tool(&run, args) == 1);
		CHECK(strstr(run.output, "register jdoe  shared -> MAPISTORE_ERR_INVALID_PARAMETER\n"));
		CHECK(strstr(run.output, "epoch=0000000000000000\n"));
		CHECK(strstr(run.output, "stats {\"messages_sent\":0,"));
		CHECK(strstr(run.output, ",\"queue_length\":0,\"epoch\":\"0000000000000000\","));
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
		const char *const unknown_short[] = {"-v", "stats", NULL};
		const char *const no_value[] = {"stats", "--endpoint", NULL};
		const char *const missing_value[] = {"--endpoint", NULL};

		expect_usage_error(none, "no step given\n");
		expect_usage_error(unknown, "unknown step: bogus\n");
		expect_usage_error(short_register, "register needs USER BACKEND VUSER\n");
		expect_usage_error(bad_sleep, "sleep needs MS, a number of milliseconds: soon\n");
		expect_usage_error(bad_endpoint, "invalid option value");
		expect_usage_error(zero_limit, "--queue-limit needs a positive number, not \"0\"\n");
		expect_usage_error(unknown_option, "unknown option: --verbose\n");
		expect_usage_error(unknown_short, "unknown option: -v\n");
		/* Options end at the first step: what follows is the step's, here an unknown one. */
		expect_usage_error(no_value, "unknown step: --endpoint\n");
		expect_usage_error(missing_value, "--endpoint needs a value\n");
	}

	/* hold: stays registered until SIGTERM, then exits normally with a goodbye. */
	{
		const char *const args[] = {"--endpoint", receiver.endpoint, "register", "jdoe",
					    "SOGo", "shared", "sleep", "10", "hold", NULL};

		start(&run, args);
		read_until(&run, "holding\n");
		CHECK(sscanf(run.output, "source host=%255s pid=%" SCNu32 " epoch=%" SCNx64 "\n", host,
			     &pid, &epoch) == 3);
		expect_frame(&receiver, 3, 1, host, pid, epoch);
		expect_frame(&receiver, 1, 2, host, pid, epoch);
		CHECK(kill(run.pid, SIGTERM) == 0);
		CHECK(finish(&run) == 0);
		expect_frame(&receiver, 4, 3, host, pid, epoch);
	}
	/* Every frame received so far was expected (none is waited for: each run's frames were
	 * checked in order up to its goodbye, and the refused run's counters show it sent none). */
	CHECK(!receiver_next(&receiver, &frame, 0));
	receiver_close(&receiver);
	printf("mapistore-mgmt-send: output, statuses and frames as documented\n");
	return 0;
}
