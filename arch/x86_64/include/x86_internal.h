/* x86_internal.h - what the x86_64 files share with each other. */
#ifndef CAIRN_X86_INTERNAL_H
#define CAIRN_X86_INTERNAL_H

#include "kernel.h"
#include "arch.h"
#include "arch_context.h"

/* A trap frame is laid out as a struct arch_context (see there). */
#define trap_frame arch_context

void serial_init(void);
void gdt_init(void);
void idt_init(void);
void pic_init(void);
void pic_unmask(unsigned irq);
void pic_eoi(unsigned irq);
void pit_init(unsigned hz);
void user_mode_init(void);
void memory_init(void *start_info_phys, struct boot_info_raw *info);
void trap_dispatch(struct trap_frame *tf);
void trap_dump(const struct trap_frame *tf);

/* The one kernel stack (boot.S). */
extern char boot_stack[], boot_stack_top[];

#endif
