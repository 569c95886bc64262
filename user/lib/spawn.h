/*
 * spawn.h - start a program from an ELF image in a new address space.
 *
 * The spawner makes a VSpace, a CPool and a Task from untyped memory;
 * for each page of each loadable segment a Page, which it maps at a
 * scratch address in its own VSpace to fill, unmaps, and maps into the
 * new VSpace; then a stack, a task buffer, the caps to give, the
 * registers (ip = entry, sp = stack top, arg0 = `arg`, arg1 = task
 * buffer address, the user/lib crt0 contract) and resumes it.
 */
#ifndef ULIB_SPAWN_H
#define ULIB_SPAWN_H

#include <stddef.h>
#include <stdint.h>
#include "elf.h"
#include "utalloc.h"

/* The new program's fixed layout (below its image at 0x400000). */
#define SPAWN_USER_LO UINT64_C(0x400000)
#define SPAWN_USER_HI UINT64_C(0x00007fff00000000)
#define SPAWN_BUFFER_VADDR UINT64_C(0x201000)
#define SPAWN_STACK_TOP UINT64_C(0x300000)
#define SPAWN_STACK_PAGES_MAX 16
#define SPAWN_CPOOL_BITS 6
#define SPAWN_GIVE_MAX 8

struct spawn_args {
	const void *image;
	size_t size;
	const char *name;        /* debug name, < CAIRN_NAME_LEN bytes */
	unsigned priority;
	unsigned stack_pages;    /* 1..SPAWN_STACK_PAGES_MAX */
	uint64_t arg;            /* the program's main() argument */
	uint64_t self_vspace;    /* the spawner's VSpace cap */
	uint64_t scratch_vaddr;  /* a free page address in the spawner's VSpace */
	unsigned root_bits;      /* radix bits of the spawner's root CPool (no guard) */
	unsigned give_count;     /* caps copied to the new CPool's slots 0.. */
	uint64_t give[SPAWN_GIVE_MAX];
};

struct spawn_result {
	uint64_t task, cpool, vspace, buffer; /* slots in the spawner's CPool */
	uint64_t entry;
	enum elf_error elf_err; /* set when the image was refused */
};

/*
 * Returns 0 with *res filled, or an error: INVALID_ARGUMENT when the
 * ELF image or an argument is bad (res->elf_err says which for the
 * image), else the kernel's. On error every cap made is deleted again.
 */
int spawn_elf(struct ut_alloc *ua, const struct spawn_args *args, struct spawn_result *res);

#endif
