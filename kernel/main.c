/*
 * main.c - kmain, where the kernel starts once the arch entry code has
 * a stack and the kernel mapped.
 */
#include "kernel.h"
#include "arch.h"
#include "frame.h"
#include "root_task.h"
#include "selftest.h"

#define MIB (1024 * 1024)
#define LOW_MEMORY_END (1 * MIB) /* BIOS data, start info: never used */

static struct boot_info_raw boot_info;

static void print_banner(void)
{
	kprintf("Cairn %s (%s), built with %s\n", CONFIG_CAIRN_VERSION_STR,
		arch_name, CONFIG_OPT_FLAG);
	kprintf("  timer %d Hz, time slice %d ticks, root CPool %d slots, "
		"channel depth %d, log %d bytes%s\n",
		CONFIG_TIMER_HZ, CONFIG_TIME_SLICE_TICKS,
		1 << CONFIG_ROOT_CPOOL_BITS, CONFIG_CHANNEL_QUEUE_DEPTH,
		1 << CONFIG_LOG_BUF_SHIFT,
#ifdef CONFIG_DEBUG_ASSERTS
		", debug assertions on"
#else
		""
#endif
	);
}

static void memory_setup(void)
{
	frame_allocator_init(&kernel_frames);
	for (unsigned i = 0; i < boot_info.mem_count; i++) {
		const struct boot_mem_region *r = &boot_info.mem[i];
		if (r->type == BOOT_MEM_RAM)
			frame_add(&kernel_frames, r->base, r->size);
	}
	frame_reserve(&kernel_frames, 0, LOW_MEMORY_END);
	frame_reserve(&kernel_frames, boot_info.kernel_phys_start,
		      boot_info.kernel_phys_end - boot_info.kernel_phys_start);
	kprintf("  memory: %lu MiB free in %u ranges, kernel image %lu KiB\n",
		frame_free_bytes(&kernel_frames) / MIB, kernel_frames.count,
		(boot_info.kernel_phys_end - boot_info.kernel_phys_start) / 1024);
}

void kmain(void *boot_arg)
{
	arch_init_early(boot_arg, &boot_info);
	print_banner();
	memory_setup();
	arch_timer_init(CONFIG_TIMER_HZ);
	arch_irq_enable();
#ifdef CONFIG_KERNEL_SELFTEST
	selftest_run_all();
#endif
	if (root_task_available())
		root_task_start();
	kprintf("[kernel] boot complete; no root task in this build\n");
	for (;;)
		arch_wait_for_interrupt();
}
