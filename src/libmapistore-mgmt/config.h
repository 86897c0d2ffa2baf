/* SPDX-License-Identifier: GPL-3.0-or-later */
/* config.h - endpoint, heartbeat interval, queue bound, linger and triple limit: defaults,
 * environment, explicit options, and their checks. */
#ifndef MM_CONFIG_H
#define MM_CONFIG_H

#include <stdbool.h>

#include <mapistore/mapistore_mgmt.h>

#define MM_ENDPOINT_MAX 1024
#define MM_KEY_PATH_MAX 4096

#define MM_DEFAULT_HEARTBEAT_MS 5000u
#define MM_DEFAULT_QUEUE_LIMIT 10000u
#define MM_DEFAULT_LINGER_MS 200u

/* Accepted ranges (environment and mapistore_mgmt_configure() alike). */
#define MM_HEARTBEAT_MS_MIN MAPISTORE_MGMT_HEARTBEAT_MS_MIN
#define MM_HEARTBEAT_MS_MAX MAPISTORE_MGMT_HEARTBEAT_MS_MAX
#define MM_QUEUE_LIMIT_MIN 1u
#define MM_QUEUE_LIMIT_MAX 10000000u
#define MM_LINGER_MS_MAX 60000u
#define MM_MAX_TRIPLES_MIN 1u
#define MM_MAX_TRIPLES_MAX 10000000u

struct mm_config {
	char endpoint[MM_ENDPOINT_MAX];
	unsigned int heartbeat_ms;
	unsigned int queue_limit;
	unsigned int linger_ms;
	unsigned int max_triples;
	bool batching; /* batch frames (docs/protocol.md); off for a notifier that predates them */
	/* CURVE key files (curve.h); empty: none. */
	char curve_server_key_file[MM_KEY_PATH_MAX];
	char curve_secret_key_file[MM_KEY_PATH_MAX];
};

/* The sockets' names in the default directory: the notifier's PULL side, and its PUB side
 * for new-mail notifications. */
#define MM_NOTIFY_SOCKET "notify.sock"
#define MM_NEWMAIL_SOCKET "newmail.sock"

/* True for "ipc://PATH" (PATH fits a Unix socket address) and "tcp://HOST:PORT". */
bool mm_config_endpoint_valid(const char *endpoint);

/* ipc://$XDG_RUNTIME_DIR/mapistore-mgmt/<socket_name>, or under /tmp when XDG_RUNTIME_DIR is
 * unset, empty or too long; `out` holds MM_ENDPOINT_MAX bytes. */
void mm_config_default_endpoint(char *out, const char *socket_name);

/* The notifier's PUB socket when nothing names it (src/newmail/config.ts): newmail.sock beside
 * the PULL socket of MAPISTORE_MGMT_ENDPOINT when that is a valid ipc endpoint (and the new
 * path fits a socket address), else mm_config_default_endpoint()'s; `out` holds
 * MM_ENDPOINT_MAX bytes. */
void mm_config_default_newmail_endpoint(char *out);

/* The built-in defaults overridden by the MAPISTORE_MGMT_* environment variables; a variable
 * that is empty or fails the checks is ignored (a library inside a daemon has nowhere to
 * complain). */
void mm_config_from_environment(struct mm_config *config);

/* Applies the non-zero fields of `options` to `config` when every one passes the checks;
 * returns MAPISTORE_SUCCESS, or MAPISTORE_ERR_INVALID_PARAMETER with `config` unchanged. */
int mm_config_apply(struct mm_config *config, const struct mapistore_mgmt_options *options);

#endif
