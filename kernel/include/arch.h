/*
 * arch.h - the one interface between the generic kernel and an
 * architecture: everything an arch (arch/x86_64, arch/aarch64) must
 * provide, and what the generic kernel provides to it.
 *
 * An arch provides three kinds of things, all listed here:
 *  - functions in its .c and .S files (the prototypes below);
 *  - inline functions, types and constants in the headers of its
 *    include/ directory: arch_context.h (struct arch_context and its
 *    register accessors), arch_inline.h (the hot paths: context and
 *    address-space switch, the debug seqlock's barriers), arch_memory.h
 *    (where the kernel sees memory). This header includes them and
 *    declares every inline function again, so that an arch whose
 *    signature differs, or lacks a constant, does not compile;
 *  - arch_pte.h (page-table entries) and phys_to_virt/virt_to_phys
 *    (declared in mem.h): see "User address spaces" below and mem.h.
 *
 * Generic code (kernel/) reaches arch code through this header only,
 * with two exceptions, each for a reason:
 *  - task.h includes arch_context.h alone, for struct arch_context: the
 *    capability core (kernel/cap*.c, cdt.c, cpool.c, untyped.c,
 *    object.c) uses task.h and also compiles for the host, where
 *    tests/host/include/arch_context.h stands in and no other arch
 *    header exists;
 *  - kernel/pagetable.c includes arch_pte.h, which brings the arch's
 *    register definitions (x86.h, aarch64.h) that nothing else generic
 *    should see.
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

/* The arch's headers (arch/ARCH/include), as the comment at the top says. */
#include "arch_context.h"
#include "arch_inline.h"
#include "arch_memory.h"
#include <cairn/fault.h>
#include <cairn/syscalls.h> /* CAIRN_MAP_* */

/* ---- arch_context.h: a task's saved registers (inline) ---- */

/*
 * struct arch_context: a task's user registers, saved into the task by
 * the entry code (the generic kernel reads them only through these).
 * Constants:
 *   ARCH_USER_TOP               end of user space (exclusive)
 *   ARCH_IRQ_LINES              interrupt lines IRQ caps may name
 *   ARCH_IRQ_CONSOLE            the console UART's line
 *   ARCH_BOOTINFO_ID            the arch's CAIRN_ARCH_* in the boot info
 *   ARCH_TEST_EXCEPTION_VECTOR  what arch_trigger_test_exception() raises
 *   ARCH_CALL_BACKUP            return address back to its call (backtrace)
 */
#if !defined(ARCH_USER_TOP) || !defined(ARCH_IRQ_LINES) ||                 \
	!defined(ARCH_IRQ_CONSOLE) || !defined(ARCH_BOOTINFO_ID) ||          \
	!defined(ARCH_TEST_EXCEPTION_VECTOR) || !defined(ARCH_CALL_BACKUP)
#error "the arch's arch_context.h lacks a constant arch.h lists"
#endif
/* The system call: its number, argument words (in place, in ABI order),
 * result words and error. */
static inline uint64_t arch_syscall_number(const struct arch_context *c);
static inline uint64_t arch_syscall_arg(const struct arch_context *c, unsigned i);
static inline uint64_t *arch_syscall_arg_slot(struct arch_context *c, unsigned i);
static inline const uint64_t *arch_syscall_args(const struct arch_context *c);
static inline uint64_t *arch_syscall_result_slot(struct arch_context *c, unsigned i);
static inline void arch_syscall_set_error(struct arch_context *c, uint64_t err);
/* A message's results: error 0, badge, info, message words 0..3. */
static inline void arch_set_message_result(struct arch_context *c, uint64_t badge,
					   uint64_t info, const uint64_t *w);
/* Instruction and stack pointer, and a new task's two argument registers. */
static inline uint64_t arch_context_ip(const struct arch_context *c);
static inline uint64_t arch_context_sp(const struct arch_context *c);
static inline void arch_context_set_ip(struct arch_context *c, uint64_t v);
static inline void arch_context_set_sp(struct arch_context *c, uint64_t v);
static inline uint64_t arch_context_arg(const struct arch_context *c, unsigned i);
static inline void arch_context_set_arg(struct arch_context *c, unsigned i, uint64_t v);

/* ---- arch_inline.h: the hot paths (inline) ---- */

/* Make c the context the next return to user mode enters. */
static inline void arch_set_user_context(struct arch_context *c);
/* Switch to the page tables at root, unless they are already active. */
static inline void arch_vspace_activate(paddr_t root);
/* The debug seqlock's writer side (debug_state.h): order the stores
 * before it against a reader outside the guest; store v with release. */
static inline void arch_store_barrier(void);
static inline void arch_store_release_u64(uint64_t *p, uint64_t v);

/* ---- arch_memory.h: where the kernel sees memory ---- */
#if !defined(KERNEL_VBASE) || !defined(DIRECT_MAP_BASE)
#error "the arch's arch_memory.h lacks KERNEL_VBASE or DIRECT_MAP_BASE"
#endif
/* KERNEL_VBASE: the kernel image is at physical + this; DIRECT_MAP_BASE:
 * all RAM is at physical + this (phys_to_virt, in arch/ARCH/memory.c). */
/* Zero n bytes of RAM (normal memory, not a device's) at va, and return
 * va: va 4 KiB aligned, n a non-zero multiple of 4 KiB. The fastest
 * clear the arch has (arch/ARCH/memory.c); memset (kernel/lib.c) uses it
 * for whole pages of zeros, such as a retype's new objects. */
void *arch_clear_pages(void *va, size_t n);

/* ---- user mode (out of line) ---- */

void user_mode_init(void);
void arch_context_init_user(struct arch_context *c, uint64_t ip, uint64_t sp);
/* Force a user-written context into a safe state; false if rip/rsp are
 * not canonical user addresses. */
bool arch_context_sanitize(struct arch_context *c);
/* Enter the context given to arch_set_user_context() now (start-up). */
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
 * kernel walks the tables (kernel/pagetable.c, the only generic file that
 * includes arch_pte.h) and each arch encodes their entries in its
 * arch_pte.h, inline or out of line as it likes:
 *   bool arch_pte_present(uint64_t e), arch_pte_is_table(e), arch_pte_writable(e)
 *   uint64_t arch_pte_address(uint64_t e)      the frame or table it names
 *   uint64_t arch_pte_table(uint64_t table)    an entry for a next-level table
 *   uint64_t arch_pte_page(uint64_t frame, unsigned attrs)  CAIRN_MAP_* attrs
 *   void arch_pte_store(uint64_t *e, uint64_t v)  with the barrier the walker needs
 *   void arch_tlb_flush_user_page(uint64_t va), arch_tlb_flush_user(void)
 */
/* Clear a new root table (and share the kernel's half where it has one). */
void arch_vspace_init(paddr_t root);
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

/*
 * ---- what the generic kernel provides to arch code ----
 *
 * Declared elsewhere: timer_tick() on every timer interrupt (timer.h);
 * fastpath_call() and fastpath_reply_recv(), which the system-call entry
 * code tries first (fastpath.h); debug_seq_enter_from_idle() and
 * debug_seq_leave_for_idle() around the idle wait (debug_state.h);
 * selftest_exception_expected() in the exception handlers (selftest.h).
 *
 * What a user-mode entry tells the generic kernel. Each returns to arch
 * code, which then enters the context last given to
 * arch_set_user_context().
 */
struct user_fault {
	enum cairn_fault_kind kind;
	uint64_t ip, addr, code; /* code: the arch's error code */
	uint64_t exception;      /* the arch's exception number */
};
/*
 * A system call (kernel/syscall.c). The entry code calls
 * syscall_table[nr](sched.current, the saved argument words) itself for
 * a number below CAIRN_SYSNR_COUNT (generated/syscall_numbers.h); if
 * sched.resched and sched.switched are clear afterwards, the caller runs
 * on, and the answer is its error register. Otherwise it calls
 * kernel_syscall_exit(caller, answer). Other numbers, and fastpath declines, go to kernel_syscall.
 * Both return how to leave: 0 back to the caller, which is still
 * current (its error is in its context); else the caller's context,
 * where an entry path that left callee-saved registers in the CPU stores
 * them before entering another task.
 */
struct task;
uint64_t kernel_syscall(struct arch_context *c);
uint64_t kernel_syscall_exit(struct task *caller, int err);
void kernel_user_fault(struct arch_context *c, const struct user_fault *f);
/* An interrupt arrived while user code ran; it has been handled. */
void kernel_resume_user(void);
/* A device interrupt arrived (not the timer): kernel/irq.c. */
void irq_deliver(unsigned irq);

#endif
