/* panic.c - stop the kernel with a message and a backtrace. */
#include "kernel.h"
#include "arch.h" /* KERNEL_VBASE */
#include "debug_state.h"

#define PANIC_EXIT_STATUS 99 /* QEMU exit status of a panicked test run */

/*
 * Walk the frame records ({previous frame pointer, return address}
 * pairs, the same layout on x86_64 and AArch64), trusting only records
 * on the kernel stack: a damaged chain ends the walk rather than
 * faulting in the middle of a panic. Each line is an address inside the
 * call instruction (return address - ARCH_CALL_BACKUP): after a call to a
 * noreturn function the return address is already in the next function.
 */
void backtrace(uint64_t fp, int max_frames)
{
	uint64_t lo, hi;
	arch_kernel_stack(&lo, &hi);
	for (int i = 1; i <= max_frames && fp; i++) {
		if (fp < lo || fp > hi - 16 || (fp & 7))
			break;
		const uint64_t *frame = (const uint64_t *)fp;
		uint64_t ret = frame[1];
		if (ret < KERNEL_VBASE)
			break;
		kprintf("    #%d 0x%016lx\n", i, ret - ARCH_CALL_BACKUP);
		if (frame[0] <= fp) /* stacks grow down; a loop means damage */
			break;
		fp = frame[0];
	}
}

void panic(const char *fmt, ...)
{
	static bool in_panic;
	va_list ap;

	arch_irq_disable();
	if (in_panic) /* a panic while panicking: don't recurse */
		arch_halt();
	in_panic = true;
	/* The record for host tools first: it must not depend on the console. */
	va_start(ap, fmt);
	debug_state_panic(fmt, ap);
	va_end(ap);
	kprintf("\n[kernel] PANIC: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	backtrace(arch_frame_pointer(), 16);
	arch_panic_notify();
#if defined(CONFIG_KERNEL_SELFTEST) || defined(CONFIG_ROOT_TASK_TESTS) || \
	defined(CONFIG_ROOT_TASK_BENCH) || defined(CONFIG_ROOT_TASK_FUZZ)
	/* Unattended runs end at once rather than hang until a timeout. */
	arch_shutdown(PANIC_EXIT_STATUS);
#endif
	arch_halt(); /* interrupts stay off: kernel_debug stays as written */
}
