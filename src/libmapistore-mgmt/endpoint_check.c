/* SPDX-License-Identifier: GPL-3.0-or-later */
/* endpoint_check.c - the operating system is the gate of an ipc endpoint: the library sends
 * only into a directory that root or its own user controls (docs/security.md). */
#include "endpoint_check.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mapistore/mapistore_mgmt.h>

#include "config.h"

#define MM_IPC_PREFIX "ipc://"

static bool owner_trusted(uid_t owner)
{
	return owner == 0 || owner == geteuid();
}

static bool writable_by_others(mode_t mode)
{
	return (mode & (S_IWGRP | S_IWOTH)) != 0;
}

/* `path` without its last component ("/" for a top-level name). */
static void parent_of(const char *path, char *out, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash && slash != path ? (size_t)(slash - path) : 1;

	snprintf(out, size, "%.*s", (int)len, path);
}

/* Nobody but root or this user could have made a directory inside `path`. */
static bool parent_trusted(const char *path)
{
	struct stat parent;

	return stat(path, &parent) == 0 && S_ISDIR(parent.st_mode) &&
	       owner_trusted(parent.st_uid) && !writable_by_others(parent.st_mode);
}

int mm_endpoint_check(const char *endpoint, char *why, size_t why_size)
{
	char dir[MM_ENDPOINT_MAX], parent[MM_ENDPOINT_MAX];
	struct stat st;

	if (strncmp(endpoint, MM_IPC_PREFIX, strlen(MM_IPC_PREFIX)) != 0)
		return MAPISTORE_SUCCESS;
	if (!why)
		why_size = 0;
	parent_of(endpoint + strlen(MM_IPC_PREFIX), dir, sizeof(dir));
	if (lstat(dir, &st) != 0) {
		int error = errno;

		snprintf(why, why_size, "the socket directory %s cannot be examined (%s)", dir,
			 strerror(error));
		return error == ENOENT ? MAPISTORE_ERR_NO_DIRECTORY : MAPISTORE_ERR_DENIED;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, why_size, "the socket directory %s is not a directory%s", dir,
			 S_ISLNK(st.st_mode) ? " (symbolic links are not followed)" : "");
		return MAPISTORE_ERR_DENIED;
	}
	if (writable_by_others(st.st_mode)) {
		snprintf(why, why_size,
			 "the socket directory %s is writable by its group or others (mode %03o)",
			 dir, (unsigned int)(st.st_mode & 07777));
		return MAPISTORE_ERR_DENIED;
	}
	parent_of(dir, parent, sizeof(parent));
	if (owner_trusted(st.st_uid) || parent_trusted(parent))
		return MAPISTORE_SUCCESS;
	snprintf(why, why_size,
		 "the socket directory %s belongs to uid %u, neither root nor this user (uid %u), "
		 "and %s is not root's or this user's alone",
		 dir, (unsigned int)st.st_uid, (unsigned int)geteuid(), parent);
	return MAPISTORE_ERR_DENIED;
}
