/* SPDX-License-Identifier: GPL-3.0-or-later */
/* sogo-backend.c - the SOGo-like backend: contexts that register their user with the notifier
 * (SOGo: -openContext and -dealloc of MAPIStoreContext), and the manager's generate_uri
 * (SOGo: sogo_manager_generate_uri in MAPIStoreSOGo.m); and, standing in for mapistore, the
 * session of a user who logs on, which both example programs open. */
#include "sogo-backend.h"

#include <stdio.h>
#include <string.h>

#define SOGO_SCHEME "sogo://"

/* Runs when mapistore frees the context: the place for the unregister. Like SOGo, the return
 * value is not acted upon: a lost unregister is repaired by the library's next heartbeat, and
 * a process that dies is expired by the notifier. */
static int sogo_context_destructor(struct sogo_context *context)
{
	int rc = mapistore_mgmt_backend_unregister_user(context->conn_info, SOGO_BACKEND_NAME,
							context->vuser);

	printf("closed %s (unregister: %s)\n", context->uri, mapistore_mgmt_errname(rc));
	return 0;
}

/* The vuser of "sogo://USER:*@FOLDER/", or NULL. */
static const char *uri_user(TALLOC_CTX *mem_ctx, const char *uri)
{
	const char *start = uri + strlen(SOGO_SCHEME);
	const char *end;

	if (strncmp(uri, SOGO_SCHEME, strlen(SOGO_SCHEME)) != 0 || !(end = strchr(start, ':')))
		return NULL;
	return talloc_strndup(mem_ctx, start, (size_t)(end - start));
}

struct sogo_context *sogo_context_create(TALLOC_CTX *mem_ctx,
					 struct mapistore_connection_info *conn_info,
					 const char *uri)
{
	struct sogo_context *context = talloc_zero(mem_ctx, struct sogo_context);
	int rc;

	if (!context)
		return NULL;
	context->conn_info = conn_info;
	context->uri = talloc_strdup(context, uri);
	context->vuser = uri_user(context, uri);
	if (!context->uri || !context->vuser) {
		talloc_free(context);
		return NULL;
	}
	rc = mapistore_mgmt_backend_register_user(conn_info, SOGO_BACKEND_NAME, context->vuser);
	talloc_set_destructor(context, sogo_context_destructor);
	printf("opened %s (register: %s)\n", uri, mapistore_mgmt_errname(rc));
	return context;
}

TALLOC_CTX *sogo_session_open(const char *username, const char *const *folders, size_t count)
{
	TALLOC_CTX *session = talloc_named_const(NULL, 0, "outlook session");
	struct mapistore_connection_info *conn_info =
		talloc_zero(session, struct mapistore_connection_info);

	if (!session || !conn_info || !(conn_info->username = talloc_strdup(conn_info, username))) {
		talloc_free(session);
		return NULL;
	}
	conn_info->repl_id = 1;
	for (size_t i = 0; i < count; i++) {
		char *uri = talloc_asprintf(session, "sogo://%s:*@%s/", username, folders[i]);

		if (!uri || !sogo_context_create(session, conn_info, uri)) {
			talloc_free(session);
			return NULL;
		}
	}
	return session;
}

enum mapistore_error sogo_generate_uri(TALLOC_CTX *mem_ctx, const char *username,
				       const char *folder, const char *message,
				       const char *rootURI, char **uri)
{
	char *partial;

	if (!uri)
		return MAPISTORE_ERR_INVALID_PARAMETER;
	if (rootURI)
		partial = talloc_strdup(mem_ctx, rootURI);
	else
		partial = talloc_asprintf(mem_ctx, SOGO_SCHEME "%s:*@%s", username ? username : "*",
					  folder ? folder : "*");
	if (partial && (!*partial || partial[strlen(partial) - 1] != '/'))
		partial = talloc_strdup_append(partial, "/");
	if (partial && message)
		partial = talloc_asprintf_append(partial, "%s.eml", message);
	if (!partial)
		return MAPISTORE_ERR_NO_MEMORY;
	*uri = partial;
	return MAPISTORE_SUCCESS;
}
