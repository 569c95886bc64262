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

/* ---- user mode (arch implements) ---- */
#include "arch_context.h"
#include "arch_inline.h"
#include <cairn/fault.h>
#include <cairn/syscalls.h> /* CAIRN_MAP_* */

void user_mode_init(void);
void arch_context_init_user(struct arch_context *c, uint64_t ip, uint64_t sp);
/* Force a user-written context into a safe state; false if rip/rsp are
 * not canonical user addresses. */
bool arch_context_sanitize(struct arch_context *c);
/* Make c the context the next return to user mode enters:
 * arch_set_user_context(c), inline in arch_inline.h. */
/* Enter that context now (from kernel start-up). */
__attribute__((noreturn)) void arch_return_to_user(void);
/* Wait (interrupts on) for an interrupt; returns after it is handled. */
void arch_run_idle(void);
bool arch_user_range_ok(uint64_t addr, uint64_t len);

/* User address spaces: a VSpace is one page-table root page. */
enum arch_map_result {
	ARCH_MAP_OK,
	ARCH_MAP_NEED_TABLE, /* a page-table level above is missing */
	ARCH_MAP_EXISTS,     /* something is already mapped there */
	ARCH_MAP_NOT_MAPPED, /* nothing (or something else) is mapped there */
	ARCH_MAP_BAD_ADDR,   /* not a user address, or misaligned */
};
#define ARCH_PAGE_TABLE_LEVELS 3 /* tables below the root a VSpace needs */

void arch_vspace_init(paddr_t root);
/* Install the table page at the highest missing level covering va;
 * *level gets its level (1 = last level, mapping pages). */
enum arch_map_result arch_vspace_map_table(paddr_t root, vaddr_t va,
					   paddr_t table, unsigned *level);
/* Remove the table installed at `level` covering va, if it is `table`. */
enum arch_map_result arch_vspace_unmap_table(paddr_t root, vaddr_t va,
					     paddr_t table, unsigned level);
/* attrs: CAIRN_MAP_READ, _WRITE, _EXEC, _UNCACHED (checked by the caller). */
enum arch_map_result arch_vspace_map_page(paddr_t root, vaddr_t va,
					  paddr_t frame, unsigned attrs);
enum arch_map_result arch_vspace_unmap_page(paddr_t root, vaddr_t va,
					    paddr_t frame);
/* The frame mapped at va (and whether writable), or 0. */
paddr_t arch_vspace_lookup(paddr_t root, vaddr_t va, bool *writable);
/* arch_vspace_activate(root): inline in arch_inline.h. */
/* The table root active while no task's VSpace is: the kernel's own. */
paddr_t arch_kernel_vspace_root(void);
/* If root is the active table root, switch to `fallback`. */
void arch_vspace_activate_if_current(paddr_t root, paddr_t fallback);

/* The console UART's I/O ports, given to the root task for its serial
 * driver; false on arches without port I/O. */
bool arch_console_ioports(uint16_t *first, uint16_t *last);
/* The console UART's registers as one page of device memory, given to
 * the root task as a device untyped for its serial driver; false on
 * arches whose console uses I/O ports instead. */
bool arch_console_mmio(paddr_t *base);
/* I/O ports, where the arch has them (false: it has none). */
bool arch_ioport_in(uint16_t port, unsigned width, uint32_t *value);
bool arch_ioport_out(uint16_t port, unsigned width, uint32_t value);

/* Interrupt lines (arch numbering; x86_64: the 16 ISA IRQs). */
void arch_irq_mask(unsigned irq);
void arch_irq_unmask(unsigned irq);
/* Lines user space may claim (not the timer or a cascade). */
bool arch_irq_claimable(unsigned irq);
/* Generic kernel: a device interrupt arrived (not the timer). */
void irq_deliver(unsigned irq);

/*
 * What a user-mode entry tells the generic kernel (kernel implements).
 * Each returns to arch code, which then enters the context last given to
 * arch_set_user_context().
 */
struct user_fault {
	enum cairn_fault_kind kind;
	uint64_t ip, addr, code; /* code: the arch's error code */
	uint64_t exception;      /* the arch's exception number */
};
void kernel_syscall(struct arch_context *c);
void kernel_user_fault(struct arch_context *c, const struct user_fault *f);
/* An interrupt arrived while user code ran; it has been handled. */
void kernel_resume_user(void);

#endif
