/*
 * vectors.S - the ways into and out of the kernel on AArch64.
 *
 * From EL0, SP_EL1 already points at the running task's struct
 * arch_context (return_to_user leaves it there), so the registers are
 * stored straight into the task; then we move to the kernel stack.
 * `svc #0` goes to the IPC fastpath for its two calls, else to
 * kernel_syscall; faults and interrupts to trap.c. Every return to user
 * mode goes through return_to_user, which enters the context in
 * TPIDR_EL1 (arch_set_user_context).
 *
 * From EL1 (the idle loop's interrupts, kernel faults, the self-test's
 * BRK) the same frame is built on the kernel stack and we return to
 * where we were.
 *
 * kernel_debug.seq (kernel/include/debug_state.h) turns odd on every
 * entry from EL0 and even again in return_to_user, with Linux's
 * write_seqcount ordering (a store barrier after the odd value, a
 * release store of the even one). linker.ld puts kernel_debug right at
 * kernel_stack_top, where sp points on both sides (the stack is empty),
 * so neither needs an address built: 4 instructions in, 3 out.
 */
#include "aarch64.h"
#include "arch_context.h"
#include "cpu_local.h"

#include "sched_offsets.h"
#include <generated/syscall_numbers.h>

/* Store x0..x17 at [sp], as struct arch_context has them. */
.macro SAVE_X0_X17
	stp x0, x1, [sp, #16 * 0]
	stp x2, x3, [sp, #16 * 1]
	stp x4, x5, [sp, #16 * 2]
	stp x6, x7, [sp, #16 * 3]
	stp x8, x9, [sp, #16 * 4]
	stp x10, x11, [sp, #16 * 5]
	stp x12, x13, [sp, #16 * 6]
	stp x14, x15, [sp, #16 * 7]
	stp x16, x17, [sp, #16 * 8]
.endm

/* Load x2..x17 from [sp] (x0, x1 last: they may hold the address). */
.macro RESTORE_X2_X17
	ldp x2, x3, [sp, #16 * 1]
	ldp x4, x5, [sp, #16 * 2]
	ldp x6, x7, [sp, #16 * 3]
	ldp x8, x9, [sp, #16 * 4]
	ldp x10, x11, [sp, #16 * 5]
	ldp x12, x13, [sp, #16 * 6]
	ldp x14, x15, [sp, #16 * 7]
	ldp x16, x17, [sp, #16 * 8]
.endm

/* Store x0..x29 at [sp]: the first 30 words of struct arch_context. */
.macro SAVE_X0_X29
	SAVE_X0_X17
	stp x18, x19, [sp, #16 * 9]
	stp x20, x21, [sp, #16 * 10]
	stp x22, x23, [sp, #16 * 11]
	stp x24, x25, [sp, #16 * 12]
	stp x26, x27, [sp, #16 * 13]
	stp x28, x29, [sp, #16 * 14]
.endm

.macro RESTORE_X0_X29
	RESTORE_X2_X17
	ldp x18, x19, [sp, #16 * 9]
	ldp x20, x21, [sp, #16 * 10]
	ldp x22, x23, [sp, #16 * 11]
	ldp x24, x25, [sp, #16 * 12]
	ldp x26, x27, [sp, #16 * 13]
	ldp x28, x29, [sp, #16 * 14]
	ldp x0, x1, [sp, #16 * 0]
.endm

/* From EL0: everything into the context at sp (x9..x12 free after). */
.macro SAVE_USER
	SAVE_USER_SYSCALL
	SAVE_USER_REST sp
.endm

/* From EL0, what every entry stores: x0-x18 (x9-x18 survive a system
 * call, but not the kernel's C code), x29, x30, sp, pc and pstate; x19
 * and x28 too, as they pair with x18 and x29. x9-x12 are free after. */
.macro SAVE_USER_SYSCALL
	SAVE_X0_X17
	stp x18, x19, [sp, #16 * 9]
	stp x28, x29, [sp, #16 * 14]
	mrs x9, sp_el0
	stp x30, x9, [sp, #CTX_X30]
	mrs x10, elr_el1
	mrs x11, spsr_el1
	stp x10, x11, [sp, #CTX_PC]
.endm

/* The registers a system call leaves in the CPU, into the context at
 * \ctx: x20-x27 and TPIDR_EL0 (uses x12). */
.macro SAVE_USER_REST ctx
	stp x20, x21, [\ctx, #CTX_X20]
	stp x22, x23, [\ctx, #CTX_X20 + 16]
	stp x24, x25, [\ctx, #CTX_X20 + 32]
	stp x26, x27, [\ctx, #CTX_X20 + 48]
	mrs x12, tpidr_el0
	str x12, [\ctx, #CTX_TPIDR]
.endm

/* \ctx = the context; continue on the (empty) kernel stack. Its top is
 * page aligned (linker.ld checks), so adrp alone finds it. Then seq
 * odd (it is at the stack top): inside the kernel. Uses x9, x10. */
.macro TO_KERNEL_STACK ctx
	mov \ctx, sp
	adrp x9, kernel_stack_top
	mov sp, x9
	ldr x10, [sp]
	add x10, x10, #1
	str x10, [sp]
	dmb ishst                       /* before any change it brackets */
.endm

/* Leaving for user mode, on the empty kernel stack (sp is its top,
 * kernel_debug.seq): seq even, after every change; then sp = the context
 * in TPIDR_EL1 (also left in \reg). Uses x10. */
.macro TO_USER_CONTEXT reg
	ldr x10, [sp]
	add x10, x10, #1
	stlr x10, [sp]
	mrs \reg, tpidr_el1
	mov sp, \reg
.endm

/* From EL1: a frame on the current stack, laid out as an arch_context. */
.macro SAVE_KERNEL kind
	sub sp, sp, #CTX_SIZE
	SAVE_X0_X29
	add x9, sp, #CTX_SIZE
	stp x30, x9, [sp, #CTX_X30]
	mrs x10, elr_el1
	mrs x11, spsr_el1
	stp x10, x11, [sp, #CTX_PC]
	mrs x12, esr_el1
	.if \kind == 0
	lsr x13, x12, #ESR_EC_SHIFT
	.else
	mov x13, #\kind
	.endif
	stp x12, x13, [sp, #CTX_ESR]
	mrs x14, far_el1
	str x14, [sp, #CTX_FAR]
.endm

/* The table: 16 entries of 32 instructions; each branches out. */
	.text
	.p2align 11
	.global vectors
vectors:
	/* EL1 with SP_EL0: never used (the kernel runs on SP_EL1) */
	.p2align 7
	b el1_sync
	.p2align 7
	b el1_irq
	.p2align 7
	b el1_fiq
	.p2align 7
	b el1_serror
	/* EL1 with SP_EL1 */
	.p2align 7
	b el1_sync
	.p2align 7
	b el1_irq
	.p2align 7
	b el1_fiq
	.p2align 7
	b el1_serror
	/* EL0, AArch64 */
	.p2align 7
	b el0_sync
	.p2align 7
	b el0_irq
	.p2align 7
	b el0_fiq
	.p2align 7
	b el0_serror
	/* EL0, AArch32: never entered (contexts are forced to AArch64),
	 * so treat like AArch64: anything but an SVC64 is a fault. */
	.p2align 7
	b el0_sync
	.p2align 7
	b el0_irq
	.p2align 7
	b el0_fiq
	.p2align 7
	b el0_serror

	.p2align 6
el0_sync:
	/*
	 * Lean: what a system call needs, or what the checks below need.
	 * x19-x28 (callee-saved in C) and TPIDR_EL0 (the kernel does not
	 * touch it) stay in the CPU; the rest is stored by SAVE_USER_REST
	 * for faults and the fastpath, or by the exit when a call switches
	 * to another task. ESR and the exception class go into the context
	 * for faults only: nothing reads them for a system call.
	 */
	SAVE_USER_SYSCALL
	mrs x13, esr_el1
	lsr x14, x13, #ESR_EC_SHIFT
	cmp x14, #EC_SVC64
	b.ne 6f
	/* The IPC fastpath first (kernel/fastpath.c), for its two calls. */
	cmp x8, #CAIRN_SYSNR_CHAN_CALL
	b.eq 3f
	cmp x8, #CAIRN_SYSNR_CHAN_REPLY_RECV
	b.eq 4f
	/*
	 * Every other call. The table's entry for the number runs the
	 * handler on the argument words where they were just saved
	 * (kernel/syscall.c). If sched.resched and sched.switched are then
	 * clear, the caller runs on and the handler's answer is its error;
	 * else kernel_syscall_exit decides, and when it switches to another
	 * task the registers left in the CPU are stored in the caller's
	 * context first. x19 (saved above) keeps the caller across the
	 * handler.
	 */
	TO_KERNEL_STACK x1              /* x1: the argument words, in place */
	cmp x8, #CAIRN_SYSNR_COUNT
	b.hs 7f
	ldr x9, =sched
	ldr x19, [x9, #SCHED_CURRENT]
	mov x0, x19
	ldr x9, =syscall_table
	ldr x9, [x9, x8, lsl #3]
	mov x29, #0                     /* ends backtraces of kernel C code */
	blr x9
	ldr x9, =sched
	ldrh w9, [x9, #SCHED_EXIT_FLAGS] /* resched, switched */
	cbnz w9, 8f
	mov w0, w0                      /* the error: an int, zero-extended */
	/*
	 * The lean exit: back to the caller, which the call did not switch
	 * away from, with its error in x0. x20-x28 and TPIDR_EL0 still hold
	 * its values, and ELR_EL1, SPSR_EL1 and SP_EL0 where it entered: the
	 * kernel takes no exception while it runs a call, and a call that
	 * rewrites its caller's registers (TASK_SET_REGS) sets
	 * sched.resched, so that it comes back through C (below), which
	 * reloads them.
	 */
1:	TO_USER_CONTEXT x9
	ldp x29, x30, [sp, #CTX_X29]
	ldp x18, x19, [sp, #CTX_X18]
	RESTORE_X2_X17
	ldr x1, [sp, #8]
	eret
	/* An unknown number: the whole call in C. */
7:	mov x0, x1
	mov x29, #0
	bl kernel_syscall
	b 9f
	/* The call changed what runs. */
8:	mov w1, w0
	mov x0, x19
	bl kernel_syscall_exit
9:	cbnz x0, 2f
	/* Back to the caller all the same: C stored its error, and may
	 * have moved its pc, sp or flags. */
	mrs x9, tpidr_el1
	ldp x10, x11, [x9, #CTX_PC]
	ldr x12, [x9, #CTX_SP]
	msr elr_el1, x10
	msr spsr_el1, x11
	msr sp_el0, x12
	ldr x0, [x9, #CTX_X0]
	b 1b
	/* Switching away from the caller: keep what stayed in the CPU. */
2:	SAVE_USER_REST x0
	b return_to_user
	/* fastpath.c keeps no callee-saved register (see the Makefile), so
	 * its calls save everything and leave through the full exit; on
	 * failure the context is found again in TPIDR_EL1. */
3:	SAVE_USER_REST sp
	TO_KERNEL_STACK x0
	bl fastpath_call
	tbnz w0, #0, return_to_user     /* a bool: only bit 0 is defined */
	b 5f
4:	SAVE_USER_REST sp
	TO_KERNEL_STACK x0
	bl fastpath_reply_recv
	tbnz w0, #0, return_to_user
5:	mrs x0, tpidr_el1
	mov x29, #0
	bl kernel_syscall               /* everything is saved: its answer */
	b return_to_user                /* does not matter */
6:	stp x13, x14, [sp, #CTX_ESR]    /* esr, vector */
	SAVE_USER_REST sp
	TO_KERNEL_STACK x0
el0_fault:
	mrs x9, far_el1
	str x9, [x0, #CTX_FAR]
	mov x29, #0
	bl trap_from_user_sync
	b return_to_user

.macro EL0_ASYNC kind
	SAVE_USER
	mov x13, #\kind
	str x13, [sp, #CTX_VECTOR]
	TO_KERNEL_STACK x0
	mov x29, #0
	bl trap_from_user_async
	b return_to_user
.endm

el0_irq:
	EL0_ASYNC ARCH_ENTRY_IRQ
el0_fiq:
	EL0_ASYNC ARCH_ENTRY_FIQ
el0_serror:
	EL0_ASYNC ARCH_ENTRY_SERROR

/*
 * Leave the kernel into the context the scheduler chose. Every context
 * there is sane (user.c): EL0t, AArch64, interrupts unmasked, pc and sp
 * user addresses. SP_EL1 stays pointing at it for the next entry.
 *
 * Interrupts must stay masked from `mov sp` to `eret`: one taken there
 * would push its frame over the task below its context. Exception
 * entry masks them; kmain's first entry (arch_return_to_user) may not.
 */
	.global return_to_user, arch_return_to_user
arch_return_to_user:
	msr daifset, #0xf
	adrp x9, kernel_stack_top       /* kmain's stack is left for good */
	mov sp, x9
return_to_user:
	TO_USER_CONTEXT x0
	ldp x10, x11, [sp, #CTX_PC]
	ldp x30, x9, [sp, #CTX_X30]
	ldr x12, [sp, #CTX_TPIDR]
	msr elr_el1, x10
	msr spsr_el1, x11
	msr sp_el0, x9
	msr tpidr_el0, x12
	RESTORE_X0_X29
	eret

.macro EL1_ENTRY kind
	SAVE_KERNEL \kind
	mov x0, sp
	bl trap_kernel
	ldp x10, x11, [sp, #CTX_PC]     /* the handler may move pc on */
	msr elr_el1, x10
	msr spsr_el1, x11
	ldr x30, [sp, #CTX_X30]
	RESTORE_X0_X29
	add sp, sp, #CTX_SIZE
	eret
.endm

el1_sync:
	EL1_ENTRY 0
el1_irq:
	EL1_ENTRY ARCH_ENTRY_IRQ
el1_fiq:
	EL1_ENTRY ARCH_ENTRY_FIQ
el1_serror:
	EL1_ENTRY ARCH_ENTRY_SERROR

	.section .note.GNU-stack, "", %progbits
