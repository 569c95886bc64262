/*
 * trapentry.S - the ways into and out of the kernel on x86_64.
 *
 * Interrupts and exceptions: one stub per IDT vector pushes an error code
 * (0 where the CPU pushes none) and the vector number, then trap_common
 * saves the general registers. From user mode all of that lands in the
 * current task's struct arch_context (TSS.rsp0 points just past it) and
 * we move to the kernel stack; from kernel mode it is a frame on the
 * kernel stack and we return to where we were.
 *
 * `syscall` enters at syscall_entry, which builds the same frame in the
 * task's context by hand. Every return to user mode goes through
 * arch_enter_user, with iretq (one instruction either way under TCG,
 * and it needs no care about sysret's non-canonical-rcx pitfall).
 *
 * kernel_debug.seq (kernel/include/debug_state.h, offset 0) turns odd on
 * every entry from user mode and even again in return_to_user: one
 * `incq` each way (x86 keeps stores in order; the asm is not reordered).
 */
#include "cpu_local.h"
#include "sched_offsets.h"
#include <generated/syscall_numbers.h>

#define ERRCODE_VECTORS (1 << 8 | 1 << 10 | 1 << 11 | 1 << 12 | 1 << 13 | 1 << 14 | 1 << 17 | 1 << 21 | 1 << 29 | 1 << 30)
#define FRAME_CS (8 * 18)          /* offset of cs in the saved frame */
#define GDT_USER_DATA 0x1b
#define GDT_USER_CODE 0x23
#define CONTEXT_FRAME_SIZE (8 * 22) /* r15 .. ss: struct arch_context up to fs_base */

/* struct arch_context, from the top down (arch_context.h). A system call
 * saves only the first eight: its number, arguments and frame pointer. */
.macro SAVE_SYSCALL_GPRS
	push %rax
	push %r9
	push %r8
	push %r10
	push %rdx
	push %rsi
	push %rdi
	push %rbp
.endm

.macro SAVE_OTHER_GPRS
	push %rcx
	push %r11
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
.endm

.macro SAVE_GPRS
	SAVE_SYSCALL_GPRS
	SAVE_OTHER_GPRS
.endm

.macro RESTORE_SYSCALL_ARGS
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %r10
	pop %r8
	pop %r9
.endm

.macro RESTORE_SYSCALL_GPRS
	RESTORE_SYSCALL_ARGS
	pop %rax
.endm

.macro RESTORE_GPRS
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %r11
	pop %rcx
	RESTORE_SYSCALL_GPRS
.endm

#define CTX_R15 0                   /* offsets in struct arch_context (user.c) */
#define CTX_R14 8
#define CTX_R13 16
#define CTX_R12 24
#define CTX_RBX 32
#define CTX_RDI 64
#define CTX_RAX 112
#define CTX_OTHER_GPRS (8 * 7)      /* r15 .. rcx: what SAVE_OTHER_GPRS pushes */

	.text
	.p2align 4
	.global trap_stubs
trap_stubs:
	.set vec, 0
	.rept 256
	.p2align 4
	.set has_error_code, 0
	.if vec < 32
	.set has_error_code, (ERRCODE_VECTORS >> vec) & 1
	.endif
	.if has_error_code
	pushq $vec
	.else
	pushq $0
	pushq $vec
	.endif
	jmp trap_common
	.set vec, vec + 1
	.endr

trap_common:
	SAVE_GPRS
	testb $3, FRAME_CS(%rsp)
	jz 1f
	/* From user mode: registers are in the task's context. */
	incq kernel_debug(%rip)         /* seq odd: inside the kernel */
	swapgs
	mov %rsp, %rdi
	mov %gs:CPU_KERNEL_STACK, %rsp
	xor %ebp, %ebp
	cld
	call trap_from_user
	jmp return_to_user
1:	/* From kernel mode (the idle loop or a kernel fault). */
	mov %rsp, %rdi
	cld
	call trap_dispatch
	RESTORE_GPRS
	add $16, %rsp                   /* vector, error code */
	iretq

	.p2align 4
	.global syscall_entry
syscall_entry:
	/* rcx = user rip, r11 = user rflags; interrupts are off (FMASK). */
	incq kernel_debug(%rip)         /* seq odd: inside the kernel */
	swapgs
	mov %rsp, %gs:CPU_USER_RSP
	mov %gs:CPU_CONTEXT_TOP, %rsp
	pushq $GDT_USER_DATA            /* ss */
	pushq %gs:CPU_USER_RSP          /* rsp */
	push %r11                       /* rflags */
	pushq $GDT_USER_CODE            /* cs */
	push %rcx                       /* rip */
	sub $16, %rsp                   /* vector, error: for faults only */
	SAVE_SYSCALL_GPRS
	/* The IPC fastpath first (kernel/fastpath.c), for its two calls. */
	cmp $CAIRN_SYSNR_CHAN_CALL, %eax
	je 3f
	cmp $CAIRN_SYSNR_CHAN_REPLY_RECV, %eax
	je 4f
	/*
	 * Every other call: rbx, r12-r15 stay in the CPU, where the C code
	 * preserves them, and rcx/r11 are the call's to clobber. The
	 * table's entry for the number runs the handler on the argument
	 * words where they were just saved (kernel/syscall.c). If
	 * sched.resched and sched.switched are then clear, the caller runs
	 * on and the handler's answer is its error; else
	 * kernel_syscall_exit decides, and when it switches to another task
	 * the registers left in the CPU are stored in the caller's context
	 * first.
	 */
	sub $CTX_OTHER_GPRS, %rsp        /* rsp = the context's base */
	cmp $CAIRN_SYSNR_COUNT, %rax
	jae 6f
	lea CTX_RDI(%rsp), %rsi          /* the argument words, in place */
	mov %gs:CPU_KERNEL_STACK, %rsp
	mov sched+SCHED_CURRENT(%rip), %rdi
	mov %rdi, %gs:CPU_SYSCALL_CALLER /* for kernel_syscall_exit */
	xor %ebp, %ebp                  /* ends backtraces of kernel C code */
	call *syscall_table(, %rax, 8)
	cmpw $0, sched+SCHED_EXIT_FLAGS(%rip) /* resched, switched */
	jne 7f
	mov %eax, %eax                  /* the error: an int, zero-extended */
	/*
	 * The lean exit: back to the caller, which the call did not switch
	 * away from, with its error in rax. rbx, r12-r15 still hold its
	 * values; rcx and r11 are cleared rather than left with the kernel's.
	 */
1:	incq kernel_debug(%rip)         /* seq even: every change is done */
	mov %gs:CPU_CONTEXT_BASE, %rsp
	add $CTX_OTHER_GPRS, %rsp
	xor %ecx, %ecx
	xor %r11d, %r11d
	RESTORE_SYSCALL_ARGS
	add $24, %rsp                   /* rax (the error is in it), vector, error code */
	swapgs
	iretq
	/* An unknown number: the whole call in C. */
6:	mov %rsp, %rdi
	mov %gs:CPU_KERNEL_STACK, %rsp
	xor %ebp, %ebp
	call kernel_syscall
	jmp 8f
	/* The call changed what runs. */
7:	mov %gs:CPU_SYSCALL_CALLER, %rdi
	mov %eax, %esi
	call kernel_syscall_exit
8:	test %rax, %rax
	jnz 9f
	/* Back to the caller all the same: C stored its error. */
	mov %gs:CPU_CONTEXT_BASE, %rax
	mov CTX_RAX(%rax), %rax
	jmp 1b
9:	mov %rbx, CTX_RBX(%rax)
	mov %r12, CTX_R12(%rax)
	mov %r13, CTX_R13(%rax)
	mov %r14, CTX_R14(%rax)
	mov %r15, CTX_R15(%rax)
	jmp return_to_user
	/* fastpath.c keeps no callee-saved register (see the Makefile), so
	 * these two calls save everything and leave through the full exit;
	 * on failure the context is found again from context_base. */
3:	SAVE_OTHER_GPRS
	mov %rsp, %rdi
	mov %gs:CPU_KERNEL_STACK, %rsp
	call fastpath_call
	test %al, %al
	jnz return_to_user
	jmp 5f
4:	SAVE_OTHER_GPRS
	mov %rsp, %rdi
	mov %gs:CPU_KERNEL_STACK, %rsp
	call fastpath_reply_recv
	test %al, %al
	jnz return_to_user
5:	mov %gs:CPU_CONTEXT_BASE, %rdi
	xor %ebp, %ebp
	call kernel_syscall              /* everything is saved: its answer */
	jmp return_to_user               /* does not matter */

/*
 * Leave the kernel into the context the scheduler chose: the one that
 * ends at cpu0.context_top (its rsp0). Every context there is sane:
 * user segments, interrupts on, canonical rip and rsp (user.c).
 */
	.global return_to_user, arch_return_to_user
arch_return_to_user:
	/* From kmain, interrupts are on: an interrupt taken while rsp points
	 * into the context would push its frame over the task below it. */
	cli
return_to_user:
	incq kernel_debug(%rip)         /* seq even: every change is done */
	mov %gs:CPU_CONTEXT_BASE, %rsp
	RESTORE_GPRS
	add $16, %rsp
	swapgs
	iretq

	.section .note.GNU-stack, "", @progbits
