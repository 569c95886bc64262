/*
 * worker_image.S - the fuzz worker program's ELF file (FUZZ_WORKER_ELF,
 * from user/fuzz/fuzz.mk) as read-only bytes of the coordinator, for
 * spawn_elf().
 */
	.section .rodata
	.balign 16
	.globl fuzz_worker_start, fuzz_worker_end
fuzz_worker_start:
	.incbin FUZZ_WORKER_ELF
fuzz_worker_end:

	.section .note.GNU-stack, "", @progbits
