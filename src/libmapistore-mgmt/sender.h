/* sender.h - the background thread that owns the ZeroMQ context and PUSH socket. */
#ifndef MM_SENDER_H
#define MM_SENDER_H

/* Starts the thread if there is none (lock held), with every signal blocked in it.
 * Returns 0, or -1 when no thread could be created. */
int mm_sender_start(void);

#endif
