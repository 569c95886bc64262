/*
 * syscall_arch.h (AArch64) - `svc #0` with the Cairn register
 * convention (include/uapi/cairn/syscalls.h): number in x8, args in
 * x0..x5; error in x0, results in x1..x6; x0..x8 clobbered.
 */
#ifndef ULIB_SYSCALL_ARCH_H
#define ULIB_SYSCALL_ARCH_H

#include <stdint.h>

static inline uint64_t arch_syscall(uint64_t nr, const uint64_t a[6], uint64_t r[6])
{
	register uint64_t x8 __asm__("x8") = nr;
	register uint64_t x0 __asm__("x0") = a[0];
	register uint64_t x1 __asm__("x1") = a[1];
	register uint64_t x2 __asm__("x2") = a[2];
	register uint64_t x3 __asm__("x3") = a[3];
	register uint64_t x4 __asm__("x4") = a[4];
	register uint64_t x5 __asm__("x5") = a[5];
	register uint64_t x6 __asm__("x6");

	__asm__ volatile("svc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "=r"(x6),
			   "+r"(x8)
			 :
			 : "x7", "memory");
	r[0] = x1;
	r[1] = x2;
	r[2] = x3;
	r[3] = x4;
	r[4] = x5;
	r[5] = x6;
	return x0;
}

static inline uintptr_t arch_stack_pointer(void)
{
	uintptr_t sp;

	__asm__ volatile("mov %0, sp" : "=r"(sp));
	return sp;
}

#define ARCH_ELF_MACHINE 183 /* EM_AARCH64 */

/* Entry stack pointer = stack top - this (see uthread_stack_entry_sp). */
#define ARCH_ENTRY_SP_BIAS 0

#endif
