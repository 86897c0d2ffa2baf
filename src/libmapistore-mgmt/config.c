/* SPDX-License-Identifier: GPL-3.0-or-later */
/* config.c - where the library's settings come from, and what values are accepted. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "decimal.h"

#define MM_IPC_PREFIX "ipc://"
#define MM_TCP_PREFIX "tcp://"

static bool starts_with(const char *text, const char *prefix)
{
	return strncmp(text, prefix, strlen(prefix)) == 0;
}

/* "tcp://HOST:PORT" with a host to connect to (not a bind wildcard) and a port 1..65535. */
static bool tcp_address_valid(const char *address)
{
	const char *colon = strrchr(address, ':');
	unsigned int port;

	if (!colon || colon == address || address[0] == '*')
		return false;
	return mm_decimal_parse(colon + 1, &port) && port >= 1 && port <= 65535;
}

/* ipc:// and tcp:// only (inproc cannot cross processes); an ipc path must fit a Unix
 * socket address, or libzmq would refuse it later, far from the caller. */
bool mm_config_endpoint_valid(const char *endpoint)
{
	size_t len = strnlen(endpoint, MM_ENDPOINT_MAX);

	if (len >= MM_ENDPOINT_MAX)
		return false;
	if (starts_with(endpoint, MM_IPC_PREFIX)) {
		size_t path_len = len - strlen(MM_IPC_PREFIX);

		return path_len > 0 && path_len < sizeof(((struct sockaddr_un *)0)->sun_path);
	}
	if (starts_with(endpoint, MM_TCP_PREFIX))
		return tcp_address_valid(endpoint + strlen(MM_TCP_PREFIX));
	return false;
}

static bool in_range(unsigned int value, unsigned int min, unsigned int max)
{
	return value >= min && value <= max;
}

/* A decimal variable within [min, max], else `fallback`. */
static unsigned int env_number(const char *name, unsigned int min, unsigned int max,
			       unsigned int fallback)
{
	unsigned int value;

	if (!mm_decimal_parse(getenv(name), &value) || !in_range(value, min, max))
		return fallback;
	return value;
}

/* The notifier's default too (src/server/defaults.ts): root's own directory under /run;
 * another user's $XDG_RUNTIME_DIR, else a directory under /tmp named after the uid (never one
 * shared by users, which the first to make it would own). */
void mm_config_default_endpoint(char *out, const char *socket_name)
{
	const char *runtime_dir = getenv("XDG_RUNTIME_DIR");
	unsigned int uid = (unsigned int)geteuid();

	if (uid == 0) {
		snprintf(out, MM_ENDPOINT_MAX, "ipc:///run/mapistore-mgmt/%s", socket_name);
		return;
	}
	if (runtime_dir && *runtime_dir &&
	    (size_t)snprintf(out, MM_ENDPOINT_MAX, "ipc://%s/mapistore-mgmt/%s", runtime_dir,
			     socket_name) < MM_ENDPOINT_MAX &&
	    mm_config_endpoint_valid(out))
		return;
	snprintf(out, MM_ENDPOINT_MAX, "ipc:///tmp/mapistore-mgmt-%u/%s", uid, socket_name);
}

void mm_config_default_newmail_endpoint(char *out)
{
	const char *endpoint = getenv("MAPISTORE_MGMT_ENDPOINT");

	if (endpoint && starts_with(endpoint, MM_IPC_PREFIX) && mm_config_endpoint_valid(endpoint)) {
		/* Up to the path's last '/' (or the prefix's, for a relative path of one name). */
		int directory_len = (int)(strrchr(endpoint, '/') + 1 - endpoint);

		if (snprintf(out, MM_ENDPOINT_MAX, "%.*s%s", directory_len, endpoint,
			     MM_NEWMAIL_SOCKET) < MM_ENDPOINT_MAX &&
		    mm_config_endpoint_valid(out))
			return;
	}
	mm_config_default_endpoint(out, MM_NEWMAIL_SOCKET);
}

/* `path` into `out` when it fits (an empty path: none); false when it does not. */
static bool set_path(char *out, const char *path)
{
	if (strnlen(path, MM_KEY_PATH_MAX) >= MM_KEY_PATH_MAX)
		return false;
	strcpy(out, path);
	return true;
}

static void env_path(const char *name, char *out)
{
	const char *path = getenv(name);

	if (!path || !set_path(out, path))
		out[0] = '\0';
}

void mm_config_from_environment(struct mm_config *config)
{
	const char *endpoint = getenv("MAPISTORE_MGMT_ENDPOINT");

	if (endpoint && mm_config_endpoint_valid(endpoint))
		strcpy(config->endpoint, endpoint);
	else
		mm_config_default_endpoint(config->endpoint, MM_NOTIFY_SOCKET);
	config->heartbeat_ms = env_number("MAPISTORE_MGMT_HEARTBEAT_MS", MM_HEARTBEAT_MS_MIN,
					  MM_HEARTBEAT_MS_MAX, MM_DEFAULT_HEARTBEAT_MS);
	config->queue_limit = env_number("MAPISTORE_MGMT_QUEUE_LIMIT", MM_QUEUE_LIMIT_MIN,
					 MM_QUEUE_LIMIT_MAX, MM_DEFAULT_QUEUE_LIMIT);
	config->linger_ms =
		env_number("MAPISTORE_MGMT_LINGER_MS", 0, MM_LINGER_MS_MAX, MM_DEFAULT_LINGER_MS);
	config->max_triples = env_number("MAPISTORE_MGMT_MAX_TRIPLES", MM_MAX_TRIPLES_MIN,
					 MM_MAX_TRIPLES_MAX, MAPISTORE_MGMT_MAX_TRIPLES);
	env_path("MAPISTORE_MGMT_CURVE_SERVER_KEY_FILE", config->curve_server_key_file);
	env_path("MAPISTORE_MGMT_CURVE_SECRET_KEY_FILE", config->curve_secret_key_file);
	config->batching = env_number("MAPISTORE_MGMT_BATCHING", 0, 1, 1) == 1;
}

/* The struct as version 1.0.0 had it: the fields up to linger_ms. */
#define MM_OPTIONS_SIZE_1_0 offsetof(struct mapistore_mgmt_options, max_triples)

int mm_config_apply(struct mm_config *config, const struct mapistore_mgmt_options *options)
{
	const char *curve_server_key_file = NULL, *curve_secret_key_file = NULL;
	unsigned int max_triples = 0, batching = 0;

	if (!options || (options->size != sizeof(*options) && options->size != MM_OPTIONS_SIZE_1_0))
		return MAPISTORE_ERR_INVALID_PARAMETER;
	if (options->size == sizeof(*options)) {
		max_triples = options->max_triples;
		curve_server_key_file = options->curve_server_key_file;
		curve_secret_key_file = options->curve_secret_key_file;
		batching = options->batching;
	}
	if ((options->endpoint && !mm_config_endpoint_valid(options->endpoint)) ||
	    (options->heartbeat_ms &&
	     !in_range(options->heartbeat_ms, MM_HEARTBEAT_MS_MIN, MM_HEARTBEAT_MS_MAX)) ||
	    (options->queue_limit &&
	     !in_range(options->queue_limit, MM_QUEUE_LIMIT_MIN, MM_QUEUE_LIMIT_MAX)) ||
	    options->linger_ms > MM_LINGER_MS_MAX ||
	    (max_triples && !in_range(max_triples, MM_MAX_TRIPLES_MIN, MM_MAX_TRIPLES_MAX)) ||
	    batching > MAPISTORE_MGMT_BATCHING_OFF ||
	    (curve_server_key_file &&
	     strnlen(curve_server_key_file, MM_KEY_PATH_MAX) >= MM_KEY_PATH_MAX) ||
	    (curve_secret_key_file &&
	     strnlen(curve_secret_key_file, MM_KEY_PATH_MAX) >= MM_KEY_PATH_MAX))
		return MAPISTORE_ERR_INVALID_PARAMETER;
	if (options->endpoint)
		strcpy(config->endpoint, options->endpoint);
	if (options->heartbeat_ms)
		config->heartbeat_ms = options->heartbeat_ms;
	if (options->queue_limit)
		config->queue_limit = options->queue_limit;
	if (options->linger_ms)
		config->linger_ms = options->linger_ms;
	if (max_triples)
		config->max_triples = max_triples;
	if (batching)
		config->batching = batching == MAPISTORE_MGMT_BATCHING_ON;
	if (curve_server_key_file)
		set_path(config->curve_server_key_file, curve_server_key_file);
	if (curve_secret_key_file)
		set_path(config->curve_secret_key_file, curve_secret_key_file);
	return MAPISTORE_SUCCESS;
}
