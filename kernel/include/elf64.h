/* elf64.h - the few ELF64 definitions the kernel's loader needs. */
#ifndef CAIRN_ELF64_H
#define CAIRN_ELF64_H

#include <stdint.h>

#define ELF_MAGIC 0x464c457fu /* "\x7fELF" little-endian */
#define ELFCLASS64 2
#define ET_EXEC 2
#define PT_LOAD 1
#define PF_X 1
#define PF_W 2

struct elf64_ehdr {
	uint32_t magic;
	uint8_t class, data, version, osabi;
	uint8_t pad[8];
	uint16_t type, machine;
	uint32_t version2;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

#endif
