/*
 * cairn/elf64.h - the ELF64 structures Cairn loads programs from: the
 * kernel's loader for the root task and user/lib's for spawned programs.
 * (Images are executables, ET_EXEC, little-endian.)
 */
#ifndef CAIRN_UAPI_ELF64_H
#define CAIRN_UAPI_ELF64_H

#include <stdint.h>

struct elf64_ehdr {
	unsigned char ident[16]; /* "\177ELF", class, data, version, ... */
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#define ELF_IDENT_CLASS 4
#define ELFCLASS64 2
#define ET_EXEC 2
#define PT_LOAD 1
#define PF_X 1
#define PF_W 2
#define PF_R 4

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 phdr is 56 bytes");

#endif
