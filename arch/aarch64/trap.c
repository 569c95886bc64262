/*
 * trap.c - what happens on an exception or interrupt. Interrupts go to
 * their handler; an exception in the kernel prints a register dump and
 * backtrace and panics, unless a self-test is expecting exactly that
 * exception; an exception in user mode faults the task (kernel/fault.c).
 */
#include "kernel.h"
#include "arch.h"
#include "timer.h"
#include "debug_state.h"
#include "selftest.h"
#include "aarch64.h"
#include "aarch64_internal.h"
#include "cpu_local.h"

#define GIC_SPURIOUS 1020 /* interrupt IDs from here up are not real */
#define FSC_ALIGNMENT 0x21

static const char *const ec_names[64] = {
	[EC_UNKNOWN] = "undefined instruction",
	[EC_WFX] = "WFI/WFE",
	[EC_FP] = "FP/SIMD access",
	[EC_ILLEGAL] = "illegal execution state",
	[EC_SVC32] = "SVC (AArch32)",
	[EC_SVC64] = "SVC",
	[0x16] = "HVC",
	[0x17] = "SMC",
	[EC_SYSREG] = "system register access",
	[EC_IABT_LOW] = "instruction abort from EL0",
	[EC_IABT_CUR] = "instruction abort",
	[EC_PC_ALIGN] = "PC alignment fault",
	[EC_DABT_LOW] = "data abort from EL0",
	[EC_DABT_CUR] = "data abort",
	[EC_SP_ALIGN] = "SP alignment fault",
	[0x2C] = "FP exception",
	[EC_SERROR] = "SError",
	[EC_BKPT_LOW] = "breakpoint from EL0",
	[0x31] = "breakpoint",
	[EC_SSTEP_LOW] = "software step from EL0",
	[0x33] = "software step",
	[EC_WATCH_LOW] = "watchpoint from EL0",
	[0x35] = "watchpoint",
	[EC_BRK64] = "BRK",
};

extern char test_exception_insn[], test_exception_resume[];
extern char semihost_insn[]; /* power.c */

static const char *entry_name(uint64_t vector)
{
	switch (vector) {
	case ARCH_ENTRY_IRQ: return "IRQ";
	case ARCH_ENTRY_FIQ: return "FIQ";
	case ARCH_ENTRY_SERROR: return "SError";
	}
	if (vector < 64 && ec_names[vector])
		return ec_names[vector];
	return "unknown exception class";
}

void trap_dump(const struct arch_context *f, bool user)
{
	kprintf("[kernel] exception %s (EC 0x%lx, ESR 0x%lx) in %s mode\n",
		entry_name(f->vector), f->vector, f->esr, user ? "user" : "kernel");
	kprintf("  pc  %016lx  sp  %016lx  pstate %08lx\n", f->pc, f->sp, f->pstate);
	for (int i = 0; i < 30; i += 3)
		kprintf("  x%-2d %016lx  x%-2d %016lx  x%-2d %016lx\n", i, f->x[i],
			i + 1, f->x[i + 1], i + 2, f->x[i + 2]);
	kprintf("  x30 %016lx  far %016lx\n", f->x[30], f->far);
	kprintf("  ttbr0 %016lx  ttbr1 %016lx\n", read_sysreg(ttbr0_el1),
		read_sysreg(ttbr1_el1));
	if (!user) {
		kprintf("  backtrace:\n    #0 0x%016lx\n", f->pc);
		backtrace(f->x[29], 16);
	}
}

static void handle_irq(void)
{
	uint32_t iar = gic_ack();
	uint32_t id = iar & 0x3FF;
	if (id >= GIC_SPURIOUS)
		return; /* nothing to end */
	if (id == IRQ_VTIMER) {
		timer_rearm();
		timer_tick();
	} else {
		irq_deliver(id); /* a line nobody wants gets masked there */
	}
	gic_eoi(iar);
}

/* Entry from EL1 (vectors.S); the frame is on the kernel stack. */
void trap_kernel(struct arch_context *f)
{
	if (f->vector == ARCH_ENTRY_IRQ) {
		debug_seq_enter_from_idle(); /* it may have ended the idle wait */
		handle_irq();
		return;
	}
	if (f->vector == EC_UNKNOWN && f->pc == (uint64_t)semihost_insn) {
		f->pc += 4; /* no -semihosting: power.c tries PSCI next */
		return;
	}
	trap_dump(f, false);
	/* A self-test provoked this on purpose: resume after it. */
	if (f->pc == (uint64_t)test_exception_insn &&
	    selftest_exception_expected(f->vector)) {
		f->pc = (uint64_t)test_exception_resume;
		return;
	}
	panic("unhandled %s in the kernel at 0x%lx", entry_name(f->vector), f->pc);
}

static enum cairn_fault_kind fault_kind(uint64_t ec, uint64_t esr)
{
	switch (ec) {
	case EC_UNKNOWN:
	case EC_FP:
		return CAIRN_FAULT_INVALID_OPCODE;
	case EC_SYSREG:
	case EC_PC_ALIGN:
	case EC_SP_ALIGN:
		return CAIRN_FAULT_PROTECTION;
	case EC_ILLEGAL:
		return CAIRN_FAULT_BAD_CONTEXT;
	case EC_BRK64:
	case EC_BKPT_LOW:
	case EC_SSTEP_LOW:
	case EC_WATCH_LOW:
		return CAIRN_FAULT_BREAKPOINT;
	case EC_IABT_LOW:
	case EC_DABT_LOW:
		/* Address size, translation, access flag and permission
		 * faults (status 0..15) are what x86_64 calls page faults. */
		if ((esr & 0x3F) < 0x10)
			return CAIRN_FAULT_PAGE_FAULT;
		if ((esr & 0x3F) == FSC_ALIGNMENT)
			return CAIRN_FAULT_PROTECTION;
		return CAIRN_FAULT_OTHER;
	default:
		return CAIRN_FAULT_OTHER;
	}
}

/* A synchronous exception from EL0 other than `svc`: fault the task. */
void trap_from_user_sync(struct arch_context *ctx)
{
	uint64_t ec = ctx->vector;
	bool has_addr = ec == EC_IABT_LOW || ec == EC_DABT_LOW || ec == EC_PC_ALIGN ||
			ec == EC_WATCH_LOW;
	struct user_fault f = {
		.kind = fault_kind(ec, ctx->esr),
		.ip = ctx->pc,
		.addr = has_addr ? ctx->far : 0,
		.code = ctx->esr,
		.exception = ec,
	};
	kernel_user_fault(ctx, &f);
}

/* An interrupt (or SError) while user code ran; registers are in ctx. */
void trap_from_user_async(struct arch_context *ctx)
{
	if (ctx->vector == ARCH_ENTRY_SERROR) {
		/* An asynchronous external abort: blame the running task. */
		ctx->esr = read_sysreg(esr_el1);
		struct user_fault f = {
			.kind = CAIRN_FAULT_OTHER, .ip = ctx->pc, .code = ctx->esr,
			.exception = ARCH_ENTRY_SERROR,
		};
		kernel_user_fault(ctx, &f);
		return;
	}
	if (ctx->vector == ARCH_ENTRY_IRQ)
		handle_irq();
	kernel_resume_user(); /* (FIQs are never routed here: ignored) */
}

/*
 * The caller's frame pointer: x29 as the caller has it. (In C,
 * __builtin_frame_address(0) would name this function's own frame,
 * gone by the time a backtrace reads it.)
 */
__asm__(".text\n"
	".global arch_frame_pointer\n"
	".type arch_frame_pointer, %function\n"
	"arch_frame_pointer:\n"
	"	mov x0, x29\n"
	"	ret\n"
	".size arch_frame_pointer, . - arch_frame_pointer\n");

void arch_kernel_stack(uint64_t *lo, uint64_t *hi)
{
	*lo = (uint64_t)kernel_stack;
	*hi = (uint64_t)kernel_stack_top;
}

/* noinline: the labels inside must exist exactly once. */
__attribute__((noinline)) void arch_trigger_test_exception(void)
{
	__asm__ volatile(".global test_exception_insn, test_exception_resume\n"
			 "test_exception_insn: brk #0x3c\n"
			 "test_exception_resume:" ::: "memory");
}
