/* SPDX-License-Identifier: GPL-3.0-or-later */
/* subscriber.h - the new-mail subscriber (struct mapistore_mgmt_subscriber): a ZeroMQ context
 * and SUB socket of its own, opened with descriptor headroom, watched, and refused to a fork()
 * child. Its public calls are declared in <mapistore/mapistore_mgmt.h>; this header only names
 * the reason given for a frame that is not [topic, body]. */
#ifndef MM_SUBSCRIBER_H
#define MM_SUBSCRIBER_H

/* A message that is not two frames, or whose topic is not the body's username and a NUL. */
#define MM_SUBSCRIBER_BAD_ENVELOPE "bad-envelope"

#endif
