/*
 * boot_root.c - create the root task, rinit, from the ELF image carried
 * in the kernel, and give it every initial capability (docs/design.md,
 * "Boot and the root task"):
 *
 *   0 its root CPool   1 its Task   2 the largest Untyped   3 its VSpace
 *   4.. image pages and page tables, boot-info page, task buffer,
 *       IRQControl, further Untyped regions
 *   250 a spare task-buffer Page   255 a Channel shared with children
 *
 * Everything is listed, by slot, in the boot-info page mapped read-only
 * at CAIRN_BOOTINFO_VADDR. The initial objects come from boot memory, so
 * their caps are originals (no CDT parent), as in seL4.
 */
#include "kernel.h"
#include "arch.h"
#include "channel.h"
#include "cpool.h"
#include "debug_state.h"
#include "frame.h"
#include "ioport.h"
#include "irq.h"
#include "mem.h"
#include "pagetable.h"
#include "sched.h"
#include "untyped.h"
#include "vspace.h"
#include <cairn/bootinfo.h>
#include <cairn/elf64.h>
#include <cairn/syscalls.h>

#define EXTRA_SLOTS_END 240 /* leave 240..255 to the user and fixed slots */
#define MAX_UNTYPED_REGIONS 48

extern const char root_image_start[] __attribute__((weak));
extern const char root_image_end[] __attribute__((weak));

struct boot_builder {
	struct cpool *pool;
	paddr_t root;                 /* rinit's VSpace */
	unsigned next_slot;           /* next free extra slot */
	struct cairn_bootinfo *bi;
};

static paddr_t boot_alloc(unsigned bits)
{
	paddr_t pa = frame_alloc(&kernel_frames, bits);
	if (!pa)
		panic("out of memory while creating the root task");
	memset(phys_to_virt(pa), 0, 1ull << bits);
	return pa;
}

static unsigned take_extra_slot(struct boot_builder *b)
{
	if (b->next_slot >= EXTRA_SLOTS_END)
		panic("root task needs more than %d initial slots", EXTRA_SLOTS_END);
	return b->next_slot++;
}

/* Install an original cap at `slot` and describe it in boot info. */
static struct slot *give_cap(struct boot_builder *b, unsigned slot,
			     const struct cap *c, uint8_t size_bits,
			     uint16_t flags, uint64_t base)
{
	struct slot *s = cpool_slot(b->pool, slot);
	int err = cap_install_original(s, c);
	if (err)
		panic("boot: cannot install cap in slot %u: %s", slot,
		      cairn_strerror(err));
	struct cairn_bootinfo *bi = b->bi;
	if (bi->slot_count >= CAIRN_BOOTINFO_MAX_SLOTS)
		panic("boot info page full");
	bi->slots[bi->slot_count++] = (struct cairn_bootinfo_slot){
		.slot = slot, .type = (uint8_t)c->type, .size_bits = size_bits,
		.flags = flags, .base = base,
	};
	return s;
}

static struct cap memory_cap(enum cairn_obj_type type, paddr_t pa)
{
	return (struct cap){ .type = type, .rights = CAIRN_RIGHTS_ALL, .paddr = pa };
}

/* A cap recording that it mapped something at va in rinit's VSpace. */
static struct cap mapped_cap(struct boot_builder *b, enum cairn_obj_type type,
			     paddr_t pa, vaddr_t va, unsigned level)
{
	struct cap c = memory_cap(type, pa);
	c.data = va | ((uint64_t)level << MAP_LEVEL_SHIFT) | MAP_LIVE;
	c.spare = (uint32_t)(b->root >> 12);
	return c;
}

/* Map frame at va in rinit's VSpace, making page tables on the way. */
static void map_frame(struct boot_builder *b, vaddr_t va, paddr_t frame,
		      bool writable, bool exec)
{
	for (;;) {
		enum pt_result r = pt_map_page(b->root, va, frame,
					       CAIRN_MAP_READ | (writable ? CAIRN_MAP_WRITE : 0) |
					       (exec ? CAIRN_MAP_EXEC : 0));
		if (r == PT_OK)
			return;
		if (r != PT_NEED_TABLE)
			panic("boot: cannot map root task page at 0x%lx", va);
		paddr_t table = boot_alloc(PAGE_BITS);
		unsigned level;
		pt_map_table(b->root, va, table, &level);
		struct cap c = mapped_cap(b, CAIRN_OBJ_PAGE_TABLE, table, va, level);
		give_cap(b, take_extra_slot(b), &c, PAGE_BITS, CAIRN_BI_IMAGE, table);
	}
}

/* Map a fresh page at va and give rinit its cap (at `slot`, or the next
 * extra slot when 0); returns the frame. */
static paddr_t map_new_page(struct boot_builder *b, vaddr_t va, bool writable,
			    bool exec, uint16_t flags, unsigned slot)
{
	paddr_t frame = boot_alloc(PAGE_BITS);
	map_frame(b, va, frame, writable, exec);
	struct cap c = mapped_cap(b, CAIRN_OBJ_PAGE, frame, va, 0);
	if (!writable)
		c.rights &= ~(uint8_t)CAIRN_RIGHT_WRITE;
	give_cap(b, slot ? slot : take_extra_slot(b), &c, PAGE_BITS, flags, frame);
	return frame;
}

/* Load the root task's ELF into its VSpace; returns its entry point. */
static uint64_t load_image(struct boot_builder *b, const char *img, size_t size)
{
	const struct elf64_ehdr *eh = (const void *)img;
	if (size < sizeof(*eh) || memcmp(eh->ident, "\177ELF", 4) ||
	    eh->ident[ELF_IDENT_CLASS] != ELFCLASS64 ||
	    eh->type != ET_EXEC || eh->phentsize != sizeof(struct elf64_phdr) ||
	    eh->phoff > size || eh->phnum > (size - eh->phoff) / sizeof(struct elf64_phdr))
		panic("root task image is not a valid ELF64 executable");
	const struct elf64_phdr *ph = (const void *)(img + eh->phoff);
	uint64_t lo = UINT64_MAX, hi = 0;
	for (unsigned i = 0; i < eh->phnum; i++) {
		const struct elf64_phdr *p = &ph[i];
		if (p->type != PT_LOAD || !p->memsz)
			continue;
		if (p->filesz > p->memsz || p->offset > size || p->filesz > size - p->offset ||
		    !user_range_ok(p->vaddr, p->memsz))
			panic("root task image has a bad segment %u", i);
		vaddr_t start = ALIGN_DOWN(p->vaddr, PAGE_SIZE);
		vaddr_t end = ALIGN_UP(p->vaddr + p->memsz, PAGE_SIZE);
		for (vaddr_t va = start; va < end; va += PAGE_SIZE) {
			paddr_t frame = pt_lookup(b->root, va, NULL);
			if (!frame) /* segments may share a page */
				frame = map_new_page(b, va, p->flags & PF_W,
						     p->flags & PF_X, CAIRN_BI_IMAGE, 0);
			/* Copy the part of the file that lands in this page. */
			uint64_t from = va > p->vaddr ? va : p->vaddr;
			uint64_t to = va + PAGE_SIZE < p->vaddr + p->filesz
					      ? va + PAGE_SIZE : p->vaddr + p->filesz;
			if (from < to)
				memcpy((char *)phys_to_virt(frame) + (from - va),
				       img + p->offset + (from - p->vaddr), to - from);
		}
		lo = start < lo ? start : lo;
		hi = end > hi ? end : hi;
	}
	if (hi == 0)
		panic("root task image has nothing to load");
	b->bi->image_start = lo;
	b->bi->image_end = hi;
	return eh->entry;
}

/* Hand out all remaining free RAM as untyped: slot 2 gets the largest. */
static void give_untyped(struct boot_builder *b)
{
	struct { paddr_t base; unsigned bits; } regions[MAX_UNTYPED_REGIONS];
	unsigned n = 0, largest = 0;
	for (unsigned i = 0; i < kernel_frames.count && n < MAX_UNTYPED_REGIONS; i++) {
		paddr_t base = kernel_frames.free[i].base;
		paddr_t end = base + kernel_frames.free[i].size;
		/* Greedy: the largest aligned power of two at each point. */
		while (end - base >= PAGE_SIZE && n < MAX_UNTYPED_REGIONS) {
			unsigned bits = base ? (unsigned)__builtin_ctzll(base) : 47;
			while (bits > CAIRN_UNTYPED_MAX_BITS || (1ull << bits) > end - base)
				bits--;
			regions[n].base = base;
			regions[n].bits = bits;
			if (bits > regions[largest].bits)
				largest = n;
			n++;
			base += 1ull << bits;
		}
	}
	if (!n)
		panic("no memory left for the root task's untyped");
	for (unsigned i = 0; i < n; i++) {
		frame_reserve(&kernel_frames, regions[i].base, 1ull << regions[i].bits);
		struct cap c;
		untyped_cap_make(&c, regions[i].base, regions[i].bits, false);
		unsigned slot = i == largest ? CAIRN_SLOT_UNTYPED : take_extra_slot(b);
		give_cap(b, slot, &c, (uint8_t)regions[i].bits, 0, regions[i].base);
	}
}

/* Make a kernel object from boot memory and give rinit a cap to it. */
static struct object *give_object(struct boot_builder *b, unsigned slot,
				  enum cairn_obj_type type, const char *name)
{
	int bits = cairn_object_size_bits(type, 0);
	struct object *o = phys_to_virt(boot_alloc((unsigned)bits));
	object_init(o, type, 0);
	o->flags |= OBJECT_FLAG_STATIC;
	object_set_name(o, name);
	struct cap c = cap_for_object(o);
	give_cap(b, slot, &c, (uint8_t)bits, 0, 0);
	return o;
}

/* The console UART's ports, for rinit's user-space serial driver. Only
 * that range: the timer and interrupt controller stay the kernel's. */
static void give_console_ports(struct boot_builder *b)
{
	uint16_t first, last;
	if (!arch_console_ioports(&first, &last))
		return;
	struct io_port *io = phys_to_virt(boot_alloc(PAGE_BITS));
	object_init(&io->hdr, CAIRN_OBJ_IO_PORT, 0);
	io->hdr.flags |= OBJECT_FLAG_STATIC;
	object_set_name(&io->hdr, "console-uart");
	io->first = first;
	io->last = last;
	struct cap c = cap_for_object(&io->hdr);
	unsigned bits = (unsigned)__builtin_ctz((unsigned)last - first + 1);
	give_cap(b, take_extra_slot(b), &c, (uint8_t)bits, 0, first);
}

/* Or its registers, as one page of device untyped: rinit retypes it into
 * a Page and maps it uncached (as seL4 hands out device memory). */
static void give_console_mmio(struct boot_builder *b)
{
	paddr_t base;
	if (!arch_console_mmio(&base))
		return;
	struct cap c;
	untyped_cap_make(&c, base, PAGE_BITS, true);
	give_cap(b, take_extra_slot(b), &c, PAGE_BITS, CAIRN_BI_DEVICE, base);
}

static void sort_bootinfo(struct cairn_bootinfo *bi)
{
	for (uint32_t i = 1; i < bi->slot_count; i++) {
		struct cairn_bootinfo_slot e = bi->slots[i];
		uint32_t j = i;
		for (; j > 0 && bi->slots[j - 1].slot > e.slot; j--)
			bi->slots[j] = bi->slots[j - 1];
		bi->slots[j] = e;
	}
}

struct task *root_task;

bool root_task_available(void)
{
	return root_image_start &&
	       (uintptr_t)root_image_end > (uintptr_t)root_image_start;
}

void root_task_start(void)
{
	struct boot_builder b = { .next_slot = CAIRN_SLOT_FIRST_EXTRA };
	vspace_init();
	paddr_t bi_frame = boot_alloc(PAGE_BITS);
	b.bi = phys_to_virt(bi_frame);
	*b.bi = (struct cairn_bootinfo){
		.magic = CAIRN_BOOTINFO_MAGIC,
		.version = CAIRN_BOOTINFO_VERSION,
		.vaddr = CAIRN_BOOTINFO_VADDR,
		.task_buffer_vaddr = CAIRN_ROOT_TASK_BUFFER_VADDR,
		.arch = ARCH_BOOTINFO_ID,
		.root_cpool_bits = CONFIG_ROOT_CPOOL_BITS,
		.timer_hz = CONFIG_TIMER_HZ,
	};
	ksnprintf(b.bi->kernel_version, sizeof(b.bi->kernel_version), "%s",
		  CONFIG_CAIRN_VERSION_STR);

	/* 0: the root CPool. */
	int pool_bits = cairn_object_size_bits(CAIRN_OBJ_CPOOL, CONFIG_ROOT_CPOOL_BITS);
	paddr_t pool_pa = boot_alloc((unsigned)pool_bits);
	b.pool = cpool_init_at(phys_to_virt(pool_pa), 1ull << pool_bits,
			       CONFIG_ROOT_CPOOL_BITS);
	kassert(b.pool);
	b.pool->hdr.flags |= OBJECT_FLAG_STATIC;
	object_set_name(&b.pool->hdr, "rinit");
	struct cap pool_cap = cap_for_object(&b.pool->hdr);
	give_cap(&b, CAIRN_SLOT_ROOT_CPOOL, &pool_cap, (uint8_t)pool_bits, 0, 0);

	/* 1: rinit's Task; 3: its VSpace. */
	struct task *t = task_from_object(give_object(&b, CAIRN_SLOT_ROOT_TASK,
						      CAIRN_OBJ_TASK, "rinit"));
	root_task = t;
	b.root = boot_alloc(PAGE_BITS);
	kassert(vspace_roots_available(1));
	vspace_root_created(b.root);
	struct cap vs = memory_cap(CAIRN_OBJ_VSPACE, b.root);
	give_cap(&b, CAIRN_SLOT_VSPACE, &vs, PAGE_BITS, 0, b.root);

	/* Its image, boot-info page and task buffer. */
	uint64_t entry = load_image(&b, root_image_start,
				    (size_t)(root_image_end - root_image_start));
	map_frame(&b, CAIRN_BOOTINFO_VADDR, bi_frame, false, false);
	struct cap bi_cap = mapped_cap(&b, CAIRN_OBJ_PAGE, bi_frame,
				       CAIRN_BOOTINFO_VADDR, 0);
	bi_cap.rights = CAIRN_RIGHT_READ;
	give_cap(&b, take_extra_slot(&b), &bi_cap, PAGE_BITS, CAIRN_BI_BOOTINFO, bi_frame);
	unsigned buffer_slot = take_extra_slot(&b);
	map_new_page(&b, CAIRN_ROOT_TASK_BUFFER_VADDR, true, false,
		     CAIRN_BI_TASK_BUFFER, buffer_slot);

	/* 250: a spare buffer page; 255: the shared channel; IRQControl. */
	paddr_t spare = boot_alloc(PAGE_BITS);
	struct cap spare_cap = memory_cap(CAIRN_OBJ_PAGE, spare);
	give_cap(&b, CAIRN_SLOT_SPARE_BUFFER, &spare_cap, PAGE_BITS, 0, spare);
	give_object(&b, CAIRN_SLOT_CHANNEL, CAIRN_OBJ_CHANNEL, "shared");
	struct irq_control *irqc = phys_to_virt(boot_alloc(PAGE_BITS));
	object_init(&irqc->hdr, CAIRN_OBJ_IRQ_CONTROL, 0);
	irqc->hdr.flags |= OBJECT_FLAG_STATIC;
	object_set_name(&irqc->hdr, "irqcontrol");
	struct cap irq_cap = cap_for_object(&irqc->hdr);
	give_cap(&b, take_extra_slot(&b), &irq_cap, 0, 0, 0);
	give_console_ports(&b);
	give_console_mmio(&b);

	/* Finally all remaining memory, as untyped. */
	give_untyped(&b);
	b.bi->first_free_slot = b.next_slot;
	b.bi->size = (uint32_t)(sizeof(*b.bi) + b.bi->slot_count * sizeof(b.bi->slots[0]));
	sort_bootinfo(b.bi);

	/* Its own CPool, VSpace and buffer, as seL4's TCB holds them. */
	struct slot *s = b.pool->slots;
	int err = cap_copy(&s[CAIRN_SLOT_ROOT_CPOOL], &t->slots[TASK_SLOT_CPOOL], CAIRN_RIGHTS_ALL);
	if (!err)
		err = cap_copy(&s[CAIRN_SLOT_VSPACE], &t->slots[TASK_SLOT_VSPACE], CAIRN_RIGHTS_ALL);
	if (!err)
		err = cap_copy(&s[buffer_slot], &t->slots[TASK_SLOT_BUFFER], CAIRN_RIGHTS_ALL);
	kassert(err == CAIRN_ERR_OK);
	t->buffer_vaddr = CAIRN_ROOT_TASK_BUFFER_VADDR;
	t->priority = CAIRN_PRIO_MAX;
	arch_context_init_user(&t->ctx, entry, 0);
	arch_context_set_arg(&t->ctx, 0, CAIRN_BOOTINFO_VADDR);
	arch_context_set_arg(&t->ctx, 1, CAIRN_ROOT_TASK_BUFFER_VADDR);
	kprintf("[kernel] starting rinit: entry 0x%lx, %u initial caps, %lu MiB untyped\n",
		entry, b.bi->slot_count, untyped_size(&s[CAIRN_SLOT_UNTYPED].cap) >> 20);
	sched_make_ready(t);
	sched_schedule();
	/* Objects are set up: host tools may decode them from now on (they
	 * still wait for the even seq of the first exit to user mode). */
	kernel_debug.ready = 1;
	arch_return_to_user();
}
