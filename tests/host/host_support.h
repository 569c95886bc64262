/*
 * host_support.h - what the kernel core needs from its environment,
 * provided for the host build, and a record of every destroy hook the
 * core called, so tests can observe object lifetime.
 */
#ifndef CAIRN_HOST_SUPPORT_H
#define CAIRN_HOST_SUPPORT_H

#include "kernel.h"
#include "cap.h"

struct task;
struct channel;
struct notification;
struct irq_handler;

struct host_hooks {
	unsigned sched_removed;          /* sched_remove_task calls */
	struct task *last_removed;
	unsigned channel_wakes;          /* channel_wake_all calls */
	unsigned notification_wakes;     /* notification_wake_all calls */
	unsigned tasks_woken;            /* tasks taken off wait queues */
	int last_wake_error;
	unsigned irq_released;           /* irq_handler_release calls */
	uint32_t last_irq;
	unsigned memory_caps_deleted;    /* vspace_cap_deleted calls */
	unsigned vspace_roots_created;
	unsigned memory_resets;
	struct cap last_memory_cap;
};

extern struct host_hooks host_hooks;

/* The host "run queue": tasks the scheduler hook must take off. */
extern struct task_queue host_run_queue;

void host_hooks_reset(void);

#endif
