/*
 * host_support.c - the kernel environment for the host build: console,
 * panic, the identity physical map, and the destroy hooks that the
 * scheduler, IPC, IRQ and paging code implement in the kernel. Here the
 * hooks do the minimal real bookkeeping (take tasks off queues, change
 * their state) and count the calls for tests to observe.
 */
#include <stdio.h>
#include <stdlib.h>

#include "channel.h"
#include "host_support.h"
#include "irq.h"
#include "mem.h"
#include "notification.h"
#include "task.h"
#include "vspace.h"

struct host_hooks host_hooks;
struct task_queue host_run_queue;

void host_hooks_reset(void)
{
	memset(&host_hooks, 0, sizeof(host_hooks));
	memset(&host_run_queue, 0, sizeof(host_run_queue));
}

int kvprintf(const char *fmt, va_list ap)
{
	return vprintf(fmt, ap);
}

int kprintf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return vsnprintf(buf, size, fmt, ap);
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void panic(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "kernel panic: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

void *phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)pa;
}

paddr_t virt_to_phys(const void *va)
{
	return (paddr_t)(uintptr_t)va;
}

void sched_remove_task(struct task *t)
{
	host_hooks.sched_removed++;
	host_hooks.last_removed = t;
	task_queue_remove(t);
	t->state = CAIRN_TASK_INACTIVE;
	t->blocked_on = NULL;
}

static void wake_queue(struct task_queue *q, int error)
{
	while (q->head) {
		struct task *t = q->head;
		task_queue_remove(t);
		t->blocked_on = NULL;
		t->state = CAIRN_TASK_READY;
		task_queue_append(&host_run_queue, t);
		host_hooks.tasks_woken++;
		host_hooks.last_wake_error = error;
	}
}

void channel_wake_all(struct channel *ch, int error)
{
	host_hooks.channel_wakes++;
	wake_queue(&ch->senders, error);
	wake_queue(&ch->receivers, error);
}

void notification_wake_all(struct notification *n, int error)
{
	host_hooks.notification_wakes++;
	wake_queue(&n->waiters, error);
}

void irq_handler_release(struct irq_handler *h)
{
	host_hooks.irq_released++;
	host_hooks.last_irq = h->irq;
}

void vspace_cap_deleted(const struct cap *cap)
{
	host_hooks.memory_caps_deleted++;
	host_hooks.last_memory_cap = *cap;
}

/* VSpace registry hooks: the host has no page tables; count the calls. */
bool vspace_roots_available(uint64_t count)
{
	(void)count;
	return true;
}

void vspace_root_created(paddr_t root)
{
	(void)root;
	host_hooks.vspace_roots_created++;
}

void vspace_memory_reset(paddr_t base, uint64_t size)
{
	(void)base;
	(void)size;
	host_hooks.memory_resets++;
}
