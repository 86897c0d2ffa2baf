/* SPDX-License-Identifier: GPL-3.0-or-later */
/* frame.c - see frame.h. */
#include "frame.h"

#include <string.h>
#include <unistd.h>

static uint8_t *put_le(uint8_t *p, uint64_t value, int bytes)
{
	for (int i = 0; i < bytes; i++)
		*p++ = (uint8_t)(value >> (8 * i));
	return p;
}

static uint8_t *put_str8(uint8_t *p, const char *text)
{
	size_t n = strlen(text);
	if (n > 255)
		n = 255;
	*p++ = (uint8_t)n;
	memcpy(p, text, n);
	return p + n;
}

size_t frame_register(uint8_t *out, const char *backend, const char *username, const char *vuser)
{
	char host[256] = "localhost";
	uint8_t *p = out;
	gethostname(host, sizeof host - 1);
	*p++ = 1; /* version */
	*p++ = 1; /* kind: register */
	p = put_le(p, (uint64_t)getpid(), 4);
	p = put_le(p, 0x0123456789abcdefu, 8); /* epoch */
	p = put_le(p, 1, 8);                   /* seq */
	p = put_str8(p, host);
	p = put_str8(p, backend);
	p = put_str8(p, username);
	p = put_str8(p, vuser);
	memset(p, 0, 16); /* replica_guid */
	p += 16;
	p = put_le(p, 1, 2); /* repl_id */
	return (size_t)(p - out);
}
