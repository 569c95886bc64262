/*
 * arch_context.h - a task's saved user-mode registers on AArch64.
 *
 * While a task runs in EL0, SP_EL1 points at its struct arch_context, so
 * an exception from user mode stores the registers straight into the
 * task (as seL4 does) before moving to the one kernel stack. The offsets
 * below are used by vectors.S; static asserts in user.c keep them true.
 */
#ifndef CAIRN_ARCH_CONTEXT_H
#define CAIRN_ARCH_CONTEXT_H

#define CTX_X0 0
#define CTX_X18 (8 * 18)
#define CTX_X20 (8 * 20)
#define CTX_X29 (8 * 29)
#define CTX_X30 (8 * 30)
#define CTX_SP (8 * 31)     /* SP_EL0 */
#define CTX_PC (8 * 32)     /* ELR_EL1 */
#define CTX_PSTATE (8 * 33) /* SPSR_EL1 */
#define CTX_TPIDR (8 * 34)  /* TPIDR_EL0 */
#define CTX_ESR (8 * 35)
#define CTX_VECTOR (8 * 36)
#define CTX_FAR (8 * 37)
#define CTX_SIZE (8 * 38)   /* a multiple of 16, as SP must be */

/*
 * `vector` says why the task last faulted or was interrupted: the
 * exception class (ESR_EL1.EC, 0..0x3F) of a synchronous exception, or
 * one of these for the asynchronous ones. A system call leaves it and
 * `esr` as they were (nothing reads them for one).
 */
#define ARCH_ENTRY_IRQ 0x100
#define ARCH_ENTRY_FIQ 0x101
#define ARCH_ENTRY_SERROR 0x102

#ifndef __ASSEMBLY__
#include <stdint.h>

struct arch_context {
	uint64_t x[31];  /* x0..x30 */
	uint64_t sp;     /* SP_EL0 */
	uint64_t pc;     /* ELR_EL1: where the task resumes */
	uint64_t pstate; /* SPSR_EL1 */
	uint64_t tpidr;  /* TPIDR_EL0, the user's thread pointer */
	uint64_t esr;    /* ESR_EL1 of the last synchronous entry */
	uint64_t vector; /* why the task last entered (see above) */
	uint64_t far;    /* FAR_EL1 of the last fault */
} __attribute__((aligned(16))); /* SP_EL1 points here: 16-aligned */

/*
 * Register accessors for generic code (syscall arguments, results,
 * setting up a new task). AArch64 convention (include/uapi syscalls.h):
 * number in x8, arguments in x0..x5; error in x0, results in x1..x6.
 */
#define ARCH_SYSCALL_ARGS 6
/* GIC interrupt IDs that IRQ caps may name: the SPIs below 96 (QEMU
 * virt's UART, RTC, GPIO, PCIe and virtio-mmio lines). */
#define ARCH_IRQ_LINES 96
#define ARCH_IRQ_CONSOLE 33 /* PL011: SPI 1 */
#define ARCH_BOOTINFO_ID 2  /* CAIRN_ARCH_AARCH64 in the boot info */
/* What arch_trigger_test_exception raises (BRK: EC 0x3C). */
#define ARCH_TEST_EXCEPTION_VECTOR 0x3C
/* Back from a return address to its `bl` (backtrace()). */
#define ARCH_CALL_BACKUP 4
/*
 * End of user space. TTBR0 spans 48 bits, but we keep the same limit as
 * x86_64 (one page below 2^47) so that user space sees one layout on
 * both arches; everything above faults.
 */
#define ARCH_USER_TOP 0x00007FFFFFFFF000ull

static inline uint64_t arch_syscall_number(const struct arch_context *c)
{
	return c->x[8];
}

static inline uint64_t *arch_syscall_arg_slot(struct arch_context *c, unsigned i)
{
	return &c->x[i];
}

/* Result word i (0..5) goes in x1..x6: x0 carries the error. */
static inline uint64_t *arch_syscall_result_slot(struct arch_context *c, unsigned i)
{
	return &c->x[i + 1];
}

/* The argument words, in place (x0..x5). */
static inline const uint64_t *arch_syscall_args(const struct arch_context *c)
{
	return &c->x[0];
}

/* Set a message's result registers: error, badge, info, words 0..3. */
static inline void arch_set_message_result(struct arch_context *c, uint64_t badge,
					   uint64_t info, const uint64_t *w)
{
	c->x[0] = 0;
	c->x[1] = badge;
	c->x[2] = info;
	c->x[3] = w[0];
	c->x[4] = w[1];
	c->x[5] = w[2];
	c->x[6] = w[3];
}

static inline uint64_t arch_syscall_arg(const struct arch_context *c, unsigned i)
{
	return c->x[i];
}

static inline void arch_syscall_set_error(struct arch_context *c, uint64_t err)
{
	c->x[0] = err;
}

static inline uint64_t arch_context_ip(const struct arch_context *c)
{
	return c->pc;
}

static inline uint64_t arch_context_sp(const struct arch_context *c)
{
	return c->sp;
}

static inline void arch_context_set_ip(struct arch_context *c, uint64_t v)
{
	c->pc = v;
}

static inline void arch_context_set_sp(struct arch_context *c, uint64_t v)
{
	c->sp = v;
}

/* Argument registers of a task's entry: x0, x1. */
static inline uint64_t arch_context_arg(const struct arch_context *c, unsigned i)
{
	return c->x[i ? 1 : 0];
}

static inline void arch_context_set_arg(struct arch_context *c, unsigned i, uint64_t v)
{
	c->x[i ? 1 : 0] = v;
}
#endif

#endif
