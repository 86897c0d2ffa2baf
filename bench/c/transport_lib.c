/* SPDX-License-Identifier: GPL-3.0-or-later */
/* transport_lib.c - the library's register/unregister calls, alternating so the set stays small. */
#include "transport.h"

#include <mapistore/mapistore_mgmt.h>

static struct mapistore_connection_info info = {.username = "jdoe", .repl_id = 1};

static int lib_open(const char *endpoint)
{
	struct mapistore_mgmt_options options = MAPISTORE_MGMT_OPTIONS_INIT;
	options.endpoint = endpoint;
	return mapistore_mgmt_configure(&options) == MAPISTORE_SUCCESS ? 0 : -1;
}

static enum call_result lib_call(unsigned long i)
{
	int rc = i % 2 == 0 ? mapistore_mgmt_backend_register_user(&info, "SOGo", "jdoe")
			    : mapistore_mgmt_backend_unregister_user(&info, "SOGo", "jdoe");
	if (rc == MAPISTORE_SUCCESS)
		return CALL_ACCEPTED;
	return rc == MAPISTORE_ERR_MSG_SEND ? CALL_REFUSED : CALL_FAILED;
}

static void lib_close(void)
{
	mapistore_mgmt_shutdown();
}

const struct transport transport_lib = {"lib", lib_open, lib_call, lib_close};
