/*
 * trapentry.S - one stub per IDT vector. Each pushes an error code (0
 * where the CPU pushes none) and its vector number, then trap_common
 * saves the registers as a struct trap_frame and calls trap_dispatch.
 */
#define ERRCODE_VECTORS (1 << 8 | 1 << 10 | 1 << 11 | 1 << 12 | 1 << 13 | 1 << 14 | 1 << 17 | 1 << 21 | 1 << 29 | 1 << 30)

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
	push %rax
	push %rbx
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %rbp
	push %r8
	push %r9
	push %r10
	push %r11
	push %r12
	push %r13
	push %r14
	push %r15
	testb $3, 8 * 18(%rsp)          /* from user mode? (saved cs) */
	jz 1f
	swapgs
1:	mov %rsp, %rdi
	cld
	call trap_dispatch
	.global trap_return
trap_return:
	testb $3, 8 * 18(%rsp)
	jz 2f
	swapgs
2:	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rbp
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rbx
	pop %rax
	add $16, %rsp                   /* vector, error code */
	iretq

	.section .note.GNU-stack, "", @progbits
