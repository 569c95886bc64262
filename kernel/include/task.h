/*
 * task.h - the task (thread) object and the queues tasks wait on. There
 * is no task.c: what is done to tasks lives with the code doing it:
 * scheduling in kernel/sched.c (sched.h; sched_remove_task below too),
 * IPC in kernel/channel.c and kernel/notification.c, faults in
 * kernel/fault.c, the task system calls in kernel/sys_task.c. The
 * capability core only creates and destroys tasks.
 *
 * This header includes one arch file, arch_context.h (struct
 * arch_context), and nothing else of the arch: the capability core
 * includes it and also compiles for the host, where
 * tests/host/include/arch_context.h stands in (see kernel/include/arch.h).
 */
#ifndef CAIRN_TASK_H
#define CAIRN_TASK_H

#include "arch_context.h"
#include "cap.h"
#include "list.h"
#include "object.h"

/* The task's internal slots, as seL4's TCB: CDT nodes like any slot. */
enum task_slot_index {
	TASK_SLOT_CPOOL = 0,   /* root CPool for CAddr resolution */
	TASK_SLOT_VSPACE = 1,  /* address space */
	TASK_SLOT_BUFFER = 2,  /* task buffer Page (IPC buffer) */
	TASK_SLOT_FAULT = 3,   /* channel that receives its faults */
	TASK_SLOT_COUNT
};

struct task;

/* The last fault of a task, as reported (enum cairn_fault_kind). */
struct task_fault {
	uint32_t kind;
	uint32_t exception; /* arch exception number */
	uint64_t ip, addr, code;
};

/* A FIFO of tasks linked through task.queue_next/queue_prev (list.h). */
struct task_queue {
	struct task *head;
	struct task *tail;
};

struct task {
	struct object hdr;          /* hdr.name is the task's debug name */
	enum cairn_task_state state;
	uint8_t priority;
	uint32_t time_slice;        /* ticks left in the current slice */
	struct task *queue_next;    /* run queue or one wait queue */
	struct task *queue_prev;
	struct task_queue *queue;   /* the queue it is on, or NULL */
	struct object *blocked_on;  /* channel/notification it waits on */
	vaddr_t buffer_vaddr;       /* where the task buffer is mapped */
	/* IPC (kernel/channel.c): a call in progress links client and server. */
	struct task *reply_to;      /* server: the caller it owes a reply */
	struct task *reply_from;    /* client in BlockedReply: who owes it */
	uint8_t reply_grant;        /* server: may send a cap with the reply */
	uint8_t recv_grant_reply;   /* waiting to receive: its channel cap has
				       GRANT_REPLY (the reply may carry a cap) */
	struct task_fault fault;    /* why it is Faulted (kernel/fault.c) */
	/* Statistics for host tools (kdbg-top) and TASK_READ_STATE. */
	uint64_t run_ticks;         /* timer ticks that found it running */
	uint64_t ipc_sent;          /* messages sent: send, call, reply */
	struct slot slots[TASK_SLOT_COUNT];
	struct arch_context ctx;
};

static inline struct task *task_from_object(struct object *o)
{
	return container_of(o, struct task, hdr);
}

static inline void task_queue_append(struct task_queue *q, struct task *t)
{
	list_insert_tail(q->head, q->tail, t, queue_next, queue_prev);
	t->queue = q;
}

/* Take t, the first task on q, off it. */
static inline void task_queue_remove_head(struct task_queue *q, struct task *t)
{
	list_remove_head(q->head, q->tail, t, queue_next, queue_prev);
	t->queue = NULL;
}

static inline uint64_t task_queue_length(const struct task_queue *q)
{
	uint64_t n = 0;
	for (const struct task *t = q->head; t; t = t->queue_next)
		n++;
	return n;
}

/* Take t off the queue it is on, if any. */
static inline void task_queue_remove(struct task *t)
{
	struct task_queue *q = t->queue;

	if (!q)
		return;
	list_remove(q->head, q->tail, t, queue_next, queue_prev);
	t->queue = NULL;
}

/*
 * Hook, implemented by the scheduler: the task is being destroyed; take
 * it off the run queue and off any channel/notification wait queue, and
 * never run it again. Called before its internal slots are deleted.
 */
void sched_remove_task(struct task *t);

#endif
