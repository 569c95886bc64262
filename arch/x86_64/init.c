/* init.c - x86_64 early set-up, in the order the hardware needs it. */
#include "kernel.h"
#include "arch.h"
#include "x86_internal.h"

void arch_init_early(void *boot_arg, struct boot_info_raw *info)
{
	serial_init();
	gdt_init();
	idt_init();
	memory_init(boot_arg, info);
	user_mode_init();
}
