/* SPDX-License-Identifier: GPL-3.0-or-later */
/* samples.c - see samples.h. */
#include "samples.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void sleep_until_ns(uint64_t deadline_ns)
{
	struct timespec ts = {(time_t)(deadline_ns / 1000000000u), (long)(deadline_ns % 1000000000u)};
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

void samples_init(struct samples *s, size_t capacity)
{
	s->ns = malloc(capacity * sizeof *s->ns);
	if (s->ns == NULL) {
		fprintf(stderr, "out of memory for %zu samples\n", capacity);
		exit(2);
	}
	s->count = 0;
	s->capacity = capacity;
	s->sorted = 1;
}

void samples_add(struct samples *s, uint64_t ns)
{
	if (s->count < s->capacity)
		s->ns[s->count++] = ns;
	s->sorted = 0;
}

void samples_free(struct samples *s)
{
	free(s->ns);
	s->ns = NULL;
}

static int compare_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

uint64_t samples_percentile(struct samples *s, double p)
{
	/* ceil(p% of count), at least 1 */
	size_t rank = (size_t)((p * (double)s->count + 99.999) / 100.0);
	if (s->count == 0)
		return 0;
	if (rank == 0)
		rank = 1;
	if (rank > s->count)
		rank = s->count;
	if (!s->sorted)
		qsort(s->ns, s->count, sizeof *s->ns, compare_u64);
	s->sorted = 1;
	return s->ns[rank - 1];
}

void samples_print_json(struct samples *s, const char *extra)
{
	double sum = 0;
	if (s->count == 0) {
		printf("{\"n\":0%s%s}\n", *extra ? "," : "", extra);
		return;
	}
	for (size_t i = 0; i < s->count; i++)
		sum += (double)s->ns[i];
	printf("{\"n\":%zu,\"p50\":%llu,\"p99\":%llu,\"p999\":%llu,\"max\":%llu,\"mean\":%.1f%s%s}\n",
	       s->count, (unsigned long long)samples_percentile(s, 50), (unsigned long long)samples_percentile(s, 99),
	       (unsigned long long)samples_percentile(s, 99.9), (unsigned long long)samples_percentile(s, 100),
	       sum / (double)s->count, *extra ? "," : "", extra);
	fflush(stdout);
}
