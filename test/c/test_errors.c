/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Every return code of the public calls. Bad input changes nothing: nothing recorded (stats
 * unchanged but last_error), nothing sent (the first frame the receiver ever sees is the
 * first good call's, with seq 1; a refused call consumes no seq). Out of memory is real: this
 * test links the static library with -Wl,--wrap=malloc, so the library's own allocations can
 * be made to fail. A full queue returns MSG_SEND, still records the registration, and the
 * next heartbeat reports the drop and the registration. */
#include <string.h>

#include <mapistore/mapistore_mgmt.h>

#include "check.h"
#include "receiver.h"

#define RECEIVE_TIMEOUT_MS 10000
#define NO_HEARTBEAT_MS MAPISTORE_MGMT_HEARTBEAT_MS_MAX

/* --wrap=malloc: the calling thread's Nth allocation from now fails (0: none does). Only
 * the test thread arms it, so the library's background thread is never affected. */
void *__real_malloc(size_t size);
static _Thread_local int fail_allocation_in;

void *__wrap_malloc(size_t size)
{
	if (fail_allocation_in > 0 && --fail_allocation_in == 0)
		return NULL;
	return __real_malloc(size);
}

static const char *const names[] = {
	"MAPISTORE_SUCCESS", "MAPISTORE_ERROR", "MAPISTORE_ERR_NO_MEMORY",
	"MAPISTORE_ERR_ALREADY_INITIALIZED", "MAPISTORE_ERR_NOT_INITIALIZED",
	"MAPISTORE_ERR_CORRUPTED", "MAPISTORE_ERR_INVALID_PARAMETER", "MAPISTORE_ERR_NO_DIRECTORY",
	"MAPISTORE_ERR_DATABASE_INIT", "MAPISTORE_ERR_DATABASE_OPS",
	"MAPISTORE_ERR_BACKEND_REGISTER", "MAPISTORE_ERR_BACKEND_INIT",
	"MAPISTORE_ERR_CONTEXT_FAILED", "MAPISTORE_ERR_INVALID_NAMESPACE",
	"MAPISTORE_ERR_INVALID_URI", "MAPISTORE_ERR_NOT_FOUND", "MAPISTORE_ERR_REF_COUNT",
	"MAPISTORE_ERR_EXIST", "MAPISTORE_ERR_INVALID_DATA", "MAPISTORE_ERR_MSG_SEND",
	"MAPISTORE_ERR_MSG_RCV", "MAPISTORE_ERR_DENIED", "MAPISTORE_ERR_CONN_REFUSED",
	"MAPISTORE_ERR_NOT_AVAILABLE", "MAPISTORE_ERR_NOT_IMPLEMENTED",
	"MAPISTORE_MGMT_ERR_LIMIT",
};
#define CODE_COUNT ((int)(sizeof(names) / sizeof(names[0])))

static void check_error_texts(void)
{
	CHECK(CODE_COUNT == 26 && MAPISTORE_MGMT_ERR_LIMIT == 25);
	for (int code = 0; code < CODE_COUNT; code++) {
		const char *text = mapistore_mgmt_errstr(code);

		CHECK(mapistore_mgmt_errname(code) && strcmp(mapistore_mgmt_errname(code), names[code]) == 0);
		CHECK(text && *text && strcmp(text, "Unknown error") != 0);
	}
	CHECK(strcmp(mapistore_mgmt_errstr(MAPISTORE_SUCCESS), "Success") == 0);
	CHECK(strcmp(mapistore_mgmt_errstr(MAPISTORE_ERR_INVALID_PARAMETER), "Invalid parameter") == 0);
	CHECK(mapistore_mgmt_errname(-1) == NULL && mapistore_mgmt_errname(CODE_COUNT) == NULL);
	CHECK(strcmp(mapistore_mgmt_errstr(-1), "Unknown error") == 0);
	CHECK(strcmp(mapistore_mgmt_errstr(CODE_COUNT), "Unknown error") == 0);
	CHECK(mapistore_mgmt_version() == MAPISTORE_MGMT_VERSION_HEX);
	CHECK(strcmp(mapistore_mgmt_version_string(), "1.1.0") == 0);
}

static struct mapistore_mgmt_stats stats_now(void)
{
	struct mapistore_mgmt_stats stats;

	CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats)) == MAPISTORE_SUCCESS);
	return stats;
}

/* Everything but last_error is as before, and last_error is the code returned. */
static void check_unchanged(const struct mapistore_mgmt_stats *before, int code)
{
	struct mapistore_mgmt_stats after = stats_now();

	CHECK(after.last_error == code);
	after.last_error = before->last_error;
	CHECK(memcmp(&after, before, sizeof(after)) == 0);
}

typedef int (*user_call)(struct mapistore_connection_info *, const char *, const char *);

static void expect_refused(struct mapistore_connection_info *conn_info, const char *backend,
			   const char *vuser, int code)
{
	static const user_call calls[] = {mapistore_mgmt_backend_register_user,
					   mapistore_mgmt_backend_unregister_user};

	for (int i = 0; i < 2; i++) {
		struct mapistore_mgmt_stats before = stats_now();

		CHECK(calls[i](conn_info, backend, vuser) == code);
		check_unchanged(&before, code);
	}
}

static void check_bad_arguments(void)
{
	char long_string[MAPISTORE_MGMT_MAX_STRING + 2];
	static const char *const bad_utf8[] = {
		"\xc0\xaf",         /* overlong '/' */
		"\xe0\x80\xaf",     /* overlong, 3 bytes */
		"\xed\xa0\x80",     /* surrogate U+D800 */
		"\xf4\x90\x80\x80", /* U+110000 */
		"\xe2\x82",         /* truncated */
		"ab\x80",           /* lone continuation byte */
		"\xff",
	};
	struct mapistore_connection_info good = {.username = "jdoe"};
	struct mapistore_connection_info no_user = {.username = NULL};

	memset(long_string, 'x', sizeof(long_string) - 1);
	long_string[sizeof(long_string) - 1] = '\0';

	expect_refused(NULL, "SOGo", "jdoe", MAPISTORE_ERR_NOT_INITIALIZED);
	expect_refused(&no_user, "SOGo", "jdoe", MAPISTORE_ERR_NOT_INITIALIZED);
	expect_refused(NULL, NULL, NULL, MAPISTORE_ERR_NOT_INITIALIZED); /* checked first */
	expect_refused(&good, NULL, "jdoe", MAPISTORE_ERR_INVALID_PARAMETER);
	expect_refused(&good, "SOGo", NULL, MAPISTORE_ERR_INVALID_PARAMETER);
	expect_refused(&good, "", "jdoe", MAPISTORE_ERR_INVALID_PARAMETER);
	expect_refused(&good, "SOGo", "", MAPISTORE_ERR_INVALID_PARAMETER);
	expect_refused(&good, long_string, "jdoe", MAPISTORE_ERR_INVALID_PARAMETER);
	expect_refused(&good, "SOGo", long_string, MAPISTORE_ERR_INVALID_PARAMETER);
	for (size_t i = 0; i < sizeof(bad_utf8) / sizeof(bad_utf8[0]); i++) {
		struct mapistore_connection_info bad_user = {.username = (char *)bad_utf8[i]};

		expect_refused(&good, bad_utf8[i], "jdoe", MAPISTORE_ERR_INVALID_PARAMETER);
		expect_refused(&good, "SOGo", bad_utf8[i], MAPISTORE_ERR_INVALID_PARAMETER);
		expect_refused(&bad_user, "SOGo", "jdoe", MAPISTORE_ERR_INVALID_PARAMETER);
	}
	{
		struct mapistore_connection_info empty_user = {.username = ""};
		struct mapistore_connection_info long_user = {.username = long_string};

		expect_refused(&empty_user, "SOGo", "jdoe", MAPISTORE_ERR_INVALID_PARAMETER);
		expect_refused(&long_user, "SOGo", "jdoe", MAPISTORE_ERR_INVALID_PARAMETER);
	}
}

static void expect_configure_refused(const struct mapistore_mgmt_options *options)
{
	struct mapistore_mgmt_stats before = stats_now();

	CHECK(mapistore_mgmt_configure(options) == MAPISTORE_ERR_INVALID_PARAMETER);
	check_unchanged(&before, MAPISTORE_ERR_INVALID_PARAMETER);
}

static void check_bad_configuration(void)
{
	static const char *const endpoints[] = {
		"", "inproc://x", "ipc://", "tcp://", "tcp://127.0.0.1", "tcp://127.0.0.1:0",
		"tcp://127.0.0.1:70000", "tcp://127.0.0.1:+5555", "tcp://127.0.0.1: 5555",
		"tcp://:5555", "tcp://*:5555", "udp://127.0.0.1:5555",
	};
	char long_ipc[300] = "ipc:///tmp/";
	struct mapistore_mgmt_options options = MAPISTORE_MGMT_OPTIONS_INIT;
	struct mapistore_mgmt_stats stats;

	memset(long_ipc + strlen(long_ipc), 'p', 200);
	expect_configure_refused(NULL);
	options.size = sizeof(options) - 1;
	expect_configure_refused(&options);
	for (size_t i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++) {
		struct mapistore_mgmt_options bad = MAPISTORE_MGMT_OPTIONS_INIT;

		bad.endpoint = endpoints[i];
		expect_configure_refused(&bad);
	}
	options = (struct mapistore_mgmt_options)MAPISTORE_MGMT_OPTIONS_INIT;
	options.endpoint = long_ipc;
	expect_configure_refused(&options);
	options = (struct mapistore_mgmt_options)MAPISTORE_MGMT_OPTIONS_INIT;
	options.heartbeat_ms = MAPISTORE_MGMT_HEARTBEAT_MS_MIN - 1;
	expect_configure_refused(&options);
	options.heartbeat_ms = MAPISTORE_MGMT_HEARTBEAT_MS_MAX + 1;
	expect_configure_refused(&options);
	options = (struct mapistore_mgmt_options)MAPISTORE_MGMT_OPTIONS_INIT;
	options.queue_limit = 10000001;
	expect_configure_refused(&options);
	options = (struct mapistore_mgmt_options)MAPISTORE_MGMT_OPTIONS_INIT;
	options.linger_ms = 60001;
	expect_configure_refused(&options);
	options = (struct mapistore_mgmt_options)MAPISTORE_MGMT_OPTIONS_INIT;
	options.batching = MAPISTORE_MGMT_BATCHING_OFF + 1;
	expect_configure_refused(&options);
	/* A valid endpoint with an invalid number is refused whole: the endpoint is not taken. */
	options = (struct mapistore_mgmt_options)MAPISTORE_MGMT_OPTIONS_INIT;
	options.endpoint = "tcp://127.0.0.1:1";
	options.queue_limit = 10000001;
	expect_configure_refused(&options);

	CHECK(mapistore_mgmt_get_stats(NULL, sizeof(stats)) == MAPISTORE_ERR_INVALID_PARAMETER);
	CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats) - 1) == MAPISTORE_ERR_INVALID_PARAMETER);
	CHECK(mapistore_mgmt_get_stats(&stats, sizeof(stats) + 8) == MAPISTORE_ERR_INVALID_PARAMETER);
}

/* Receives one frame and checks it is the expected user command. */
static void expect_frame(struct receiver *receiver, int kind, uint64_t seq, const char *backend,
			 const char *username, const char *vuser)
{
	struct frame frame;

	CHECK(receiver_next(receiver, &frame, RECEIVE_TIMEOUT_MS));
	CHECK(frame.kind == kind);
	CHECK_EQ_U64(frame.seq, seq);
	CHECK(strcmp(frame.backend, backend) == 0 && strcmp(frame.username, username) == 0 &&
	      strcmp(frame.vuser, vuser) == 0);
	frame_free(&frame);
}

static void check_out_of_memory(struct receiver *receiver)
{
	struct mapistore_connection_info conn_info = {.username = "mallory"};
	struct mapistore_mgmt_stats before = stats_now();

	/* First allocation: the message. Second: the new triple's entry. */
	for (int nth = 1; nth <= 2; nth++) {
		fail_allocation_in = nth;
		CHECK(mapistore_mgmt_backend_register_user(&conn_info, "SOGo", "fresh") ==
		      MAPISTORE_ERR_NO_MEMORY);
		CHECK(fail_allocation_in == 0);
		check_unchanged(&before, MAPISTORE_ERR_NO_MEMORY);
	}
	fail_allocation_in = 1;
	CHECK(mapistore_mgmt_backend_unregister_user(&conn_info, "SOGo", "held") ==
	      MAPISTORE_ERR_NO_MEMORY);
	check_unchanged(&before, MAPISTORE_ERR_NO_MEMORY);
	CHECK(before.registrations_held == 1);

	/* Nothing was sent: the next good call has the next seq. */
	CHECK(mapistore_mgmt_backend_register_user(&conn_info, "SOGo", "fresh") == MAPISTORE_SUCCESS);
	expect_frame(receiver, 1, 5, "SOGo", "mallory", "fresh");
}

/* Fills the queue against an endpoint where nobody listens (ZeroMQ holds its high-water
 * mark's worth, our queue the rest), then lets a receiver appear there. */
static void check_queue_full(struct receiver *receiver)
{
	struct mapistore_connection_info conn_info = {.username = "flood"};
	struct mapistore_mgmt_stats before, after;
	struct receiver late;
	char absent[600];
	uint64_t calls = 0, seen = 0;
	bool heartbeat_checked = false;
	int rc = MAPISTORE_SUCCESS;

	receiver_spare_endpoint(receiver, "late.sock", absent, sizeof(absent));
	configure_library(absent, NO_HEARTBEAT_MS, 10);
	while (rc == MAPISTORE_SUCCESS && calls < 100000) {
		before = stats_now();
		rc = mapistore_mgmt_backend_register_user(&conn_info, "SOGo", "flood");
		calls++;
	}
	CHECK(rc == MAPISTORE_ERR_MSG_SEND);
	after = stats_now();
	CHECK_EQ_U64(after.messages_dropped, before.messages_dropped + 1);
	CHECK_EQ_U64(after.registrations_held, before.registrations_held + 1); /* still recorded */
	CHECK(after.last_error == MAPISTORE_ERR_MSG_SEND);
	CHECK(after.queue_length <= 10);

	/* The notifier appears: everything queued arrives, then a heartbeat repairs the drop. */
	receiver_bind(&late, absent);
	configure_library(NULL, 50, 0);
	while (!heartbeat_checked) {
		struct frame frame;

		CHECK(receiver_next(&late, &frame, RECEIVE_TIMEOUT_MS));
		if (frame.kind == 3 && frame.dropped < after.messages_dropped) {
			CHECK(seen == 0); /* the announcement to the new endpoint, before any drop */
		} else if (frame.kind == 3) {
			const struct frame_entry *entry =
				frame_find_entry(&frame, "SOGo", "flood", "flood");

			CHECK(frame.dropped == after.messages_dropped && frame.dropped >= 1);
			CHECK(entry && entry->count == calls);
			heartbeat_checked = true;
		} else {
			CHECK(frame.kind == 1);
			seen++;
		}
		frame_free(&frame);
	}
	CHECK_EQ_U64(seen + after.messages_dropped, calls);
	receiver_close(&late);
}

int main(void)
{
	struct receiver receiver;
	struct mapistore_connection_info conn_info = {.username = "mallory"};
	struct mapistore_mgmt_stats stats;

	check_error_texts();
	receiver_open(&receiver, "ipc");
	configure_library(receiver.endpoint, NO_HEARTBEAT_MS, 0);
	stats = stats_now();
	CHECK(stats.messages_sent == 0 && stats.epoch == 0 && stats.last_error == MAPISTORE_SUCCESS);

	check_bad_arguments();
	check_bad_configuration();
	stats = stats_now();
	CHECK(stats.epoch == 0 && stats.queue_length == 0 && stats.registrations_held == 0);

	/* Out of memory in the very first call: no epoch is drawn either. */
	fail_allocation_in = 1;
	CHECK(mapistore_mgmt_backend_register_user(&conn_info, "SOGo", "first") ==
	      MAPISTORE_ERR_NO_MEMORY);
	check_unchanged(&stats, MAPISTORE_ERR_NO_MEMORY);

	/* The first good call starts the source: its announcement is seq 1, the call's frame
	 * seq 2. Strings of 255 bytes are accepted. */
	{
		char longest[MAPISTORE_MGMT_MAX_STRING + 1];
		struct frame frame;

		memset(longest, 'v', MAPISTORE_MGMT_MAX_STRING);
		longest[MAPISTORE_MGMT_MAX_STRING] = '\0';
		CHECK(mapistore_mgmt_backend_register_user(&conn_info, "SOGo", longest) == MAPISTORE_SUCCESS);
		receiver_expect_announcement(&receiver, &frame, NO_HEARTBEAT_MS, RECEIVE_TIMEOUT_MS);
		frame_free(&frame);
		expect_frame(&receiver, 1, 2, "SOGo", "mallory", longest);
		CHECK(mapistore_mgmt_backend_unregister_user(&conn_info, "SOGo", longest) == MAPISTORE_SUCCESS);
		expect_frame(&receiver, 2, 3, "SOGo", "mallory", longest);
		CHECK(mapistore_mgmt_backend_register_user(&conn_info, "SOGo", "held") == MAPISTORE_SUCCESS);
		expect_frame(&receiver, 1, 4, "SOGo", "mallory", "held");
	}
	check_out_of_memory(&receiver);
	check_queue_full(&receiver);
	CHECK(mapistore_mgmt_shutdown() == MAPISTORE_SUCCESS);
	receiver_close(&receiver);
	printf("every return code checked\n");
	return 0;
}
