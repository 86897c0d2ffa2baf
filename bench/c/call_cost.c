/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * call_cost.c - times each call of one transport with clock_gettime around it.
 *
 *   bench-call-cost lib|zmq|mq INTERVAL_US COUNT [ENDPOINT]
 *
 * INTERVAL_US 0 makes the calls back to back; otherwise one call starts every INTERVAL_US
 * microseconds (the thread sleeps in between, so each call is isolated). The receiver, if any,
 * is someone else's job (bench-pull-sink), except for mq, whose queue a thread drains.
 * Prints one JSON object: percentiles in ns (samples.h), the calls refused (queue full),
 * failed (any other error), and the median cost of the clock_gettime pair itself.
 */
#include "samples.h"
#include "transport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WARMUP_CALLS 1000

static const struct transport *find_transport(const char *name)
{
	const struct transport *all[] = {&transport_lib, &transport_zmq, &transport_mq};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (strcmp(all[i]->name, name) == 0)
			return all[i];
	return NULL;
}

static uint64_t clock_pair_ns(void)
{
	struct samples s;
	uint64_t median;
	samples_init(&s, 1001);
	for (int i = 0; i < 1001; i++) {
		uint64_t t0 = now_ns();
		samples_add(&s, now_ns() - t0);
	}
	median = samples_percentile(&s, 50);
	samples_free(&s);
	return median;
}

int main(int argc, char **argv)
{
	const struct transport *t = argc >= 4 ? find_transport(argv[1]) : NULL;
	unsigned long interval_ns, count, refused = 0, failed = 0, i = 0;
	uint64_t deadline, clock_ns;
	struct samples s;
	char extra[256];

	if (t == NULL) {
		fprintf(stderr, "usage: %s lib|zmq|mq INTERVAL_US COUNT [ENDPOINT]\n", argv[0]);
		return 2;
	}
	interval_ns = strtoul(argv[2], NULL, 10) * 1000;
	count = strtoul(argv[3], NULL, 10);
	if (t->open(argc > 4 ? argv[4] : "") != 0) {
		fprintf(stderr, "%s: could not open the %s transport\n", argv[0], t->name);
		return 1;
	}
	clock_ns = clock_pair_ns();
	for (; i < WARMUP_CALLS; i++)
		t->call(i);
	usleep(100000);

	samples_init(&s, count);
	deadline = now_ns();
	for (unsigned long n = 0; n < count; n++, i++) {
		uint64_t t0, t1;
		enum call_result r;
		if (interval_ns) {
			deadline += interval_ns;
			sleep_until_ns(deadline);
		}
		t0 = now_ns();
		r = t->call(i);
		t1 = now_ns();
		samples_add(&s, t1 - t0);
		refused += r == CALL_REFUSED;
		failed += r == CALL_FAILED;
	}
	snprintf(extra, sizeof extra, "\"transport\":\"%s\",\"interval_us\":%lu,\"refused\":%lu,\"failed\":%lu,\"clock_ns\":%llu",
		 t->name, interval_ns / 1000, refused, failed, (unsigned long long)clock_ns);
	samples_print_json(&s, extra);
	samples_free(&s);
	t->close();
	return 0;
}
