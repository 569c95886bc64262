/*
 * notification.h - asynchronous signal word; IRQs are delivered here.
 * Implemented in kernel/notification.c (the system calls too).
 */
#ifndef CAIRN_NOTIFICATION_H
#define CAIRN_NOTIFICATION_H

#include "object.h"
#include "task.h"

struct notification {
	struct object hdr;
	uint64_t word;             /* pending signal bits (badges ORed) */
	struct task_queue waiters; /* tasks blocked in wait */
};

static inline struct notification *notification_from_object(struct object *o)
{
	return container_of(o, struct notification, hdr);
}

/* Hook, implemented by the IPC code: wake every waiter with `error`. */
void notification_wake_all(struct notification *n, int error);

/* OR bits into a notification's word and wake its first waiter. */
void notification_signal(struct notification *n, uint64_t bits);

#endif
