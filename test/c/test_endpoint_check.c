/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The library sends nothing into an ipc directory that could be another user's: it holds the
 * messages, says why in its stats (endpoint_error), and sends them once the directory is
 * trusted. The rule itself (endpoint_check.c) against real directories: owned by another user,
 * writable by others, a symbolic link, missing, and systemd's RuntimeDirectory case. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <mapistore/mapistore_mgmt.h>

#include "check.h"
#include "endpoint_check.h"
#include "receiver.h"
#include "temp_dir.h"

#define NOBODY 65534
#define WAIT_MS 10000

static void make_dir(char *out, size_t size, const char *parent, const char *name, mode_t mode)
{
	CHECK((size_t)snprintf(out, size, "%s/%s", parent, name) < size);
	CHECK(mkdir(out, 0700) == 0 && chmod(out, mode) == 0);
}

static int check_dir(const char *dir)
{
	char endpoint[600], why[1200];
	int rc;

	snprintf(endpoint, sizeof(endpoint), "ipc://%s/notify.sock", dir);
	why[0] = '\0';
	rc = mm_endpoint_check(endpoint, why, sizeof(why));
	CHECK(rc == MAPISTORE_SUCCESS ? why[0] == '\0' : strstr(why, dir) != NULL);
	return rc;
}

static struct mapistore_mgmt_stats stats_now(void)
{
	struct mapistore_mgmt_stats stats;

	CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
	return stats;
}

/* Another user's directory in `open_parent` (which anyone may write): refused, nothing sent,
 * held; once root owns it, delivered. */
static void check_library_holds(const char *open_parent)
{
	struct mapistore_connection_info conn_info = {.username = "jdoe"};
	struct mapistore_mgmt_stats stats;
	struct receiver squatter;
	struct frame frame;
	char dir[512], endpoint[600];
	uint64_t deadline;
	bool registered;

	make_dir(dir, sizeof(dir), open_parent, "squatted", 0755);
	CHECK(chown(dir, NOBODY, NOBODY) == 0);
	snprintf(endpoint, sizeof(endpoint), "ipc://%s/notify.sock", dir);
	receiver_bind(&squatter, endpoint);
	configure_library(endpoint, MAPISTORE_MGMT_HEARTBEAT_MS_MAX, 100);
	CHECK(mapistore_mgmt_backend_register_user(&conn_info, "SOGo", "jdoe") == MAPISTORE_SUCCESS);
	deadline = now_ms() + WAIT_MS;
	while ((stats = stats_now()).endpoint_error != MAPISTORE_ERR_DENIED && now_ms() < deadline)
		sleep_ms(5);
	CHECK(stats.endpoint_error == MAPISTORE_ERR_DENIED);
	CHECK(stats.messages_sent == 0 && stats.queue_length >= 1);
	CHECK(!receiver_next(&squatter, &frame, 0));

	CHECK(chown(dir, 0, 0) == 0); /* the directory is root's now: trusted */
	do {
		CHECK(receiver_next(&squatter, &frame, WAIT_MS));
		registered = frame.kind == 1 && strcmp(frame.username, "jdoe") == 0;
		frame_free(&frame);
	} while (!registered);
	CHECK(stats_now().endpoint_error == MAPISTORE_SUCCESS);
	mapistore_mgmt_shutdown();
	receiver_close(&squatter);
}

int main(void)
{
	char base[64];
	char dir[512], link[512], runtime[512], given[512];

	temp_dir_make(base, sizeof(base));
	CHECK(chmod(base, 0755) == 0);

	make_dir(dir, sizeof(dir), base, "own", 0750);
	CHECK(check_dir(dir) == MAPISTORE_SUCCESS);
	CHECK(mm_endpoint_check("tcp://127.0.0.1:7", NULL, 0) == MAPISTORE_SUCCESS);

	make_dir(dir, sizeof(dir), base, "open", 0777);
	CHECK(check_dir(dir) == MAPISTORE_ERR_DENIED);
	make_dir(dir, sizeof(dir), base, "group-writable", 0770);
	CHECK(check_dir(dir) == MAPISTORE_ERR_DENIED);

	snprintf(link, sizeof(link), "%s/link", base);
	CHECK(symlink(base, link) == 0);
	CHECK(check_dir(link) == MAPISTORE_ERR_DENIED);

	snprintf(dir, sizeof(dir), "%s/missing", base);
	CHECK(check_dir(dir) == MAPISTORE_ERR_NO_DIRECTORY);

	if (geteuid() == 0) {
		/* Another user's directory where anyone could have made it: refused. */
		make_dir(dir, sizeof(dir), base, "open-parent", 01777); /* as /tmp */
		make_dir(given, sizeof(given), dir, "theirs", 0755);
		CHECK(chown(given, NOBODY, NOBODY) == 0);
		CHECK(check_dir(given) == MAPISTORE_ERR_DENIED);
		/* systemd's RuntimeDirectory: made by root in a root-only directory, then given to
		 * the notifier's user. */
		make_dir(runtime, sizeof(runtime), base, "run", 0755);
		make_dir(given, sizeof(given), runtime, "mapistore-mgmt", 0750);
		CHECK(chown(given, NOBODY, NOBODY) == 0);
		CHECK(check_dir(given) == MAPISTORE_SUCCESS);
		check_library_holds(dir);
	}
	printf("ipc directories checked%s\n", geteuid() == 0 ? ", with other users' ones" : "");
	CHECK(temp_dir_remove(base));
	return 0;
}
