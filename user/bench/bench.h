/*
 * bench.h - what the benchmarks share: the timestamp counter, raw
 * system calls (no library wrapper in the measured path), threads, and
 * reporting.
 *
 * Under QEMU TCG with -icount,sleep=off (shift=0 on x86_64, where the
 * TSC counts; shift=4 on AArch64, where the generic timer does) the
 * counter advances once per guest instruction, so every figure is an
 * exact instruction count; under KVM it counts cycles.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stdint.h>
#include "syscall.h"
#include "syscall_arch.h"
#include "utalloc.h"
#include "uthread.h"

#define BENCH_SAMPLES 256 /* measured iterations per benchmark */
#define BENCH_WARMUP 16   /* unmeasured iterations first */

/* The counter every figure is read from (see syscall_arch.h). */
static inline uint64_t bench_tsc(void)
{
	return arch_cycles();
}

/* A system call straight from registers, for the measured paths. */
static inline uint64_t raw_sys(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
			       uint64_t a3, uint64_t a4, uint64_t a5)
{
	const uint64_t a[6] = { a0, a1, a2, a3, a4, a5 };
	uint64_t r[6];
	return arch_syscall(nr, a, r);
}

/* A channel call or reply-recv as sel4bench measures it: the lean stub. */
#define ipc_sys arch_syscall_lean

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
void bench_fault(struct bench_env *env);
void bench_vm(struct bench_env *env);

#endif
