/*
 * arch_context.h (host build) - the saved register state of a task.
 * In the kernel, arch/<arch>/include provides the real one; the host
 * tests need only something of a realistic size.
 */
#ifndef CAIRN_HOST_ARCH_CONTEXT_H
#define CAIRN_HOST_ARCH_CONTEXT_H

#include <stdint.h>

struct arch_context {
	uint64_t regs[32];
	uint64_t ip, sp, flags;
	uint8_t fpu[512] __attribute__((aligned(16)));
};

#endif
