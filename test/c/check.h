/* SPDX-License-Identifier: GPL-3.0-or-later */
/* check.h - the C tests' assertion: prints where and what failed, and exits 1. */
#ifndef TEST_CHECK_H
#define TEST_CHECK_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(condition)                                                                 \
	do {                                                                             \
		if (!(condition)) {                                                      \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#condition);                                             \
			exit(1);                                                         \
		}                                                                        \
	} while (0)

#define CHECK_EQ_U64(actual, expected)                                                        \
	do {                                                                                  \
		unsigned long long actual_ = (unsigned long long)(actual);                    \
		unsigned long long expected_ = (unsigned long long)(expected);                \
		if (actual_ != expected_) {                                                   \
			fprintf(stderr, "%s:%d: %s is %llu, expected %llu\n", __FILE__, __LINE__, \
				#actual, actual_, expected_);                                 \
			exit(1);                                                              \
		}                                                                             \
	} while (0)

#endif
