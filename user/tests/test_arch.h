/*
 * test_arch.h - what the in-guest tests need to know per architecture:
 * the faulting instructions the fault tests execute and what each arch
 * reports for them (fault message word 3 is the arch's error code;
 * TASK_READ_STATE's fault_code its exception number), and interrupt
 * lines for the IRQ tests.
 */
#ifndef TESTS_TEST_ARCH_H
#define TESTS_TEST_ARCH_H

#include <stdint.h>

#if defined(__x86_64__)
/* A load from address 0 into %0, the load itself at `label`. */
#define FAULT_LOAD_NULL_ASM(label) ".globl " label "\n" label ": movq 0, %0"
#define FAULT_UNDEFINED_ASM "ud2"
/* #PF error code 4: a user-mode read of a page not present. */
#define FAULT_NULL_CODE_OK(code) ((code) == 4)
/* #UD pushes no error code; its vector is 6. */
#define FAULT_UNDEFINED_CODE_OK(code) ((code) == 0)
#define FAULT_UNDEFINED_EXCEPTION 6
/* Floating point: tasks have none (x87 traps with #NM, SSE with #UD). */
#define FAULT_X87_ASM "fldz"
#define FAULT_SIMD_ASM "xorps %%xmm0, %%xmm0"
/* ISA lines: two nothing on QEMU's pc machine raises, the timer and the
 * cascade (never claimable). */
#define TEST_IRQ 5
#define TEST_IRQ_OTHER 6
#define TEST_IRQ_TIMER 0
#define TEST_IRQ_RESERVED 2
#elif defined(__aarch64__)
#define FAULT_LOAD_NULL_ASM(label) \
	"mov %0, #0\n.globl " label "\n" label ": ldr %0, [%0]"
#define FAULT_UNDEFINED_ASM "udf #0"
/* The code is ESR_EL1: exception class in bits 31:26. */
#define ESR_EC(code) (((code) >> 26) & 0x3f)
#define FAULT_NULL_CODE_OK(code) (ESR_EC(code) == 0x24) /* data abort, EL0 */
#define FAULT_UNDEFINED_CODE_OK(code) (ESR_EC(code) == 0x00) /* unknown */
#define FAULT_UNDEFINED_EXCEPTION 0x00
/* Floating point and SIMD trap (CPACR_EL1.FPEN): tasks have no FP state. */
#define FAULT_X87_ASM "fmov d0, xzr"
#define FAULT_SIMD_ASM "movi v0.16b, #0"
/* GIC INTIDs: two SPIs no device on QEMU virt raises, the virtual timer
 * (a PPI) and an SGI (never claimable). */
#define TEST_IRQ 48
#define TEST_IRQ_OTHER 49
#define TEST_IRQ_TIMER 27
#define TEST_IRQ_RESERVED 1
#else
#error "no fault tests for this architecture"
#endif

#endif
