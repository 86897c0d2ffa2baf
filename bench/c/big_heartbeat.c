/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * big_heartbeat.c - the cost of a call while the library builds a heartbeat of many triples.
 *
 *   bench-big-heartbeat TRIPLES CALLS INTERVAL_US ENDPOINT
 *
 * Registers TRIPLES distinct triples (the process's set), then times register/unregister
 * calls of one more triple, one every INTERVAL_US (back to back, the thread could never send
 * as fast as they queue, and heartbeats would wait behind the backlog), twice: CALLS of them with no heartbeat due
 * (the longest interval, 100 s), then with heartbeats back to back (interval 10 ms: the thread builds
 * one snapshot of the whole set after another, each once the previous one was sent), at
 * least CALLS and until HEARTBEATS snapshots were built and sent meanwhile. A
 * bench-pull-sink drains ENDPOINT. Prints one JSON object: {"triples":..,"quiet":{n, p50,
 * p999, max in ns, max_own},"heartbeat":{..},"heartbeats":N}. max_own is the slowest call
 * during which the kernel did not preempt the calling thread (RUSAGE_THREAD's involuntary
 * switches did not move): on a loaded machine, max alone mostly measures the CPU's queue. A
 * call that waits for the library's lock sleeps voluntarily, so max_own keeps it.
 */
#define _GNU_SOURCE /* RUSAGE_THREAD */
#include "samples.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <mapistore/mapistore_mgmt.h>

#define NO_HEARTBEAT_MS MAPISTORE_MGMT_HEARTBEAT_MS_MAX
#define BUSY_HEARTBEAT_MS 10u
#define QUEUE_LIMIT 10000000u
#define MAX_TRIPLES 10000000u
#define HEARTBEATS 3u
#define MAX_CALLS 2000000ul
/* Calls between two looks at the stats (not timed). */
#define LOOK_EVERY 4096ul

static struct mapistore_mgmt_stats stats_now(void)
{
	struct mapistore_mgmt_stats stats;

	mapistore_mgmt_get_stats(&stats, sizeof(stats));
	return stats;
}

static void configure(const char *endpoint, unsigned int heartbeat_ms)
{
	struct mapistore_mgmt_options options = MAPISTORE_MGMT_OPTIONS_INIT;

	options.endpoint = endpoint;
	options.heartbeat_ms = heartbeat_ms;
	options.queue_limit = QUEUE_LIMIT;
	options.max_triples = MAX_TRIPLES; /* far beyond the notifier's default: a pull sink drains */
	if (mapistore_mgmt_configure(&options) != MAPISTORE_SUCCESS) {
		fprintf(stderr, "bench-big-heartbeat: configure failed\n");
		exit(1);
	}
}

/* Until the thread has handed everything queued to ZeroMQ. */
static void wait_until_sent(void)
{
	while (stats_now().queue_length > 0)
		usleep(10000);
}

/* Times at least `count` calls, and more until `heartbeats` were sent meanwhile. Returns the
 * heartbeats sent. */
static long involuntary_switches(void)
{
	struct rusage usage;

	getrusage(RUSAGE_THREAD, &usage);
	return usage.ru_nivcsw;
}

static uint64_t max_own_ns;

static uint64_t time_calls(unsigned long count, uint64_t interval_ns, uint64_t heartbeats,
			   struct samples *samples)
{
	struct mapistore_connection_info info = {.username = "jdoe", .repl_id = 1};
	uint64_t first = stats_now().heartbeats_sent, sent = 0;
	uint64_t deadline = now_ns();

	samples_init(samples, MAX_CALLS);
	max_own_ns = 0;
	for (unsigned long i = 0; i < MAX_CALLS; i++) {
		uint64_t t0;

		if (i % LOOK_EVERY == 0) {
			sent = stats_now().heartbeats_sent - first;
			if (i >= count && sent >= heartbeats)
				break;
		}
		deadline += interval_ns;
		sleep_until_ns(deadline);
		long switches = involuntary_switches();
		uint64_t took;

		t0 = now_ns();

		if (i % 2 == 0)
			mapistore_mgmt_backend_register_user(&info, "SOGo", "jdoe");
		else
			mapistore_mgmt_backend_unregister_user(&info, "SOGo", "jdoe");
		took = now_ns() - t0;
		samples_add(samples, took);
		if (involuntary_switches() == switches && took > max_own_ns)
			max_own_ns = took;
	}
	return sent;
}

static void print_series(const char *name, struct samples *samples, uint64_t max_own)
{
	printf("\"%s\":{\"n\":%zu,\"p50\":%llu,\"p999\":%llu,\"max\":%llu,\"max_own\":%llu}",
	       name, samples->count, (unsigned long long)samples_percentile(samples, 50),
	       (unsigned long long)samples_percentile(samples, 99.9),
	       (unsigned long long)samples_percentile(samples, 100), (unsigned long long)max_own);
}

int main(int argc, char **argv)
{
	unsigned long triples, calls;
	uint64_t interval_ns;
	struct samples quiet, busy;
	uint64_t heartbeats, quiet_max_own;
	char name[32];

	if (argc != 5) {
		fprintf(stderr, "usage: %s TRIPLES CALLS INTERVAL_US ENDPOINT\n", argv[0]);
		return 2;
	}
	triples = strtoul(argv[1], NULL, 10);
	calls = strtoul(argv[2], NULL, 10);
	interval_ns = strtoull(argv[3], NULL, 10) * 1000u;
	configure(argv[4], NO_HEARTBEAT_MS);
	for (unsigned long i = 0; i < triples; i++) {
		struct mapistore_connection_info info = {.username = name, .repl_id = 1};

		snprintf(name, sizeof(name), "u%07lu", i);
		mapistore_mgmt_backend_register_user(&info, "SOGo", name);
	}
	wait_until_sent();
	time_calls(calls, interval_ns, 0, &quiet);
	quiet_max_own = max_own_ns;
	wait_until_sent();
	configure(argv[4], BUSY_HEARTBEAT_MS);
	heartbeats = time_calls(calls, interval_ns, HEARTBEATS, &busy);

	printf("{\"triples\":%lu,", triples);
	print_series("quiet", &quiet, quiet_max_own);
	printf(",");
	print_series("heartbeat", &busy, max_own_ns);
	printf(",\"heartbeats\":%llu}\n", (unsigned long long)heartbeats);
	fflush(stdout);
	samples_free(&quiet);
	samples_free(&busy);
	mapistore_mgmt_shutdown();
	return 0;
}
