/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A CURVE key file that is a FIFO (nobody writing to it) is refused as a file that is not a
 * regular file, in either place: the library's thread never waits for a writer, the host's
 * calls return, and stats.endpoint_error says MAPISTORE_ERR_NOT_FOUND. Real key files in
 * between show the thread moving on from each refusal. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>

#include <mapistore/mapistore_mgmt.h>

#include "check.h"
#include "receiver.h"
#include "temp_dir.h"

#define HANG_GUARD_MS 30000

static void write_key(const char *dir, const char *name, const char *key, char *path,
		      size_t size)
{
	FILE *file;

	CHECK((size_t)snprintf(path, size, "%s/%s", dir, name) < size);
	file = fopen(path, "w");
	CHECK(file != NULL && fprintf(file, "%s\n", key) > 0 && fclose(file) == 0);
	CHECK(chmod(path, 0600) == 0);
}

static void use_keys(const char *server_key_file, const char *secret_key_file)
{
	struct mapistore_mgmt_options options = MAPISTORE_MGMT_OPTIONS_INIT;

	options.curve_server_key_file = server_key_file;
	options.curve_secret_key_file = secret_key_file;
	CHECK(mapistore_mgmt_configure(&options) == MAPISTORE_SUCCESS);
}

/* The host's calls keep returning while the thread reads the key files; it reports `code`. */
static void wait_for_endpoint_error(int code)
{
	struct mapistore_connection_info conn_info = {.username = "jdoe"};
	struct mapistore_mgmt_stats stats;
	uint64_t give_up_ms = now_ms() + HANG_GUARD_MS;

	CHECK(mapistore_mgmt_backend_register_user(&conn_info, "SOGo", "mail") == MAPISTORE_SUCCESS);
	for (;;) {
		CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
		if (stats.endpoint_error == code)
			return;
		if (now_ms() > give_up_ms)
			fprintf(stderr, "endpoint_error is %s, expected %s\n",
				mapistore_mgmt_errname(stats.endpoint_error),
				mapistore_mgmt_errname(code));
		CHECK(now_ms() <= give_up_ms);
		sleep_ms(5);
	}
}

int main(void)
{
	char dir[64], fifo[128], server_pub[128], backend_key[128];
	char server_public[41], server_secret[41], backend_public[41], backend_secret[41];
	struct receiver receiver;

	temp_dir_make(dir, sizeof(dir));
	CHECK((size_t)snprintf(fifo, sizeof(fifo), "%s/fifo.key", dir) < sizeof(fifo));
	CHECK(mkfifo(fifo, 0600) == 0);
	CHECK(zmq_curve_keypair(server_public, server_secret) == 0);
	CHECK(zmq_curve_keypair(backend_public, backend_secret) == 0);
	write_key(dir, "server.pub", server_public, server_pub, sizeof(server_pub));
	write_key(dir, "backend.key", backend_secret, backend_key, sizeof(backend_key));
	/* A trusted ipc directory: the key files are the only thing that can hold messages. */
	receiver_open(&receiver, "ipc");
	configure_library(receiver.endpoint, MAPISTORE_MGMT_HEARTBEAT_MS_MAX, 0);

	use_keys(fifo, backend_key);
	wait_for_endpoint_error(MAPISTORE_ERR_NOT_FOUND);
	use_keys(server_pub, backend_key);
	wait_for_endpoint_error(MAPISTORE_SUCCESS);
	use_keys(server_pub, fifo);
	wait_for_endpoint_error(MAPISTORE_ERR_NOT_FOUND);

	CHECK(mapistore_mgmt_shutdown() == MAPISTORE_SUCCESS);
	receiver_close(&receiver);
	CHECK(temp_dir_remove(dir));
	printf("a FIFO as either CURVE key file is refused (MAPISTORE_ERR_NOT_FOUND), never waited on\n");
	return 0;
}
