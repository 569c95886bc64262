/* debug_state.c - the record host tools read (debug_state.h). */
#include "debug_state.h" /* arch.h: DIRECT_MAP_BASE, KERNEL_VBASE */

_Static_assert(__builtin_offsetof(struct kernel_debug, seq) == 0,
	       "the entry code (trapentry.S, vectors.S) updates seq at offset 0");

/*
 * Initialised data, so that a host tool finds the address bases in the
 * ELF file without a running guest. Its own section: on AArch64 the
 * linker script puts it right at the top of the kernel stack, where the
 * entry code reaches seq through sp with no address to build.
 */
__attribute__((section(".data.kernel_debug"), aligned(64)))
struct kernel_debug kernel_debug = {
	.seq = 1, /* the kernel is inside from the first instruction */
	.direct_map_base = DIRECT_MAP_BASE,
	.kernel_vbase = KERNEL_VBASE,
};

void debug_state_panic(const char *fmt, va_list ap)
{
	kvsnprintf(kernel_debug.panic_msg, sizeof(kernel_debug.panic_msg), fmt, ap);
	kernel_debug.panicked = 1;
	/* Nothing will change any more: let readers see it all as stable. */
	uint64_t seq = kernel_debug.seq;
	arch_store_release_u64(&kernel_debug.seq, seq + (seq & 1));
}
