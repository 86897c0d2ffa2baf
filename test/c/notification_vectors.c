/* SPDX-License-Identifier: GPL-3.0-or-later */
/* notification_vectors.c - the golden vector file's format (described in its header). */
#include "notification_vectors.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

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

static void copy(char *out, size_t size, const char *value)
{
	CHECK(strlen(value) < size);
	strcpy(out, value);
}

/* "NAME VALUE": VALUE runs to the end of the line. */
static void set_field(struct notification_vector *v, const char *name, const char *value)
{
#define TEXT(field)                                            \
	if (strcmp(name, #field) == 0) {                       \
		copy(v->field, sizeof(v->field), value);       \
		return;                                        \
	}
	TEXT(name) TEXT(backend) TEXT(username) TEXT(vuser) TEXT(folder) TEXT(message_id)
	TEXT(sender) TEXT(subject) TEXT(error)
#undef TEXT
	if (strcmp(name, "uidvalidity") == 0)
		v->uidvalidity = strtoul(value, NULL, 10);
	else if (strcmp(name, "topic") == 0)
		v->topic_len = unhex(value, v->topic, sizeof(v->topic));
	else if (strcmp(name, "hex") == 0)
		v->body_len = unhex(value, v->body, sizeof(v->body));
	else {
		fprintf(stderr, "unknown field %s\n", name);
		exit(1);
	}
}

size_t notification_vectors_read(const char *path, struct notification_vector *vectors,
				 size_t max)
{
	static char line[2 * NOTIFICATION_VECTOR_MAX_BODY + 64];
	struct notification_vector *v = NULL;
	size_t count = 0;
	FILE *file = fopen(path, "r");

	CHECK(file != NULL);
	while (fgets(line, sizeof(line), file)) {
		char *space;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (strcmp(line, "end") == 0) {
			CHECK(v != NULL);
			v = NULL;
			continue;
		}
		space = strchr(line, ' ');
		CHECK(space != NULL);
		*space = '\0';
		if (strcmp(line, "vector") == 0) {
			CHECK(v == NULL && count < max);
			v = &vectors[count++];
			memset(v, 0, sizeof(*v));
			set_field(v, "name", space + 1);
		} else {
			CHECK(v != NULL);
			set_field(v, line, space + 1);
		}
	}
	CHECK(v == NULL); /* every block ended */
	fclose(file);
	return count;
}

const struct notification_vector *notification_vector_named(
	const struct notification_vector *vectors, size_t count, const char *name)
{
	for (size_t i = 0; i < count; i++)
		if (strcmp(vectors[i].name, name) == 0)
			return &vectors[i];
	fprintf(stderr, "no vector %s\n", name);
	exit(1);
}
