/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * pull_sink.c - a bare libzmq PULL socket that binds ENDPOINT and either drains or stalls.
 *
 *   bench-pull-sink count ENDPOINT [IDLE_MS]   receive and count until SIGTERM, or until IDLE_MS
 *                                              pass without a message once one has arrived
 *   bench-pull-sink stall ENDPOINT             bind and never receive, until SIGTERM
 *
 * Prints {"bound":true} once bound; `count` prints at exit the messages and bytes received and
 * the rate of the burst: from the first message to the last one before a silence of 200 ms
 * (stragglers such as the goodbyes of exiting senders do not count in the rate).
 */
#include "samples.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#define BURST_GAP_NS 200000000u

static volatile sig_atomic_t stopping;

static void on_signal(int signo)
{
	(void)signo;
	stopping = 1;
}

static void count(void *pull, long idle_ms)
{
	char buffer[65536];
	unsigned long long received = 0, bytes = 0, burst = 0;
	uint64_t first = 0, last = 0, burst_end = 0;
	zmq_pollitem_t item = {pull, 0, ZMQ_POLLIN, 0};

	while (!stopping) {
		int n;
		if (zmq_poll(&item, 1, 100) <= 0) {
			if (received > 0 && idle_ms > 0 && now_ns() - last > (uint64_t)idle_ms * 1000000)
				break;
			continue;
		}
		while ((n = zmq_recv(pull, buffer, sizeof buffer, ZMQ_DONTWAIT)) >= 0) {
			uint64_t now = now_ns();
			if (received == 0)
				first = now;
			else if (burst == 0 && now - last > BURST_GAP_NS) {
				burst = received;
				burst_end = last;
			}
			last = now;
			received++;
			bytes += (unsigned long long)n;
		}
	}
	if (burst == 0) {
		burst = received;
		burst_end = last;
	}
	printf("{\"received\":%llu,\"bytes\":%llu,\"burst\":%llu,\"seconds\":%.6f,\"rate\":%.1f}\n",
	       received, bytes, burst, (double)(burst_end - first) / 1e9,
	       burst_end > first ? (double)(burst - 1) * 1e9 / (double)(burst_end - first) : 0.0);
}

int main(int argc, char **argv)
{
	void *context, *pull;
	struct sigaction action;

	if (argc < 3 || (strcmp(argv[1], "count") != 0 && strcmp(argv[1], "stall") != 0)) {
		fprintf(stderr, "usage: %s count ENDPOINT [IDLE_MS] | stall ENDPOINT\n", argv[0]);
		return 2;
	}
	memset(&action, 0, sizeof action);
	action.sa_handler = on_signal;
	sigaction(SIGTERM, &action, NULL);
	sigaction(SIGINT, &action, NULL);

	context = zmq_ctx_new();
	pull = zmq_socket(context, ZMQ_PULL);
	if (pull == NULL || zmq_bind(pull, argv[2]) != 0) {
		fprintf(stderr, "%s: cannot bind %s: %s\n", argv[0], argv[2], zmq_strerror(zmq_errno()));
		return 1;
	}
	printf("{\"bound\":true}\n");
	fflush(stdout);
	if (strcmp(argv[1], "count") == 0)
		count(pull, argc > 3 ? atol(argv[3]) : 0);
	else
		while (!stopping)
			sleep(1);
	fflush(stdout);
	zmq_close(pull);
	zmq_ctx_term(context);
	return 0;
}
