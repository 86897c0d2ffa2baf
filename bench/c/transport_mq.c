/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * transport_mq.c - the original transport: a non-blocking POSIX mq_send of a register frame to
 * a queue that a thread of this process drains. The queue is as deep as the system allows
 * (/proc/sys/fs/mqueue/msg_max) for an unprivileged process.
 */
#include "transport.h"

#include "frame.h"

#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static char name[64];
static mqd_t sender = (mqd_t)-1;
static mqd_t receiver = (mqd_t)-1;
static pthread_t drainer;
static uint8_t frame[FRAME_MAX];
static size_t frame_len;

static long queue_depth(void)
{
	long depth = 10;
	FILE *f = fopen("/proc/sys/fs/mqueue/msg_max", "r");
	if (f != NULL) {
		if (fscanf(f, "%ld", &depth) != 1)
			depth = 10;
		fclose(f);
	}
	return depth;
}

/* Receives until the one-byte stop message. */
static void *drain(void *unused)
{
	uint8_t buffer[FRAME_MAX];
	(void)unused;
	while (mq_receive(receiver, (char *)buffer, sizeof buffer, NULL) != 1)
		;
	return NULL;
}

static int mq_open_queue(const char *endpoint)
{
	struct mq_attr attr = {0};
	(void)endpoint;
	attr.mq_maxmsg = queue_depth();
	attr.mq_msgsize = FRAME_MAX;
	frame_len = frame_register(frame, "SOGo", "jdoe", "jdoe");
	snprintf(name, sizeof name, "/mapistore-mgmt-bench-%d", (int)getpid());
	receiver = mq_open(name, O_CREAT | O_EXCL | O_RDONLY, 0600, &attr);
	if (receiver == (mqd_t)-1)
		return -1;
	sender = mq_open(name, O_WRONLY | O_NONBLOCK);
	if (sender == (mqd_t)-1)
		return -1;
	return pthread_create(&drainer, NULL, drain, NULL) == 0 ? 0 : -1;
}

static enum call_result mq_call(unsigned long i)
{
	(void)i;
	if (mq_send(sender, (const char *)frame, frame_len, 0) == 0)
		return CALL_ACCEPTED;
	return errno == EAGAIN ? CALL_REFUSED : CALL_FAILED;
}

static void mq_close_queue(void)
{
	while (mq_send(sender, "", 1, 0) != 0 && errno == EAGAIN)
		usleep(100);
	pthread_join(drainer, NULL);
	mq_close(sender);
	mq_close(receiver);
	mq_unlink(name);
}

const struct transport transport_mq = {"mq", mq_open_queue, mq_call, mq_close_queue};
