/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Golden vectors of test/vectors/notification-v1.txt against the library's internal decoder:
 * a valid vector decodes to exactly its fields (and its topic is its username and a NUL), an
 * error vector is refused with exactly its reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "notification.h"
#include "notification_vectors.h"

static void check_valid(const struct notification_vector *v, char *strings)
{
	struct mapistore_mgmt_notification n = {0};

	CHECK(mm_notification_decode(v->body, v->body_len, strings, &n) == MM_NOTIFICATION_OK);
	CHECK(strcmp(n.backend, v->backend) == 0);
	CHECK(strcmp(n.username, v->username) == 0);
	CHECK(strcmp(n.vuser, v->vuser) == 0);
	CHECK(strcmp(n.folder, v->folder) == 0);
	CHECK(strcmp(n.message_id, v->message_id) == 0);
	CHECK_EQ_U64(n.uidvalidity, v->uidvalidity);
	CHECK(strcmp(n.sender, v->sender) == 0);
	CHECK(strcmp(n.subject, v->subject) == 0);
	CHECK(v->topic_len == strlen(v->username) + 1);
	CHECK(memcmp(v->topic, v->username, v->topic_len) == 0);
	/* Every proper prefix of a valid body ends inside a field. */
	for (size_t cut = 0; cut < v->body_len; cut++)
		CHECK(mm_notification_decode(v->body, cut, strings, &n) == MM_NOTIFICATION_TRUNCATED);
}

/* The file has no invalid-string vector: newmail-minimal broken in each way the spec names. */
static void check_invalid_strings(const struct notification_vector *minimal, char *strings)
{
	/* Offsets in newmail-minimal: backend's length at 2, folder's bytes "INBOX" at 19. */
	static const struct {
		size_t offset;
		uint8_t byte;
	} breaks[] = {{2, 0x00}, {19, 0x00}, {19, 0xff}, {19, 0xc0}};

	for (size_t i = 0; i < sizeof(breaks) / sizeof(breaks[0]); i++) {
		struct notification_vector broken = *minimal;
		struct mapistore_mgmt_notification n;

		broken.body[breaks[i].offset] = breaks[i].byte;
		CHECK(mm_notification_decode(broken.body, broken.body_len, strings, &n) ==
		      MM_NOTIFICATION_INVALID_STRING);
	}
}

int main(int argc, char **argv)
{
	static struct notification_vector vectors[NOTIFICATION_VECTORS_MAX];
	size_t count, valid = 0, errors = 0;

	CHECK(argc == 2);
	count = notification_vectors_read(argv[1], vectors, NOTIFICATION_VECTORS_MAX);
	for (size_t i = 0; i < count; i++) {
		const struct notification_vector *v = &vectors[i];
		/* Exactly body_len bytes, as the subscriber allocates: ASan catches an overrun. */
		char *strings = malloc(v->body_len ? v->body_len : 1);
		struct mapistore_mgmt_notification n = {0};

		CHECK(strings != NULL);
		if (v->error[0]) {
			enum mm_notification_result result =
				mm_notification_decode(v->body, v->body_len, strings, &n);

			CHECK(strcmp(mm_notification_reason(result), v->error) == 0);
			errors++;
		} else {
			check_valid(v, strings);
			valid++;
		}
		printf("vector %s: %s\n", v->name, v->error[0] ? v->error : "ok");
		free(strings);
	}
	{
		const struct notification_vector *minimal =
			notification_vector_named(vectors, count, "newmail-minimal");
		char *strings = malloc(minimal->body_len);

		CHECK(strings != NULL);
		CHECK(minimal->body[19] == 'I');
		check_invalid_strings(minimal, strings);
		free(strings);
	}
	/* The file's blocks, counted: a vector lost to a parsing slip would fail here. */
	CHECK_EQ_U64(valid, 3);
	CHECK_EQ_U64(errors, 4);
	return 0;
}
