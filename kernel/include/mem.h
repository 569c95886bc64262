/*
 * mem.h - translation between physical addresses and the kernel's view
 * of them. The kernel implements these with its direct map of RAM
 * (arch code); the host test build implements them as the identity.
 */
#ifndef CAIRN_MEM_H
#define CAIRN_MEM_H

#include "kernel.h"

void *phys_to_virt(paddr_t pa);
paddr_t virt_to_phys(const void *va);

#define PAGE_BITS 12
#define PAGE_SIZE (1ull << PAGE_BITS)

#endif
