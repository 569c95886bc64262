/*
 * child.h - child tasks sharing the suite's address space and root
 * CPool: each runs a C function on its own static stack, with its own
 * task buffer Page mapped into the shared VSpace.
 *
 * settle() lets every other task run until all of them are blocked,
 * stopped or faulted: an idle task at priority 1 (below every test
 * task) signals the suite's main task when it gets the CPU. Tests use
 * it instead of timeouts: after settle(), a child that should have
 * finished has, and one that should be blocked is.
 */
#ifndef TESTS_CHILD_H
#define TESTS_CHILD_H

#include <stdbool.h>
#include <stdint.h>

struct uthread_stack;
struct task_buffer;

struct child {
	uint64_t task;   /* its Task cap (a root-pool slot) */
	uint64_t buf;    /* its task-buffer Page cap */
	struct task_buffer *tb; /* where that page is mapped */
	struct uthread_stack *stack;
	void (*fn)(struct child *c);
	uint64_t arg[4];           /* for fn */
	volatile uint64_t out[8];  /* results fn leaves for the test */
	volatile int started, finished;
};

/* Make a configured, Inactive child that will run fn at priority prio.
 * Cleaned up (task deleted, stack freed) after the test. 0 or error. */
int child_create(struct child *c, void (*fn)(struct child *), unsigned prio);
/* child_create + TASK_RESUME. */
int child_start(struct child *c, void (*fn)(struct child *), unsigned prio);
/* The instruction and stack pointers a child is created with. */
uint64_t child_entry_ip(void);
uint64_t child_entry_sp(const struct child *c);

/* Start the idle task (once, at suite start); false on failure. */
bool settle_init(void);
/* Block until every other task is blocked (see above). */
void settle(void);

/* A global append-only trace children write to show ordering. */
extern volatile char trace[64];
extern volatile unsigned trace_len;
void trace_add(char ch);
void trace_reset(void);

#endif
