/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * http_latency.c - the latency of HTTP GETs, one after the other over one kept-alive TCP
 * connection, measured by a client that adds as little as it can: no runtime, no garbage
 * collector, a blocking read (the kernel wakes it when the answer is there).
 *
 *   bench-http-latency HOST PORT PATHS_FILE COUNT [WARMUP]
 *
 * Request i asks the path on line (i mod lines) of PATHS_FILE. WARMUP requests (default 0,
 * paths taken the same way) are sent first and not timed. Each request is timed from before
 * its write to the last byte of its body (read up to its Content-Length). It prints
 * {"n":..,"p50":..,"p99":..,"p999":..,"max":..,"mean":..} (nanoseconds, samples.h) and exits 0;
 * 1 with a message on stderr if the connection fails or an answer is not a 2xx with a
 * Content-Length.
 */
#define _GNU_SOURCE /* memmem, strcasestr */
#include "samples.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_PATHS 65536
#define REQUEST_MAX 4096
#define BUFFER_SIZE (1 << 20)

static char buffer[BUFFER_SIZE];
static size_t buffered;

static void die(const char *what)
{
	fprintf(stderr, "bench-http-latency: %s\n", what);
	exit(1);
}

static int connect_to(const char *host, const char *port)
{
	struct addrinfo hints = {0}, *found;
	int fd, one = 1;

	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &found) != 0)
		die("cannot resolve the host");
	fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
	if (fd < 0 || connect(fd, found->ai_addr, found->ai_addrlen) != 0)
		die("cannot connect");
	freeaddrinfo(found);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

/* Reads once more into the buffer; dies when the server closed the connection. */
static void read_more(int fd)
{
	ssize_t got;

	if (buffered == BUFFER_SIZE)
		die("an answer larger than the buffer (1 MiB)");
	got = read(fd, buffer + buffered, BUFFER_SIZE - buffered);
	if (got <= 0)
		die("the server closed the connection");
	buffered += (size_t)got;
}

/* Reads one whole answer (head and body), checks it is a 2xx, and drops it from the buffer. */
static void read_answer(int fd)
{
	char *end, *length;
	size_t head, total;

	for (;;) {
		end = memmem(buffer, buffered, "\r\n\r\n", 4);
		if (end != NULL)
			break;
		read_more(fd);
	}
	head = (size_t)(end - buffer) + 4;
	*end = '\0'; /* the head is a string now: the body follows the terminator */
	if (strncmp(buffer, "HTTP/1.1 2", 10) != 0) {
		fprintf(stderr, "bench-http-latency: answer %.40s\n", buffer);
		exit(1);
	}
	length = strcasestr(buffer, "\r\ncontent-length:");
	if (length == NULL)
		die("an answer without Content-Length");
	total = head + strtoul(length + 17, NULL, 10);
	while (buffered < total)
		read_more(fd);
	memmove(buffer, buffer + total, buffered - total);
	buffered -= total;
}

static void send_all(int fd, const char *data, size_t length)
{
	while (length > 0) {
		ssize_t sent = write(fd, data, length);
		if (sent <= 0)
			die("cannot write the request");
		data += sent;
		length -= (size_t)sent;
	}
}

int main(int argc, char **argv)
{
	static char *paths[MAX_PATHS];
	char line[REQUEST_MAX / 2], request[REQUEST_MAX];
	size_t lines = 0, count, warmup;
	struct samples samples;
	FILE *file;
	int fd;

	if (argc < 5) {
		fprintf(stderr, "usage: %s HOST PORT PATHS_FILE COUNT [WARMUP]\n", argv[0]);
		return 2;
	}
	file = fopen(argv[3], "r");
	if (file == NULL)
		die("cannot open the paths file");
	while (lines < MAX_PATHS && fgets(line, sizeof line, file) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] != '\0')
			paths[lines++] = strdup(line);
	}
	fclose(file);
	if (lines == 0)
		die("the paths file has no path");
	count = strtoul(argv[4], NULL, 10);
	warmup = argc > 5 ? strtoul(argv[5], NULL, 10) : 0;
	samples_init(&samples, count);
	fd = connect_to(argv[1], argv[2]);
	for (size_t i = 0; i < warmup + count; i++) {
		int length = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: %s:%s\r\n\r\n", paths[i % lines], argv[1], argv[2]);
		uint64_t start = now_ns();

		send_all(fd, request, (size_t)length);
		read_answer(fd);
		if (i >= warmup)
			samples_add(&samples, now_ns() - start);
	}
	close(fd);
	samples_print_json(&samples, "");
	samples_free(&samples);
	for (size_t i = 0; i < lines; i++)
		free(paths[i]);
	return 0;
}
