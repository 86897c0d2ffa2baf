/*
 * mapistore_mgmt.h - tell the mapistore-mgmt notifier which users hold contexts.
 *
 * A mapistore backend calls mapistore_mgmt_backend_register_user() when it creates a
 * context and mapistore_mgmt_backend_unregister_user() when the context is freed. The
 * library encodes a message (docs/protocol.md) and queues it for a background thread that
 * pushes it to the notifier over ZeroMQ. Nothing here ever waits for the notifier.
 *
 * Threading: every function may be called from any thread, at any time, including in a
 * child after fork(). A child is a new source that holds no registrations; the parent's
 * registrations stay the parent's. A fork() made while the library closes its ZeroMQ context
 * (in mapistore_mgmt_shutdown() or at exit) waits for it, at most linger_ms. No function is a
 * cancellation point: a thread cancelled (pthread_cancel) inside one finishes the call first.
 *
 * Configuration without code: MAPISTORE_MGMT_ENDPOINT, MAPISTORE_MGMT_HEARTBEAT_MS,
 * MAPISTORE_MGMT_QUEUE_LIMIT and MAPISTORE_MGMT_LINGER_MS are read when the library first
 * needs them. The default endpoint is ipc:///run/mapistore-mgmt/notify.sock for root;
 * ipc://$XDG_RUNTIME_DIR/mapistore-mgmt/notify.sock for another user, or
 * ipc:///tmp/mapistore-mgmt-UID/notify.sock when XDG_RUNTIME_DIR is unset: the notifier's
 * default too. An ipc endpoint whose directory could be another user's is never connected
 * to (stats.endpoint_error, docs/security.md).
 *
 * Link with: pkg-config --cflags --libs mapistore-mgmt
 */
#ifndef MAPISTORE_MGMT_H
#define MAPISTORE_MGMT_H

#include <stddef.h>
#include <stdint.h>

#define MAPISTORE_MGMT_VERSION_MAJOR 1
#define MAPISTORE_MGMT_VERSION_MINOR 0
#define MAPISTORE_MGMT_VERSION_PATCH 0
/* The version as one number, 0xMMmmpp: compare with mapistore_mgmt_version(). */
#define MAPISTORE_MGMT_VERSION_HEX                                                      \
	((MAPISTORE_MGMT_VERSION_MAJOR << 16) | (MAPISTORE_MGMT_VERSION_MINOR << 8) |    \
	 MAPISTORE_MGMT_VERSION_PATCH)

#if defined(__GNUC__) || defined(__clang__)
#define MAPISTORE_MGMT_EXTERN __attribute__((visibility("default")))
#else
#define MAPISTORE_MGMT_EXTERN
#endif

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Return codes: OpenChange's enum mapistore_error, last numbering (2014 onwards).
 * Defined here only when OpenChange's <mapistore/mapistore_errors.h> has not been included;
 * defining its guard makes a later include of that header a no-op (the values are the same).
 */
#ifndef __MAPISTORE_ERRORS_H
#define __MAPISTORE_ERRORS_H
enum mapistore_error {
	MAPISTORE_SUCCESS = 0,
	MAPISTORE_ERROR = 1,
	MAPISTORE_ERR_NO_MEMORY = 2,
	MAPISTORE_ERR_ALREADY_INITIALIZED = 3,
	MAPISTORE_ERR_NOT_INITIALIZED = 4,
	MAPISTORE_ERR_CORRUPTED = 5,
	MAPISTORE_ERR_INVALID_PARAMETER = 6,
	MAPISTORE_ERR_NO_DIRECTORY = 7,
	MAPISTORE_ERR_DATABASE_INIT = 8,
	MAPISTORE_ERR_DATABASE_OPS = 9,
	MAPISTORE_ERR_BACKEND_REGISTER = 10,
	MAPISTORE_ERR_BACKEND_INIT = 11,
	MAPISTORE_ERR_CONTEXT_FAILED = 12,
	MAPISTORE_ERR_INVALID_NAMESPACE = 13,
	MAPISTORE_ERR_INVALID_URI = 14,
	MAPISTORE_ERR_NOT_FOUND = 15,
	MAPISTORE_ERR_REF_COUNT = 16,
	MAPISTORE_ERR_EXIST = 17,
	MAPISTORE_ERR_INVALID_DATA = 18,
	MAPISTORE_ERR_MSG_SEND = 19,
	MAPISTORE_ERR_MSG_RCV = 20,
	MAPISTORE_ERR_DENIED = 21,
	MAPISTORE_ERR_CONN_REFUSED = 22,
	MAPISTORE_ERR_NOT_AVAILABLE = 23,
	MAPISTORE_ERR_NOT_IMPLEMENTED = 24
};
#endif

/*
 * OpenChange's connection info. Only a pointer crosses this API, and the library reads
 * only `username` (first in every OpenChange version) and the replica fields.
 *
 * Backends that include OpenChange's <mapistore/mapistore.h> get its definition (include it
 * before this header). Backends built without OpenChange get this one, with the same 56-byte
 * LP64 layout; define MAPISTORE_MGMT_NO_CONNECTION_INFO to leave it out.
 */
struct mapistore_connection_info;
#if !defined(__MAPISTORE_H) && !defined(MAPISTORE_MGMT_NO_CONNECTION_INFO)
struct mapistore_context;
struct ldb_context;
struct openchangedb_context;

/* Same layout as Samba's struct GUID, under a name that cannot clash with it. */
struct mapistore_mgmt_guid {
	uint32_t time_low;
	uint16_t time_mid;
	uint16_t time_hi_and_version;
	uint8_t clock_seq[2];
	uint8_t node[6];
};

struct mapistore_connection_info {
	char *username;
	struct mapistore_mgmt_guid replica_guid;
	uint16_t repl_id;
	struct mapistore_context *mstore_ctx;
	struct ldb_context *sam_ctx;
	struct openchangedb_context *oc_ctx;
};
#endif

/* Longest backend, username or vuser accepted, in bytes of UTF-8 (docs/protocol.md). */
#define MAPISTORE_MGMT_MAX_STRING 255

/*
 * Record that conn_info->username holds one more context of `backend` as `vuser`, and tell
 * the notifier. Call it from the backend's create_context.
 *
 * Returns MAPISTORE_SUCCESS when the message is queued (not yet delivered);
 * MAPISTORE_ERR_NOT_INITIALIZED when conn_info or conn_info->username is NULL;
 * MAPISTORE_ERR_INVALID_PARAMETER when backend or vuser is NULL, or a string is empty,
 * not valid UTF-8 or longer than MAPISTORE_MGMT_MAX_STRING bytes (nothing is recorded or
 * sent on these errors); MAPISTORE_ERR_NO_MEMORY when memory or the background thread could
 * not be had (nothing recorded); MAPISTORE_ERR_MSG_SEND when the send queue is full, or a
 * shutdown is under way, or the process is exiting: the registration is recorded and reaches
 * the notifier with the next heartbeat (if one comes), and the drop is counted.
 * Never blocks: it takes the library's lock only for short, bounded work.
 */
MAPISTORE_MGMT_EXTERN int mapistore_mgmt_backend_register_user(
	struct mapistore_connection_info *conn_info, const char *backend, const char *vuser);

/*
 * Record that conn_info->username released one context of `backend` as `vuser`, and tell
 * the notifier. Call it where the context is freed (its talloc destructor).
 *
 * Returns as mapistore_mgmt_backend_register_user(). An unregister that matches nothing this
 * process holds is still sent (the notifier counts and ignores it). Never blocks.
 */
MAPISTORE_MGMT_EXTERN int mapistore_mgmt_backend_unregister_user(
	struct mapistore_connection_info *conn_info, const char *backend, const char *vuser);

/* Explicit configuration; a zero or NULL field keeps its current value (the environment's or
 * the built-in default, unless an earlier call changed it). */
struct mapistore_mgmt_options {
	size_t size;               /* sizeof(struct mapistore_mgmt_options): set by _INIT */
	const char *endpoint;      /* ZeroMQ endpoint, "ipc://PATH" or "tcp://HOST:PORT" */
	unsigned int heartbeat_ms; /* heartbeat interval, 10..3600000; default 5000 */
	unsigned int queue_limit;  /* messages waiting to be sent at most, 1..10000000; default 10000 */
	unsigned int linger_ms;    /* how long exit or shutdown may wait to flush, 1..60000; default 200 */
	/* CURVE, for a notifier that requires it (tcp): files holding the notifier's public key and
	 * this process's secret key (Z85, as `mapistore-mgmt keygen` writes; the secret key's file
	 * must not be readable by others). Both or neither; "" turns CURVE off. A key that cannot be
	 * used never blocks: nothing is sent, stats.endpoint_error says why. */
	const char *curve_server_key_file;
	const char *curve_secret_key_file;
};
#define MAPISTORE_MGMT_OPTIONS_INIT {sizeof(struct mapistore_mgmt_options), NULL, 0, 0, 0, NULL, NULL}

/*
 * Configure the library. May be called at any time, from any thread, also while other threads
 * register; a new endpoint takes effect for the next message (held registrations carry over
 * and reach the new endpoint with the next heartbeat), a new heartbeat interval from now, a
 * new linger with the next shutdown. Returns MAPISTORE_SUCCESS, or
 * MAPISTORE_ERR_INVALID_PARAMETER (nothing changed) for a NULL or unknown-size options, an
 * endpoint that is not ipc://PATH or tcp://HOST:PORT, or a value out of range.
 */
MAPISTORE_MGMT_EXTERN int mapistore_mgmt_configure(const struct mapistore_mgmt_options *options);

/*
 * Say goodbye to the notifier, stop the background thread and close the ZeroMQ context,
 * waiting at most linger_ms (plus a 100 ms margin for the thread to finish). Held
 * registrations are forgotten; a later register call starts over as a new source. A shutdown
 * called while another thread's is under way first waits for that one. Called automatically
 * at exit. Returns MAPISTORE_SUCCESS.
 */
MAPISTORE_MGMT_EXTERN int mapistore_mgmt_shutdown(void);

/* Counters of this process (this source, since it started or forked). */
struct mapistore_mgmt_stats {
	uint64_t messages_sent;      /* handed to ZeroMQ, heartbeats included */
	uint64_t messages_dropped;   /* refused because the queue was full (MSG_SEND) */
	uint64_t heartbeats_sent;    /* snapshots handed to ZeroMQ */
	uint64_t registrations_held; /* sum of the counts this process holds */
	uint64_t triples_held;       /* distinct (backend, username, vuser) held */
	uint64_t queue_length;       /* messages waiting for the background thread */
	uint64_t epoch;              /* this source's epoch (0 before the first message) */
	uint32_t pid;                /* this source's pid */
	int last_error;              /* last non-success return code, or MAPISTORE_SUCCESS */
	int endpoint_error;          /* why messages are held rather than sent: MAPISTORE_SUCCESS,
				      * MAPISTORE_ERR_NO_DIRECTORY (the ipc socket's directory does
				      * not exist yet) or MAPISTORE_ERR_DENIED (it could be another
				      * user's: it must be owned by root or this user, or sit in a
				      * directory that is, and be writable by nobody else; or the
				      * CURVE secret key's file is open to others); for the CURVE
				      * key files, MAPISTORE_ERR_INVALID_PARAMETER (only one given),
				      * MAPISTORE_ERR_NOT_FOUND (unreadable) or
				      * MAPISTORE_ERR_INVALID_DATA (no Z85 key in it) */
};

/*
 * Copy the counters into *stats; `size` is sizeof(*stats) as the caller was compiled.
 * Returns MAPISTORE_SUCCESS, or MAPISTORE_ERR_INVALID_PARAMETER for a NULL stats or a
 * size this library does not know.
 */
MAPISTORE_MGMT_EXTERN int mapistore_mgmt_get_stats(struct mapistore_mgmt_stats *stats, size_t size);

/* A static English text for a return code ("Success", "Invalid parameter", ...); never NULL. */
MAPISTORE_MGMT_EXTERN const char *mapistore_mgmt_errstr(int code);

/* The name of a return code ("MAPISTORE_ERR_MSG_SEND", ...), or NULL for an unknown one. */
MAPISTORE_MGMT_EXTERN const char *mapistore_mgmt_errname(int code);

/* The library's version as MAPISTORE_MGMT_VERSION_HEX, and as a string "1.0.0". */
MAPISTORE_MGMT_EXTERN unsigned int mapistore_mgmt_version(void);
MAPISTORE_MGMT_EXTERN const char *mapistore_mgmt_version_string(void);

#ifdef __cplusplus
}
#endif

#endif /* MAPISTORE_MGMT_H */
