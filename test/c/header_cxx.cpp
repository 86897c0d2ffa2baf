/* SPDX-License-Identifier: GPL-3.0-or-later */
// The header compiles as C++ and gives the functions C linkage.
#include <mapistore/mapistore_mgmt.h>

#include "header_checks.h"

extern "C" int call_from_cxx(void)
{
	mapistore_connection_info conn_info = {};
	mapistore_mgmt_stats stats = {};
	mapistore_mgmt_options options = MAPISTORE_MGMT_OPTIONS_INIT;

	if (options.size != sizeof(options) || options.endpoint != nullptr)
		return -1;
	if (mapistore_mgmt_get_stats(&stats, sizeof(stats)) != MAPISTORE_SUCCESS)
		return -1;
	return mapistore_mgmt_backend_register_user(&conn_info, "SOGo", "jdoe") ==
			       MAPISTORE_ERR_NOT_INITIALIZED
		       ? 0
		       : -1;
}
