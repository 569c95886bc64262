/*
 * sched.h - the scheduler: fixed priorities 0..CAIRN_PRIO_MAX (higher
 * runs first), round-robin within a priority with a time slice of
 * CONFIG_TIME_SLICE_TICKS. The running task is not on a ready queue.
 *
 * The kernel runs on one stack and never blocks inside itself: a system
 * call that has to wait changes the caller's state and returns to
 * whichever task is chosen next (as seL4 does).
 */
#ifndef CAIRN_SCHED_H
#define CAIRN_SCHED_H

#include "arch.h"
#include "task.h"
#include <cairn/syscalls.h>

#define SCHED_PRIORITIES (CAIRN_PRIO_MAX + 1)

struct scheduler {
	struct task *current;  /* Running task, or NULL while idle */
	bool resched;          /* the next exit schedules: current may have to
				* give way, or it blocked */
	bool switched;         /* sched_wake or sched_yield made another task
				* current (the system-call exit that sees
				* it clears it) */
	uint64_t switches;     /* context switches so far (statistics) */
	uint32_t ready_count;  /* tasks on ready queues */
	uint64_t ready_bitmap[SCHED_PRIORITIES / 64];
	struct task_queue ready[SCHED_PRIORITIES];
};

extern struct scheduler sched;

/* Put t (not running, not queued) at the tail of its ready queue. */
void sched_make_ready(struct task *t);
/* t (blocked, not queued) may run again: as sched_make_ready, but when it
 * outranks the running task and every ready one it becomes the running
 * task at once, without a trip through its ready queue (seL4's
 * possibleSwitchTo), and the running task goes back to the tail of its
 * queue as a preemption would put it. */
void sched_wake(struct task *t);
/* Take t off whatever queue it is on (ready or a wait queue), keeping
 * the ready bitmap right. Everyone removing a task from a queue whose
 * kind they do not know must use this. */
void sched_dequeue(struct task *t);
/* Take t off the CPU or its ready queue and give it `state`. */
void sched_block(struct task *t, enum cairn_task_state state,
		 struct object *blocked_on);
/* The current task gives the CPU to the next ready task of its priority. */
void sched_yield(void);
/* Called on every timer tick. */
void sched_tick(void);
/* A task's priority changed: requeue it where it belongs. */
void sched_priority_changed(struct task *t, uint8_t old_priority);

/*
 * Before returning to user mode: choose what runs next (idling until
 * something can) and make it the context arch code enters.
 */
void sched_schedule_slow(void);
static inline void sched_schedule(void)
{
	if (unlikely(!sched.current || sched.resched))
		sched_schedule_slow(); /* else: the same task carries on */
}
/* The highest priority with a ready task, or -1. */
int sched_highest_ready(void);

/* Is a task of priority above `prio` ready? (Usually: none is ready.) */
static inline bool sched_ready_above(unsigned prio)
{
	return sched.ready_count && sched_highest_ready() > (int)prio;
}

/* The kernel's own page tables (for tasks without a VSpace, and idle). */
extern paddr_t kernel_vspace_root;

static inline void vspace_activate_for(struct task *t)
{
	const struct cap *v = &t->slots[TASK_SLOT_VSPACE].cap;
	arch_vspace_activate(v->type == CAIRN_OBJ_VSPACE ? v->paddr : kernel_vspace_root);
}

/* Run t next, now (also the IPC fastpath's direct switch). */
static inline void sched_switch_to(struct task *t)
{
	t->state = CAIRN_TASK_RUNNING; /* (its time slice is never 0) */
	sched.current = t;
	sched.switches++;
	vspace_activate_for(t);
	arch_set_user_context(&t->ctx);
}

#endif
