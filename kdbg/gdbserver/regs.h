/*
 * regs.h - a task's saved registers in the layout of QEMU's gdbstub.
 *
 * Register numbers and the `g` packet are QEMU 7.2's (gdb-xml/
 * i386-64bit.xml, aarch64-core.xml), little-endian hex:
 *   x86_64:  0..15 rax rbx rcx rdx rsi rdi rbp rsp r8..r15 (8 bytes),
 *            16 rip (8), 17 eflags (4), 18..23 cs ss ds es fs gs (4),
 *            24 fs_base, 25 gs_base, 26 k_gs_base (8), then cr0.. and FP;
 *   aarch64: 0..30 x0..x30, 31 sp, 32 pc (8), 33 cpsr (4), then v0.. (FP).
 * A task's context (struct kr_context) holds a subset: x86_64 the general
 * registers, rip, rflags, cs, ss, rsp, fs_base; aarch64 x0..x30, sp, pc,
 * pstate. The rest stay as the vCPU has them.
 */
#ifndef GDBSERVER_REGS_H
#define GDBSERVER_REGS_H

#include <stddef.h>

#include "kread.h"

/* Overwrite, in g_hex (QEMU's `g` reply for the vCPU, NUL-terminated,
 * modified in place), the registers ctx holds. arch is kr_elf_arch()'s
 * "x86_64" or "aarch64". Returns 0, or -1 if g_hex is too short (it is
 * then left unchanged) or the arch unknown. */
int regs_patch_g(const char *arch, const struct kr_context *ctx, char *g_hex);

/* Register regnum of a task as hex in target byte order into out
 * (NUL-terminated; outlen >= 17 is enough for every register held).
 * Returns 0, or -1 if the context does not hold it (the caller then asks
 * QEMU) or out is too small. */
int regs_task_p(const char *arch, const struct kr_context *ctx, int regnum, char *out,
		size_t outlen);

#endif
