/* SPDX-License-Identifier: GPL-3.0-or-later */
/* monitor.c - the link's socket monitor: a PAIR socket reading libzmq's connection events on
 * a thread of its own, calling back for each completed handshake. */
#include "monitor.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

/* The events asked for: the one reported, and the one that ends the thread. */
#define MM_MONITOR_EVENTS (ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_MONITOR_STOPPED)

struct monitor_start {
	void *pair;
	mm_monitor_connected_fn *connected;
	void *arg;
};

/* Receives one event (libzmq's two frames: its number and value, then the endpoint) and
 * returns its number, or 0 when the context is being terminated. */
static uint16_t next_event(void *pair)
{
	uint16_t event = 0;
	size_t frames = 0;
	zmq_msg_t frame;

	zmq_msg_init(&frame);
	for (;;) {
		if (zmq_msg_recv(&frame, pair, 0) < 0) {
			if (errno == EINTR)
				continue;
			event = 0;
			break;
		}
		if (frames++ == 0 && zmq_msg_size(&frame) >= sizeof(event))
			memcpy(&event, zmq_msg_data(&frame), sizeof(event));
		if (!zmq_msg_more(&frame))
			break;
	}
	zmq_msg_close(&frame);
	return event;
}

static void close_pair(void *pair)
{
	int zero = 0;

	zmq_setsockopt(pair, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_close(pair);
}

/* All signals are blocked here (inherited from the sender thread), and it runs as
 * SCHED_BATCH like that thread. */
static void *monitor_main(void *arg)
{
	struct monitor_start start = *(struct monitor_start *)arg;
	bool first = true;
	uint16_t event;

	free(arg);
	while ((event = next_event(start.pair)) != 0 && event != ZMQ_EVENT_MONITOR_STOPPED) {
		if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
			start.connected(start.arg, first);
			first = false;
		}
	}
	close_pair(start.pair);
	return NULL;
}

/* Inproc names are per context; a counter keeps a new monitor's name from meeting one whose
 * socket libzmq has not finished closing. */
static void monitor_endpoint(char *out, size_t size)
{
	static atomic_uint next;

	snprintf(out, size, "inproc://mapistore-mgmt-monitor-%u", atomic_fetch_add(&next, 1));
}

/* The reader connects first (inproc allows it before the bind): libzmq publishes events with a
 * blocking send, so a monitor stopped while nobody is connected to read its last event would
 * hang for ever in zmq_socket_monitor(). */
int mm_monitor_start(struct mm_monitor *monitor, void *context, void *socket,
		     mm_monitor_connected_fn *connected, void *arg)
{
	struct monitor_start *start = malloc(sizeof(*start));
	char endpoint[64];

	monitor->running = false;
	if (!start)
		return -1;
	*start = (struct monitor_start){zmq_socket(context, ZMQ_PAIR), connected, arg};
	monitor_endpoint(endpoint, sizeof(endpoint));
	if (!start->pair || zmq_connect(start->pair, endpoint) != 0 ||
	    zmq_socket_monitor(socket, endpoint, MM_MONITOR_EVENTS) != 0) {
		if (start->pair)
			close_pair(start->pair);
		free(start);
		return -1;
	}
	if (pthread_create(&monitor->thread, NULL, monitor_main, start) != 0) {
		zmq_socket_monitor(socket, NULL, 0); /* its last event waits unread: no block */
		close_pair(start->pair);
		free(start);
		return -1;
	}
	monitor->running = true;
	return 0;
}

/* Stopping sends ZMQ_EVENT_MONITOR_STOPPED, the thread's cue to close its socket and end. */
void mm_monitor_stop(struct mm_monitor *monitor, void *socket)
{
	if (!monitor->running)
		return;
	zmq_socket_monitor(socket, NULL, 0);
	pthread_join(monitor->thread, NULL);
	monitor->running = false;
}

void mm_monitor_abandon(struct mm_monitor *monitor)
{
	if (monitor->running)
		pthread_detach(monitor->thread);
	monitor->running = false;
}
