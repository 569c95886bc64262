/* init.c - AArch64 early set-up, in the order the hardware needs it
 * (boot.S has already turned on the MMU and set VBAR_EL1). */
#include "kernel.h"
#include "arch.h"
#include "aarch64_internal.h"

void arch_init_early(void *boot_arg, struct boot_info_raw *info)
{
	pl011_init();
	memory_init(boot_arg, info);
	user_mode_init();
	kprintf("  cpu: entered at EL%lu, kernel at EL1, tasks at EL0\n",
		(unsigned long)(boot_current_el >> 2));
}
