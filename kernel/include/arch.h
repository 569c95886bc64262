/*
 * arch.h - the one interface between the generic kernel and an
 * architecture. Each arch (arch/x86_64, arch/aarch64) implements every
 * function here; nothing under kernel/ includes an arch file otherwise.
 */
#ifndef CAIRN_ARCH_H
#define CAIRN_ARCH_H

#include "kernel.h"

/* A region of physical memory reported by the boot protocol. */
enum boot_mem_type { BOOT_MEM_RAM = 1, BOOT_MEM_RESERVED = 2 };

struct boot_mem_region {
	paddr_t base;
	uint64_t size;
	enum boot_mem_type type;
};

#define BOOT_MEM_MAX_REGIONS 64

struct boot_info_raw {
	struct boot_mem_region mem[BOOT_MEM_MAX_REGIONS];
	unsigned mem_count;
	paddr_t kernel_phys_start, kernel_phys_end; /* the loaded image */
	const char *cmdline;                        /* may be "" */
};

/* Early set-up: console, descriptor tables, the memory map. */
void arch_init_early(void *boot_arg, struct boot_info_raw *info);
/* Interrupt controller and the periodic timer at `hz`. */
void arch_timer_init(unsigned hz);

void arch_console_putc(char c);
/* Next input byte, or -1 when none is waiting (never blocks). */
int arch_console_getc(void);

void arch_irq_enable(void);
void arch_irq_disable(void);
bool arch_irq_enabled(void);
/* Wait for the next interrupt (idle). */
void arch_wait_for_interrupt(void);
/* End the machine with `status` (QEMU exits with it where it can). */
__attribute__((noreturn)) void arch_shutdown(int status);
/* Stop this CPU for good, interrupts off. */
__attribute__((noreturn)) void arch_halt(void);

/* Print the caller's stack of return addresses (frame-pointer walk). */
void arch_backtrace(uint64_t frame_pointer, int max_frames);
uint64_t arch_frame_pointer(void);

/* Cycle / instruction counter (TSC; under TCG -icount, instructions). */
uint64_t arch_cycles(void);

extern const char arch_name[];

/* Self-test support: trigger an exception the test expects to catch. */
void arch_trigger_test_exception(void);

#endif
