/* panic.c - stop the kernel with a message and a backtrace. */
#include "kernel.h"
#include "arch.h"

#define PANIC_EXIT_STATUS 99 /* QEMU exit status of a panicked test run */

void panic(const char *fmt, ...)
{
	static bool in_panic;
	va_list ap;

	arch_irq_disable();
	if (in_panic) /* a panic while panicking: don't recurse */
		arch_halt();
	in_panic = true;
	kprintf("\n[kernel] PANIC: ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kprintf("\n");
	arch_backtrace(arch_frame_pointer(), 16);
#if defined(CONFIG_KERNEL_SELFTEST) || defined(CONFIG_ROOT_TASK_TESTS) || \
	defined(CONFIG_ROOT_TASK_BENCH)
	/* Unattended runs end at once rather than hang until a timeout. */
	arch_shutdown(PANIC_EXIT_STATUS);
#endif
	arch_halt();
}
