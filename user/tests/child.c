/*
 * child.c - child tasks in the suite's own address space, and settle()
 * (see child.h).
 */
#include "child.h"
#include "console.h"
#include "harness.h"
#include "uthread.h"
#include "vmap.h"

#define CHILD_STACKS 8
/* Children's task buffers live here in the shared VSpace, one page per
 * stack index (the page tables vmap makes for them stay). */
#define CHILD_BUFFER_WINDOW UINT64_C(0x10000000)

static struct uthread_stack stacks[CHILD_STACKS + 1]; /* the last: idle */
static bool stack_used[CHILD_STACKS];

volatile char trace[64];
volatile unsigned trace_len;

void trace_add(char ch)
{
	if (trace_len < sizeof(trace) - 1)
		trace[trace_len++] = ch;
}

void trace_reset(void)
{
	for (unsigned i = 0; i < sizeof(trace); i++)
		trace[i] = 0;
	trace_len = 0;
}

static void __attribute__((noreturn)) child_entry(struct child *c, struct task_buffer *tb)
{
	uthread_init(&c->stack->thread, tb);
	c->started = 1;
	c->fn(c);
	console_flush();
	c->finished = 1;
	cairn_task_suspend(c->task);
	for (;;)
		cairn_yield();
}

uint64_t child_entry_ip(void)
{
	return (uint64_t)(uintptr_t)child_entry;
}

uint64_t child_entry_sp(const struct child *c)
{
	return uthread_stack_entry_sp(c->stack);
}

static void free_stack(void *arg)
{
	stack_used[(uintptr_t)arg] = false;
}

/* Objects for a child: tracked (freed after the test) or permanent. */
static int make(unsigned type, bool tracked, uint64_t *slot)
{
	if (tracked) {
		*slot = new_obj(type, 0);
		return *slot == CAIRN_NO_SLOT ? CAIRN_ERR_NO_MEMORY : 0;
	}
	return ut_alloc_object(&test_ut, type, 0, slot);
}

static int setup(struct child *c, void (*fn)(struct child *), unsigned prio, unsigned idx,
		 bool tracked)
{
	uint64_t va = CHILD_BUFFER_WINDOW + (uint64_t)idx * 4096;
	int err;

	c->stack = &stacks[idx];
	c->fn = fn;
	c->started = c->finished = 0;
	for (unsigned i = 0; i < 8; i++)
		c->out[i] = 0;
	if ((err = make(CAIRN_OBJ_PAGE, tracked, &c->buf)) ||
	    (err = vmap_page(&test_ut, c->buf, CAIRN_SLOT_VSPACE, va,
			     CAIRN_MAP_READ | CAIRN_MAP_WRITE)) ||
	    (err = make(CAIRN_OBJ_TASK, tracked, &c->task)))
		return err;
	c->tb = (struct task_buffer *)(uintptr_t)va;
	if ((err = cairn_task_configure(c->task, CAIRN_TASK_FIELD_CPOOL, CAIRN_SLOT_ROOT_CPOOL,
					0)) ||
	    (err = cairn_task_configure(c->task, CAIRN_TASK_FIELD_VSPACE, CAIRN_SLOT_VSPACE, 0)) ||
	    (err = cairn_task_configure(c->task, CAIRN_TASK_FIELD_BUFFER, c->buf, va)) ||
	    (err = cairn_task_set_regs(c->task, CAIRN_REG_ALL, child_entry_ip(),
				       child_entry_sp(c), (uint64_t)(uintptr_t)c, va)) ||
	    (err = cairn_task_set_priority(c->task, prio)) ||
	    (err = cairn_set_name(c->task, test_current ? test_current : "child")))
		return err;
	return 0;
}

int child_create(struct child *c, void (*fn)(struct child *), unsigned prio)
{
	unsigned idx;

	for (idx = 0; idx < CHILD_STACKS && stack_used[idx]; idx++)
		;
	if (idx == CHILD_STACKS)
		return CAIRN_ERR_NO_MEMORY;
	stack_used[idx] = true;
	on_cleanup(free_stack, (void *)(uintptr_t)idx); /* runs after the task is gone */
	return setup(c, fn, prio, idx, true);
}

int child_start(struct child *c, void (*fn)(struct child *), unsigned prio)
{
	int err = child_create(c, fn, prio);

	return err ? err : cairn_task_resume(c->task);
}

/* ---- settle ----------------------------------------------------------- */

static struct child idle;
static uint64_t idle_ntfn;
static volatile int idle_request;

static void idle_main(struct child *c)
{
	(void)c;
	for (;;) {
		if (idle_request) {
			idle_request = 0;
			cairn_ntfn_signal(idle_ntfn);
		}
		cairn_yield();
	}
}

bool settle_init(void)
{
	if (ut_alloc_object(&test_ut, CAIRN_OBJ_NOTIFICATION, 0, &idle_ntfn) ||
	    setup(&idle, idle_main, 1, CHILD_STACKS, false) || cairn_set_name(idle.task, "idle"))
		return false;
	return cairn_task_resume(idle.task) == 0;
}

void settle(void)
{
	uint64_t bits;

	console_flush();
	(void)cairn_ntfn_poll(idle_ntfn, &bits);
	idle_request = 1;
	(void)cairn_ntfn_wait(idle_ntfn, &bits);
}
