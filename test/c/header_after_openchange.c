/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A backend that includes OpenChange's header first, then ours: no redefinition, and our
 * functions take OpenChange's struct mapistore_connection_info. */
#include <stddef.h>

#include <mapistore/mapistore.h>
#include <mapistore/mapistore_mgmt.h>

#include "header_checks.h"

_Static_assert(sizeof(struct mapistore_connection_info) == 56, "OpenChange layout: 56 bytes");
_Static_assert(offsetof(struct mapistore_connection_info, replica_guid) == 8, "replica_guid at 8");
_Static_assert(offsetof(struct mapistore_connection_info, repl_id) == 24, "repl_id at 24");
_Static_assert(offsetof(struct mapistore_connection_info, mstore_ctx) == 32, "mstore_ctx at 32");

int call_with_openchange_info(void)
{
	struct mapistore_connection_info conn_info = {.username = NULL};
	struct GUID *guid = &conn_info.replica_guid; /* OpenChange's type, not ours */

	guid->time_low = 0x00112233;
	if (mapistore_mgmt_backend_register_user(&conn_info, "SOGo", "jdoe") !=
	    MAPISTORE_ERR_NOT_INITIALIZED)
		return -1;
	conn_info.username = "jdoe";
	return mapistore_mgmt_backend_unregister_user(&conn_info, "SOGo", "") ==
			       MAPISTORE_ERR_INVALID_PARAMETER
		       ? 0
		       : -1;
}
