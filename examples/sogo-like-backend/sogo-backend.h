/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sogo-backend.h - the SOGo-like mapistore backend of the examples: its contexts (which
 * register and unregister the user with the notifier) and its manager method generate_uri,
 * the one OpenChange's OCSManager called to turn a new-mail event into a mapistore URI.
 */
#ifndef SOGO_BACKEND_H
#define SOGO_BACKEND_H

#include <talloc.h>

#include <mapistore/mapistore_mgmt.h>

#define SOGO_BACKEND_NAME "SOGo"

/* What the backend keeps per context: the connection it was opened for, and the user within
 * the backend (the mailbox owner named in the sogo:// URI). */
struct sogo_context {
	struct mapistore_connection_info *conn_info;
	const char *uri;
	const char *vuser;
};

/* The backend's create_context for "sogo://USER:*@FOLDER/": opens the context, then registers
 * the user; freeing the context unregisters it. NULL when out of memory or for another URI. */
struct sogo_context *sogo_context_create(TALLOC_CTX *mem_ctx,
					 struct mapistore_connection_info *conn_info,
					 const char *uri);

/* Stands in for mapistore when `username` logs on: a session (freed at logoff, which closes
 * its contexts) holding the user's connection info, and one context per folder opened through
 * sogo_context_create(). NULL when out of memory. */
TALLOC_CTX *sogo_session_open(const char *username, const char *const *folders, size_t count);

/* The manager's generate_uri, as SOGo's: `rootURI` when given, else
 * "sogo://<username|*>:*@<folder|*>/" (a NULL username or folder is the wildcard `*`), always
 * ending in '/', then "<message>.eml" when a message is given. *uri is allocated on mem_ctx.
 * Returns MAPISTORE_SUCCESS, MAPISTORE_ERR_INVALID_PARAMETER for a NULL uri, or
 * MAPISTORE_ERR_NO_MEMORY. */
enum mapistore_error sogo_generate_uri(TALLOC_CTX *mem_ctx, const char *username,
				       const char *folder, const char *message,
				       const char *rootURI, char **uri);

#endif
