/* SPDX-License-Identifier: GPL-3.0-or-later */
/* curve.c - reads the CURVE key files and sets them on the PUSH socket (see curve.h). Runs in
 * the sender thread only: file reads never happen in the host's threads. */
#include "curve.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

#include <mapistore/mapistore_mgmt.h>

/* A key file holds the key and maybe a newline; anything much longer is not a key file. */
#define MM_KEY_FILE_MAX 128

/* Reads one Z85 key from `path` into `out` (MM_Z85_KEY_LEN + 1 bytes). `secret`: refused when
 * others may read or write the file. */
static int read_key(const char *path, bool secret, char *out)
{
	char text[MM_KEY_FILE_MAX + 1];
	uint8_t decoded[32];
	struct stat st;
	ssize_t len;
	/* O_NONBLOCK: opening a FIFO would wait for a writer; S_ISREG below refuses it. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0)
		return MAPISTORE_ERR_NOT_FOUND;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return MAPISTORE_ERR_NOT_FOUND;
	}
	if (secret && (st.st_mode & (S_IROTH | S_IWOTH))) {
		close(fd);
		return MAPISTORE_ERR_DENIED;
	}
	do
		len = read(fd, text, MM_KEY_FILE_MAX);
	while (len < 0 && errno == EINTR);
	close(fd);
	if (len < 0)
		return MAPISTORE_ERR_NOT_FOUND;
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r' || text[len - 1] == ' '))
		len--;
	text[len] = '\0';
	if (len != MM_Z85_KEY_LEN || !zmq_z85_decode(decoded, text)) {
		memset(text, 0, sizeof(text));
		return MAPISTORE_ERR_INVALID_DATA;
	}
	memcpy(out, text, MM_Z85_KEY_LEN + 1);
	memset(text, 0, sizeof(text));
	memset(decoded, 0, sizeof(decoded));
	return MAPISTORE_SUCCESS;
}

int mm_curve_load(const struct mm_config *config, struct mm_curve_keys *keys)
{
	bool server = config->curve_server_key_file[0] != '\0';
	bool secret = config->curve_secret_key_file[0] != '\0';
	int rc;

	memset(keys, 0, sizeof(*keys));
	if (!server && !secret)
		return MAPISTORE_SUCCESS;
	if (!server || !secret)
		return MAPISTORE_ERR_INVALID_PARAMETER;
	rc = read_key(config->curve_server_key_file, false, keys->server_public);
	if (rc == MAPISTORE_SUCCESS)
		rc = read_key(config->curve_secret_key_file, true, keys->secret_key);
	if (rc == MAPISTORE_SUCCESS && zmq_curve_public(keys->public_key, keys->secret_key) != 0)
		rc = MAPISTORE_ERR_INVALID_DATA;
	if (rc != MAPISTORE_SUCCESS)
		mm_curve_forget(keys);
	else
		keys->enabled = true;
	return rc;
}

int mm_curve_apply(void *socket, const struct mm_curve_keys *keys)
{
	if (zmq_setsockopt(socket, ZMQ_CURVE_SERVERKEY, keys->server_public, MM_Z85_KEY_LEN) != 0 ||
	    zmq_setsockopt(socket, ZMQ_CURVE_PUBLICKEY, keys->public_key, MM_Z85_KEY_LEN) != 0 ||
	    zmq_setsockopt(socket, ZMQ_CURVE_SECRETKEY, keys->secret_key, MM_Z85_KEY_LEN) != 0)
		return -1;
	return 0;
}

void mm_curve_forget(struct mm_curve_keys *keys)
{
	/* volatile: a plain memset of memory about to die may be optimised away. */
	volatile char *bytes = (volatile char *)keys;

	for (size_t i = 0; i < sizeof(*keys); i++)
		bytes[i] = 0;
}
