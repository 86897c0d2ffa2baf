/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * samples.h - per-call timings: a monotonic clock in nanoseconds, and a fixed-size array of
 * durations printed as one JSON object of percentiles.
 */
#ifndef BENCH_SAMPLES_H
#define BENCH_SAMPLES_H

#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);

/* Sleeps until the absolute CLOCK_MONOTONIC time `deadline_ns` (returns at once if past). */
void sleep_until_ns(uint64_t deadline_ns);

struct samples {
	uint64_t *ns;
	size_t count;
	size_t capacity;
	int sorted;
};

/* Allocates room for `capacity` durations; exits the program when memory runs out. */
void samples_init(struct samples *s, size_t capacity);
void samples_add(struct samples *s, uint64_t ns);
void samples_free(struct samples *s);

/* Sorts the durations, then returns the nearest-rank percentile `p` (0..100); 0 if empty. */
uint64_t samples_percentile(struct samples *s, double p);

/*
 * Sorts the durations and prints {"n":..,"p50":..,"p99":..,"p999":..,"max":..,"mean":..}
 * (nanoseconds) to stdout, with `extra` (a JSON fragment such as "\"refused\":3", or "")
 * appended inside the object.
 */
void samples_print_json(struct samples *s, const char *extra);

#endif
