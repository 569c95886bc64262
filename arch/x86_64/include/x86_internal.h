/* x86_internal.h - what the x86_64 files share with each other. */
#ifndef CAIRN_X86_INTERNAL_H
#define CAIRN_X86_INTERNAL_H

#include "kernel.h"
#include "arch.h"

/* The registers trapentry.S saves, lowest address first. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

void serial_init(void);
void gdt_init(void);
void idt_init(void);
void pic_init(void);
void pic_unmask(unsigned irq);
void pic_eoi(unsigned irq);
void pit_init(unsigned hz);
void memory_init(void *start_info_phys, struct boot_info_raw *info);
void trap_dispatch(struct trap_frame *tf);
void trap_dump(const struct trap_frame *tf);

#endif
