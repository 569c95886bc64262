/*
 * elf.c - ELF64 validation (see elf.h). Header fields are copied out
 * with memcpy: the image may sit at any alignment.
 */
#include <stdbool.h>
#include <cairn/elf64.h>
#include "elf.h"
#include "ustring.h"

#define ELF_MAX_PHNUM 64

static uint64_t page_down(uint64_t a)
{
	return a & ~(uint64_t)(ELF_PAGE_SIZE - 1);
}

static enum elf_error check_header(const struct elf64_ehdr *h, size_t size, unsigned machine)
{
	if (memcmp(h->ident, "\177ELF", 4) != 0)
		return ELF_BAD_MAGIC;
	if (h->ident[4] != 2)
		return ELF_BAD_CLASS;
	if (h->ident[5] != 1)
		return ELF_BAD_ENDIAN;
	if (h->ident[6] != 1 || h->version != 1)
		return ELF_BAD_VERSION;
	if (h->type != ET_EXEC)
		return ELF_BAD_TYPE;
	if (h->machine != machine)
		return ELF_BAD_MACHINE;
	if (h->phentsize != sizeof(struct elf64_phdr) || h->phnum == 0 ||
	    h->phnum > ELF_MAX_PHNUM || h->phoff < sizeof(*h) || h->phoff > size ||
	    (uint64_t)h->phnum * sizeof(struct elf64_phdr) > size - h->phoff)
		return ELF_BAD_PHDRS;
	return ELF_OK;
}

static enum elf_error check_segment(const struct elf64_phdr *p, size_t size, uint64_t lo,
				    uint64_t hi)
{
	if (p->offset > size || p->filesz > size - p->offset)
		return ELF_SEG_FILE_RANGE;
	if (p->memsz == 0 || p->filesz > p->memsz)
		return ELF_SEG_SIZE;
	if (p->vaddr < lo || p->vaddr > hi || p->memsz > hi - p->vaddr)
		return ELF_SEG_ADDR;
	if (p->align & (p->align - 1))
		return ELF_SEG_ALIGN;
	if ((p->vaddr - p->offset) % ELF_PAGE_SIZE)
		return ELF_SEG_ALIGN;
	if ((p->flags & ~(ELF_PF_R | ELF_PF_W | ELF_PF_X)) ||
	    ((p->flags & ELF_PF_W) && (p->flags & ELF_PF_X)))
		return ELF_SEG_FLAGS;
	return ELF_OK;
}

/* Insert keeping seg[] sorted by vaddr; the caller checked room. */
static void insert_sorted(struct elf_image *img, const struct elf_segment *s)
{
	unsigned i = img->count;

	while (i > 0 && img->seg[i - 1].vaddr > s->vaddr) {
		img->seg[i] = img->seg[i - 1];
		i--;
	}
	img->seg[i] = *s;
	img->count++;
}

enum elf_error elf_parse(const void *image, size_t size, unsigned machine, uint64_t user_lo,
			 uint64_t user_hi, struct elf_image *out)
{
	const unsigned char *base = image;
	struct elf64_ehdr h;
	enum elf_error err;
	bool entry_ok = false;

	if (!image || size < sizeof(h))
		return ELF_TOO_SMALL;
	if (user_lo > user_hi)
		return ELF_SEG_ADDR;
	memcpy(&h, base, sizeof(h));
	err = check_header(&h, size, machine);
	if (err)
		return err;
	out->entry = h.entry;
	out->count = 0;
	for (unsigned i = 0; i < h.phnum; i++) {
		struct elf64_phdr p;
		struct elf_segment s;

		memcpy(&p, base + h.phoff + (uint64_t)i * sizeof(p), sizeof(p));
		if (p.type != PT_LOAD)
			continue;
		err = check_segment(&p, size, user_lo, user_hi);
		if (err)
			return err;
		if (out->count == ELF_MAX_SEGMENTS)
			return ELF_TOO_MANY_SEGMENTS;
		s.vaddr = p.vaddr;
		s.memsz = p.memsz;
		s.offset = p.offset;
		s.filesz = p.filesz;
		s.flags = p.flags;
		insert_sorted(out, &s);
	}
	if (out->count == 0)
		return ELF_NO_SEGMENTS;
	for (unsigned i = 0; i < out->count; i++) {
		const struct elf_segment *s = &out->seg[i];

		/* Sorted: only neighbours can share a page. memsz > 0 and the
		 * range check above keep vaddr + memsz - 1 from wrapping. */
		if (i + 1 < out->count &&
		    page_down(s->vaddr + s->memsz - 1) >= page_down(out->seg[i + 1].vaddr))
			return ELF_SEG_OVERLAP;
		if ((s->flags & ELF_PF_X) && h.entry >= s->vaddr && h.entry - s->vaddr < s->memsz)
			entry_ok = true;
	}
	return entry_ok ? ELF_OK : ELF_BAD_ENTRY;
}

size_t elf_page_file_bytes(const struct elf_segment *s, uint64_t page_vaddr, size_t *dst_off,
			   uint64_t *src_off)
{
	uint64_t file_end = s->vaddr + s->filesz; /* validated not to wrap */
	uint64_t lo = page_vaddr > s->vaddr ? page_vaddr : s->vaddr;
	uint64_t hi = page_vaddr + ELF_PAGE_SIZE < file_end ? page_vaddr + ELF_PAGE_SIZE : file_end;

	if (lo >= hi)
		return 0;
	*dst_off = (size_t)(lo - page_vaddr);
	*src_off = s->offset + (lo - s->vaddr);
	return (size_t)(hi - lo);
}

const char *elf_strerror(enum elf_error err)
{
	static const char *const msg[] = {
		[ELF_OK] = "ok",
		[ELF_TOO_SMALL] = "image smaller than an ELF header",
		[ELF_BAD_MAGIC] = "not an ELF file",
		[ELF_BAD_CLASS] = "not ELF64",
		[ELF_BAD_ENDIAN] = "not little-endian",
		[ELF_BAD_VERSION] = "unknown ELF version",
		[ELF_BAD_TYPE] = "not an executable (ET_EXEC)",
		[ELF_BAD_MACHINE] = "built for another machine",
		[ELF_BAD_PHDRS] = "program header table malformed or out of bounds",
		[ELF_NO_SEGMENTS] = "no loadable segment",
		[ELF_TOO_MANY_SEGMENTS] = "too many loadable segments",
		[ELF_SEG_FILE_RANGE] = "segment's file bytes past the end of the image",
		[ELF_SEG_SIZE] = "segment file size larger than memory size, or empty",
		[ELF_SEG_ADDR] = "segment outside the user address range",
		[ELF_SEG_ALIGN] = "segment misaligned",
		[ELF_SEG_OVERLAP] = "segments share a page",
		[ELF_SEG_FLAGS] = "segment flags invalid or writable+executable",
		[ELF_BAD_ENTRY] = "entry point not in an executable segment",
	};

	if ((unsigned)err < sizeof(msg) / sizeof(msg[0]) && msg[err])
		return msg[err];
	return "unknown ELF error";
}
