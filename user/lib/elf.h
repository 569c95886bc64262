/*
 * elf.h - ELF64 executable parsing for the spawner. Pure code: it only
 * reads the image, trusting none of it; it also builds on the host,
 * where it is tested on good and corrupted images.
 */
#ifndef ULIB_ELF_H
#define ULIB_ELF_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 8
#define ELF_PAGE_SIZE 4096u

/* p_flags bits */
#define ELF_PF_X 1u
#define ELF_PF_W 2u
#define ELF_PF_R 4u

enum elf_error {
	ELF_OK = 0,
	ELF_TOO_SMALL,      /* shorter than the ELF header */
	ELF_BAD_MAGIC,
	ELF_BAD_CLASS,      /* not ELF64 */
	ELF_BAD_ENDIAN,     /* not little-endian */
	ELF_BAD_VERSION,
	ELF_BAD_TYPE,       /* not ET_EXEC */
	ELF_BAD_MACHINE,
	ELF_BAD_PHDRS,      /* header size, table size or bounds wrong */
	ELF_NO_SEGMENTS,    /* no PT_LOAD */
	ELF_TOO_MANY_SEGMENTS,
	ELF_SEG_FILE_RANGE, /* file bytes past the end of the image */
	ELF_SEG_SIZE,       /* filesz > memsz, or memsz 0 */
	ELF_SEG_ADDR,       /* outside the allowed user range, or wraps */
	ELF_SEG_ALIGN,      /* p_align not a power of two or vaddr/offset mismatch */
	ELF_SEG_OVERLAP,    /* two segments share a page */
	ELF_SEG_FLAGS,      /* unknown flags, or writable and executable */
	ELF_BAD_ENTRY,      /* entry point not in an executable segment */
};

struct elf_segment {
	uint64_t vaddr;
	uint64_t memsz;
	uint64_t offset; /* file offset of the first byte */
	uint64_t filesz;
	unsigned flags;  /* ELF_PF_* */
};

struct elf_image {
	uint64_t entry;
	unsigned count;
	struct elf_segment seg[ELF_MAX_SEGMENTS]; /* sorted by vaddr */
};

/*
 * Parse and validate an executable of `machine` (EM_* number) whose
 * loadable segments must lie in [user_lo, user_hi). On success fills
 * *out; on error *out is unspecified.
 */
enum elf_error elf_parse(const void *image, size_t size, unsigned machine, uint64_t user_lo,
			 uint64_t user_hi, struct elf_image *out);

const char *elf_strerror(enum elf_error err);

/*
 * For the page at page_vaddr of segment `s`: which file bytes it holds.
 * Sets *dst_off (offset in the page), *src_off (offset in the image)
 * and returns the byte count (0 if the page is all zero-fill).
 */
size_t elf_page_file_bytes(const struct elf_segment *s, uint64_t page_vaddr, size_t *dst_off,
			   uint64_t *src_off);

#endif
