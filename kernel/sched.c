/* sched.c - ready queues, time slices and choosing what runs (sched.h). */
#include "sched.h"
#include "arch.h"
#include "channel.h"
#include "vspace.h"
#include "sched_offsets.h"

struct scheduler sched;
_Static_assert(__builtin_offsetof(struct scheduler, current) == SCHED_CURRENT, "sched_offsets.h");
_Static_assert(__builtin_offsetof(struct scheduler, resched) == SCHED_EXIT_FLAGS &&
	       __builtin_offsetof(struct scheduler, switched) == SCHED_EXIT_FLAGS + 1,
	       "sched_offsets.h");

static void bitmap_set(unsigned prio)
{
	sched.ready_bitmap[prio / 64] |= 1ull << (prio % 64);
}

static void bitmap_clear_if_empty(unsigned prio)
{
	if (!sched.ready[prio].head)
		sched.ready_bitmap[prio / 64] &= ~(1ull << (prio % 64));
}

int sched_highest_ready(void)
{
	for (int w = (int)ARRAY_SIZE(sched.ready_bitmap) - 1; w >= 0; w--)
		if (sched.ready_bitmap[w])
			return w * 64 + 63 - __builtin_clzll(sched.ready_bitmap[w]);
	return -1;
}

void sched_make_ready(struct task *t)
{
	dassert(!t->queue && t != sched.current);
	t->state = CAIRN_TASK_READY;
	t->blocked_on = NULL;
	task_queue_append(&sched.ready[t->priority], t);
	bitmap_set(t->priority);
	sched.ready_count++;
	if (sched.current && t->priority > sched.current->priority)
		sched.resched = true; /* preempt at the next kernel exit */
}

void sched_wake(struct task *t)
{
	struct task *cur = sched.current;
	/* Strictly above every ready task too, so that nothing of its own
	 * priority that woke first is overtaken. */
	if (!cur || t->priority <= cur->priority ||
	    (sched.ready_count && sched_highest_ready() >= (int)t->priority)) {
		sched_make_ready(t);
		return;
	}
	dassert(!t->queue && t != cur);
	t->blocked_on = NULL;
	sched.current = NULL;
	sched_make_ready(cur); /* preempted: to the back of its queue */
	sched_switch_to(t);
	sched.switched = true; /* the caller's exit is not the lean one */
}

void sched_dequeue(struct task *t)
{
	if (!t->queue)
		return;
	bool was_ready = t->queue == &sched.ready[t->priority];
	task_queue_remove(t);
	if (was_ready) {
		bitmap_clear_if_empty(t->priority);
		sched.ready_count--;
	}
}

void sched_block(struct task *t, enum cairn_task_state state,
		 struct object *blocked_on)
{
	sched_dequeue(t);
	if (t == sched.current) {
		sched.current = NULL;
		sched.resched = true;
	}
	t->state = state;
	t->blocked_on = blocked_on;
}

void sched_remove_task(struct task *t)
{
	/* Out of any IPC, off the CPU and every queue: for good. */
	ipc_cancel(t, CAIRN_ERR_OBJECT_DESTROYED);
	sched_block(t, CAIRN_TASK_INACTIVE, NULL);
}

/*
 * The running task goes to the back of its priority's queue and the
 * task at the front runs. Nothing ready outranks the running task
 * unless sched.resched says one may (sched_make_ready and
 * sched_priority_changed set it), so without it the next task is the
 * head of the running task's own queue, or the running task itself when
 * that queue is empty: it switches there directly, and the ready
 * bitmap and count do not change. With resched set, the general way.
 */
void sched_yield(void)
{
	struct task *t = sched.current;
	if (!t)
		return;
	t->time_slice = CONFIG_TIME_SLICE_TICKS;
	if (unlikely(sched.resched)) {
		sched.current = NULL;
		sched_make_ready(t);
		return;
	}
	dassert(!sched_ready_above(t->priority));
	struct task_queue *q = &sched.ready[t->priority];
	struct task *next = q->head;
	if (!next)
		return; /* alone at its priority: it carries on */
	task_queue_remove_head(q, next);
	t->state = CAIRN_TASK_READY;
	task_queue_append(q, t);
	sched_switch_to(next);
	sched.switched = true; /* a yielding caller's exit is not the lean one */
}

void sched_tick(void)
{
	struct task *t = sched.current;
	if (!t)
		return;
	if (t->time_slice > 1) {
		t->time_slice--;
		return;
	}
	/* Slice used up: to the back of its priority's queue. */
	sched_yield();
}

void sched_priority_changed(struct task *t, uint8_t old_priority)
{
	if (t->queue == &sched.ready[old_priority]) {
		task_queue_remove(t);
		bitmap_clear_if_empty(old_priority);
		task_queue_append(&sched.ready[t->priority], t);
		bitmap_set(t->priority);
	}
	/* Wait queues are FIFO regardless of priority; nothing to do. */
	int top = sched_highest_ready();
	if (sched.current && top > sched.current->priority)
		sched.resched = true;
}

/*
 * Put the running task back if a task of strictly higher priority is
 * ready. (Equal priorities take turns only when a slice ends or a task
 * yields; see sched_tick.)
 */
static void preempt_if_needed(void)
{
	struct task *t = sched.current;
	if (!t || !sched.resched)
		return;
	sched.resched = false;
	if (sched_highest_ready() > (int)t->priority) {
		sched.current = NULL;
		sched_make_ready(t);
	}
}

static struct task *pick_next(void)
{
	int top = sched_highest_ready();
	if (top < 0)
		return NULL;
	struct task *t = sched.ready[top].head;
	sched_dequeue(t);
	return t;
}

void sched_schedule_slow(void)
{
	preempt_if_needed();
	if (sched.current) {
		sched.resched = false;
		return;
	}
	for (;;) {
		struct task *next = pick_next();
		if (next) {
			sched_switch_to(next);
			break;
		}
		arch_run_idle(); /* an interrupt may make a task ready */
	}
	sched.resched = false;
}
