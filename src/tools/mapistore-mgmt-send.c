/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mapistore-mgmt-send - register and unregister users from a shell, through the real
 * library, as a backend would. HELP below says what it does; man/mapistore-mgmt-send.1 says
 * the same at length (a ctest checks that both list the same options).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mapistore/mapistore_mgmt.h>

#include "config.h"
#include "curve.h"
#include "decimal.h"
#include "endpoint_check.h"
#include "source.h"

#define USAGE                                                                                        \
	"usage: mapistore-mgmt-send [--endpoint=E] [--heartbeat-ms=N] [--queue-limit=N] STEP...\n"   \
	"steps: register USER BACKEND VUSER | unregister USER BACKEND VUSER | sleep MS | stats | hold\n"

#define HELP                                                                                         \
	USAGE "\n"                                                                                   \
	"Makes libmapistore-mgmt's calls from a shell, as a backend does, one STEP after another.\n" \
	"\n"                                                                                         \
	"Options (the library's MAPISTORE_MGMT_* variables apply when one is not given):\n"          \
	"  --endpoint=E      the notifier's endpoint, ipc://PATH or tcp://HOST:PORT\n"               \
	"  --heartbeat-ms=N  heartbeat interval in milliseconds, 10 to 100000\n"                      \
	"  --queue-limit=N   messages waiting to be sent at most, 1 to 10000000\n"                   \
	"  -h, --help        print this help and exit\n"                                             \
	"\n"                                                                                         \
	"Steps:\n"                                                                                   \
	"  register USER BACKEND VUSER    mapistore_mgmt_backend_register_user() as USER\n"          \
	"  unregister USER BACKEND VUSER  mapistore_mgmt_backend_unregister_user() as USER\n"        \
	"  sleep MS                       wait MS milliseconds\n"                                    \
	"  stats                          print \"stats {JSON}\": the library's counters\n"          \
	"  hold                           print \"holding\", then wait for SIGTERM or SIGINT\n"      \
	"\n"                                                                                         \
	"Prints \"mapistore-mgmt-send: endpoint E\" on stderr, then on stdout\n"                     \
	"\"source host=H pid=P epoch=E\" and one line per call with the code it returned.\n"         \
	"Exit status: 0 every call succeeded, 1 one failed, 2 usage error (nothing ran).\n"

enum step_kind { STEP_REGISTER, STEP_UNREGISTER, STEP_SLEEP, STEP_STATS, STEP_HOLD };

struct step {
	enum step_kind kind;
	char **args; /* USER BACKEND VUSER, or MS */
	unsigned int ms;
};

/* Prints "mapistore-mgmt-send: WHAT IS WRONG" and the usage on stderr; returns 2. */
__attribute__((format(printf, 1, 2))) static int usage_error(const char *format, ...)
{
	va_list args;

	fputs("mapistore-mgmt-send: ", stderr);
	va_start(args, format);
	vfprintf(stderr, format, args);
	va_end(args);
	fprintf(stderr, "\n%s", USAGE);
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
				return usage_error("%s needs USER BACKEND VUSER", name), -1;
			step->kind = name[0] == 'r' ? STEP_REGISTER : STEP_UNREGISTER;
			step->args = &argv[i];
			i += 3;
		} else if (strcmp(name, "sleep") == 0) {
			if (i >= argc || !mm_decimal_parse(argv[i], &step->ms))
				return usage_error("sleep needs MS, a number of milliseconds%s%s",
						   i < argc ? ": " : "", i < argc ? argv[i] : ""),
				       -1;
			step->kind = STEP_SLEEP;
			i++;
		} else if (strcmp(name, "stats") == 0) {
			step->kind = STEP_STATS;
		} else if (strcmp(name, "hold") == 0) {
			step->kind = STEP_HOLD;
		} else {
			return usage_error("unknown step: %s", name), -1;
		}
	}
	if (count == 0)
		return usage_error("no step given"), -1;
	return count;
}

enum option_id { OPTION_ENDPOINT = 256, OPTION_HEARTBEAT_MS, OPTION_QUEUE_LIMIT };

static const struct option long_options[] = {
	{"endpoint", required_argument, NULL, OPTION_ENDPOINT},
	{"heartbeat-ms", required_argument, NULL, OPTION_HEARTBEAT_MS},
	{"queue-limit", required_argument, NULL, OPTION_QUEUE_LIMIT},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

/* The option getopt_long() just stopped at, as the user wrote it: optopt holds a short
 * option's letter, or a long option's id (or 0), and then argv[optind - 1] is the option. */
static const char *offending_option(char **argv)
{
	static char short_option[3] = "-?";

	if (optopt > 0 && optopt < OPTION_ENDPOINT) {
		short_option[1] = (char)optopt;
		return short_option;
	}
	return argv[optind - 1];
}

/* Parses the options before the steps; returns the index of the first step, 0 after --help,
 * or -1 after printing what is wrong. Options end at the first step ("+"): a step's
 * arguments, such as a user name, are never read as options. */
static int parse_options(int argc, char **argv, struct mapistore_mgmt_options *options)
{
	int id, long_index;

	opterr = 0;
	while ((id = getopt_long(argc, argv, "+:h", long_options, &long_index)) != -1) {
		unsigned int *number = NULL;

		switch (id) {
		case 'h':
			fputs(HELP, stdout);
			return 0;
		case OPTION_ENDPOINT:
			options->endpoint = optarg;
			break;
		case OPTION_HEARTBEAT_MS:
			number = &options->heartbeat_ms;
			break;
		case OPTION_QUEUE_LIMIT:
			number = &options->queue_limit;
			break;
		case ':':
			return usage_error("%s needs a value", offending_option(argv)), -1;
		default:
			return usage_error("unknown option: %s", offending_option(argv)), -1;
		}
		if (number && (!mm_decimal_parse(optarg, number) || *number == 0))
			return usage_error("--%s needs a positive number, not \"%s\"",
					   long_options[long_index].name, optarg),
			       -1;
	}
	return optind;
}

/* Configures the library with the options, and fills `config` with the settings it will use
 * (its environment rule with the options applied, by its own code); false when the library
 * refuses an option. */
static bool configure(const struct mapistore_mgmt_options *options, struct mm_config *config)
{
	mm_config_from_environment(config);
	return mm_config_apply(config, options) == MAPISTORE_SUCCESS &&
	       mapistore_mgmt_configure(options) == MAPISTORE_SUCCESS;
}

static void print_source(void)
{
	struct mapistore_mgmt_stats stats;
	struct mm_source source; /* the host as the library sends it: same rule, same code */

	mm_source_init(&source);
	mapistore_mgmt_get_stats(&stats, sizeof(stats));
	printf("source host=%s pid=%" PRIu32 " epoch=%016" PRIx64 "\n", source.host, stats.pid,
	       stats.epoch);
}

static void print_stats(void)
{
	struct mapistore_mgmt_stats s;

	mapistore_mgmt_get_stats(&s, sizeof(s));
	printf("stats {\"messages_sent\":%" PRIu64 ",\"messages_dropped\":%" PRIu64
	       ",\"heartbeats_sent\":%" PRIu64 ",\"registrations_held\":%" PRIu64
	       ",\"triples_held\":%" PRIu64 ",\"queue_length\":%" PRIu64 ",\"epoch\":\"%016" PRIx64
	       "\",\"pid\":%" PRIu32 ",\"last_error\":%d,\"descriptor_shortages\":%" PRIu64
	       ",\"contexts_lost\":%" PRIu64 ",\"triples_refused\":%" PRIu64 ",\"endpoint_error\":%d"
	       ",\"connections\":%" PRIu64 "}\n",
	       s.messages_sent, s.messages_dropped, s.heartbeats_sent, s.registrations_held,
	       s.triples_held, s.queue_length, s.epoch, s.pid, s.last_error, s.descriptor_shortages,
	       s.contexts_lost, s.triples_refused, s.endpoint_error, s.connections);
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

/* The library's own checks, run here too so the user hears at once why nothing will arrive (a
 * directory that does not exist yet is normal before the notifier starts: not reported). */
static void warn_if_refused(const struct mm_config *config)
{
	char why[2 * MM_ENDPOINT_MAX];
	struct mm_curve_keys keys;
	int rc;

	if (mm_endpoint_check(config->endpoint, why, sizeof(why)) == MAPISTORE_ERR_DENIED)
		fprintf(stderr,
			"mapistore-mgmt-send: %s: the library holds every message and sends none "
			"(MAPISTORE_ERR_DENIED)\n",
			why);
	rc = mm_curve_load(config, &keys);
	mm_curve_forget(&keys);
	if (rc != MAPISTORE_SUCCESS)
		fprintf(stderr,
			"mapistore-mgmt-send: the CURVE key files (MAPISTORE_MGMT_CURVE_SERVER_KEY_FILE, "
			"MAPISTORE_MGMT_CURVE_SECRET_KEY_FILE) cannot be used: %s (%s); the library "
			"holds every message and sends none\n",
			mapistore_mgmt_errstr(rc), mapistore_mgmt_errname(rc));
}

int main(int argc, char **argv)
{
	struct mapistore_mgmt_options options = MAPISTORE_MGMT_OPTIONS_INIT;
	struct mm_config config;
	struct step *steps;
	int first, count, status = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	first = parse_options(argc, argv, &options);
	if (first <= 0)
		return first == 0 ? 0 : 2;
	steps = calloc((size_t)argc, sizeof(*steps));
	if (!steps)
		return 1;
	count = parse_steps(argc, argv, first, steps);
	if (count < 0) {
		free(steps);
		return 2;
	}
	if (!configure(&options, &config)) {
		free(steps);
		return usage_error("invalid option value (endpoint must be ipc://PATH or "
				   "tcp://HOST:PORT; numbers in range)");
	}
	fprintf(stderr, "mapistore-mgmt-send: endpoint %s\n", config.endpoint);
	warn_if_refused(&config);
	for (int i = 0; i < count; i++)
		if (!run_step(&steps[i], i == 0))
			status = 1;
	free(steps);
	return status;
}
