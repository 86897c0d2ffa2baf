/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The public header: the connection info's 56-byte LP64 layout, and translation units that
 * include it after OpenChange's header, redeclare the original prototypes, or are C++. */
#include <stddef.h>
#include <string.h>

#include <mapistore/mapistore_mgmt.h>

#include "check.h"
#include "header_checks.h"

_Static_assert(sizeof(struct mapistore_connection_info) == 56, "56 bytes");
_Static_assert(offsetof(struct mapistore_connection_info, username) == 0, "username at 0");
_Static_assert(offsetof(struct mapistore_connection_info, replica_guid) == 8, "replica_guid at 8");
_Static_assert(offsetof(struct mapistore_connection_info, repl_id) == 24, "repl_id at 24");
_Static_assert(offsetof(struct mapistore_connection_info, mstore_ctx) == 32, "mstore_ctx at 32");
_Static_assert(offsetof(struct mapistore_connection_info, sam_ctx) == 40, "sam_ctx at 40");
_Static_assert(offsetof(struct mapistore_connection_info, oc_ctx) == 48, "oc_ctx at 48");
_Static_assert(sizeof(struct mapistore_mgmt_guid) == 16, "a GUID is 16 bytes");
_Static_assert(MAPISTORE_ERR_MSG_SEND == 19 && MAPISTORE_ERR_NOT_IMPLEMENTED == 24, "numbering");
/* 1.0.0's stats struct ended with last_error: the fields added since follow it. */
#define STATS_SIZE_1_0_0 offsetof(struct mapistore_mgmt_stats, descriptor_shortages)
_Static_assert(STATS_SIZE_1_0_0 == 64, "1.0.0's stats were 64 bytes");

int main(void)
{
	struct mapistore_mgmt_stats stats;

	CHECK(call_with_openchange_info() == 0);
	CHECK(call_with_original_prototypes() == 0);
	CHECK(call_from_cxx() == 0);
	/* Only argument checks ran: nothing was queued, no thread started. */
	CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
	CHECK(stats.epoch == 0 && stats.queue_length == 0 && stats.messages_sent == 0);
	CHECK(stats.last_error == MAPISTORE_ERR_NOT_INITIALIZED);
	/* A caller built against 1.0.0 gets its 64 bytes, and nothing beyond them is written. */
	memset(&stats, 0xa5, sizeof(stats));
	CHECK(mapistore_mgmt_get_stats(&stats, STATS_SIZE_1_0_0) == MAPISTORE_SUCCESS);
	CHECK(stats.last_error == MAPISTORE_ERR_NOT_INITIALIZED);
	CHECK(stats.descriptor_shortages == 0xa5a5a5a5a5a5a5a5ull);
	CHECK(mapistore_mgmt_get_stats(&stats, STATS_SIZE_1_0_0 + 8) == MAPISTORE_ERR_INVALID_PARAMETER);
	CHECK(strcmp(mapistore_mgmt_version_string(), "1.1.0") == 0);
	return 0;
}
