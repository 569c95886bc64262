/*
 * crt0 (x86_64): program entry. The kernel (or the spawner) passes the
 * start argument in rdi and the task-buffer address in rsi; the stack
 * pointer it gives is not relied on: every thread runs on a
 * uthread_stack, whose alignment lets uthread_self() find the thread's
 * state from rsp (user/lib/uthread.h).
 */
#include "uthread.h"

	.text
	.globl _start
	.type _start, @function
_start:
	lea __ulib_main_stack + ULIB_STACK_SIZE(%rip), %rsp
	xor %ebp, %ebp          /* end of the frame-pointer chain */
	call __ulib_start       /* (arg, task buffer); never returns */
	ud2
	.size _start, . - _start

	.section .note.GNU-stack, "", @progbits
