/* SPDX-License-Identifier: GPL-3.0-or-later */
/* source.c - this process's identity: host name, cached pid and a random epoch. */
#include "source.h"

#include <pthread.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "utf8.h"

/* The wire needs a non-empty UTF-8 host of at most 255 bytes; a host name that is not one
 * (unset, or a bizarre local configuration) is sent as "localhost" rather than refused. */
static void read_host(struct mm_source *source)
{
	char name[MAPISTORE_MGMT_MAX_STRING + 1] = {0};
	size_t len = 0;

	if (gethostname(name, sizeof(name) - 1) == 0)
		len = strlen(name);
	if (len == 0 || !mm_utf8_valid(name, len)) {
		strcpy(name, "localhost");
		len = strlen(name);
	}
	memcpy(source->host, name, len + 1);
	source->host_len = (uint8_t)len;
}

void mm_source_init(struct mm_source *source)
{
	read_host(source);
	source->pid = (uint32_t)getpid();
	source->epoch = 0;
}

/* getrandom() only fails before the kernel's pool is seeded (early boot) or without the
 * syscall; then the clock, the pid and an address still make sources distinct. */
static uint64_t fallback_epoch(const struct mm_source *source)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return ((uint64_t)now.tv_sec << 32) ^ (uint64_t)now.tv_nsec ^ ((uint64_t)source->pid << 20) ^
	       (uint64_t)(uintptr_t)&now;
}

/* getrandom() is a cancellation point, and this runs with the state lock held in a host's
 * thread: cancellation waits, or a cancelled thread would end holding the lock. */
void mm_source_ensure_epoch(struct mm_source *source)
{
	int cancel_state;

	if (source->epoch != 0)
		return;
	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel_state);
	while (source->epoch == 0) {
		uint64_t epoch = 0;

		if (getrandom(&epoch, sizeof(epoch), GRND_NONBLOCK) != (ssize_t)sizeof(epoch))
			epoch = fallback_epoch(source);
		source->epoch = epoch;
	}
	pthread_setcancelstate(cancel_state, NULL);
}

void mm_source_after_fork(struct mm_source *source)
{
	source->pid = (uint32_t)getpid();
	source->epoch = 0;
}
