/* aarch64_internal.h - what the AArch64 files share with each other. */
#ifndef CAIRN_AARCH64_INTERNAL_H
#define CAIRN_AARCH64_INTERNAL_H

#include "kernel.h"
#include "arch.h"
#include "arch_context.h"

/* GIC interrupt IDs the kernel itself uses. */
#define IRQ_VTIMER 27 /* EL1 virtual timer (PPI 11) */

/* TTBR0's table while no task's VSpace is active: maps nothing (boot.S). */
extern uint64_t empty_user_table[512];

/* CurrentEL as boot.S found it (power.c: PSCI goes to EL2 or EL3). */
extern uint64_t boot_current_el;

void pl011_init(void);
void pl011_enable_rx_irq(void);
void memory_init(void *boot_arg, struct boot_info_raw *info);
bool phys_is_ram(paddr_t pa);
void user_mode_init(void);

void gic_init(void);
/* The pending interrupt's ID (1023: none), and its end. */
uint32_t gic_ack(void);
void gic_eoi(uint32_t iar);
void timer_start(unsigned hz);
void timer_rearm(void);

/* The small flattened device tree reader (fdt.c). */
struct fdt_range {
	uint64_t base, size;
};
struct fdt_memory {
	struct fdt_range ram[8], reserved[8];
	unsigned ram_count, reserved_count;
	const char *bootargs; /* points into the tree, or NULL */
};
bool fdt_read(const void *fdt, uint64_t max_size, struct fdt_memory *out);
uint32_t fdt_total_size(const void *fdt);

/* Exception entry (vectors.S) into C (trap.c). */
void trap_kernel(struct arch_context *frame);
void trap_from_user_sync(struct arch_context *ctx);
void trap_from_user_async(struct arch_context *ctx);
void trap_dump(const struct arch_context *frame, bool user);

#endif
