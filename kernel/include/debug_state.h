/*
 * debug_state.h - the record that tools outside the guest read: kdbg-top
 * and kdbg/lib map the guest's RAM from the host and read kernel memory
 * while the kernel runs. They find `kernel_debug` by symbol and its
 * fields by name through DWARF, so fields may be added but the names
 * below are an interface (kdbg/lib/kread.h).
 *
 * `seq` is the writer side of a seqlock. The kernel runs on one CPU and
 * never blocks inside itself, so "inside the kernel" brackets every
 * change to a kernel object: seq is odd from each entry (system call,
 * IPC fastpath, interrupt or exception from user mode, an interrupt that
 * ends the idle wait) to the next exit (return to user mode, or the idle
 * wait itself), even otherwise. A reader copies what it needs between
 * two reads of seq and retries unless both are the same even value.
 * The entries and exits on the hot paths are in the arch entry code
 * (trapentry.S, vectors.S); the idle wait and interrupts that end it in
 * arch_run_idle() and the kernel-mode interrupt handlers.
 *
 * Not covered: the running task's saved registers (struct arch_context)
 * are written by the entry code just before seq turns odd; while a task
 * runs they are stale anyway.
 *
 * After a panic the kernel never changes anything again, so panic()
 * leaves seq even: a post-mortem reader gets a stable copy (which may
 * well show the inconsistency that caused the panic).
 */
#ifndef CAIRN_DEBUG_STATE_H
#define CAIRN_DEBUG_STATE_H

#include "arch.h"

#define KERNEL_DEBUG_PANIC_MSG_LEN 128

struct kernel_debug {
	uint64_t seq;             /* odd while inside the kernel (seqlock); offset 0 */
	uint64_t ticks;           /* timer ticks since boot */
	uint64_t idle_ticks;      /* ticks that found no task running */
	uint64_t direct_map_base; /* DIRECT_MAP_BASE: all RAM at phys + this */
	uint64_t kernel_vbase;    /* KERNEL_VBASE: the image at phys + this */
	uint32_t ready;           /* 1 once the root task is about to run */
	uint32_t panicked;        /* 1 once panic() has been called */
	char panic_msg[KERNEL_DEBUG_PANIC_MSG_LEN]; /* its message, truncated */
};

extern struct kernel_debug kernel_debug;

/*
 * The idle wait is outside the kernel for readers: seq turns even before
 * waiting for an interrupt (every change before it ordered first) and odd
 * again when an interrupt ends the wait, before its handler changes
 * anything. Both run with interrupts off.
 */
static inline void debug_seq_leave_for_idle(void)
{
	arch_store_release_u64(&kernel_debug.seq, kernel_debug.seq + 1);
}

/* Kernel-mode interrupt handlers call this first: while the kernel boots
 * seq is odd already; only an interrupt that ends the idle wait finds it
 * even. */
static inline void debug_seq_enter_from_idle(void)
{
	if (!(kernel_debug.seq & 1)) {
		kernel_debug.seq++;
		arch_store_barrier();
	}
}

/* panic(): record the message, stop the seqlock for good (see above). */
void debug_state_panic(const char *fmt, va_list ap);

#endif
