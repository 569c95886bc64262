/*
 * aarch64.h - AArch64 system register bits, page table bits and small
 * inline helpers. Assembly (boot.S, vectors.S) includes it too, so the
 * top half is plain #defines.
 */
#ifndef CAIRN_AARCH64_H
#define CAIRN_AARCH64_H

#include "arch_memory.h"

/* A 64-bit constant in both C and assembly. */
#ifdef __ASSEMBLY__
#define U64(x) x
#else
#define U64(x) x##ull
#endif

/* Exception classes (ESR_ELx.EC) the kernel tells apart. */
#define EC_UNKNOWN 0x00    /* undefined instruction */
#define EC_WFX 0x01
#define EC_FP 0x07         /* FP/SIMD use, trapped by CPACR_EL1 */
#define EC_ILLEGAL 0x0E    /* illegal execution state */
#define EC_SVC32 0x11
#define EC_SVC64 0x15
#define EC_SYSREG 0x18     /* MSR/MRS/SYS trapped */
#define EC_IABT_LOW 0x20   /* instruction abort from EL0 */
#define EC_IABT_CUR 0x21
#define EC_PC_ALIGN 0x22
#define EC_DABT_LOW 0x24   /* data abort from EL0 */
#define EC_DABT_CUR 0x25
#define EC_SP_ALIGN 0x26
#define EC_SERROR 0x2F
#define EC_BKPT_LOW 0x30
#define EC_SSTEP_LOW 0x32
#define EC_WATCH_LOW 0x34
#define EC_BRK64 0x3C
#define ESR_EC_SHIFT 26

/* SCTLR_EL1: MMU and caches on, stack alignment checks at EL1 and EL0,
 * EL0 may use WFI/WFE, DC ZVA, CTR_EL0 and cache maintenance by VA (a
 * JIT needs them); EL0 may not touch DAIF (UMA = 0). The v8.0 RES1 bits
 * (EOS, TSCXT, EIS, SPAN, nTLSMD, LSMAOE) are set as the ARM ARM asks. */
#define SCTLR_M (1 << 0)
#define SCTLR_C (1 << 2)
#define SCTLR_SA (1 << 3)
#define SCTLR_SA0 (1 << 4)
#define SCTLR_I (1 << 12)
#define SCTLR_DZE (1 << 14)
#define SCTLR_UCT (1 << 15)
#define SCTLR_NTWI (1 << 16)
#define SCTLR_NTWE (1 << 18)
#define SCTLR_UCI (1 << 26)
#define SCTLR_RES1 ((1 << 11) | (1 << 20) | (1 << 22) | (1 << 23) | (1 << 28) | (1 << 29))
#define SCTLR_EL1_VALUE (SCTLR_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_SA0 | \
			 SCTLR_I | SCTLR_DZE | SCTLR_UCT | SCTLR_NTWI | SCTLR_NTWE | \
			 SCTLR_UCI)
/* The same with the MMU and caches off, for the moment before boot.S
 * turns them on. */
#define SCTLR_EL1_MMU_OFF SCTLR_RES1

/* MAIR_EL1: its attribute indexes (MT_*) are in arch_memory.h. */
#define MAIR_EL1_VALUE 0x4404FF

/*
 * TCR_EL1: 48-bit virtual addresses in both halves, 4 KiB granule,
 * tables walked write-back cacheable, inner shareable. IPS (the
 * physical address size) is filled in from ID_AA64MMFR0_EL1 at boot.
 * All user mappings use ASID 0 (see arch_vspace_activate).
 */
#define TCR_T0SZ(n) ((n) << 0)
#define TCR_T1SZ(n) ((n) << 16)
#define TCR_WALK0 ((1 << 8) | (1 << 10) | (3 << 12))        /* WB WA, inner sh. */
#define TCR_WALK1 ((1 << 24) | (1 << 26) | (3 << 28))
#define TCR_TG0_4K (0 << 14)
#define TCR_TG1_4K (U64(2) << 30)
#define TCR_IPS_SHIFT 32
#define TCR_EL1_VALUE (TCR_T0SZ(16) | TCR_T1SZ(16) | TCR_WALK0 | TCR_WALK1 | \
		       TCR_TG0_4K | TCR_TG1_4K)

/* Page and block descriptor bits (stage 1, 4 KiB granule). */
#define PTE_VALID (1 << 0)
#define PTE_TABLE (1 << 1)      /* at levels 0-2: a table, not a block */
#define PTE_PAGE (1 << 1)       /* at level 3: must be set for a page */
#define PTE_ATTR(i) ((i) << 2)
#define PTE_AP_EL0 (1 << 6)     /* EL0 may access */
#define PTE_AP_RO (1 << 7)      /* read-only at every level */
#define PTE_SH_INNER (3 << 8)
#define PTE_AF (1 << 10)        /* accessed: set, so no access-flag faults */
#define PTE_NG (1 << 11)        /* not global: tagged with the ASID */
#define PTE_PXN (U64(1) << 53)       /* never executable at EL1 */
#define PTE_UXN (U64(1) << 54)       /* never executable at EL0 */
#define PTE_ADDR U64(0x0000FFFFFFFFF000)

/* Kernel blocks: RAM (executable by the kernel only) and devices. */
#define PTE_KERNEL_RAM (PTE_VALID | PTE_ATTR(MT_NORMAL) | PTE_SH_INNER | PTE_AF | PTE_UXN)
#define PTE_KERNEL_DEVICE (PTE_VALID | PTE_ATTR(MT_DEVICE_nGnRE) | PTE_AF | PTE_PXN | PTE_UXN)

/* Counter access from EL0 (CNTKCTL_EL1.EL0VCTEN): the virtual count only. */
#define CNTKCTL_EL0VCTEN (1 << 1)

/* SPSR/PSTATE bits. */
#define PSR_MODE_EL0t 0x0
#define PSR_MODE_EL1h 0x5
#define PSR_F (1 << 6)
#define PSR_I (1 << 7)
#define PSR_A (1 << 8)
#define PSR_D (1 << 9)
#define PSR_NZCV 0xF0000000

#ifndef __ASSEMBLY__
#include <stdint.h>

#define read_sysreg(reg) ({                                          \
		uint64_t v_;                                         \
		__asm__ volatile("mrs %0, " #reg : "=r"(v_));        \
		v_;                                                  \
	})
#define write_sysreg(reg, v) \
	__asm__ volatile("msr " #reg ", %0" : : "r"((uint64_t)(v)) : "memory")

static inline void isb(void)
{
	__asm__ volatile("isb" ::: "memory");
}

/* Device registers: one access each, in program order (Device-nGnRE). */
static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t v;
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(addr) : "memory");
	return v;
}

static inline void mmio_write32(uintptr_t addr, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" : : "rZ"(v), "r"(addr) : "memory");
}

/* The kernel's virtual address of a device register page. */
static inline uintptr_t device_va(uint64_t pa)
{
	return (uintptr_t)(pa + DIRECT_MAP_BASE);
}

/* Invalidate every non-global (user) TLB entry: they all use ASID 0. */
static inline void tlb_flush_user(void)
{
	__asm__ volatile("dsb ishst\n\t"
			 "tlbi aside1is, xzr\n\t"
			 "dsb ish\n\t"
			 "isb" ::: "memory");
}

/* Invalidate the user TLB entries for one page. */
static inline void tlb_flush_user_page(uint64_t va)
{
	__asm__ volatile("dsb ishst\n\t"
			 "tlbi vae1is, %0\n\t"
			 "dsb ish\n\t"
			 "isb" : : "r"((va >> 12) & 0xFFFFFFFFFFFull) : "memory");
}
#endif

#endif
