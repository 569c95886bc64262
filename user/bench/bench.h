/*
 * bench.h - what the benchmarks share: the timestamp counter, raw
 * system calls (no library wrapper in the measured path), threads, and
 * reporting.
 *
 * Under QEMU TCG with -icount shift=0,sleep=off the TSC advances once
 * per guest instruction, so every figure is an exact instruction count;
 * under KVM it counts cycles.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include "syscall.h"
#include "utalloc.h"
#include "uthread.h"

#define BENCH_SAMPLES 256 /* measured iterations per benchmark */
#define BENCH_WARMUP 16   /* unmeasured iterations first */

static inline uint64_t bench_tsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

/* A system call straight from registers, for the measured paths. */
static inline uint64_t raw_sys(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
			       uint64_t a3, uint64_t a4, uint64_t a5)
{
	const uint64_t a[6] = { a0, a1, a2, a3, a4, a5 };
	uint64_t r[6];
	return arch_syscall(nr, a, r);
}

/*
 * A channel call or reply-recv as libsel4's inline stubs do it: the
 * message words go in, the result registers are clobbered, only the
 * error comes back (what sel4bench's IPC benchmarks measure with).
 */
static inline uint64_t ipc_sys(uint64_t nr, uint64_t chan, uint64_t info, uint64_t w0,
			       uint64_t w1, uint64_t w2, uint64_t w3)
{
	register uint64_t rax __asm__("rax") = nr;
	register uint64_t rdi __asm__("rdi") = chan;
	register uint64_t rsi __asm__("rsi") = info;
	register uint64_t rdx __asm__("rdx") = w0;
	register uint64_t r10 __asm__("r10") = w1;
	register uint64_t r8 __asm__("r8") = w2;
	register uint64_t r9 __asm__("r9") = w3;
	__asm__ volatile("syscall"
			 : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8),
			   "+r"(r9)
			 :
			 : "rcx", "r11", "memory");
	return rax;
}

struct bench_env {
	struct slot_alloc *slots;
	struct ut_alloc *ut;
	uint64_t next_vaddr; /* free virtual pages for task buffers */
	const struct cairn_bootinfo *bi;
};

/* A thread of this program. With `vspace` = CAIRN_SLOT_VSPACE it shares
 * our address space; otherwise the VSpace from bench_clone_vspace(). */
struct bench_thread {
	uint64_t task;
	struct uthread_stack *stack;
};

typedef void (*bench_entry)(uint64_t arg); /* = thread_fn */

int bench_thread_start(struct bench_env *env, struct bench_thread *t,
		       struct uthread_stack *stack, uint64_t vspace, unsigned prio,
		       bench_entry fn, uint64_t arg, const char *name);
/* A second VSpace mapping this program's image (same frames, its own
 * page tables), so that IPC into it switches address spaces. */
int bench_clone_vspace(struct bench_env *env, uint64_t *vspace);
int bench_new_object(struct bench_env *env, unsigned type, unsigned bits, uint64_t *slot);

/* Print "bench: NAME median MIN..MAX n=N" from samples (sorted in place). */
void bench_report(const char *name, uint64_t *samples, unsigned n, uint64_t overhead);
extern uint64_t bench_tsc_overhead;

void bench_ipc(struct bench_env *env);
void bench_caps(struct bench_env *env);
void bench_sched(struct bench_env *env);

#endif
