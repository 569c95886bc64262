/*
 * pacer.c - the root task's loop once everything runs (demo.h). At the
 * lowest priority it gets the CPU only when every other task waits; it
 * spins on the clock in user mode (no system call, so the kernel is not
 * entered) and signals each notification when its period has passed.
 * If a busy stretch delays it, it resumes from now rather than catching
 * up with a burst.
 */
#include "demo.h"

struct period {
	uint64_t ms;          /* how often */
	uint64_t next;        /* clock value when it is due */
	void (*due)(unsigned arg);
	unsigned arg;
};

static void wake_clients(unsigned server)
{
	cairn_ntfn_signal(demo.client_tick[server]);
}

/* Every client of one server at once: its jobs channel fills up. */
static void rush_clients(unsigned server)
{
	for (unsigned c = 0; c < DEMO_CLIENTS_PER_SERVER; c++)
		cairn_ntfn_signal(demo.client_tick[server]);
}

static void signal_drain(unsigned unused)
{
	(void)unused;
	cairn_ntfn_signal(demo.drain);
}

static void ring_bell(unsigned unused)
{
	(void)unused;
	cairn_ntfn_signal(demo.bell);
}

static void sound_alarm(unsigned sleeper)
{
	cairn_ntfn_signal(demo.alarm[sleeper]);
}

static void beat(unsigned unused)
{
	(void)unused;
	cairn_ntfn_signal(demo.heartbeat);
}

/* Suspend and resume the toggler in turn. */
static void toggle(unsigned unused)
{
	static int suspended;
	(void)unused;
	if (suspended)
		cairn_task_resume(demo.toggler);
	else
		cairn_task_suspend(demo.toggler);
	suspended = !suspended;
}

static struct period periods[] = {
	{ 40, 0, wake_clients, 0 }, { 45, 0, wake_clients, 1 },
	{ 50, 0, wake_clients, 2 }, { 55, 0, wake_clients, 3 },
	{ 2000, 0, rush_clients, 0 }, { 2300, 0, rush_clients, 1 },
	{ 2600, 0, rush_clients, 2 }, { 2900, 0, rush_clients, 3 },
	{ 30, 0, signal_drain, 0 },
	{ 100, 0, ring_bell, 0 },
	{ 1500, 0, sound_alarm, 0 }, { 2000, 0, sound_alarm, 1 },
	{ 2500, 0, sound_alarm, 2 }, { 3000, 0, sound_alarm, 3 },
	{ 5000, 0, beat, 0 },
	{ 1000, 0, toggle, 0 },
};

void demo_pace(void)
{
	uint64_t now = arch_cycles();
	for (unsigned i = 0; i < sizeof(periods) / sizeof(periods[0]); i++)
		periods[i].next = now + periods[i].ms * demo_cycles_per_ms;
	for (;;) {
		now = arch_cycles();
		for (unsigned i = 0; i < sizeof(periods) / sizeof(periods[0]); i++) {
			struct period *p = &periods[i];
			if ((int64_t)(now - p->next) < 0)
				continue;
			p->due(p->arg);
			p->next = now + p->ms * demo_cycles_per_ms;
		}
	}
}
