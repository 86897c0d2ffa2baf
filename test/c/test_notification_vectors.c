/* Golden vectors of test/vectors/notification-v1.txt against the library's internal decoder:
 * a valid vector decodes to exactly its fields (and its topic is its username and a NUL), an
 * error vector is refused with exactly its reason. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "notification.h"

#define MAX_BODY 4096

struct vector {
	char name[128], backend[256], username[256], vuser[256], folder[1024], message_id[1024];
	char sender[1024], subject[1024], error[64], topic_hex[1024], hex[2 * MAX_BODY + 2];
	unsigned long uidvalidity;
};

static size_t unhex(const char *hex, uint8_t *out, size_t max)
{
	size_t len = strlen(hex);

	CHECK(len % 2 == 0 && len / 2 <= max);
	for (size_t i = 0; i < len / 2; i++) {
		unsigned int byte;

		CHECK(sscanf(hex + 2 * i, "%2x", &byte) == 1);
		out[i] = (uint8_t)byte;
	}
	return len / 2;
}

static void check_vector(const struct vector *v)
{
	uint8_t body[MAX_BODY], topic[300];
	size_t len = unhex(v->hex, body, sizeof(body));
	char *strings = malloc(len ? len : 1); /* exactly len bytes: ASan catches an overrun */
	struct mapistore_mgmt_notification n = {0};
	enum mm_notification_result result = mm_notification_decode(body, len, strings, &n);

	fprintf(stderr, "vector %s: %s\n", v->name, mm_notification_reason(result));
	if (v->error[0]) {
		CHECK(strcmp(mm_notification_reason(result), v->error) == 0);
	} else {
		size_t topic_len = unhex(v->topic_hex, topic, sizeof(topic));

		CHECK(result == MM_NOTIFICATION_OK);
		CHECK(strcmp(n.backend, v->backend) == 0);
		CHECK(strcmp(n.username, v->username) == 0);
		CHECK(strcmp(n.vuser, v->vuser) == 0);
		CHECK(strcmp(n.folder, v->folder) == 0);
		CHECK(strcmp(n.message_id, v->message_id) == 0);
		CHECK_EQ_U64(n.uidvalidity, v->uidvalidity);
		CHECK(strcmp(n.sender, v->sender) == 0);
		CHECK(strcmp(n.subject, v->subject) == 0);
		CHECK(topic_len == strlen(v->username) + 1);
		CHECK(memcmp(topic, v->username, topic_len) == 0);
		/* Every proper prefix of a valid body ends inside a field. */
		for (size_t cut = 0; cut < len; cut++)
			CHECK(mm_notification_decode(body, cut, strings, &n) ==
			      MM_NOTIFICATION_TRUNCATED);
	}
	free(strings);
}

/* "NAME VALUE" into the field NAME; VALUE runs to the end of the line. */
static void set_field(struct vector *v, const char *name, const char *value)
{
	static const struct {
		const char *name;
		size_t offset, size;
	} fields[] = {
#define FIELD(f) {#f, offsetof(struct vector, f), sizeof(((struct vector *)0)->f)}
		FIELD(backend), FIELD(username), FIELD(vuser),   FIELD(folder), FIELD(message_id),
		FIELD(sender),  FIELD(subject),  FIELD(error),   FIELD(hex),
#undef FIELD
		{"topic", offsetof(struct vector, topic_hex), sizeof(((struct vector *)0)->topic_hex)},
	};

	if (strcmp(name, "uidvalidity") == 0) {
		v->uidvalidity = strtoul(value, NULL, 10);
		return;
	}
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (strcmp(name, fields[i].name) == 0) {
			CHECK(strlen(value) < fields[i].size);
			strcpy((char *)v + fields[i].offset, value);
			return;
		}
	fprintf(stderr, "unknown field %s\n", name);
	exit(1);
}

int main(int argc, char **argv)
{
	static struct vector v;
	static char line[2 * MAX_BODY + 64];
	int valid = 0, errors = 0;
	FILE *file;

	CHECK(argc == 2);
	file = fopen(argv[1], "r");
	CHECK(file != NULL);
	while (fgets(line, sizeof(line), file)) {
		char *space;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (strcmp(line, "end") == 0) {
			check_vector(&v);
			v.error[0] ? errors++ : valid++;
			continue;
		}
		space = strchr(line, ' ');
		CHECK(space != NULL);
		*space = '\0';
		if (strcmp(line, "vector") == 0) {
			memset(&v, 0, sizeof(v));
			CHECK(strlen(space + 1) < sizeof(v.name));
			strcpy(v.name, space + 1);
		} else {
			set_field(&v, line, space + 1);
		}
	}
	fclose(file);
	/* The file's blocks, counted: a vector lost to a parsing slip would fail here. */
	CHECK(valid == 3);
	CHECK(errors == 4);
	printf("%d valid and %d error vectors decoded as specified\n", valid, errors);
	return 0;
}
