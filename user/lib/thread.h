/*
 * thread.h - tasks that run a function of this program: a Task from
 * untyped memory, its own stack (a struct uthread_stack the caller
 * provides) and task buffer (a Page mapped at the next free address of
 * the thread area), sharing the caller's CPool.
 */
#ifndef ULIB_THREAD_H
#define ULIB_THREAD_H

#include <stdint.h>
#include "utalloc.h"
#include "uthread.h"

#define THREAD_MAX 64 /* threads one program may start (the monitor demo: 63) */

struct thread_env {
	struct ut_alloc *ut;
	uint64_t root_pool;         /* the CPool threads use (the caller's) */
	uint64_t next_buffer_vaddr; /* page-aligned, free: task buffers go here */
};

typedef void (*thread_fn)(uint64_t arg);

/*
 * Start fn(arg) in a new task with `priority` (at most the caller's) in
 * the address space `vspace` (a VSpace cap; the caller's own to share
 * it). The task's slot goes in *task. When fn returns, the thread
 * suspends itself.
 */
int thread_start(struct thread_env *env, uint64_t *task, struct uthread_stack *stack,
		 uint64_t vspace, unsigned priority, thread_fn fn, uint64_t arg,
		 const char *name);

#endif
