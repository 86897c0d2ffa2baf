/* SPDX-License-Identifier: GPL-3.0-or-later */
/* descriptors.c - probing for free descriptors, and checking the ones libzmq holds. */
#include "descriptors.h"

#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

/* An eventfd needs no file system (a chroot has no /dev/null) and is what libzmq opens. */
bool mm_descriptors_probe(struct mm_descriptor_probe *probe, unsigned int count)
{
	bool enough = true;

	probe->count = 0;
	while (probe->count < count && probe->count < MM_DESCRIPTORS_MAX) {
		int fd = eventfd(0, EFD_CLOEXEC);

		if (fd < 0) {
			enough = false;
			break;
		}
		probe->fds[probe->count++] = fd;
	}
	for (unsigned int i = 0; i < probe->count; i++)
		close(probe->fds[i]);
	return enough && probe->count == count;
}

void mm_descriptors_watch(struct mm_descriptor_watch *watch,
			  const struct mm_descriptor_probe *probe, unsigned int first,
			  unsigned int count)
{
	watch->count = 0;
	for (unsigned int i = first; i < first + count && i < probe->count; i++) {
		struct stat status;

		/* libzmq's own are eventfds and epolls: a socket there is a connection's. */
		if (fstat(probe->fds[i], &status) == 0 && !S_ISSOCK(status.st_mode))
			watch->fds[watch->count++] = (struct mm_descriptor){
				probe->fds[i], status.st_dev, status.st_ino, status.st_mode};
	}
}

bool mm_descriptors_intact(const struct mm_descriptor_watch *watch)
{
	for (unsigned int i = 0; i < watch->count; i++) {
		const struct mm_descriptor *held = &watch->fds[i];
		struct stat status;

		if (fstat(held->fd, &status) != 0 || status.st_dev != held->dev ||
		    status.st_ino != held->ino || status.st_mode != held->mode)
			return false;
	}
	return true;
}
