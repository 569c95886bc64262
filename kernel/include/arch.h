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
/* panic() has written its record: tell the hypervisor where the arch has
 * a way (x86_64: QEMU's pvpanic device, if present). */
void arch_panic_notify(void);

/* The kernel stack's bounds, for backtrace()'s frame-record walk. */
void arch_kernel_stack(uint64_t *lo, uint64_t *hi);
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
/* [addr, addr + len) lies in user space (no wrap-around). */
static inline bool user_range_ok(uint64_t addr, uint64_t len)
{
	return addr < ARCH_USER_TOP && len <= ARCH_USER_TOP - addr;
}

/*
 * User address spaces: a VSpace is one page-table root page; the generic
 * kernel walks the tables (pagetable.c) and each arch encodes their
 * entries in its arch_pte.h: arch_pte_present/is_table/address/writable,
 * arch_pte_table(table), arch_pte_page(frame, CAIRN_MAP_* attrs),
 * arch_pte_store (with whatever barrier the table walker needs), and
 * arch_tlb_flush_user_page(va) / arch_tlb_flush_user().
 */
/* Clear a new root table (and share the kernel's half where it has one). */
void arch_vspace_init(paddr_t root);
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
/* Returns how to leave: 0 back to the caller, which is still current;
 * else the caller's context, where an entry path that left callee-saved
 * registers in the CPU stores them before entering another task. */
uint64_t kernel_syscall(struct arch_context *c);
void kernel_user_fault(struct arch_context *c, const struct user_fault *f);
/* An interrupt arrived while user code ran; it has been handled. */
void kernel_resume_user(void);

#endif
