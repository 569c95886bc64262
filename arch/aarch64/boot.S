/*
 * boot.S - AArch64 entry. QEMU's -kernel loads this ELF at its physical
 * addresses (0x40200000 up) and enters _start at EL1 (EL2 with
 * virtualization=on), MMU and caches off, x0 = DTB address or 0. The
 * DTB itself sits at the start of RAM (memory.c finds it).
 *
 * We turn the MMU on with static tables that map
 *   - TTBR0: the first GiB of RAM identity (only for the jump; memory.c
 *     then points TTBR0 at an empty table),
 *   - TTBR1: physical 0..1 GiB (QEMU virt's devices) as device memory
 *     and the first GiB of RAM as normal memory, at DIRECT_MAP_BASE +
 *     physical; memory.c trims or extends the RAM part to the real size,
 * then jump to the higher half, set the vectors, clear .bss and call
 * kmain(x0 as we got it).
 */
#include "aarch64.h"
#include "cpu_local.h"

#define V2P(x) ((x) - KERNEL_VBASE)
#define PTE_TABLE_DESC (PTE_VALID | PTE_TABLE)

	.section .boot.text, "ax"
	.global _start
_start:
	mov x19, x0                     /* keep the boot argument for kmain */
	msr daifset, #0xf
	mrs x20, CurrentEL              /* and the EL we came in at (power.c) */
	mrs x0, CurrentEL
	lsr x0, x0, #2
	cmp x0, #2
	b.eq from_el2
	cmp x0, #1
	b.ne park                       /* EL3: QEMU never does this for -kernel */

at_el1:
	ldr x0, =SCTLR_EL1_MMU_OFF
	msr sctlr_el1, x0
	isb
	ldr x0, =MAIR_EL1_VALUE
	msr mair_el1, x0
	/* TCR: the physical address size is what the CPU has, at most 48
	 * bits (more needs the 52-bit descriptor format). */
	ldr x0, =TCR_EL1_VALUE
	mrs x1, id_aa64mmfr0_el1
	and x1, x1, #7
	mov x2, #5
	cmp x1, x2
	csel x1, x1, x2, ls
	bfi x0, x1, #TCR_IPS_SHIFT, #3
	msr tcr_el1, x0
	adrp x0, boot_l0_low            /* PC-relative: physical addresses here */
	msr ttbr0_el1, x0
	adrp x0, boot_l0_high
	msr ttbr1_el1, x0
	msr cpacr_el1, xzr              /* FP/SIMD traps at EL0 and EL1 */
	isb
	tlbi vmalle1
	dsb nsh
	isb
	ldr x0, =SCTLR_EL1_VALUE
	msr sctlr_el1, x0
	isb
	ldr x0, =higher_half_entry
	br x0

/*
 * Entered at EL2: run the kernel at EL1 instead, with EL2 out of the way
 * (AArch64 EL1, no stage 2, no traps of the timer, counter or FP).
 */
from_el2:
	mov x0, #(1 << 31)              /* HCR_EL2.RW */
	msr hcr_el2, x0
	mov x0, #3                      /* CNTHCTL_EL2: EL1PCTEN, EL1PCEN */
	msr cnthctl_el2, x0
	msr cntvoff_el2, xzr            /* virtual count = physical count */
	mov x0, #0x33ff                 /* CPTR_EL2: RES1 bits only, TFP clear */
	msr cptr_el2, x0
	msr hstr_el2, xzr
	ldr x0, =SCTLR_EL1_MMU_OFF
	msr sctlr_el1, x0
	mov x0, #(PSR_MODE_EL1h | PSR_D | PSR_A | PSR_I | PSR_F)
	msr spsr_el2, x0
	adr x0, at_el1
	msr elr_el2, x0
	eret

park:
	wfe
	b park
	.ltorg

	.text
	.global higher_half_entry
higher_half_entry:
	adrp x0, kernel_stack_top
	mov sp, x0
	adrp x0, vectors
	add x0, x0, :lo12:vectors
	msr vbar_el1, x0
	isb
	/* .bss: QEMU's loader clears it, but do not rely on a loader. */
	adrp x0, __bss_start
	add x0, x0, :lo12:__bss_start
	adrp x1, __bss_end
	add x1, x1, :lo12:__bss_end
1:	cmp x0, x1
	b.hs 2f
	stp xzr, xzr, [x0], #16
	b 1b
2:	adrp x0, boot_current_el
	str x20, [x0, :lo12:boot_current_el]
	mov x29, #0                     /* ends backtraces here */
	mov x30, #0
	mov x0, x19                     /* kmain(boot argument) */
	bl kmain
3:	msr daifset, #0xf
	wfi
	b 3b

	.data
	.p2align 12
boot_l0_low:                    /* TTBR0 during boot: identity, RAM only */
	.quad V2P(boot_l1_low) + PTE_TABLE_DESC
	.fill 511, 8, 0
boot_l1_low:
	.quad 0
	.quad VIRT_RAM_PHYS + PTE_KERNEL_RAM    /* 1 GiB block at 0x40000000 */
	.fill 510, 8, 0

	.p2align 12
	.global boot_l0_high, boot_l1_high, boot_l2_ram
boot_l0_high:                   /* TTBR1: the kernel's half */
	.quad V2P(boot_l1_high) + PTE_TABLE_DESC
	.fill 511, 8, 0
boot_l1_high:
	.quad 0 + PTE_KERNEL_DEVICE             /* physical 0..1 GiB: devices */
	.quad V2P(boot_l2_ram) + PTE_TABLE_DESC /* the first GiB of RAM */
	.fill 510, 8, 0
boot_l2_ram:                    /* 512 x 2 MiB blocks */
	.set i, 0
	.rept 512
	.quad VIRT_RAM_PHYS + (i << 21) + PTE_KERNEL_RAM
	.set i, i + 1
	.endr

	/* The kernel stack, in a section of its own that linker.ld puts
	 * just below kernel_debug (vectors.S reaches its seq through sp). */
	.section .data.kernel_stack, "aw", %progbits
	.p2align 12
	.global kernel_stack, kernel_stack_top
kernel_stack:
	.skip KERNEL_STACK_SIZE
kernel_stack_top:

	.bss
/* TTBR0 while no task with a VSpace runs: maps nothing. */
	.p2align 12
	.global empty_user_table
empty_user_table:
	.skip 4096

	.section .note.GNU-stack, "", %progbits
