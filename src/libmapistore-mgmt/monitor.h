/* SPDX-License-Identifier: GPL-3.0-or-later */
/* monitor.h - each connection the link's PUSH socket completes, reported as it happens, so
 * that the sender can send its whole set at once to a notifier that may have restarted
 * without it. libzmq tells it through a socket monitor: events on an inproc PAIR socket. The
 * sender thread sleeps on a condition variable the host's threads signal, and cannot wait on
 * a socket as well, so a thread of the monitor's own sleeps in zmq_msg_recv() on the PAIR
 * socket and calls back. Only the sender thread starts, stops or abandons a monitor. */
#ifndef MM_MONITOR_H
#define MM_MONITOR_H

#include <pthread.h>
#include <stdbool.h>

/* Called on the monitor's thread, no lock held, once the peer has taken the ZMTP handshake
 * (ZMQ_EVENT_HANDSHAKE_SUCCEEDED: with or without CURVE, it then takes messages); `first` for
 * the socket's first connection. */
typedef void mm_monitor_connected_fn(void *arg, bool first);

struct mm_monitor {
	pthread_t thread;
	bool running;
};

/* No lock held. Starts watching `socket` (of `context`), before it connects. Opens
 * MM_ZMQ_MONITOR_FDS descriptors (descriptors.h), which the caller has proven free. Returns
 * 0, or -1 with nothing left open: the link then works unmonitored. */
int mm_monitor_start(struct mm_monitor *monitor, void *context, void *socket,
		     mm_monitor_connected_fn *connected, void *arg);

/* No lock held (its thread may be waiting for the state's lock in the callback). Stops
 * watching `socket` and waits for the thread, which closes its PAIR socket. Nothing when the
 * monitor is not running. */
void mm_monitor_stop(struct mm_monitor *monitor, void *socket);

/* The context is abandoned (never used or closed again): the thread, asleep on it, is
 * detached and left there. */
void mm_monitor_abandon(struct mm_monitor *monitor);

#endif
