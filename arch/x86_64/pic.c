/*
 * pic.c - the two 8259 PICs, remapped to vectors 32..47 with every line
 * masked until a driver (the timer) unmasks its own.
 */
#include "kernel.h"
#include "x86.h"
#include "x86_internal.h"
#include "arch.h"

#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define PIC_EOI 0x20
#define IRQ_BASE_VECTOR 32

void pic_init(void)
{
	outb(PIC1_CMD, 0x11); /* ICW1: init, expect ICW4 */
	outb(PIC2_CMD, 0x11);
	outb(PIC1_DATA, IRQ_BASE_VECTOR);
	outb(PIC2_DATA, IRQ_BASE_VECTOR + 8);
	outb(PIC1_DATA, 0x04); /* slave on IRQ2 */
	outb(PIC2_DATA, 0x02);
	outb(PIC1_DATA, 0x01); /* 8086 mode */
	outb(PIC2_DATA, 0x01);
	outb(PIC1_DATA, 0xFB); /* all masked but the cascade */
	outb(PIC2_DATA, 0xFF);
}

void pic_unmask(unsigned irq)
{
	uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
	outb(port, inb(port) & ~(1u << (irq & 7)));
}

void arch_irq_mask(unsigned irq)
{
	uint16_t port = irq < 8 ? PIC1_DATA : PIC2_DATA;
	outb(port, inb(port) | (1u << (irq & 7)));
}

void arch_irq_unmask(unsigned irq)
{
	pic_unmask(irq);
}

bool arch_irq_claimable(unsigned irq)
{
	return irq < 16 && irq != 0 && irq != 2; /* timer, cascade */
}

void pic_eoi(unsigned irq)
{
	if (irq >= 8)
		outb(PIC2_CMD, PIC_EOI);
	outb(PIC1_CMD, PIC_EOI);
}
