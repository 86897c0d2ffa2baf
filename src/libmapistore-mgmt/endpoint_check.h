/* SPDX-License-Identifier: GPL-3.0-or-later */
/* endpoint_check.h - whether an ipc endpoint's directory may be trusted with the usernames the
 * library sends: one only root or this user could have made, that nobody else may write. */
#ifndef MM_ENDPOINT_CHECK_H
#define MM_ENDPOINT_CHECK_H

#include <stddef.h>

/*
 * MAPISTORE_SUCCESS for a tcp endpoint, or an ipc endpoint whose directory is a real
 * directory (not a symbolic link), writable by neither its group nor others, and owned by root
 * or this process's effective uid, or else sitting in a directory that is (as systemd's
 * RuntimeDirectory given to the notifier's user under /run). MAPISTORE_ERR_NO_DIRECTORY when
 * the directory does not exist yet (connecting then would let whoever makes it receive);
 * MAPISTORE_ERR_DENIED when it could be another user's. `why` (if not NULL) gets a sentence
 * naming the directory and the reason, for any code but success.
 */
int mm_endpoint_check(const char *endpoint, char *why, size_t why_size);

#endif
