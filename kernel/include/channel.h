/*
 * channel.h - the channel IPC object (a bounded ring of messages and
 * queues of blocked senders and receivers) and message passing over it:
 * send, receive, call and reply, and the wait/wake rules notifications
 * share with it. All of it is implemented in kernel/channel.c (the
 * system calls too; the IPC fastpath is kernel/fastpath.c); the
 * capability core only creates and destroys channels.
 *
 * A blocked sender keeps its message in its own saved registers (the
 * syscall's argument words); it is copied into the channel's ring when
 * room appears. A task blocked in a call waits for one reply; the task
 * that received the call records it in reply_to.
 */
#ifndef CAIRN_CHANNEL_H
#define CAIRN_CHANNEL_H

#include "cap.h"
#include "object.h"
#include "task.h"

struct channel_msg {
	uint64_t badge;  /* badge of the sender's cap */
	uint64_t info;   /* length and flags, defined by the IPC code */
	uint64_t words[CAIRN_MSG_MAX_WORDS];
	struct slot cap; /* a capability in flight, owned by the channel */
	struct task *caller; /* sent by a call: the task awaiting the reply */
};

struct channel {
	struct object hdr;
	struct task_queue senders;   /* blocked in send/call, ring full */
	struct task_queue receivers; /* blocked in recv */
	uint32_t head;               /* index of the oldest message */
	uint32_t count;              /* messages queued */
	uint64_t sent;               /* messages ever sent through it (statistics) */
	struct channel_msg ring[CONFIG_CHANNEL_QUEUE_DEPTH];
};

static inline struct channel *channel_from_object(struct object *o)
{
	return container_of(o, struct channel, hdr);
}

/*
 * Hook, implemented by the IPC code: the channel is being destroyed;
 * wake every blocked sender and receiver with `error`
 * (CAIRN_ERR_OBJECT_DESTROYED). The core then deletes the caps in the
 * queued messages.
 */
void channel_wake_all(struct channel *ch, int error);

/* A message as it travels: what send/call pass and recv returns. */
struct ipc_msg {
	uint64_t badge;
	uint64_t info; /* CAIRN_MSGINFO: length, CAP, CALL */
	uint64_t words[CAIRN_MSG_MAX_WORDS];
};

/* A message from the kernel itself (fault messages); never blocks:
 * WOULD_BLOCK when the ring is full. */
int channel_send_kernel(struct channel *ch, uint64_t badge,
			const uint64_t *words, unsigned len);

/*
 * Take t out of whatever IPC it is in (wait queues, a pending call or
 * reply), waking a partner that would otherwise wait forever with
 * `error`. Used by suspend and by task destruction.
 */
void ipc_cancel(struct task *t, int error);

/* Make a blocked task Ready with `error` as its system call result
 * (channels and notifications alike). */
void ipc_wake_with_error(struct task *t, int error);

#endif
