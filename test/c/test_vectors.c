/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Golden vectors: every valid vector of test/vectors/protocol-v1.txt, encoded from its fields
 * by the library's internal encoder, must give exactly the vector's bytes, a vector given as
 * several frames must be cut where the library cuts a message into frames, and a batch must be
 * what the sender packs from its members' messages. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "check.h"
#include "wire.h"

#define MAX_ENTRIES 8
#define MAX_FRAME 8192
#define MAX_FRAMES 8
#define MAX_MEMBERS 8

struct entry_fields {
	char backend[256], username[256], vuser[256], guid[40];
	unsigned int repl_id, count;
};

struct vector {
	char name[128], kind[32], host[256], backend[256], username[256], vuser[256], guid[40];
	char error[64];
	char *hex;
	char *frames[MAX_FRAMES]; /* hex of each frame of a multipart vector */
	int frame_count;
	uint32_t pid;
	uint64_t epoch, seq, dropped;
	unsigned int repl_id, interval_ms;
	struct entry_fields entries[MAX_ENTRIES];
	int entry_count;
	char members[MAX_MEMBERS][1024]; /* a batch's "member" lines, in order */
	int member_count;
};

static void parse_guid(const char *text, uint8_t out[16])
{
	unsigned int time_low, time_mid, time_hi, b[8];

	CHECK(sscanf(text, "%8x-%4x-%4x-%2x%2x-%2x%2x%2x%2x%2x%2x", &time_low, &time_mid, &time_hi,
		     &b[0], &b[1], &b[2], &b[3], &b[4], &b[5], &b[6], &b[7]) == 11);
	for (int i = 0; i < 4; i++)
		out[i] = (uint8_t)(time_low >> (8 * i));
	out[4] = (uint8_t)time_mid;
	out[5] = (uint8_t)(time_mid >> 8);
	out[6] = (uint8_t)time_hi;
	out[7] = (uint8_t)(time_hi >> 8);
	for (int i = 0; i < 8; i++)
		out[8 + i] = (uint8_t)b[i];
}

static struct mm_text text_of(const char *string)
{
	struct mm_text text = {string, strlen(string)};

	return text;
}

static size_t encode(const struct vector *v, uint8_t *out)
{
	struct mm_source source = {.pid = v->pid, .epoch = v->epoch};
	uint8_t *end;

	source.host_len = (uint8_t)strlen(v->host);
	memcpy(source.host, v->host, source.host_len + 1);
	if (strcmp(v->kind, "register") == 0 || strcmp(v->kind, "unregister") == 0) {
		struct mm_command command = {text_of(v->backend), text_of(v->username),
					     text_of(v->vuser), {0}, (uint16_t)v->repl_id};

		parse_guid(v->guid, command.replica_guid);
		CHECK(mm_wire_command_size(&source, &command) < MAX_FRAME);
		end = mm_wire_encode_command(out,
					     v->kind[0] == 'r' ? MM_KIND_REGISTER : MM_KIND_UNREGISTER,
					     &source, v->seq, &command);
		CHECK((size_t)(end - out) == mm_wire_command_size(&source, &command));
	} else if (strcmp(v->kind, "heartbeat") == 0) {
		end = mm_wire_put_header(out, MM_KIND_HEARTBEAT, &source, v->seq);
		end = mm_wire_put_heartbeat_fixed(end, v->interval_ms, v->dropped,
						  (uint32_t)v->entry_count);
		for (int i = 0; i < v->entry_count; i++) {
			const struct entry_fields *e = &v->entries[i];
			struct mm_command command = {text_of(e->backend), text_of(e->username),
						     text_of(e->vuser), {0}, (uint16_t)e->repl_id};

			parse_guid(e->guid, command.replica_guid);
			end = mm_wire_put_key(end, &command);
			end = mm_wire_put_entry_tail(end, command.replica_guid, command.repl_id,
						     e->count);
		}
	} else {
		CHECK(strcmp(v->kind, "goodbye") == 0);
		end = mm_wire_put_header(out, MM_KIND_GOODBYE, &source, v->seq);
		CHECK((size_t)(end - out) == mm_wire_header_size(&source));
	}
	return (size_t)(end - out);
}

/* A batch member as a lone message: the batch's source and seq + index, the member's kind and
 * fields (a heartbeat's entries are the batch's), encoded as the library queues it. */
static struct mm_message *encode_member(const struct vector *batch, int index)
{
	struct vector v = *batch;
	uint8_t frame[MAX_FRAME];
	struct mm_message *message;
	size_t len;

	v.seq = batch->seq + (uint64_t)index;
	if (sscanf(batch->members[index], "%31s", v.kind) != 1)
		CHECK(!"member without a kind");
	if (strcmp(v.kind, "register") == 0 || strcmp(v.kind, "unregister") == 0)
		CHECK(sscanf(batch->members[index], "%*s %255s %255s %255s %39s %u", v.backend,
			     v.username, v.vuser, v.guid, &v.repl_id) == 5);
	else if (strcmp(v.kind, "heartbeat") == 0)
		CHECK(sscanf(batch->members[index], "%*s %u %" SCNu64, &v.interval_ms, &v.dropped) == 2);
	len = encode(&v, frame);
	message = mm_message_new(strcmp(v.kind, "register") == 0	  ? MM_KIND_REGISTER
				 : strcmp(v.kind, "unregister") == 0 ? MM_KIND_UNREGISTER
				 : strcmp(v.kind, "heartbeat") == 0  ? MM_KIND_HEARTBEAT
								     : MM_KIND_GOODBYE,
				 len);
	CHECK(message != NULL);
	memcpy(message->bytes, frame, len);
	return message;
}

/* A batch vector: its members encoded one by one, then packed as the sender packs them. The
 * sender puts registers and unregisters together, each heartbeat and goodbye alone: a vector
 * of commands only must be what it plans as one frame. */
static size_t encode_batch(const struct vector *v, uint8_t *out)
{
	struct mm_queue queue = {0};
	bool commands_only = true;
	size_t len = 0, planned, planned_len;

	CHECK(v->member_count >= 2);
	for (int i = 0; i < v->member_count; i++) {
		struct mm_message *message = encode_member(v, i);

		commands_only = commands_only && (message->kind == MM_KIND_REGISTER ||
						  message->kind == MM_KIND_UNREGISTER);
		len += message->len - mm_wire_message_header_size(message->bytes) + 1;
		mm_queue_push_back(&queue, message);
	}
	len += mm_wire_message_header_size(queue.head->bytes) + MM_WIRE_BATCH_COUNT;
	planned = mm_batch_plan(queue.head, queue.length, MAX_FRAME, &planned_len);
	CHECK(commands_only ? planned == queue.length && planned_len == len
			    : planned < queue.length);
	mm_batch_pack(out, queue.head, queue.length);
	mm_queue_clear(&queue);
	return len;
}

static void compare(const struct vector *v)
{
	uint8_t frame[MAX_FRAME];
	size_t len = strcmp(v->kind, "batch") == 0 ? encode_batch(v, frame) : encode(v, frame);
	char *hex = malloc(2 * len + 1);

	CHECK(hex != NULL);
	for (size_t i = 0; i < len; i++)
		sprintf(hex + 2 * i, "%02x", frame[i]);
	hex[2 * len] = '\0';
	if (strcmp(hex, v->hex) != 0) {
		fprintf(stderr, "vector %s:\n  expected %s\n  encoded  %s\n", v->name, v->hex, hex);
		exit(1);
	}
	free(hex);
}

/* A multipart vector's frames are its message cut as the sender cuts it, with the first frame's
 * length as the frame size; the message is their concatenation (left in v->hex). */
static void join_frames(struct vector *v)
{
	size_t total = 0, offset = 0, frame_max;

	for (int i = 0; i < v->frame_count; i++)
		total += strlen(v->frames[i]) / 2;
	frame_max = strlen(v->frames[0]) / 2;
	v->hex = calloc(2 * total + 1, 1);
	CHECK(v->hex != NULL);
	for (int i = 0; i < v->frame_count; i++) {
		size_t len = strlen(v->frames[i]) / 2;

		CHECK(offset < total && len == mm_wire_frame_len(total, offset, frame_max));
		strcat(v->hex, v->frames[i]);
		offset += len;
		free(v->frames[i]);
	}
	CHECK(offset == total);
}

/* Copies the value after "NAME " into out (bounded). */
static void copy_value(char *out, size_t size, const char *value)
{
	CHECK(strlen(value) < size);
	strcpy(out, value);
}

int main(int argc, char **argv)
{
	FILE *file;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	struct vector v;
	bool in_vector = false;
	int valid = 0, invalid = 0, batches = 0;

	CHECK(argc == 2);
	file = fopen(argv[1], "r");
	CHECK(file != NULL);
	while ((len = getline(&line, &cap, file)) >= 0) {
		char *value;

		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		value = strchr(line, ' ');
		value = value ? value + 1 : line + len;
		if (strncmp(line, "vector ", 7) == 0) {
			memset(&v, 0, sizeof(v));
			copy_value(v.name, sizeof(v.name), value);
			in_vector = true;
		} else if (strcmp(line, "end") == 0) {
			CHECK(in_vector && (v.hex != NULL) != (v.frame_count > 1));
			if (v.frame_count > 1)
				join_frames(&v);
			if (v.error[0]) {
				invalid++;
			} else {
				compare(&v);
				valid++;
				batches += strcmp(v.kind, "batch") == 0;
			}
			free(v.hex);
			in_vector = false;
		} else if (strncmp(line, "kind ", 5) == 0) {
			copy_value(v.kind, sizeof(v.kind), value);
		} else if (strncmp(line, "host ", 5) == 0) {
			copy_value(v.host, sizeof(v.host), value);
		} else if (strncmp(line, "pid ", 4) == 0) {
			v.pid = (uint32_t)strtoul(value, NULL, 10);
		} else if (strncmp(line, "epoch ", 6) == 0) {
			v.epoch = strtoull(value, NULL, 16);
		} else if (strncmp(line, "seq ", 4) == 0) {
			v.seq = strtoull(value, NULL, 10);
		} else if (strncmp(line, "backend ", 8) == 0) {
			copy_value(v.backend, sizeof(v.backend), value);
		} else if (strncmp(line, "username ", 9) == 0) {
			copy_value(v.username, sizeof(v.username), value);
		} else if (strncmp(line, "vuser ", 6) == 0) {
			copy_value(v.vuser, sizeof(v.vuser), value);
		} else if (strncmp(line, "replica_guid ", 13) == 0) {
			copy_value(v.guid, sizeof(v.guid), value);
		} else if (strncmp(line, "repl_id ", 8) == 0) {
			v.repl_id = (unsigned int)strtoul(value, NULL, 10);
		} else if (strncmp(line, "interval_ms ", 12) == 0) {
			v.interval_ms = (unsigned int)strtoul(value, NULL, 10);
		} else if (strncmp(line, "dropped ", 8) == 0) {
			v.dropped = strtoull(value, NULL, 10);
		} else if (strncmp(line, "entry ", 6) == 0) {
			struct entry_fields *e = &v.entries[v.entry_count++];

			CHECK(v.entry_count <= MAX_ENTRIES);
			CHECK(sscanf(value, "%255s %255s %255s %39s %u %u", e->backend, e->username,
				     e->vuser, e->guid, &e->repl_id, &e->count) == 6);
		} else if (strncmp(line, "member ", 7) == 0) {
			CHECK(v.member_count < MAX_MEMBERS);
			copy_value(v.members[v.member_count++], sizeof(v.members[0]), value);
		} else if (strncmp(line, "max_frame_bytes ", 16) == 0) {
			/* The decoder's size limit for a rejection: nothing for the encoder. */
		} else if (strncmp(line, "error ", 6) == 0) {
			copy_value(v.error, sizeof(v.error), value);
		} else if (strncmp(line, "frame ", 6) == 0) {
			CHECK(v.frame_count < MAX_FRAMES);
			v.frames[v.frame_count] = strdup(value);
			CHECK(v.frames[v.frame_count++] != NULL);
		} else if (strncmp(line, "hex", 3) == 0) {
			v.hex = strdup(len > 4 ? line + 4 : "");
			CHECK(v.hex != NULL);
		} else {
			fprintf(stderr, "unknown line: %s\n", line);
			return 1;
		}
	}
	free(line);
	fclose(file);
	/* The file holds 12 valid (3 batches) and 37 invalid vectors today; never fewer than one of
	 * each. */
	CHECK(valid >= 8 && batches >= 2 && invalid >= 1 && !in_vector);
	printf("%d valid vectors encoded exactly (%d invalid ones are the decoder's)\n", valid, invalid);
	return 0;
}
