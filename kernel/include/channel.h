/*
 * channel.h - the channel IPC object: a bounded ring of messages and
 * queues of blocked senders and receivers. IPC logic lives in
 * kernel/channel.c; the core creates and destroys channels.
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

#endif
