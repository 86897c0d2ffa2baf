/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The two calls keep OpenChange's exact prototypes: redeclaring them as the original page
 * (and OpenChange's mgmt header) did must compile against our header. */
#include <mapistore/mapistore_mgmt.h>

#include "header_checks.h"

int mapistore_mgmt_backend_register_user(struct mapistore_connection_info *conn_info,
					 const char *backend, const char *vuser);
int mapistore_mgmt_backend_unregister_user(struct mapistore_connection_info *conn_info,
					   const char *backend, const char *vuser);
/* In 2011-2012 they returned enum mapistore_error, ABI-identical to int. */
typedef enum mapistore_error (*old_style_call)(struct mapistore_connection_info *, const char *,
					       const char *);

int call_with_original_prototypes(void)
{
	int (*calls[2])(struct mapistore_connection_info *, const char *, const char *) = {
		mapistore_mgmt_backend_register_user, mapistore_mgmt_backend_unregister_user};

	_Static_assert(sizeof(enum mapistore_error) == sizeof(int), "enum is int-sized");
	for (int i = 0; i < 2; i++)
		if (calls[i](NULL, "SOGo", "jdoe") != MAPISTORE_ERR_NOT_INITIALIZED)
			return -1;
	return 0;
}
