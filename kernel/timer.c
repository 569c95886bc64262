/* timer.c - counts ticks; the scheduler's time slices hang off this. */
#include "timer.h"
#include "sched.h"

volatile uint64_t timer_ticks;

void timer_tick(void)
{
	timer_ticks++;
	sched_tick();
}
