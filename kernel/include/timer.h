/* timer.h - the periodic tick (CONFIG_TIMER_HZ). */
#ifndef CAIRN_TIMER_H
#define CAIRN_TIMER_H

#include "kernel.h"

extern volatile uint64_t timer_ticks;

/* Called by arch code on every timer interrupt. */
void timer_tick(void);

#endif
