/* timer.c - counts ticks; the scheduler's time slices hang off this. */
#include "timer.h"
#include "debug_state.h"
#include "sched.h"

/* The kernel's own count (self-tests and the GDB tests read it); host
 * tools read kernel_debug.ticks, kept next to the other statistics. */
volatile uint64_t timer_ticks;

void timer_tick(void)
{
	timer_ticks++;
	kernel_debug.ticks++;
	/* CPU accounting: the tick is charged to whoever it interrupted. */
	struct task *t = sched.current;
	if (t)
		t->run_ticks++;
	else
		kernel_debug.idle_ticks++;
	sched_tick();
}
