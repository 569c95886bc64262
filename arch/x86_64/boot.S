/*
 * boot.S - x86_64 entry. QEMU's -kernel loads this ELF at 2 MiB physical
 * and, through the PVH ELF note below, enters pvh_start in 32-bit
 * protected mode, paging off, %ebx = physical address of hvm_start_info.
 *
 * We switch to long mode on static page tables that map
 *   - the first 1 GiB identity (only while we jump; removed in C),
 *   - the same 1 GiB at DIRECT_MAP_BASE (C extends it to all RAM),
 *   - physical 2 MiB..64 MiB at KERNEL_VBASE + 2 MiB (the kernel image;
 *     the first 2 MiB of that window stays unmapped, so cores taken with
 *     dump-guest-memory paging=true open cleanly in GDB),
 * then jump to the higher half and call kmain(start_info_phys).
 */
#define KERNEL_VBASE 0xFFFFFFFF80000000
#define V2P(x) ((x) - KERNEL_VBASE)
#define PTE_P 0x1
#define PTE_W 0x2
#define PTE_PS 0x80
#define XEN_ELFNOTE_PHYS32_ENTRY 18

	.section .note.Xen, "a"
	.p2align 2
	.long 4                         /* name size: "Xen\0" */
	.long 4                         /* descriptor size */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.p2align 2
	.long V2P(pvh_start)
	.p2align 2

	.section .boot.text, "ax"
	.code32
	.global pvh_start
pvh_start:
	cli
	cld
	mov %ebx, %esi                  /* keep start_info for kmain */
	mov $V2P(boot_stack_top), %esp

	/*
	 * The 8259 PICs (pic.c) reach the CPU through the local APIC's LINT0
	 * pin, which must be in ExtINT ("virtual wire") mode. SeaBIOS sets
	 * that up on -M pc; QEMU's microvm firmware (qboot) leaves the APIC
	 * software-disabled and LINT0 masked, so no timer or serial interrupt
	 * would ever arrive. Do what SeaBIOS does: APIC on (SVR, spurious
	 * vector 255), LINT0 ExtINT, LINT1 NMI. Paging is still off, so the
	 * registers are at IA32_APIC_BASE's physical address (xAPIC mode,
	 * as firmware leaves it: only an OS switches to x2APIC). Done here
	 * because later the kernel maps no device memory of its own.
	 */
	mov $1, %eax
	cpuid                           /* (clobbers %ebx: start_info is in %esi) */
	test $(1 << 9), %edx            /* CPUID.1:EDX.APIC */
	jz 1f
	mov $0x1B, %ecx                 /* IA32_APIC_BASE */
	rdmsr
	test $(1 << 11), %eax           /* globally enabled */
	jz 1f
	and $0xFFFFF000, %eax
	movl $0x1FF, 0xF0(%eax)         /* SVR: enabled, spurious vector 255 */
	movl $0x8700, 0x350(%eax)       /* LVT LINT0: ExtINT, level */
	movl $0x8400, 0x360(%eax)       /* LVT LINT1: NMI, level */
1:

	mov $V2P(boot_pml4), %eax
	mov %eax, %cr3
	mov %cr4, %eax
	or $(1 << 5), %eax              /* PAE */
	mov %eax, %cr4
	mov $0xC0000080, %ecx           /* EFER */
	rdmsr
	or $((1 << 0) | (1 << 8) | (1 << 11)), %eax /* SCE, LME, NXE */
	wrmsr
	mov %cr0, %eax
	/* PG, WP; EM: x87 instructions trap (#NM), as SSE ones do with
	 * CR4.OSFXSR clear (#UD): tasks have no FPU state to switch. */
	or $((1 << 31) | (1 << 16) | (1 << 2)), %eax
	mov %eax, %cr0

	lgdt V2P(boot_gdt_ptr)
	ljmp $0x08, $V2P(long_mode_entry)

	.code64
long_mode_entry:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %eax, %eax
	mov %ax, %fs
	mov %ax, %gs
	movabs $higher_half_entry, %rax
	jmp *%rax

	.text
	.global higher_half_entry
higher_half_entry:
	movabs $boot_stack_top, %rsp
	xor %ebp, %ebp                  /* ends backtraces here */
	mov %esi, %edi                  /* kmain(start_info physical) */
	call kmain
1:	cli
	hlt
	jmp 1b

	.data
	.p2align 12
	.global boot_pml4
boot_pml4:
	.quad V2P(boot_pdpt_low) + PTE_P + PTE_W
	.fill 255, 8, 0
	.quad V2P(boot_pdpt_direct) + PTE_P + PTE_W   /* 0xFFFF800000000000 */
	.fill 254, 8, 0
	.quad V2P(boot_pdpt_high) + PTE_P + PTE_W     /* 0xFFFFFF8000000000 */

	.p2align 12
boot_pdpt_low:
	.quad V2P(boot_pd_direct) + PTE_P + PTE_W
	.fill 511, 8, 0

	.p2align 12
	.global boot_pdpt_direct
boot_pdpt_direct:
	.quad V2P(boot_pd_direct) + PTE_P + PTE_W
	.fill 511, 8, 0

	.p2align 12
boot_pdpt_high:
	.fill 510, 8, 0
	.quad V2P(boot_pd_kernel) + PTE_P + PTE_W     /* 0xFFFFFFFF80000000 */
	.quad 0

	.p2align 12
	.global boot_pd_direct
boot_pd_direct:                 /* 512 x 2 MiB = the first 1 GiB */
	.set i, 0
	.rept 512
	.quad (i << 21) + PTE_P + PTE_W + PTE_PS
	.set i, i + 1
	.endr

	.p2align 12
boot_pd_kernel:                 /* entry 0 left empty on purpose */
	.quad 0
	.set i, 1
	.rept 31
	.quad (i << 21) + PTE_P + PTE_W + PTE_PS
	.set i, i + 1
	.endr
	.fill 480, 8, 0

	.p2align 3
boot_gdt:
	.quad 0
	.quad 0x00AF9A000000FFFF        /* 0x08: 64-bit kernel code */
	.quad 0x00CF92000000FFFF        /* 0x10: kernel data */
boot_gdt_end:
boot_gdt_ptr:
	.word boot_gdt_end - boot_gdt - 1
	.long V2P(boot_gdt)

	.bss
	.p2align 12
	.global boot_stack, boot_stack_top
boot_stack:
	.skip 16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
