/*
 * arch_context.h - a task's saved user-mode registers on x86_64.
 * The order matches the trap frame pushed by trapentry.S so a trap
 * frame and a context copy into each other directly.
 */
#ifndef CAIRN_ARCH_CONTEXT_H
#define CAIRN_ARCH_CONTEXT_H

#include <stdint.h>

struct arch_context {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t rip, rsp, rflags;
	uint64_t fs_base;
};

#endif
