/*
 * root_image.S - the root task's ELF, carried inside the kernel image.
 * The build passes its path as ROOT_TASK_ELF (see the Makefile).
 */
#ifdef ROOT_TASK_ELF
	.section .rodata.root_image, "a"
	.p2align 12
	.global root_image_start, root_image_end
root_image_start:
	.incbin ROOT_TASK_ELF
root_image_end:
#endif
	.section .note.GNU-stack, "", @progbits
