/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A stand-in for OpenChange's <mapistore/mapistore.h>, reduced to what matters here: its
 * include guard, its struct GUID (from Samba) and its struct mapistore_connection_info, field
 * for field as OpenChange declares them. Used to check that a backend may include OpenChange's
 * header first and ours after it. */
#ifndef __MAPISTORE_H
#define __MAPISTORE_H

#include <stdint.h>

#include <mapistore/mapistore_errors.h>

struct GUID {
	uint32_t time_low;
	uint16_t time_mid;
	uint16_t time_hi_and_version;
	uint8_t clock_seq[2];
	uint8_t node[6];
};

struct mapistore_context;
struct ldb_context;
struct openchangedb_context;

struct mapistore_connection_info {
	char *username;
	struct GUID replica_guid;
	uint16_t repl_id;
	struct mapistore_context *mstore_ctx;
	struct ldb_context *sam_ctx;
	struct openchangedb_context *oc_ctx;
};

#endif
