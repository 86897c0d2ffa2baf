/* errors.c - names and texts of the return codes (enum mapistore_error). */
#include <mapistore/mapistore_mgmt.h>

struct code_text {
	const char *name;
	const char *text;
};

static const struct code_text codes[] = {
	[MAPISTORE_SUCCESS] = {"MAPISTORE_SUCCESS", "Success"},
	[MAPISTORE_ERROR] = {"MAPISTORE_ERROR", "Non-specific error"},
	[MAPISTORE_ERR_NO_MEMORY] = {"MAPISTORE_ERR_NO_MEMORY", "No memory available"},
	[MAPISTORE_ERR_ALREADY_INITIALIZED] = {"MAPISTORE_ERR_ALREADY_INITIALIZED", "Already initialized"},
	[MAPISTORE_ERR_NOT_INITIALIZED] = {"MAPISTORE_ERR_NOT_INITIALIZED", "Not initialized"},
	[MAPISTORE_ERR_CORRUPTED] = {"MAPISTORE_ERR_CORRUPTED", "Corrupted"},
	[MAPISTORE_ERR_INVALID_PARAMETER] = {"MAPISTORE_ERR_INVALID_PARAMETER", "Invalid parameter"},
	[MAPISTORE_ERR_NO_DIRECTORY] = {"MAPISTORE_ERR_NO_DIRECTORY", "No such file or directory"},
	[MAPISTORE_ERR_DATABASE_INIT] = {"MAPISTORE_ERR_DATABASE_INIT", "Database initialization failed"},
	[MAPISTORE_ERR_DATABASE_OPS] = {"MAPISTORE_ERR_DATABASE_OPS", "Database operation failed"},
	[MAPISTORE_ERR_BACKEND_REGISTER] = {"MAPISTORE_ERR_BACKEND_REGISTER", "Backend registration failed"},
	[MAPISTORE_ERR_BACKEND_INIT] = {"MAPISTORE_ERR_BACKEND_INIT", "Backend initialization failed"},
	[MAPISTORE_ERR_CONTEXT_FAILED] = {"MAPISTORE_ERR_CONTEXT_FAILED", "Context creation failed"},
	[MAPISTORE_ERR_INVALID_NAMESPACE] = {"MAPISTORE_ERR_INVALID_NAMESPACE", "Invalid namespace"},
	[MAPISTORE_ERR_INVALID_URI] = {"MAPISTORE_ERR_INVALID_URI", "Invalid URI"},
	[MAPISTORE_ERR_NOT_FOUND] = {"MAPISTORE_ERR_NOT_FOUND", "Not found"},
	[MAPISTORE_ERR_REF_COUNT] = {"MAPISTORE_ERR_REF_COUNT", "Reference count still above 0"},
	[MAPISTORE_ERR_EXIST] = {"MAPISTORE_ERR_EXIST", "Already exists"},
	[MAPISTORE_ERR_INVALID_DATA] = {"MAPISTORE_ERR_INVALID_DATA", "Invalid data"},
	[MAPISTORE_ERR_MSG_SEND] = {"MAPISTORE_ERR_MSG_SEND", "Message could not be queued"},
	[MAPISTORE_ERR_MSG_RCV] = {"MAPISTORE_ERR_MSG_RCV", "Message could not be received"},
	[MAPISTORE_ERR_DENIED] = {"MAPISTORE_ERR_DENIED", "Permission denied"},
	[MAPISTORE_ERR_CONN_REFUSED] = {"MAPISTORE_ERR_CONN_REFUSED", "Connection refused"},
	[MAPISTORE_ERR_NOT_AVAILABLE] = {"MAPISTORE_ERR_NOT_AVAILABLE", "Not available"},
	[MAPISTORE_ERR_NOT_IMPLEMENTED] = {"MAPISTORE_ERR_NOT_IMPLEMENTED", "Not implemented"},
};

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
