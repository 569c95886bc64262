/*
 * ipc.h - message passing between tasks over channels (kernel/channel.c)
 * and the wait/wake rules notifications share with it.
 *
 * A blocked sender keeps its message in its own saved registers (the
 * syscall's argument words); it is copied into the channel's ring when
 * room appears. A task blocked in a call waits for one reply; the task
 * that received the call records it in reply_to.
 */
#ifndef CAIRN_IPC_H
#define CAIRN_IPC_H

#include "channel.h"
#include "task.h"

/* A message as it travels: what send/call pass and recv returns. */
struct ipc_msg {
	uint64_t badge;
	uint64_t info; /* CAIRN_MSGINFO: length, CAP, CALL */
	uint64_t words[CAIRN_MSG_MAX_WORDS];
};

/*
 * Take t out of whatever IPC it is in (wait queues, a pending call or
 * reply), waking a partner that would otherwise wait forever with
 * `error`. Used by suspend and by task destruction.
 */
void ipc_cancel(struct task *t, int error);

/* OR bits into a notification's word and wake its first waiter. */
struct notification;
void notification_signal(struct notification *n, uint64_t bits);

/* A message from the kernel itself (fault messages); never blocks:
 * WOULD_BLOCK when the ring is full. */
int channel_send_kernel(struct channel *ch, uint64_t badge,
			const uint64_t *words, unsigned len);

/* Make a blocked task Ready with `error` as its system call result. */
void ipc_wake_with_error(struct task *t, int error);

#endif
