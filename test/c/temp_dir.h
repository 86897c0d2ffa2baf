/* SPDX-License-Identifier: GPL-3.0-or-later */
/* temp_dir.h - the C tests' temporary directories: /tmp/mm-ctest-XXXXXX, removed with their
 * files by temp_dir_remove() or, when a check fails first, at the exit of the process that
 * made them (never by a forked child's exit). */
#ifndef TEST_TEMP_DIR_H
#define TEST_TEMP_DIR_H

#include <stdbool.h>
#include <stddef.h>

/* Makes a fresh directory and writes its path into `path` (at least 32 bytes). */
void temp_dir_make(char *path, size_t size);

/* Removes it with everything in it; returns whether it is gone. */
bool temp_dir_remove(const char *path);

#endif
