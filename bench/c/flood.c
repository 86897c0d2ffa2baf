/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * flood.c - a backend process that registers through the library as fast as it can, or at a
 * fixed rate, alternating register and unregister of one triple so its set stays small.
 *
 *   bench-flood ENDPOINT COUNT [RATE_PER_SECOND]
 *
 * It calls until the library has accepted COUNT calls. As fast as it can means: back to back
 * while the library accepts, and a pause of 100 us after a call it refused (its queue is
 * full), so that the stream stays as fast as the receiver takes it without this process
 * spinning on a core the receiver needs. A refused call is not retried (the library recorded
 * it; the next heartbeat carries it).
 * When done it waits (at most 10 s) for the library's queue to empty, then prints
 * {"calls":..,"refused":..,"failed":..,"sent":..,"heartbeats":..,"dropped":..,"seconds":..}
 * where `sent` counts the messages the library handed to ZeroMQ (heartbeats included) and
 * `seconds` the time the calls took. It then stays 500 ms more, and the library may linger up
 * to 10 s at exit (instead of 200 ms), so that a receiver that is behind gets what ZeroMQ still
 * holds: over ipc:// libzmq can lose it when the sender exits first (libzmq #4660), and the
 * counts should measure the transport, not the exit. The goodbye sent at exit comes last.
 */
#include "samples.h"

#include <mapistore/mapistore_mgmt.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void wait_for_empty_queue(struct mapistore_mgmt_stats *stats)
{
	uint64_t give_up = now_ns() + 10000000000u;
	do {
		mapistore_mgmt_get_stats(stats, sizeof *stats);
		if (stats->queue_length == 0)
			return;
		usleep(1000);
	} while (now_ns() < give_up);
}

int main(int argc, char **argv)
{
	struct mapistore_mgmt_options options = MAPISTORE_MGMT_OPTIONS_INIT;
	struct mapistore_mgmt_stats stats;
	struct mapistore_connection_info info = {0};
	char username[32];
	unsigned long count, calls = 0, accepted = 0, refused = 0, failed = 0;
	uint64_t interval_ns = 0, start, end;

	if (argc < 3) {
		fprintf(stderr, "usage: %s ENDPOINT COUNT [RATE_PER_SECOND]\n", argv[0]);
		return 2;
	}
	count = strtoul(argv[2], NULL, 10);
	if (argc > 3 && strtoul(argv[3], NULL, 10) > 0)
		interval_ns = 1000000000u / strtoul(argv[3], NULL, 10);
	snprintf(username, sizeof username, "flood-%d", (int)getpid());
	info.username = username;
	options.endpoint = argv[1];
	options.linger_ms = 10000;
	if (mapistore_mgmt_configure(&options) != MAPISTORE_SUCCESS) {
		fprintf(stderr, "%s: cannot configure endpoint %s\n", argv[0], argv[1]);
		return 1;
	}

	start = now_ns();
	for (; accepted < count && failed == 0; calls++) {
		int rc;
		if (interval_ns)
			sleep_until_ns(start + calls * interval_ns);
		rc = calls % 2 == 0 ? mapistore_mgmt_backend_register_user(&info, "SOGo", username)
				    : mapistore_mgmt_backend_unregister_user(&info, "SOGo", username);
		if (rc == MAPISTORE_SUCCESS) {
			accepted++;
		} else if (rc == MAPISTORE_ERR_MSG_SEND) {
			refused++;
			usleep(100);
		} else {
			failed++;
		}
	}
	end = now_ns();
	wait_for_empty_queue(&stats);
	printf("{\"calls\":%lu,\"refused\":%lu,\"failed\":%lu,\"sent\":%llu,\"heartbeats\":%llu,"
	       "\"dropped\":%llu,\"seconds\":%.6f}\n",
	       calls, refused, failed, (unsigned long long)stats.messages_sent,
	       (unsigned long long)stats.heartbeats_sent, (unsigned long long)stats.messages_dropped,
	       (double)(end - start) / 1e9);
	fflush(stdout);
	usleep(500000);
	return failed ? 1 : 0;
}
