/* SPDX-License-Identifier: GPL-3.0-or-later */
/* curve.h - the library's CURVE keys for a notifier that requires them (tcp): the server's
 * public key and this process's secret key, each read from a file given by option or
 * environment; the public key is derived from the secret one. Key material is never logged. */
#ifndef MM_CURVE_H
#define MM_CURVE_H

#include <stdbool.h>

#include "config.h"

#define MM_Z85_KEY_LEN 40

struct mm_curve_keys {
	bool enabled; /* both files configured: the socket is a CURVE client */
	char server_public[MM_Z85_KEY_LEN + 1];
	char public_key[MM_Z85_KEY_LEN + 1];
	char secret_key[MM_Z85_KEY_LEN + 1];
};

/*
 * Reads the keys `config` names. MAPISTORE_SUCCESS (keys->enabled false when neither file is
 * configured); MAPISTORE_ERR_INVALID_PARAMETER when only one is; MAPISTORE_ERR_NOT_FOUND when a
 * file cannot be read; MAPISTORE_ERR_DENIED when the secret key's file may be read or written by
 * others; MAPISTORE_ERR_INVALID_DATA when a file holds no 40-character Z85 key. On any error
 * nothing is sent: never in clear to a notifier that was meant to be reached with CURVE.
 */
int mm_curve_load(const struct mm_config *config, struct mm_curve_keys *keys);

/* Makes `socket` a CURVE client with `keys` (enabled). Returns 0, or -1 (errno from libzmq). */
int mm_curve_apply(void *socket, const struct mm_curve_keys *keys);

/* Wipes the keys from memory. */
void mm_curve_forget(struct mm_curve_keys *keys);

#endif
