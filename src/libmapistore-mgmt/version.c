/* SPDX-License-Identifier: GPL-3.0-or-later */
/* version.c - the library's version, as built. */
#include <mapistore/mapistore_mgmt.h>

#define MM_STRINGIFY_(x) #x
#define MM_STRINGIFY(x) MM_STRINGIFY_(x)

unsigned int mapistore_mgmt_version(void)
{
	return MAPISTORE_MGMT_VERSION_HEX;
}

const char *mapistore_mgmt_version_string(void)
{
	return MM_STRINGIFY(MAPISTORE_MGMT_VERSION_MAJOR) "." MM_STRINGIFY(
		MAPISTORE_MGMT_VERSION_MINOR) "." MM_STRINGIFY(MAPISTORE_MGMT_VERSION_PATCH);
}
