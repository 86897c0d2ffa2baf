/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The library's UTF-8 check at the edges of every range: what it accepts, what it refuses. */
#include <string.h>

#include "check.h"
#include "utf8.h"

static bool valid(const char *text)
{
	return mm_utf8_valid(text, strlen(text));
}

int main(void)
{
	static const char *const good[] = {
		"jdoe", "\x7f", "\xc2\x80", "\xdf\xbf", "j\xc3\xb6hn.d\xc5\x93", "\xe0\xa0\x80",
		"\xed\x9f\xbf" /* U+D7FF */, "\xee\x80\x80" /* U+E000 */, "\xef\xbf\xbf",
		"\xe7\x94\xa8\xe6\x88\xb7", "\xf0\x90\x80\x80", "\xf0\x9f\x98\x80",
		"\xf4\x8f\xbf\xbf" /* U+10FFFF */,
	};
	static const char *const bad[] = {
		"\x80", "\xbf", "\xc0\x80", "\xc1\xbf", "\xc2", "\xc2\x41", "\xe0\x80\x80",
		"\xe0\x9f\xbf", "\xed\xa0\x80" /* U+D800 */, "\xed\xbf\xbf" /* U+DFFF */, "\xe2\x82",
		"\xe2\x28\xa1", "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80",
		"\xf5\x80\x80\x80", "\xf8\x88\x80\x80\x80", "\xfe", "\xff", "ok\xc3",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(valid(good[i]));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(!valid(bad[i]));
	CHECK(mm_utf8_valid("", 0));
	printf("%zu valid and %zu invalid sequences classified\n", sizeof(good) / sizeof(good[0]),
	       sizeof(bad) / sizeof(bad[0]));
	return 0;
}
