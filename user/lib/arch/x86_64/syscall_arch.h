/*
 * syscall_arch.h (x86_64) - the `syscall` instruction with the Cairn
 * register convention (include/uapi/cairn/syscalls.h): number in rax,
 * args in rdi, rsi, rdx, r10, r8, r9; error in rax, results in the six
 * argument registers; rcx and r11 clobbered by the CPU.
 */
#ifndef ULIB_SYSCALL_ARCH_H
#define ULIB_SYSCALL_ARCH_H

#include <stdint.h>

static inline uint64_t arch_syscall(uint64_t nr, const uint64_t a[6], uint64_t r[6])
{
	register uint64_t rax __asm__("rax") = nr;
	register uint64_t rdi __asm__("rdi") = a[0];
	register uint64_t rsi __asm__("rsi") = a[1];
	register uint64_t rdx __asm__("rdx") = a[2];
	register uint64_t r10 __asm__("r10") = a[3];
	register uint64_t r8 __asm__("r8") = a[4];
	register uint64_t r9 __asm__("r9") = a[5];

	__asm__ volatile("syscall"
			 : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8), "+r"(r9)
			 :
			 : "rcx", "r11", "memory");
	r[0] = rdi;
	r[1] = rsi;
	r[2] = rdx;
	r[3] = r10;
	r[4] = r8;
	r[5] = r9;
	return rax;
}

static inline uintptr_t arch_stack_pointer(void)
{
	uintptr_t sp;

	__asm__ volatile("mov %%rsp, %0" : "=r"(sp));
	return sp;
}

/* The ELF machine this library builds programs for. */
#define ARCH_ELF_MACHINE 62 /* EM_X86_64 */

/* Entry stack pointer = stack top - this (see uthread_stack_entry_sp). */
#define ARCH_ENTRY_SP_BIAS 8

/*
 * A system call as libsel4's inline IPC stubs make it: six words in,
 * the result registers clobbered, only the error back. The benchmarks
 * measure through this, so the stub adds as little as it can.
 */
static inline uint64_t arch_syscall_lean(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
					 uint64_t a3, uint64_t a4, uint64_t a5)
{
	register uint64_t rax __asm__("rax") = nr;
	register uint64_t rdi __asm__("rdi") = a0;
	register uint64_t rsi __asm__("rsi") = a1;
	register uint64_t rdx __asm__("rdx") = a2;
	register uint64_t r10 __asm__("r10") = a3;
	register uint64_t r8 __asm__("r8") = a4;
	register uint64_t r9 __asm__("r9") = a5;
	__asm__ volatile("syscall"
			 : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8),
			   "+r"(r9)
			 :
			 : "rcx", "r11", "memory");
	return rax;
}

/* A call of no arguments, the same way: the number in, the error back,
 * every result register clobbered. */
static inline uint64_t arch_syscall_lean0(uint64_t nr)
{
	register uint64_t rax __asm__("rax") = nr;
	__asm__ volatile("syscall"
			 : "+r"(rax)
			 :
			 : "rdi", "rsi", "rdx", "r10", "r8", "r9", "rcx", "r11", "memory");
	return rax;
}

/* The timestamp counter: under TCG with -icount shift=0 it counts
 * guest instructions. */
static inline uint64_t arch_cycles(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

#endif
