/*
 * peer_image.S - the peer program's ELF file (PEER_ELF, from the
 * Makefile) as read-only bytes of the test suite, for spawn_elf().
 */
	.section .rodata
	.balign 16
	.globl peer_image_start, peer_image_end
peer_image_start:
	.incbin PEER_ELF
peer_image_end:

	.section .note.GNU-stack, "", @progbits
