/*
 * user.c - running user code on AArch64: EL0 access to the counter,
 * setting up, checking and entering a task's context.
 */
#include "kernel.h"
#include "arch.h"
#include "arch_context.h"
#include "debug_state.h"
#include "cpu_local.h"
#include "aarch64.h"
#include "aarch64_internal.h"
#include <cairn/syscalls.h>

_Static_assert(__builtin_offsetof(struct arch_context, x[18]) == CTX_X18, "context layout");
_Static_assert(__builtin_offsetof(struct arch_context, x[20]) == CTX_X20, "context layout");
_Static_assert(__builtin_offsetof(struct arch_context, x[29]) == CTX_X29, "context layout");
_Static_assert(__builtin_offsetof(struct arch_context, x[30]) == CTX_X30, "context layout");
_Static_assert(__builtin_offsetof(struct arch_context, sp) == CTX_SP, "context layout");
_Static_assert(__builtin_offsetof(struct arch_context, pc) == CTX_PC, "context layout");
_Static_assert(__builtin_offsetof(struct arch_context, pstate) == CTX_PSTATE, "context layout");
_Static_assert(__builtin_offsetof(struct arch_context, tpidr) == CTX_TPIDR, "context layout");
_Static_assert(__builtin_offsetof(struct arch_context, esr) == CTX_ESR, "context layout");
_Static_assert(__builtin_offsetof(struct arch_context, vector) == CTX_VECTOR, "context layout");
_Static_assert(__builtin_offsetof(struct arch_context, far) == CTX_FAR, "context layout");
_Static_assert(sizeof(struct arch_context) == CTX_SIZE && CTX_SIZE % 16 == 0, "context size");

void user_mode_init(void)
{
	/* User space may read the virtual counter (benchmarks, timeouts);
	 * the timers themselves stay the kernel's. */
	write_sysreg(cntkctl_el1, CNTKCTL_EL0VCTEN);
	write_sysreg(tpidr_el0, 0);
	write_sysreg(tpidr_el1, 0);
	isb();
}

void arch_context_init_user(struct arch_context *c, uint64_t ip, uint64_t sp)
{
	memset(c, 0, sizeof(*c));
	c->pc = ip;
	c->sp = sp;
	c->pstate = PSR_MODE_EL0t; /* AArch64 EL0, interrupts unmasked */
}

/*
 * Make a context safe to eret into whatever user space wrote into it:
 * EL0t in AArch64, interrupts and aborts unmasked, no single-step or
 * illegal-state bits; only the condition flags are the task's own.
 * Returns false (and leaves the context alone) if pc or sp is not a
 * user address, so the caller faults the task instead.
 */
bool arch_context_sanitize(struct arch_context *c)
{
	if (c->pc >= ARCH_USER_TOP || c->sp >= ARCH_USER_TOP)
		return false;
	c->pstate = (c->pstate & PSR_NZCV) | PSR_MODE_EL0t;
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
