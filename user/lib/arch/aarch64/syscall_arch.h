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

/*
 * A system call as libsel4's inline IPC stubs make it: six words in,
 * the result registers clobbered, only the error back. The benchmarks
 * measure through this, so the stub adds as little as it can.
 */
static inline uint64_t arch_syscall_lean(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
					 uint64_t a3, uint64_t a4, uint64_t a5)
{
	register uint64_t x8 __asm__("x8") = nr;
	register uint64_t x0 __asm__("x0") = a0;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;
	register uint64_t x4 __asm__("x4") = a4;
	register uint64_t x5 __asm__("x5") = a5;
	__asm__ volatile("svc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4), "+r"(x5), "+r"(x8)
			 :
			 : "x6", "x7", "memory");
	return x0;
}

/* A call of no arguments, the same way: the number in, the error back,
 * every result register clobbered. */
static inline uint64_t arch_syscall_lean0(uint64_t nr)
{
	register uint64_t x8 __asm__("x8") = nr;
	register uint64_t x0 __asm__("x0");
	__asm__ volatile("svc #0"
			 : "=r"(x0), "+r"(x8)
			 :
			 : "x1", "x2", "x3", "x4", "x5", "x6", "x7", "memory");
	return x0;
}

/* The generic timer's virtual count (the kernel lets EL0 read it):
 * under TCG with -icount shift=4 it ticks once per guest instruction. */
static inline uint64_t arch_cycles(void)
{
	uint64_t v;
	__asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v)::"memory");
	return v;
}

#endif
