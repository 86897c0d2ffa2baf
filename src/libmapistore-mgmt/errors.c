/* SPDX-License-Identifier: GPL-3.0-or-later */
/* errors.c - names and texts of the return codes (enum mapistore_error, then this library's
 * own). One list gives both, as libuv's UV_ERRNO_MAP does: a code's name is its identifier,
 * never retyped. */
#include <mapistore/mapistore_mgmt.h>

#define MM_ERROR_MAP(X)                                                       \
	X(MAPISTORE_SUCCESS, "Success")                                       \
	X(MAPISTORE_ERROR, "Non-specific error")                              \
	X(MAPISTORE_ERR_NO_MEMORY, "No memory available")                     \
	X(MAPISTORE_ERR_ALREADY_INITIALIZED, "Already initialized")           \
	X(MAPISTORE_ERR_NOT_INITIALIZED, "Not initialized")                   \
	X(MAPISTORE_ERR_CORRUPTED, "Corrupted")                               \
	X(MAPISTORE_ERR_INVALID_PARAMETER, "Invalid parameter")               \
	X(MAPISTORE_ERR_NO_DIRECTORY, "No such file or directory")            \
	X(MAPISTORE_ERR_DATABASE_INIT, "Database initialization failed")      \
	X(MAPISTORE_ERR_DATABASE_OPS, "Database operation failed")            \
	X(MAPISTORE_ERR_BACKEND_REGISTER, "Backend registration failed")      \
	X(MAPISTORE_ERR_BACKEND_INIT, "Backend initialization failed")        \
	X(MAPISTORE_ERR_CONTEXT_FAILED, "Context creation failed")            \
	X(MAPISTORE_ERR_INVALID_NAMESPACE, "Invalid namespace")               \
	X(MAPISTORE_ERR_INVALID_URI, "Invalid URI")                           \
	X(MAPISTORE_ERR_NOT_FOUND, "Not found")                               \
	X(MAPISTORE_ERR_REF_COUNT, "Reference count still above 0")           \
	X(MAPISTORE_ERR_EXIST, "Already exists")                              \
	X(MAPISTORE_ERR_INVALID_DATA, "Invalid data")                         \
	X(MAPISTORE_ERR_MSG_SEND, "Message could not be queued")              \
	X(MAPISTORE_ERR_MSG_RCV, "Message could not be received")             \
	X(MAPISTORE_ERR_DENIED, "Permission denied")                          \
	X(MAPISTORE_ERR_CONN_REFUSED, "Connection refused")                   \
	X(MAPISTORE_ERR_NOT_AVAILABLE, "Not available")                       \
	X(MAPISTORE_ERR_NOT_IMPLEMENTED, "Not implemented")                   \
	X(MAPISTORE_MGMT_ERR_LIMIT, "A registration limit of this process is reached")

struct code_text {
	const char *name;
	const char *text;
};

#define MM_CODE_TEXT(code, text) [code] = {#code, text},
static const struct code_text codes[] = {MM_ERROR_MAP(MM_CODE_TEXT)};
#undef MM_CODE_TEXT

/* The list covers every code, with no gap. */
#define MM_COUNT_ONE(code, text) +1
_Static_assert(sizeof(codes) / sizeof(codes[0]) == 0 MM_ERROR_MAP(MM_COUNT_ONE),
	       "MM_ERROR_MAP has a gap");
#undef MM_COUNT_ONE

static const struct code_text *lookup(int code)
{
	if (code < 0 || (size_t)code >= sizeof(codes) / sizeof(codes[0]))
		return NULL;
	return &codes[code];
}

const char *mapistore_mgmt_errname(int code)
{
	const struct code_text *entry = lookup(code);

	return entry ? entry->name : NULL;
}

const char *mapistore_mgmt_errstr(int code)
{
	const struct code_text *entry = lookup(code);

	return entry ? entry->text : "Unknown error";
}
