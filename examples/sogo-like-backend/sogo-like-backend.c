/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sogo-like-backend - one Outlook session as a SOGo-like mapistore backend lives it.
 *
 *   sogo-like-backend USER [--hold-ms N]
 *
 * It opens a context for each of mail, calendar and contacts, as mapistore asks a backend to
 * (one context per root folder). Creating a context registers the user with the notifier,
 * and the context's talloc destructor unregisters it: exactly where the OCSManager backend
 * requirements put the two calls (SOGo: -openContext and -dealloc of MAPIStoreContext).
 * It holds the session for N milliseconds, or until SIGTERM or SIGINT when --hold-ms is not
 * given, then frees the session (three unregisters) and exits (the library says goodbye).
 *
 * The backend itself is sogo-backend.c. The endpoint and the rest come from the environment
 * (MAPISTORE_MGMT_ENDPOINT, ...).
 * Build against an installed library: PKG_CONFIG_PATH=<prefix>/lib/pkgconfig make
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sogo-backend.h"

static int usage(void)
{
	fprintf(stderr, "usage: sogo-like-backend USER [--hold-ms N]\n");
	return 2;
}

/* Waits hold_ms milliseconds (forever when negative), or until SIGTERM or SIGINT. */
static void hold(long hold_ms)
{
	sigset_t stop;
	struct timespec timeout = {hold_ms / 1000, (hold_ms % 1000) * 1000000L};
	int rc;

	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	do
		rc = hold_ms < 0 ? sigwaitinfo(&stop, NULL) : sigtimedwait(&stop, NULL, &timeout);
	while (rc < 0 && errno == EINTR);
}

int main(int argc, char **argv)
{
	static const char *const folders[] = {"mail", "calendar", "contacts"};
	TALLOC_CTX *session;
	sigset_t stop;
	long hold_ms = -1;
	char *end;

	if (argc != 2 && argc != 4)
		return usage();
	if (argc == 4) {
		if (strcmp(argv[2], "--hold-ms") != 0)
			return usage();
		errno = 0;
		hold_ms = strtol(argv[3], &end, 10);
		if (errno || *end || hold_ms < 0 || hold_ms > INT_MAX)
			return usage();
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	/* Blocked before the session opens, so a SIGTERM sent once it is open ends the hold. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, NULL);

	session = sogo_session_open(argv[1], folders, sizeof(folders) / sizeof(folders[0]));
	if (!session)
		return 1;
	printf("session open: 3 contexts for %s\n", argv[1]);
	hold(hold_ms);
	talloc_free(session); /* frees the contexts: their destructors unregister */
	printf("session closed\n");
	return 0;
}
