/*
 * user.c - running user code on x86_64: the syscall MSRs, the per-CPU
 * block behind %gs, setting up and entering a task's context, and
 * turning entries from user mode into calls of the generic kernel.
 */
#include "kernel.h"
#include "arch.h"
#include "arch_context.h"
#include "debug_state.h"
#include "cpu_local.h"
#include "x86.h"
#include "x86_internal.h"
#include <cairn/syscalls.h>

#define RFLAGS_IF (1u << 9)
#define RFLAGS_FIXED (1u << 1)
/* Flags user space may set: CF PF AF ZF SF DF OF (not IF, IOPL, TF, NT, AC...) */
#define RFLAGS_USER_MASK 0xCD5u

struct cpu_local cpu0;
static uint8_t kernel_stack[16384] __attribute__((aligned(16)));

_Static_assert(__builtin_offsetof(struct cpu_local, kernel_stack) == CPU_KERNEL_STACK, "cpu_local");
_Static_assert(__builtin_offsetof(struct cpu_local, user_rsp) == CPU_USER_RSP, "cpu_local");
_Static_assert(__builtin_offsetof(struct cpu_local, context_top) == CPU_CONTEXT_TOP, "cpu_local");
_Static_assert(__builtin_offsetof(struct cpu_local, context_base) == CPU_CONTEXT_BASE, "cpu_local");
_Static_assert(__builtin_offsetof(struct cpu_local, syscall_caller) == CPU_SYSCALL_CALLER, "cpu_local");
_Static_assert(__builtin_offsetof(struct arch_context, rdi) == 8 * 8 &&
	       __builtin_offsetof(struct arch_context, rax) == 8 * 14, "trapentry.S CTX_RDI, CTX_RAX");
_Static_assert(__builtin_offsetof(struct arch_context, rip) == 8 * 17, "frame layout");
_Static_assert(__builtin_offsetof(struct arch_context, fs_base) == 8 * 22, "frame layout");
_Static_assert(__builtin_offsetof(struct arch_context, fs_base) % 16 == 0, "rsp0 alignment");
_Static_assert(__builtin_offsetof(struct arch_context, fs_base) == 8 * 22, "CONTEXT_FRAME_SIZE");
/* arch_syscall_args reads the six argument registers as one array. */
_Static_assert(__builtin_offsetof(struct arch_context, rsi) == __builtin_offsetof(struct arch_context, rdi) + 8 &&
	       __builtin_offsetof(struct arch_context, rdx) == __builtin_offsetof(struct arch_context, rdi) + 16 &&
	       __builtin_offsetof(struct arch_context, r10) == __builtin_offsetof(struct arch_context, rdi) + 24 &&
	       __builtin_offsetof(struct arch_context, r8) == __builtin_offsetof(struct arch_context, rdi) + 32 &&
	       __builtin_offsetof(struct arch_context, r9) == __builtin_offsetof(struct arch_context, rdi) + 40,
	       "syscall arguments in ABI order");
/* trapentry.S's offsets of the registers a system call leaves in the CPU. */
_Static_assert(__builtin_offsetof(struct arch_context, r15) == 0 &&
	       __builtin_offsetof(struct arch_context, r14) == 8 &&
	       __builtin_offsetof(struct arch_context, r13) == 16 &&
	       __builtin_offsetof(struct arch_context, r12) == 24 &&
	       __builtin_offsetof(struct arch_context, rbx) == 32 &&
	       __builtin_offsetof(struct arch_context, rbp) == 56 &&
	       __builtin_offsetof(struct arch_context, rax) == 8 * 14, "trapentry.S offsets");

extern char syscall_entry[];

void user_mode_init(void)
{
	cpu0.kernel_stack = (uint64_t)(kernel_stack + sizeof(kernel_stack));
	wrmsr(MSR_GS_BASE, (uint64_t)&cpu0);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	/* sysret would use STAR[63:48]; syscall loads cs/ss from STAR[47:32]. */
	wrmsr(MSR_STAR, ((uint64_t)(GDT_USER_DATA - 8) << 48) |
				((uint64_t)GDT_KERNEL_CODE << 32));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	/* Enter with interrupts, direction, trap and alignment flags clear. */
	wrmsr(MSR_FMASK, 0x47700);
}

void arch_context_init_user(struct arch_context *c, uint64_t ip, uint64_t sp)
{
	memset(c, 0, sizeof(*c));
	c->rip = ip;
	c->rsp = sp;
	c->cs = GDT_USER_CODE;
	c->ss = GDT_USER_DATA;
	c->rflags = RFLAGS_IF | RFLAGS_FIXED;
}

/*
 * Make a context safe to iretq into whatever user space wrote into it:
 * user segments, interrupts on, no privileged flags, canonical addresses.
 * Returns false (and leaves the context alone) if rip or rsp is not a
 * canonical user address, so the caller faults the task instead.
 */
bool arch_context_sanitize(struct arch_context *c)
{
	if (c->rip >= ARCH_USER_TOP || c->rsp >= ARCH_USER_TOP)
		return false;
	c->cs = GDT_USER_CODE;
	c->ss = GDT_USER_DATA;
	c->rflags = (c->rflags & RFLAGS_USER_MASK) | RFLAGS_IF | RFLAGS_FIXED;
	return true;
}



void arch_run_idle(void)
{
	/* Nothing to run: wait on the kernel stack for an interrupt to
	 * make something ready. Host readers see the wait as outside the
	 * kernel (even seq); the interrupt's handler turns it odd again
	 * before it changes anything, and so do we if the wait ended
	 * without one. */
	debug_seq_leave_for_idle();
	arch_wait_for_interrupt();
	debug_seq_enter_from_idle();
}

uint64_t arch_user_fault_address(void)
{
	return read_cr2();
}
