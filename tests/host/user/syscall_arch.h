/*
 * syscall_arch.h (host tests) - what user/lib's arch header gives, for
 * user code built on the host: arch_syscall() is the fake kernel's
 * (fake_syscalls.c, generated from the ABI, and fake_sys.c).
 */
#ifndef ULIB_SYSCALL_ARCH_H
#define ULIB_SYSCALL_ARCH_H

#include <stdint.h>

uint64_t arch_syscall(uint64_t nr, const uint64_t a[6], uint64_t r[6]);

static inline uintptr_t arch_stack_pointer(void)
{
	return (uintptr_t)__builtin_frame_address(0);
}

/* uthread.h's stack layout (unused on the host: no threads are made). */
#define ARCH_ENTRY_SP_BIAS 8

#endif
