/* SPDX-License-Identifier: GPL-3.0-or-later */
/* decimal.h - how a number is read from text, by the library (its environment variables) and
 * by mapistore-mgmt-send (its options) alike. Header-only: the tool links the shared library,
 * whose internal functions are hidden. */
#ifndef MM_DECIMAL_H
#define MM_DECIMAL_H

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>

/* True, with *value set, when `text` is only decimal digits (no sign, no blank) and fits an
 * unsigned int; false, with *value unchanged, otherwise (NULL included). errno is left as it
 * was: the library reads its environment inside a host's call. */
static inline bool mm_decimal_parse(const char *text, unsigned int *value)
{
	int caller_errno = errno;
	char *end;
	unsigned long number;
	bool fits;

	if (!text || *text < '0' || *text > '9')
		return false;
	errno = 0;
	number = strtoul(text, &end, 10);
	fits = errno == 0 && *end == '\0' && number <= UINT_MAX;
	errno = caller_errno;
	if (fits)
		*value = (unsigned int)number;
	return fits;
}

#endif
