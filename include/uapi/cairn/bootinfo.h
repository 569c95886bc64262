/*
 * cairn/bootinfo.h - the boot-info page the kernel maps read-only into
 * the root task (rinit), and rinit's fixed start-up environment.
 *
 * rinit is entered at its ELF entry point with
 *   arg0 (rdi / x0) = CAIRN_BOOTINFO_VADDR
 *   arg1 (rsi / x1) = its task buffer address (CAIRN_ROOT_TASK_BUFFER_VADDR)
 * and any stack pointer (user/lib's crt0 switches to its own stack).
 * Its image is mapped from its ELF program headers; the boot-info page
 * and its task buffer are mapped at the fixed addresses below, both in
 * the 2 MiB region under the image so one page table covers them.
 */
#ifndef CAIRN_UAPI_BOOTINFO_H
#define CAIRN_UAPI_BOOTINFO_H

#include <stdint.h>
#include <cairn/objects.h>

#define CAIRN_BOOTINFO_VADDR UINT64_C(0x200000)
#define CAIRN_ROOT_TASK_BUFFER_VADDR UINT64_C(0x201000)
#define CAIRN_BOOTINFO_SIZE 4096

#define CAIRN_BOOTINFO_MAGIC UINT64_C(0x4f464e49424e5243) /* "CRNBINFO" */
#define CAIRN_BOOTINFO_VERSION 1

/* Slots whose numbers the shell walkthrough relies on (docs/design.md). */
enum cairn_boot_slot {
	CAIRN_SLOT_ROOT_CPOOL = 0,   /* rinit's root CPool itself */
	CAIRN_SLOT_ROOT_TASK = 1,    /* rinit's own Task */
	CAIRN_SLOT_UNTYPED = 2,      /* Untyped large enough for tasks, pools, pages */
	CAIRN_SLOT_VSPACE = 3,       /* rinit's VSpace */
	CAIRN_SLOT_FIRST_EXTRA = 4,  /* further initial caps start here */
	CAIRN_SLOT_SPARE_BUFFER = 250, /* a spare task-buffer Page for a child */
	CAIRN_SLOT_CHANNEL = 255,    /* a Channel shared with children */
};

enum cairn_arch_id {
	CAIRN_ARCH_X86_64 = 1,
	CAIRN_ARCH_AARCH64 = 2,
};

/* enum cairn_bootinfo_slot_flags */
enum cairn_bootinfo_slot_flags {
	CAIRN_BI_DEVICE = 1u << 0,      /* Untyped/Page over device memory */
	CAIRN_BI_TASK_BUFFER = 1u << 1, /* rinit's own task-buffer Page */
	CAIRN_BI_BOOTINFO = 1u << 2,    /* the Page holding this boot info */
	CAIRN_BI_IMAGE = 1u << 3,       /* a Page or PageTable of rinit's image mapping */
};

/*
 * One initial capability. `base` is the physical base of Untyped and
 * Page regions (and of a PageTable), the first port of an IOPort, the
 * line of an IRQHandler, else 0. `size_bits` is log2 bytes of memory
 * objects, log2 ports of an IOPort, the radix of a CPool, else 0.
 */
struct cairn_bootinfo_slot {
	uint32_t slot;      /* index in the root CPool */
	uint8_t type;       /* enum cairn_obj_type */
	uint8_t size_bits;
	uint16_t flags;     /* enum cairn_bootinfo_slot_flags */
	uint64_t base;
};

struct cairn_bootinfo {
	uint64_t magic;            /* CAIRN_BOOTINFO_MAGIC */
	uint32_t version;          /* CAIRN_BOOTINFO_VERSION */
	uint32_t size;             /* bytes of this structure in use */
	uint64_t vaddr;            /* where it is mapped: CAIRN_BOOTINFO_VADDR */
	uint64_t task_buffer_vaddr; /* rinit's own task buffer */
	uint32_t arch;             /* enum cairn_arch_id */
	uint32_t root_cpool_bits;  /* the root CPool has 2^bits slots */
	uint32_t first_free_slot;  /* lowest slot no initial cap occupies */
	uint32_t slot_count;       /* entries in slots[] */
	uint64_t image_start;      /* rinit's image: [start, end) virtual */
	uint64_t image_end;
	uint32_t timer_hz;         /* CONFIG_TIMER_HZ, for user-space timing */
	uint32_t reserved;
	char kernel_version[16];   /* NUL-terminated, e.g. "0.1.0" */
	struct cairn_bootinfo_slot slots[]; /* every initial cap, sorted by slot */
};

#define CAIRN_BOOTINFO_MAX_SLOTS \
	((CAIRN_BOOTINFO_SIZE - sizeof(struct cairn_bootinfo)) / sizeof(struct cairn_bootinfo_slot))

_Static_assert(sizeof(struct cairn_bootinfo_slot) == 16, "bootinfo slot layout changed");
_Static_assert(sizeof(struct cairn_bootinfo) == 88, "bootinfo header layout changed");

#endif
