/*
 * trap.c - what happens on an exception or interrupt. Hardware
 * interrupts go to their handler; an exception in the kernel prints a
 * register dump and backtrace and panics, unless a self-test is
 * expecting exactly that exception.
 */
#include "kernel.h"
#include "arch.h"
#include "timer.h"
#include "debug_state.h"
#include "selftest.h"
#include "x86.h"
#include "x86_internal.h"

#define IRQ_BASE_VECTOR 32
#define IRQ_TIMER 0
#define VECTOR_PAGE_FAULT 14

static const char *const exception_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault",
	"coprocessor segment overrun", "#TS invalid TSS",
	"#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved 15",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualization", "#CP control protection",
};

extern char test_exception_insn[], test_exception_resume[];

static const char *exception_name(uint64_t v)
{
	if (v < 32 && exception_names[v])
		return exception_names[v];
	return "reserved";
}

void trap_dump(const struct trap_frame *tf)
{
	kprintf("[kernel] exception %s (vector %lu, error 0x%lx) in %s mode\n",
		exception_name(tf->vector), tf->vector, tf->error,
		(tf->cs & 3) ? "user" : "kernel");
	kprintf("  rip %016lx  rsp %016lx  rflags %016lx\n", tf->rip, tf->rsp,
		tf->rflags);
	kprintf("  rax %016lx  rbx %016lx  rcx %016lx\n", tf->rax, tf->rbx,
		tf->rcx);
	kprintf("  rdx %016lx  rsi %016lx  rdi %016lx\n", tf->rdx, tf->rsi,
		tf->rdi);
	kprintf("  rbp %016lx  r8  %016lx  r9  %016lx\n", tf->rbp, tf->r8,
		tf->r9);
	kprintf("  r10 %016lx  r11 %016lx  r12 %016lx\n", tf->r10, tf->r11,
		tf->r12);
	kprintf("  r13 %016lx  r14 %016lx  r15 %016lx\n", tf->r13, tf->r14,
		tf->r15);
	kprintf("  cs %04lx  ss %04lx  cr2 %016lx  cr3 %016lx\n", tf->cs,
		tf->ss, read_cr2(), read_cr3());
	if (!(tf->cs & 3)) {
		kprintf("  backtrace:\n    #0 0x%016lx\n", tf->rip);
		backtrace(tf->rbp, 16);
	}
}

static void handle_irq(unsigned irq)
{
	if (irq == IRQ_TIMER)
		timer_tick();
	else
		irq_deliver(irq);
	pic_eoi(irq);
}

void trap_dispatch(struct trap_frame *tf)
{
	if (tf->vector >= IRQ_BASE_VECTOR && tf->vector < IRQ_BASE_VECTOR + 16) {
		debug_seq_enter_from_idle(); /* it may have ended the idle wait */
		handle_irq((unsigned)(tf->vector - IRQ_BASE_VECTOR));
		return;
	}
	if (tf->vector < IRQ_BASE_VECTOR) {
		trap_dump(tf);
		/* A self-test provoked this on purpose: resume after it. */
		if (tf->rip == (uint64_t)test_exception_insn &&
		    selftest_exception_expected(tf->vector)) {
			tf->rip = (uint64_t)test_exception_resume;
			return;
		}
		panic("unhandled %s in the kernel at 0x%lx",
		      exception_name(tf->vector), tf->rip);
	}
	kprintf("[kernel] spurious vector %lu ignored\n", tf->vector);
}

static enum cairn_fault_kind fault_kind(uint64_t vector)
{
	switch (vector) {
	case 0: return CAIRN_FAULT_DIVIDE;
	case 3: return CAIRN_FAULT_BREAKPOINT;
	case 6: return CAIRN_FAULT_INVALID_OPCODE;
	case 7: return CAIRN_FAULT_INVALID_OPCODE; /* x87: no FPU for tasks */
	case 13: return CAIRN_FAULT_PROTECTION;
	case 14: return CAIRN_FAULT_PAGE_FAULT;
	default: return CAIRN_FAULT_OTHER;
	}
}

/* Entry from user mode (trapentry.S); the registers are in ctx. */
void trap_from_user(struct arch_context *ctx)
{
	uint64_t v = ctx->vector;
	if (v >= IRQ_BASE_VECTOR) {
		if (v < IRQ_BASE_VECTOR + 16)
			handle_irq((unsigned)(v - IRQ_BASE_VECTOR));
		kernel_resume_user(); /* (other vectors: spurious, ignored) */
		return;
	}
	struct user_fault f = {
		.kind = fault_kind(v),
		.ip = ctx->rip,
		.addr = v == VECTOR_PAGE_FAULT ? read_cr2() : 0,
		.code = ctx->error,
		.exception = v,
	};
	kernel_user_fault(ctx, &f);
}

uint64_t arch_frame_pointer(void)
{
	return (uint64_t)__builtin_frame_address(0);
}

/* The one kernel stack (boot.S), which every trap and call runs on. */
void arch_kernel_stack(uint64_t *lo, uint64_t *hi)
{
	*lo = (uint64_t)boot_stack;
	*hi = (uint64_t)boot_stack_top;
}

/* noinline: the labels inside must exist exactly once. */
__attribute__((noinline)) void arch_trigger_test_exception(void)
{
	__asm__ volatile(".global test_exception_insn, test_exception_resume\n"
			 "test_exception_insn: ud2\n"
			 "test_exception_resume:" ::: "memory");
}
