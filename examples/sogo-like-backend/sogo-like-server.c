/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sogo-like-server - an OpenChange server process serving USER with the SOGo-like backend:
 * it opens USER's mail context (which registers USER with the notifier), subscribes to USER's
 * new-mail notifications, and resolves each one to its message's mapistore URI with the
 * backend's generate_uri, as OCSManager once did, printing it.
 *
 *   sogo-like-server USER [--count N]
 *       runs until SIGTERM or SIGINT, or until N notifications have come
 *   sogo-like-server --generate-uri USERNAME FOLDER MESSAGE [ROOT_URI]
 *       prints what generate_uri gives ("-" stands for NULL)
 *
 * The notifier's endpoints come from the environment (MAPISTORE_MGMT_ENDPOINT,
 * MAPISTORE_MGMT_NEWMAIL_ENDPOINT) or are the defaults.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "sogo-backend.h"

static int usage(void)
{
	fprintf(stderr, "usage: sogo-like-server USER [--count N]\n"
			"       sogo-like-server --generate-uri USERNAME FOLDER MESSAGE [ROOT_URI]\n");
	return 2;
}

static const char *argument(const char *text)
{
	return strcmp(text, "-") == 0 ? NULL : text;
}

static int print_uri(int argc, char **argv)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	char *uri;
	int rc;

	if (argc != 5 && argc != 6)
		return usage();
	rc = sogo_generate_uri(mem_ctx, argument(argv[2]), argument(argv[3]), argument(argv[4]),
			       argc == 6 ? argument(argv[5]) : NULL, &uri);
	if (rc == MAPISTORE_SUCCESS)
		printf("%s\n", uri);
	talloc_free(mem_ctx);
	return rc == MAPISTORE_SUCCESS ? 0 : 1;
}

/* Resolves one notification: the backend has the user's folders, the notification names the
 * mailbox owner (vuser), the folder and the message. */
static void resolve(const struct mapistore_mgmt_notification *n)
{
	TALLOC_CTX *mem_ctx = talloc_new(NULL);
	char *uri;
	int rc = sogo_generate_uri(mem_ctx, n->vuser, n->folder, n->message_id, NULL, &uri);

	if (rc == MAPISTORE_SUCCESS)
		printf("new mail for %s (%s, %s): %s\n", n->username, n->backend, n->vuser, uri);
	else
		fprintf(stderr, "generate_uri: %s\n", mapistore_mgmt_errstr(rc));
	talloc_free(mem_ctx);
}

/* Takes every notification waiting (the descriptor is edge-triggered: poll again only once
 * none waits). Returns how many, or -1 on an error. */
static long drain(struct mapistore_mgmt_subscriber *subscriber, long wanted)
{
	struct mapistore_mgmt_notification n;
	long count = 0;
	int rc = MAPISTORE_SUCCESS;

	while (count < wanted && (rc = mapistore_mgmt_subscriber_next(subscriber, &n)) ==
					 MAPISTORE_SUCCESS) {
		resolve(&n);
		mapistore_mgmt_notification_clear(&n);
		count++;
	}
	if (count < wanted && rc != MAPISTORE_ERR_NOT_AVAILABLE) {
		fprintf(stderr, "next: %s\n", mapistore_mgmt_errstr(rc));
		return -1;
	}
	return count;
}

/* Until `wanted` notifications have come or a signal in `stop` arrives. */
static int serve(struct mapistore_mgmt_subscriber *subscriber, const sigset_t *stop,
		 long wanted)
{
	struct pollfd items[2] = {{.events = POLLIN}, {.events = POLLIN}};
	long count;

	items[1].fd = signalfd(-1, stop, SFD_CLOEXEC);
	if (items[1].fd < 0 ||
	    mapistore_mgmt_subscriber_fd(subscriber, &items[0].fd) != MAPISTORE_SUCCESS)
		return 1;
	while ((count = drain(subscriber, wanted)) >= 0 && (wanted -= count) > 0) {
		if (poll(items, 2, -1) < 0 && errno != EINTR)
			break;
		if (items[1].revents)
			break;
	}
	close(items[1].fd);
	return count < 0;
}

int main(int argc, char **argv)
{
	struct mapistore_mgmt_subscriber *subscriber;
	struct mapistore_mgmt_subscriber_stats stats;
	static const char *const folders[] = {"mail"};
	TALLOC_CTX *session;
	long wanted = LONG_MAX;
	sigset_t stop;
	char *end;
	int rc;

	if (argc >= 2 && strcmp(argv[1], "--generate-uri") == 0)
		return print_uri(argc, argv);
	if (argc != 2 && argc != 4)
		return usage();
	if (argc == 4) {
		errno = 0;
		wanted = strtol(argv[3], &end, 10);
		if (strcmp(argv[2], "--count") != 0 || errno || *end || wanted < 1)
			return usage();
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, NULL);

	session = sogo_session_open(argv[1], folders, 1);
	if (!session)
		return 1;
	rc = mapistore_mgmt_subscriber_new(NULL, &subscriber);
	if (rc == MAPISTORE_SUCCESS)
		rc = mapistore_mgmt_subscriber_subscribe(subscriber, argv[1]);
	if (rc != MAPISTORE_SUCCESS) {
		fprintf(stderr, "subscriber: %s\n", mapistore_mgmt_errstr(rc));
		return 1;
	}
	printf("subscribed to new mail for %s\n", argv[1]);
	rc = serve(subscriber, &stop, wanted);
	if (mapistore_mgmt_subscriber_get_stats(subscriber, &stats, sizeof(stats)) ==
	    MAPISTORE_SUCCESS)
		printf("notifications: %llu delivered, %llu malformed\n",
		       (unsigned long long)stats.delivered, (unsigned long long)stats.malformed);
	mapistore_mgmt_subscriber_destroy(&subscriber);
	talloc_free(session); /* the context's destructor unregisters */
	return rc;
}
