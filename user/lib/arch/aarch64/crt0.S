/*
 * crt0 (AArch64): program entry. x0 = start argument, x1 = task-buffer
 * address; switch to the main uthread_stack (see user/lib/uthread.h).
 */
#include "uthread.h"

	.text
	.globl _start
	.type _start, %function
_start:
	adrp x9, __ulib_main_stack
	add x9, x9, :lo12:__ulib_main_stack
	mov x10, #ULIB_STACK_SIZE
	add sp, x9, x10
	mov x29, #0             /* end of the frame chain */
	mov x30, #0
	bl __ulib_start         /* (arg, task buffer); never returns */
	brk #0
	.size _start, . - _start

	.section .note.GNU-stack, "", %progbits
