/* panic.c - stop the kernel with a message and a backtrace. */
#include "kernel.h"
#include "arch.h"

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
#ifdef CONFIG_KERNEL_SELFTEST
	arch_shutdown(1); /* a test run reports the failure */
#endif
	arch_halt();
}
