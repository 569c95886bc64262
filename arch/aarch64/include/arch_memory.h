/*
 * arch_memory.h - where the kernel sees memory on AArch64. kdbg's
 * constants are generated from this file (kdbg/kdbg.mk); assembly
 * includes it too, hence no integer suffixes.
 *
 * TTBR1 (the top 256 TiB) is the kernel's: all RAM and the device
 * window are mapped at DIRECT_MAP_BASE + physical address. The kernel
 * image is part of that map (QEMU loads it at its physical address,
 * 0x40200000), so KERNEL_VBASE is the same base. TTBR0 (the bottom
 * 256 TiB) is user space, one VSpace at a time.
 */
#ifndef CAIRN_ARCH_MEMORY_H
#define CAIRN_ARCH_MEMORY_H

#define KERNEL_VBASE 0xFFFF000000000000    /* kernel image: phys + this */
#define DIRECT_MAP_BASE 0xFFFF000000000000 /* all RAM and devices: phys + this */

/* MAIR_EL1 attribute indexes used in page table entries (kdbg's vspace
 * shows them too). */
#define MT_NORMAL 0        /* 0xFF: write-back, read/write-allocate */
#define MT_DEVICE_nGnRE 1  /* 0x04 */
#define MT_NORMAL_NC 2     /* 0x44: non-cacheable */

/* QEMU virt physical memory map (hw/arm/virt.c). */
#define VIRT_GICD_PHYS 0x08000000 /* GICv2 distributor */
#define VIRT_GICC_PHYS 0x08010000 /* GICv2 CPU interface */
#define VIRT_UART_PHYS 0x09000000 /* PL011 */
#define VIRT_RAM_PHYS 0x40000000  /* RAM (the DTB sits at its start) */

#endif
