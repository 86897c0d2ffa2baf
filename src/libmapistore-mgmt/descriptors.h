/* SPDX-License-Identifier: GPL-3.0-or-later */
/* descriptors.h - file descriptor headroom for libzmq, and a watch over the ones it holds.
 * libzmq 4.3 does not fail when it cannot open a descriptor it needs, or finds one of its own
 * closed: it aborts the whole process (errno_assert). So the sender proves the descriptors
 * can be had before each libzmq call that opens some, and checks the ones its context holds
 * before each call that uses them. */
#ifndef MM_DESCRIPTORS_H
#define MM_DESCRIPTORS_H

#include <stdbool.h>
#include <sys/types.h>

/* What libzmq 4.3 opens, in this order, each at the lowest free number: zmq_ctx_new() one
 * (the context's mailbox), its first zmq_socket() five (the reaper's mailbox and epoll, the
 * I/O thread's mailbox and epoll, the socket's mailbox), every later zmq_socket() one (its
 * mailbox), and each connection one (the I/O thread retries when it cannot, it never
 * aborts there). A socket monitor (monitor.h) is two more sockets: the PAIR socket
 * zmq_socket_monitor() opens to publish the events, and the PAIR socket that reads them. */
#define MM_ZMQ_CONTEXT_FDS 5 /* the context's mailbox, the reaper's and I/O thread's pairs */
#define MM_ZMQ_SOCKET_FDS 1
#define MM_ZMQ_MONITOR_FDS (2 * MM_ZMQ_SOCKET_FDS)
#define MM_ZMQ_CONNECTION_FDS 1
#define MM_DESCRIPTORS_MAX                                                          \
	(MM_ZMQ_CONTEXT_FDS + MM_ZMQ_SOCKET_FDS + MM_ZMQ_MONITOR_FDS + MM_ZMQ_CONNECTION_FDS)

/* Descriptors opened to prove they could be: their numbers, lowest first. */
struct mm_descriptor_probe {
	int fds[MM_DESCRIPTORS_MAX];
	unsigned int count;
};

/* Opens `count` (at most MM_DESCRIPTORS_MAX) descriptors and closes them again. True when all
 * could be opened; `probe` then holds their numbers, the ones libzmq's next descriptors will
 * take (unless another thread opens one meanwhile). */
bool mm_descriptors_probe(struct mm_descriptor_probe *probe, unsigned int count);

/* The identity of a descriptor libzmq holds. */
struct mm_descriptor {
	int fd;
	dev_t dev;
	ino_t ino;
	mode_t mode;
};

/* Descriptors held by one libzmq object, checked before it is used. */
struct mm_descriptor_watch {
	struct mm_descriptor fds[MM_DESCRIPTORS_MAX];
	unsigned int count;
};

/* Watches probe->fds[first .. first + count), those of them now open and not sockets (the
 * mailboxes and epolls libzmq opened there). */
void mm_descriptors_watch(struct mm_descriptor_watch *watch,
			  const struct mm_descriptor_probe *probe, unsigned int first,
			  unsigned int count);

/* True while every watched descriptor is open and still the same file. A descriptor closed
 * and reopened as the same kind of anonymous file (an eventfd for an eventfd) cannot be told
 * apart. */
bool mm_descriptors_intact(const struct mm_descriptor_watch *watch);

#endif
