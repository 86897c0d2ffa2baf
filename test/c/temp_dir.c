/* SPDX-License-Identifier: GPL-3.0-or-later */
/* temp_dir.c - temporary directories that a failing test does not leave behind. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "temp_dir.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define MAX_DIRS 8
#define PATH_SIZE 32

/* Directories made and not yet removed, each with the process that made it. */
static struct {
	char path[PATH_SIZE];
	pid_t owner;
} made[MAX_DIRS];

static void remove_left_behind(void)
{
	for (int i = 0; i < MAX_DIRS; i++)
		if (made[i].path[0] && made[i].owner == getpid())
			temp_dir_remove(made[i].path);
}

void temp_dir_make(char *path, size_t size)
{
	static bool registered;
	int slot = 0;

	while (slot < MAX_DIRS && made[slot].path[0])
		slot++;
	CHECK(slot < MAX_DIRS && size >= PATH_SIZE);
	if (!registered) {
		CHECK(atexit(remove_left_behind) == 0);
		registered = true;
	}
	strcpy(path, "/tmp/mm-ctest-XXXXXX");
	CHECK(mkdtemp(path) != NULL);
	strcpy(made[slot].path, path);
	made[slot].owner = getpid();
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

bool temp_dir_remove(const char *path)
{
	/* Depth first, symbolic links removed rather than followed. */
	bool removed = nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) == 0;

	/* Forgotten last: `path` may be the slot itself. */
	for (int i = 0; i < MAX_DIRS; i++)
		if (strcmp(made[i].path, path) == 0)
			made[i].path[0] = '\0';
	return removed;
}
