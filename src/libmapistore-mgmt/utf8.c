/* SPDX-License-Identifier: GPL-3.0-or-later */
/* utf8.c - validation of UTF-8 (RFC 3629, Table 3-7 of the Unicode standard). */
#include "utf8.h"

#include <stdint.h>

/* Length of the sequence a lead byte starts, and the range its second byte must be in: the
 * narrowed ranges after E0, ED, F0 and F4 are what exclude overlong forms, surrogates and
 * code points above U+10FFFF. */
static size_t sequence_length(uint8_t lead, uint8_t *second_min, uint8_t *second_max)
{
	*second_min = 0x80;
	*second_max = 0xBF;
	if (lead < 0x80)
		return 1;
	if (lead >= 0xC2 && lead <= 0xDF)
		return 2;
	if (lead >= 0xE0 && lead <= 0xEF) {
		if (lead == 0xE0)
			*second_min = 0xA0;
		else if (lead == 0xED)
			*second_max = 0x9F;
		return 3;
	}
	if (lead >= 0xF0 && lead <= 0xF4) {
		if (lead == 0xF0)
			*second_min = 0x90;
		else if (lead == 0xF4)
			*second_max = 0x8F;
		return 4;
	}
	return 0;
}

bool mm_utf8_valid(const char *bytes, size_t len)
{
	const uint8_t *p = (const uint8_t *)bytes;
	const uint8_t *end = p + len;

	while (p < end) {
		uint8_t second_min, second_max;
		size_t n = sequence_length(*p, &second_min, &second_max);

		if (n == 0 || (size_t)(end - p) < n)
			return false;
		if (n > 1 && (p[1] < second_min || p[1] > second_max))
			return false;
		for (size_t i = 2; i < n; i++)
			if (p[i] < 0x80 || p[i] > 0xBF)
				return false;
		p += n;
	}
	return true;
}
