/* SPDX-License-Identifier: GPL-3.0-or-later */
/* api.c - the public calls: argument checks, then the process lifecycle does the work. */
#include <stddef.h>
#include <string.h>

#include <mapistore/mapistore_mgmt.h>

#include "process.h"
#include "utf8.h"

/* A string the wire accepts: 1..MAPISTORE_MGMT_MAX_STRING bytes of well-formed UTF-8. */
static bool take_text(const char *string, struct mm_text *text)
{
	size_t len = strnlen(string, MAPISTORE_MGMT_MAX_STRING + 1);

	if (len == 0 || len > MAPISTORE_MGMT_MAX_STRING || !mm_utf8_valid(string, len))
		return false;
	text->bytes = string;
	text->len = len;
	return true;
}

/* The GUID's Windows/NDR bytes: little-endian integers, then the byte arrays as they are. */
static void put_guid(uint8_t out[MM_WIRE_GUID_SIZE], const struct mapistore_mgmt_guid *guid)
{
	for (int i = 0; i < 4; i++)
		out[i] = (uint8_t)(guid->time_low >> (8 * i));
	out[4] = (uint8_t)guid->time_mid;
	out[5] = (uint8_t)(guid->time_mid >> 8);
	out[6] = (uint8_t)guid->time_hi_and_version;
	out[7] = (uint8_t)(guid->time_hi_and_version >> 8);
	memcpy(out + 8, guid->clock_seq, sizeof(guid->clock_seq));
	memcpy(out + 10, guid->node, sizeof(guid->node));
}

static int user_command(enum mm_kind kind, struct mapistore_connection_info *conn_info,
			const char *backend, const char *vuser)
{
	struct mm_command command;

	if (!conn_info || !conn_info->username)
		return mm_process_record_error(MAPISTORE_ERR_NOT_INITIALIZED);
	if (!backend || !vuser || !take_text(backend, &command.backend) ||
	    !take_text(conn_info->username, &command.username) ||
	    !take_text(vuser, &command.vuser))
		return mm_process_record_error(MAPISTORE_ERR_INVALID_PARAMETER);
	put_guid(command.replica_guid, &conn_info->replica_guid);
	command.repl_id = conn_info->repl_id;
	return mm_process_submit(kind, &command);
}

int mapistore_mgmt_backend_register_user(struct mapistore_connection_info *conn_info,
					 const char *backend, const char *vuser)
{
	return user_command(MM_KIND_REGISTER, conn_info, backend, vuser);
}

int mapistore_mgmt_backend_unregister_user(struct mapistore_connection_info *conn_info,
					   const char *backend, const char *vuser)
{
	return user_command(MM_KIND_UNREGISTER, conn_info, backend, vuser);
}

int mapistore_mgmt_configure(const struct mapistore_mgmt_options *options)
{
	return mm_process_configure(options);
}

int mapistore_mgmt_shutdown(void)
{
	return mm_process_shutdown();
}

/* The struct as 1.0.0 had it: the fields up to last_error. */
#define MM_STATS_SIZE_1_0 offsetof(struct mapistore_mgmt_stats, descriptor_shortages)

int mapistore_mgmt_get_stats(struct mapistore_mgmt_stats *stats, size_t size)
{
	struct mapistore_mgmt_stats all;

	if (!stats || (size != sizeof(*stats) && size != MM_STATS_SIZE_1_0))
		return MAPISTORE_ERR_INVALID_PARAMETER;
	mm_process_stats(&all);
	memcpy(stats, &all, size);
	return MAPISTORE_SUCCESS;
}
