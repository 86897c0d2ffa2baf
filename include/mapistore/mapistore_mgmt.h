/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * mapistore_mgmt.h - tell the mapistore-mgmt notifier which users hold contexts, and receive
 * its new-mail notifications for them (the subscriber, further down).
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
 * Descriptors: the library's thread holds 8 file descriptors for ZeroMQ (plus one per
 * connection): 6 for its context and socket, 2 for the socket's monitor, whose own thread
 * hears each (re)connection so that the whole set is sent at once. libzmq aborts its process
 * when it cannot open one, so the thread first proves that many are free (opening and
 * closing them) and otherwise waits, never calling libzmq: a host at its RLIMIT_NOFILE keeps
 * running, counted in descriptor_shortages. Before each use it checks that its descriptors
 * are still open and the same files; if the host closed them (closing every descriptor from 3
 * up, without fork()), it abandons that context unused and opens a new one, counted in
 * contexts_lost. What cannot be detected: descriptors taken by another thread between the
 * check and libzmq's open, a descriptor closed while libzmq uses it, one closed and reopened
 * as the same kind of file, and libzmq's own threads or the monitor's finding theirs closed
 * (when a timer, a connection or a ptrace stop wakes them): each of these can still abort the
 * process. Do not close descriptors you did not open.
 *
 * Configuration without code: MAPISTORE_MGMT_ENDPOINT, MAPISTORE_MGMT_HEARTBEAT_MS,
 * MAPISTORE_MGMT_QUEUE_LIMIT, MAPISTORE_MGMT_LINGER_MS and MAPISTORE_MGMT_MAX_TRIPLES are read
 * when the library first needs them. The default endpoint is
 * ipc:///run/mapistore-mgmt/notify.sock for root; ipc://$XDG_RUNTIME_DIR/mapistore-mgmt/notify.sock
 * for another user, or ipc:///tmp/mapistore-mgmt-UID/notify.sock when XDG_RUNTIME_DIR is unset:
 * the notifier's default too. An ipc endpoint whose directory could be another user's is never
 * connected to (stats.endpoint_error, docs/security.md).
 *
 * Link with: pkg-config --cflags --libs mapistore-mgmt
 */
#ifndef MAPISTORE_MGMT_H
#define MAPISTORE_MGMT_H

#include <stddef.h>
#include <stdint.h>

#define MAPISTORE_MGMT_VERSION_MAJOR 1
#define MAPISTORE_MGMT_VERSION_MINOR 1
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

/*
 * Limits this library and the notifier agree on (docs/protocol.md, "Limits"): the library
 * refuses at the call what the notifier's defaults could not take in full.
 */
/* Longest backend, username or vuser accepted, in bytes of UTF-8. */
#define MAPISTORE_MGMT_MAX_STRING 255
/* Distinct (backend, username, vuser) triples one process holds at most, by default: the
 * notifier's default --max-registrations-per-source (any number of registrations of each).
 * A host whose notifier takes more raises both together (max_triples below). */
#define MAPISTORE_MGMT_MAX_TRIPLES 10000
/* Heartbeat intervals accepted, in ms: the notifier's default leases (3 intervals, clamped to
 * 30..300000 ms) give each of them exactly three intervals. */
#define MAPISTORE_MGMT_HEARTBEAT_MS_MIN 10
#define MAPISTORE_MGMT_HEARTBEAT_MS_MAX 100000

/*
 * Return codes of this library beyond OpenChange's enum mapistore_error (whose last is 24);
 * mapistore_mgmt_errname() and mapistore_mgmt_errstr() know them too.
 */
/* The process already holds max_triples (MAPISTORE_MGMT_MAX_TRIPLES) distinct triples, or
 * this triple UINT32_MAX times (a heartbeat carries each triple's count in 32 bits). */
#define MAPISTORE_MGMT_ERR_LIMIT 25

/*
 * Record that conn_info->username holds one more context of `backend` as `vuser`, and tell
 * the notifier. Call it from the backend's create_context.
 *
 * Returns MAPISTORE_SUCCESS when the message is queued (not yet delivered);
 * MAPISTORE_ERR_NOT_INITIALIZED when conn_info or conn_info->username is NULL;
 * MAPISTORE_ERR_INVALID_PARAMETER when backend or vuser is NULL, or a string is empty,
 * not valid UTF-8 or longer than MAPISTORE_MGMT_MAX_STRING bytes (nothing is recorded or
 * sent on these errors); MAPISTORE_MGMT_ERR_LIMIT when the triple is not held yet and the
 * process already holds max_triples (MAPISTORE_MGMT_MAX_TRIPLES) distinct ones (the notifier
 * would refuse it), or the triple is held UINT32_MAX (4294967295) times already (nothing
 * recorded or sent; counted in triples_refused); MAPISTORE_ERR_NO_MEMORY when memory or the background thread could
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
 * Returns as mapistore_mgmt_backend_register_user() (never MAPISTORE_MGMT_ERR_LIMIT). An
 * unregister that matches nothing this process holds is still sent (the notifier counts and
 * ignores it). Never blocks.
 */
MAPISTORE_MGMT_EXTERN int mapistore_mgmt_backend_unregister_user(
	struct mapistore_connection_info *conn_info, const char *backend, const char *vuser);

/* Explicit configuration; a zero or NULL field keeps its current value (the environment's or
 * the built-in default, unless an earlier call changed it). */
struct mapistore_mgmt_options {
	size_t size;               /* sizeof(struct mapistore_mgmt_options): set by _INIT */
	const char *endpoint;      /* ZeroMQ endpoint, "ipc://PATH" or "tcp://HOST:PORT" */
	unsigned int heartbeat_ms; /* heartbeat interval, MAPISTORE_MGMT_HEARTBEAT_MS_MIN..MAX; 5000 */
	unsigned int queue_limit;  /* messages waiting to be sent at most, 1..10000000; default 10000 */
	unsigned int linger_ms;    /* how long exit or shutdown may wait to flush, 1..60000; default 200 */
	/* Added in 1.1.0: a caller built against 1.0.0's header passes its smaller size, which
	 * leaves the fields below as they are. */
	unsigned int max_triples; /* distinct triples held at most, 1..10000000; default 10000 */
	/* CURVE, for a notifier that requires it (tcp): files holding the notifier's public key and
	 * this process's secret key (Z85, as `mapistore-mgmt keygen` writes; the secret key's file
	 * must not be readable by others). Both or neither; "" turns CURVE off. A key that cannot be
	 * used never blocks: nothing is sent, stats.endpoint_error says why. */
	const char *curve_server_key_file;
	const char *curve_secret_key_file;
	/* Batched frames: MAPISTORE_MGMT_BATCHING_ON (the default) sends the messages queued
	 * together as one frame; MAPISTORE_MGMT_BATCHING_OFF sends each alone, for a notifier
	 * older than batches (it would reject them, counted as unknown-kind). 0 leaves it as it is.
	 * Environment: MAPISTORE_MGMT_BATCHING=0 turns it off, 1 on. */
	unsigned int batching;
};
#define MAPISTORE_MGMT_OPTIONS_INIT {sizeof(struct mapistore_mgmt_options), NULL, 0, 0, 0, 0, NULL, NULL, 0}
#define MAPISTORE_MGMT_BATCHING_ON 1u
#define MAPISTORE_MGMT_BATCHING_OFF 2u

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
	/* Added in 1.1.0: a caller built against 1.0.0's header passes its smaller size, and
	 * gets the fields above. */
	uint64_t descriptor_shortages; /* times ZeroMQ could not be opened for lack of file descriptors */
	uint64_t contexts_lost;        /* times the host had closed the library's ZeroMQ descriptors */
	uint64_t triples_refused;      /* registers refused with MAPISTORE_MGMT_ERR_LIMIT (either limit) */
	int endpoint_error;          /* why messages are held rather than sent: MAPISTORE_SUCCESS,
				      * MAPISTORE_ERR_NO_DIRECTORY (the ipc socket's directory does
				      * not exist yet) or MAPISTORE_ERR_DENIED (it could be another
				      * user's: it must be owned by root or this user, or sit in a
				      * directory that is, and be writable by nobody else; or the
				      * CURVE secret key's file is open to others); for the CURVE
				      * key files, MAPISTORE_ERR_INVALID_PARAMETER (only one given),
				      * MAPISTORE_ERR_NOT_FOUND (unreadable, or not a
				      * regular file: a FIFO is never waited on) or
				      * MAPISTORE_ERR_INVALID_DATA (no Z85 key in it) */
	uint64_t connections;        /* connections to the notifier completed (ZeroMQ handshakes);
				      * a reconnection, or a first connection after drops, is
				      * followed at once by a heartbeat of the whole set */
};

/*
 * Copy the counters into *stats; `size` is sizeof(*stats) as the caller was compiled (1.0.0's
 * smaller struct is filled up to last_error). Returns MAPISTORE_SUCCESS, or
 * MAPISTORE_ERR_INVALID_PARAMETER for a NULL stats or a size this library does not know.
 *
 * last_error is the last non-success code a register, unregister or configure call returned,
 * or MAPISTORE_ERR_CONTEXT_FAILED when the library's thread could not open its ZeroMQ context
 * and socket for lack of file descriptors (descriptor_shortages counts each try; it tries
 * again every 100 ms, and the queued messages and held registrations go out once descriptors
 * are free) or found the host had closed them (contexts_lost; see "Descriptors" above).
 */
MAPISTORE_MGMT_EXTERN int mapistore_mgmt_get_stats(struct mapistore_mgmt_stats *stats, size_t size);

/* A static English text for a return code ("Success", "Invalid parameter", ...); never NULL. */
MAPISTORE_MGMT_EXTERN const char *mapistore_mgmt_errstr(int code);

/* The name of a return code ("MAPISTORE_ERR_MSG_SEND", ...), or NULL for an unknown one. */
MAPISTORE_MGMT_EXTERN const char *mapistore_mgmt_errname(int code);

/* The library's version as MAPISTORE_MGMT_VERSION_HEX, and as a string "1.1.0". */
MAPISTORE_MGMT_EXTERN unsigned int mapistore_mgmt_version(void);
MAPISTORE_MGMT_EXTERN const char *mapistore_mgmt_version_string(void);

/*
 * New-mail notifications (docs/notifications.md). The notifier publishes one notification per
 * registered username on a ZeroMQ PUB socket; an OpenChange server process subscribes to the
 * usernames it serves and reads what arrives. Each subscriber has its own ZeroMQ context and
 * SUB socket: 6 file descriptors (plus one for the connection) and libzmq's 2 threads.
 *
 * Threading: the calls on one subscriber may run concurrently from any threads (a lock in the
 * subscriber serialises them, and none waits for the notifier), except
 * mapistore_mgmt_subscriber_destroy(), which no other call on it may overlap or follow.
 * Creating or destroying a subscriber waits for a library shutdown under way (at most
 * linger_ms), as fork() does: libzmq's context creation and termination are serialised.
 * fork(): a child never uses its parent's subscribers (libzmq is not fork-safe). Every call on
 * one made before the fork returns MAPISTORE_ERR_DENIED in the child, which creates its own;
 * destroy in the child frees the subscriber's memory and leaves the parent's ZeroMQ objects
 * alone. Descriptors: as for the library's thread (see "Descriptors" above), the descriptors
 * libzmq will open are proven free first: at its RLIMIT_NOFILE a host gets
 * MAPISTORE_ERR_CONTEXT_FAILED, never an abort; a subscriber whose descriptors the host closed
 * is abandoned (never used again) and every call on it returns MAPISTORE_ERR_CONTEXT_FAILED.
 *
 * Limits: a username is 1..MAPISTORE_MGMT_MAX_STRING bytes of UTF-8. A subscriber's own
 * receive queue holds at most MAPISTORE_MGMT_SUBSCRIBER_QUEUE notifications (ZeroMQ's receive
 * high-water mark); once it is full, more wait in the socket buffers and then in the
 * notifier's queue for this subscriber (its send high-water mark, 10000), and only when that
 * is full too does the notifier's PUB socket drop the newest ones for this subscriber: about
 * 11000 waiting, plus what the socket buffers hold.
 * A notifier restarted is reconnected to, and the subscriptions sent again, by ZeroMQ.
 */
struct mapistore_mgmt_subscriber;

#define MAPISTORE_MGMT_SUBSCRIBER_QUEUE 1000

/* One notification, as the notifier sent it. Every string is NUL-terminated UTF-8. */
struct mapistore_mgmt_notification {
	const char *backend;    /* the backend the user registered with ("SOGo") */
	const char *username;   /* the registered username: one this subscriber subscribed to */
	const char *vuser;      /* the user name within the backend */
	const char *folder;     /* the folder that received the message ("INBOX"), never empty */
	const char *message_id; /* the message's id in that folder (an IMAP uid), never empty */
	uint32_t uidvalidity;   /* the folder's IMAP UIDVALIDITY, 0 when unknown */
	const char *sender;     /* the message's From, "" when unknown */
	const char *subject;    /* the message's Subject, "" when unknown */
	void *storage;          /* the one block the strings live in: the library's */
};

/*
 * Create a subscriber connected to `endpoint` ("ipc://PATH" or "tcp://HOST:PORT"), or when it
 * is NULL to $MAPISTORE_MGMT_NEWMAIL_ENDPOINT, or by default where the notifier publishes by
 * default: newmail.sock in the directory of $MAPISTORE_MGMT_ENDPOINT when that is an ipc
 * endpoint (the notifier's --endpoint), else ipc:///run/mapistore-mgmt/newmail.sock for root,
 * else ipc://$XDG_RUNTIME_DIR/mapistore-mgmt/newmail.sock
 * (ipc:///tmp/mapistore-mgmt-UID/newmail.sock when XDG_RUNTIME_DIR is unset). An endpoint set
 * with mapistore_mgmt_configure() is not followed: pass the subscriber's. It receives nothing until
 * subscribed to a username. The notifier need not be there: ZeroMQ connects when it comes.
 * An ipc endpoint whose directory does not exist yet is not connected to (a local user who
 * made it first would learn the subscribed usernames and could publish forged
 * notifications): the subscriber is held, and mapistore_mgmt_subscriber_next() checks the
 * directory again at each call and connects once it exists and passes the rule below.
 *
 * Returns MAPISTORE_SUCCESS with *subscriber set; MAPISTORE_ERR_INVALID_PARAMETER when
 * subscriber is NULL or the endpoint (argument or variable) is not ipc://PATH or
 * tcp://HOST:PORT; MAPISTORE_ERR_DENIED when an ipc endpoint's directory exists but could be
 * another user's, by the rule the sender follows (docs/security.md: not a real directory,
 * writable by its group or others, or owned by neither root nor this user outside a directory
 * that is); MAPISTORE_ERR_NO_MEMORY; MAPISTORE_ERR_CONTEXT_FAILED when the file
 * descriptors ZeroMQ needs are not free, or libzmq refused. *subscriber is NULL on errors.
 * Never waits for the notifier (see "Threading" above for a shutdown under way).
 */
MAPISTORE_MGMT_EXTERN int mapistore_mgmt_subscriber_new(
	const char *endpoint, struct mapistore_mgmt_subscriber **subscriber);

/*
 * Receive the notifications for `username` from now on. Subscriptions are counted: each
 * subscribe needs its own unsubscribe. Returns MAPISTORE_SUCCESS;
 * MAPISTORE_ERR_INVALID_PARAMETER for a NULL subscriber or a username that is NULL, empty, not
 * UTF-8 or longer than MAPISTORE_MGMT_MAX_STRING bytes; MAPISTORE_ERR_DENIED in a fork()
 * child; MAPISTORE_ERR_CONTEXT_FAILED for an abandoned subscriber. Never blocks.
 */
MAPISTORE_MGMT_EXTERN int mapistore_mgmt_subscriber_subscribe(
	struct mapistore_mgmt_subscriber *subscriber, const char *username);

/*
 * Undo one mapistore_mgmt_subscriber_subscribe() of `username`; after the last one its
 * notifications stop (those already queued in this subscriber are still returned).
 * Unsubscribing a username not subscribed does nothing. Returns as
 * mapistore_mgmt_subscriber_subscribe(). Never blocks.
 */
MAPISTORE_MGMT_EXTERN int mapistore_mgmt_subscriber_unsubscribe(
	struct mapistore_mgmt_subscriber *subscriber, const char *username);

/*
 * The file descriptor to poll (POLLIN) or add to an event loop, in *fd; the subscriber owns
 * it: never read, write or close it. It is EDGE-triggered (ZeroMQ's ZMQ_FD): it becomes
 * readable when notifications arrive while none was waiting, and does not stay readable while
 * some wait. So: call mapistore_mgmt_subscriber_next() until it returns
 * MAPISTORE_ERR_NOT_AVAILABLE, and only then wait on the descriptor again; do the same after
 * creating the subscriber and after each subscribe or unsubscribe (any call on the subscriber
 * may consume the edge). Waking with nothing to read is normal: next() then returns
 * MAPISTORE_ERR_NOT_AVAILABLE. Returns MAPISTORE_SUCCESS; MAPISTORE_ERR_INVALID_PARAMETER for
 * a NULL argument; MAPISTORE_ERR_DENIED in a fork() child; MAPISTORE_ERR_CONTEXT_FAILED for an
 * abandoned subscriber.
 */
MAPISTORE_MGMT_EXTERN int mapistore_mgmt_subscriber_fd(
	struct mapistore_mgmt_subscriber *subscriber, int *fd);

/*
 * Take the next notification waiting, without waiting for one. On MAPISTORE_SUCCESS
 * *notification is filled and owns one block of memory: the caller frees it with
 * mapistore_mgmt_notification_clear(), from any thread, whenever it likes (it does not depend
 * on the subscriber, which may be destroyed first). A frame that breaks docs/notifications.md
 * is counted (mapistore_mgmt_subscriber_get_stats()) and skipped.
 *
 * Returns MAPISTORE_SUCCESS; MAPISTORE_ERR_NOT_AVAILABLE when no notification waits (the
 * descriptor will signal the next one); MAPISTORE_ERR_NO_DIRECTORY while the ipc endpoint's
 * directory does not exist, MAPISTORE_ERR_DENIED (not in a fork() child) while it exists but
 * could be another user's (see mapistore_mgmt_subscriber_new()): the subscriber is held, not
 * connected, and the descriptor will not signal, so call this again later (a timer): each
 * call checks again, connects once the directory passes, and the subscriptions made meanwhile
 * then take effect; MAPISTORE_ERR_INVALID_PARAMETER for a NULL argument;
 * MAPISTORE_ERR_NO_MEMORY (that notification is lost, counted in `dropped`);
 * MAPISTORE_ERR_DENIED in a fork() child;
 * MAPISTORE_ERR_CONTEXT_FAILED for an abandoned subscriber; MAPISTORE_ERR_MSG_RCV when libzmq
 * fails otherwise. *notification is all NULL on errors. Never blocks.
 */
MAPISTORE_MGMT_EXTERN int mapistore_mgmt_subscriber_next(
	struct mapistore_mgmt_subscriber *subscriber,
	struct mapistore_mgmt_notification *notification);

/* Free what mapistore_mgmt_subscriber_next() put in *notification and set it all to NULL.
 * NULL, or a notification already cleared, is a no-op. */
MAPISTORE_MGMT_EXTERN void mapistore_mgmt_notification_clear(
	struct mapistore_mgmt_notification *notification);

/* A subscriber's counters since it was created. */
struct mapistore_mgmt_subscriber_stats {
	uint64_t delivered;   /* notifications returned by mapistore_mgmt_subscriber_next() */
	uint64_t malformed;   /* frames skipped: not [username NUL, body], or a body refused */
	uint64_t dropped;     /* well-formed notifications lost for lack of memory */
	/* Why the last malformed frame was refused: a reason of docs/notifications.md
	 * ("truncated", ...), or "bad-envelope" (not two frames, or a topic that is not the
	 * body's username and a NUL); NULL when none was. A static string. */
	const char *last_malformed;
};

/*
 * Copy the subscriber's counters into *stats; `size` is sizeof(*stats) as the caller was
 * compiled. Returns MAPISTORE_SUCCESS; MAPISTORE_ERR_INVALID_PARAMETER for a NULL argument or
 * a size this library does not know; MAPISTORE_ERR_DENIED in a fork() child.
 */
MAPISTORE_MGMT_EXTERN int mapistore_mgmt_subscriber_get_stats(
	struct mapistore_mgmt_subscriber *subscriber, struct mapistore_mgmt_subscriber_stats *stats,
	size_t size);

/*
 * Close the subscriber (notifications still queued in it are discarded; it waits neither for
 * the notifier nor for them, only for a shutdown under way as mapistore_mgmt_subscriber_new()) and
 * set *subscriber to NULL. NULL or *subscriber NULL is a no-op. No other call on the
 * subscriber may run during or after it. Notifications already returned stay valid.
 */
MAPISTORE_MGMT_EXTERN void mapistore_mgmt_subscriber_destroy(
	struct mapistore_mgmt_subscriber **subscriber);

#ifdef __cplusplus
}
#endif

#endif /* MAPISTORE_MGMT_H */
