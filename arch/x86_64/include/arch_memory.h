/*
 * arch_memory.h - where the kernel sees memory on x86_64. kdbg's
 * constants are generated from this file (kdbg/kdbg.mk).
 */
#ifndef CAIRN_ARCH_MEMORY_H
#define CAIRN_ARCH_MEMORY_H

#define KERNEL_VBASE 0xFFFFFFFF80000000ull /* kernel image: phys + this */
#define DIRECT_MAP_BASE 0xFFFF800000000000ull /* all RAM: phys + this */

#endif
