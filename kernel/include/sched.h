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

#include "task.h"
#include <cairn/syscalls.h>

#define SCHED_PRIORITIES (CAIRN_PRIO_MAX + 1)

struct scheduler {
	struct task *current;  /* Running task, or NULL while idle */
	bool resched;          /* current should give way at the next exit */
	uint64_t switches;     /* context switches so far (statistics) */
	uint64_t ready_bitmap[SCHED_PRIORITIES / 64];
	struct task_queue ready[SCHED_PRIORITIES];
};

extern struct scheduler sched;

/* Put t (not running, not queued) at the tail of its ready queue. */
void sched_make_ready(struct task *t);
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

/* Choose what runs next and run it (or idle until something can). */
__attribute__((noreturn)) void sched_run(void);

#endif
