/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * frame.h - the bytes of one wire-protocol v1 register message (docs/protocol.md), so that the
 * raw zmq_send and mq_send baselines carry exactly what the library sends for the same call.
 */
#ifndef BENCH_FRAME_H
#define BENCH_FRAME_H

#include <stddef.h>
#include <stdint.h>

/* The largest register frame: header and body with every string at 255 bytes. */
#define FRAME_MAX 1064

/*
 * Encodes a register of (backend, username, vuser) from this host and process into `out`
 * (FRAME_MAX bytes) and returns its length; the replica GUID is zero and repl_id 1.
 */
size_t frame_register(uint8_t *out, const char *backend, const char *username, const char *vuser);

#endif
