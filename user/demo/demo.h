/*
 * demo.h - the monitor demo (CONFIG_ROOT_TASK_DEMO): 64 named tasks,
 * named channels and notifications and about 1,000 caps, kept busy
 * forever in a way kdbg-top can show: reply-recv servers and calling
 * clients with badged caps, producers blocked on a full channel that a
 * consumer drains slowly, tasks waiting on notifications, tasks at
 * several priorities, a faulted and a suspended task.
 *
 * The root task paces it all: at the lowest priority it runs only when
 * every other task waits, reads the clock and signals notifications on
 * schedule (there is no sleep system call). Work is done in user mode
 * (spinning on the clock), so the kernel is entered in short bursts and
 * a host reader sees long stretches of even kernel_debug.seq.
 */
#ifndef DEMO_H
#define DEMO_H

#include <stdint.h>
#include "syscall.h"
#include "syscall_arch.h" /* arch_cycles */

#define DEMO_SERVERS 4
#define DEMO_CLIENTS_PER_SERVER 8
#define DEMO_PRODUCERS 8
#define DEMO_WAITERS 10
#define DEMO_SLEEPERS 4
/* Root + servers + clients + producers + consumer + waiters + sleepers
 * + logger, watchdog, crasher, toggler. */
#define DEMO_TASKS (1 + DEMO_SERVERS + DEMO_SERVERS * DEMO_CLIENTS_PER_SERVER + \
		    DEMO_PRODUCERS + 1 + DEMO_WAITERS + DEMO_SLEEPERS + 4)
#define DEMO_CAPS_TARGET 1000 /* caps in all our pools, filled with badged mints */

/* Priorities (the root task starts at CAIRN_PRIO_MAX and ends at the bottom). */
enum demo_priority {
	PRIO_PACER = 1,
	PRIO_SLEEPER = 20,       /* + 10 * index: four levels */
	PRIO_TOGGLER = 100,
	PRIO_CRASHER = 100,
	PRIO_WAITER = 110,
	PRIO_LOGGER = 120,
	PRIO_PRODUCER = 130,
	PRIO_CONSUMER = 140,
	PRIO_CLIENT = 150,
	PRIO_WATCHDOG = 180,
	PRIO_SERVER = 200,       /* + index: four levels */
};

/* Every cap the tasks use, as root-CPool slot numbers. */
struct demo_caps {
	uint64_t jobs[DEMO_SERVERS];            /* channels "jobs-N" */
	uint64_t client_jobs[DEMO_SERVERS][DEMO_CLIENTS_PER_SERVER]; /* badged */
	uint64_t client_tick[DEMO_SERVERS];     /* notifications "tick-N" */
	uint64_t shared;                        /* channel "shared" */
	uint64_t producer_shared[DEMO_PRODUCERS]; /* badged */
	uint64_t log;                           /* channel "log" */
	uint64_t drain, bell, heartbeat;        /* notifications */
	uint64_t alarm[DEMO_SLEEPERS];          /* notifications "alarm-N" */
	uint64_t never;                         /* notification nobody signals */
	uint64_t toggler;                       /* the task the pacer suspends */
	uint64_t watched[4];                    /* tasks the watchdog reports on */
};

extern struct demo_caps demo;
extern uint64_t demo_cycles_per_ms; /* calibrated against the timer tick */

/* Busy for `ms` milliseconds in user mode (kernel not entered). */
void demo_spin_ms(uint64_t ms);

/* Task bodies (tasks.c); arg says which one. */
void demo_server(uint64_t index);
void demo_client(uint64_t server_and_index);
void demo_producer(uint64_t index);
void demo_consumer(uint64_t unused);
void demo_logger(uint64_t unused);
void demo_waiter(uint64_t index);
void demo_sleeper(uint64_t index);
void demo_watchdog(uint64_t unused);
void demo_crasher(uint64_t address);
void demo_toggler(uint64_t unused);

/* The root task's loop (pacer.c); never returns. */
__attribute__((noreturn)) void demo_pace(void);

#endif
