/*
 * mapistore-mgmt-send - register and unregister users from a shell, through the real
 * library, as a backend would.
 *
 *   mapistore-mgmt-send [--endpoint E] [--heartbeat-ms N] [--queue-limit N] STEP...
 *     register USER BACKEND VUSER     mapistore_mgmt_backend_register_user (username = USER)
 *     unregister USER BACKEND VUSER   mapistore_mgmt_backend_unregister_user
 *     sleep MS                        sleep MS milliseconds
 *     stats                           print "stats {json}" (epoch as a 16-hex-digit string)
 *     hold                            print "holding", then wait for SIGTERM or SIGINT
 *
 * Before the first step's own output it prints "source host=H pid=P epoch=E". Exit status:
 * 0 when every call succeeded, 1 when one returned an error, 2 for a usage error.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mapistore/mapistore_mgmt.h>

#include "decimal.h"

#define USAGE                                                                               \
	"usage: mapistore-mgmt-send [--endpoint E] [--heartbeat-ms N] [--queue-limit N] STEP...\n" \
	"steps: register USER BACKEND VUSER | unregister USER BACKEND VUSER | sleep MS | stats | hold\n"

enum step_kind { STEP_REGISTER, STEP_UNREGISTER, STEP_SLEEP, STEP_STATS, STEP_HOLD };

struct step {
	enum step_kind kind;
	char **args; /* USER BACKEND VUSER, or MS */
	unsigned int ms;
};

static int usage_error(const char *message, const char *detail)
{
	fprintf(stderr, "mapistore-mgmt-send: %s%s%s\n%s", message, detail ? ": " : "",
		detail ? detail : "", USAGE);
	return 2;
}

/* Parses argv[first..argc) into steps; returns the count, or -1 after printing what is wrong. */
static int parse_steps(int argc, char **argv, int first, struct step *steps)
{
	int count = 0;

	for (int i = first; i < argc; count++) {
		struct step *step = &steps[count];
		const char *name = argv[i++];

		if (strcmp(name, "register") == 0 || strcmp(name, "unregister") == 0) {
			if (argc - i < 3)
				return usage_error(name[0] == 'r' ? "register needs USER BACKEND VUSER"
								  : "unregister needs USER BACKEND VUSER",
						   NULL),
				       -1;
			step->kind = name[0] == 'r' ? STEP_REGISTER : STEP_UNREGISTER;
			step->args = &argv[i];
			i += 3;
		} else if (strcmp(name, "sleep") == 0) {
			if (i >= argc || !mm_decimal_parse(argv[i], &step->ms))
				return usage_error("sleep needs MS, a number of milliseconds",
						   i < argc ? argv[i] : NULL),
				       -1;
			step->kind = STEP_SLEEP;
			i++;
		} else if (strcmp(name, "stats") == 0) {
			step->kind = STEP_STATS;
		} else if (strcmp(name, "hold") == 0) {
			step->kind = STEP_HOLD;
		} else {
			return usage_error("unknown step", name), -1;
		}
	}
	if (count == 0)
		return usage_error("no step given", NULL), -1;
	return count;
}

/* Parses the options before the steps; returns the index of the first step, or -1. */
static int parse_options(int argc, char **argv, struct mapistore_mgmt_options *options)
{
	int i = 1;

	while (i < argc && strncmp(argv[i], "--", 2) == 0) {
		const char *option = argv[i];
		const char *value = i + 1 < argc ? argv[i + 1] : NULL;
		unsigned int *number = NULL;

		if (strcmp(option, "--endpoint") == 0) {
			if (!value)
				return usage_error("--endpoint needs a value", NULL), -1;
			options->endpoint = value;
		} else if (strcmp(option, "--heartbeat-ms") == 0) {
			number = &options->heartbeat_ms;
		} else if (strcmp(option, "--queue-limit") == 0) {
			number = &options->queue_limit;
		} else {
			return usage_error("unknown option", option), -1;
		}
		if (number && (!mm_decimal_parse(value, number) || *number == 0))
			return usage_error("option needs a positive number", option), -1;
		i += 2;
	}
	return i;
}

static void print_source(void)
{
	struct mapistore_mgmt_stats stats;
	char host[256] = {0};

	mapistore_mgmt_get_stats(&stats, sizeof(stats));
	if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0')
		strcpy(host, "localhost");
	printf("source host=%s pid=%" PRIu32 " epoch=%016" PRIx64 "\n", host, stats.pid, stats.epoch);
}

static void print_stats(void)
{
	struct mapistore_mgmt_stats s;

	mapistore_mgmt_get_stats(&s, sizeof(s));
	printf("stats {\"messages_sent\":%" PRIu64 ",\"messages_dropped\":%" PRIu64
	       ",\"heartbeats_sent\":%" PRIu64 ",\"registrations_held\":%" PRIu64
	       ",\"triples_held\":%" PRIu64 ",\"queue_length\":%" PRIu64 ",\"epoch\":\"%016" PRIx64
	       "\",\"pid\":%" PRIu32 ",\"last_error\":%d,\"descriptor_shortages\":%" PRIu64
	       ",\"contexts_lost\":%" PRIu64 ",\"triples_refused\":%" PRIu64 "}\n",
	       s.messages_sent, s.messages_dropped, s.heartbeats_sent, s.registrations_held,
	       s.triples_held, s.queue_length, s.epoch, s.pid, s.last_error, s.descriptor_shortages,
	       s.contexts_lost, s.triples_refused);
}

static void sleep_ms(unsigned int ms)
{
	struct timespec left = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};

	while (nanosleep(&left, &left) != 0 && errno == EINTR)
		;
}

static void hold(void)
{
	sigset_t stop;
	int signal_number;

	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	/* Blocked before "holding" is printed, so a signal sent on seeing it is not lost. */
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	printf("holding\n");
	fflush(stdout);
	sigwait(&stop, &signal_number);
}

/* Runs one step; returns false when a library call returned an error. */
static bool run_step(const struct step *step, bool first)
{
	bool ok = true;
	int rc = MAPISTORE_SUCCESS;

	if (step->kind == STEP_REGISTER || step->kind == STEP_UNREGISTER) {
		struct mapistore_connection_info conn_info = {.username = step->args[0]};

		rc = step->kind == STEP_REGISTER
			     ? mapistore_mgmt_backend_register_user(&conn_info, step->args[1], step->args[2])
			     : mapistore_mgmt_backend_unregister_user(&conn_info, step->args[1],
								      step->args[2]);
		ok = rc == MAPISTORE_SUCCESS;
	} else if (step->kind == STEP_SLEEP) {
		sleep_ms(step->ms);
	}
	if (first)
		print_source();
	switch (step->kind) {
	case STEP_REGISTER:
	case STEP_UNREGISTER:
		printf("%s %s %s %s -> %s\n", step->kind == STEP_REGISTER ? "register" : "unregister",
		       step->args[0], step->args[1], step->args[2], mapistore_mgmt_errname(rc));
		break;
	case STEP_STATS:
		print_stats();
		break;
	case STEP_HOLD:
		hold();
		break;
	case STEP_SLEEP:
		break;
	}
	return ok;
}

int main(int argc, char **argv)
{
	struct mapistore_mgmt_options options = MAPISTORE_MGMT_OPTIONS_INIT;
	struct step *steps;
	int first, count, status = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	first = parse_options(argc, argv, &options);
	if (first < 0)
		return 2;
	steps = calloc((size_t)argc, sizeof(*steps));
	if (!steps)
		return 1;
	count = parse_steps(argc, argv, first, steps);
	if (count < 0) {
		free(steps);
		return 2;
	}
	if ((options.endpoint || options.heartbeat_ms || options.queue_limit) &&
	    mapistore_mgmt_configure(&options) != MAPISTORE_SUCCESS) {
		free(steps);
		return usage_error("invalid option value (endpoint must be ipc://PATH or "
				   "tcp://HOST:PORT; numbers in range)",
				   NULL);
	}
	for (int i = 0; i < count; i++)
		if (!run_step(&steps[i], i == 0))
			status = 1;
	free(steps);
	return status;
}
