/*
 * test_user_parse.c - the pure logic of user/lib and rinit on the host:
 * number parsing, the tokenizer, the line editor, boot-info checks and
 * the slot allocator, the ELF parser on good and corrupted images
 * (the shell's commands are in test_user_shell.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "bootinfo.h"
#include "elf.h"
#include "lineedit.h"
#include "parse.h"
#include "slotalloc.h"
#include "../../lib/tap.h"
#include "tokenize.h"

/* ---- numbers ----------------------------------------------------------- */

static void test_parse(void)
{
	static const struct {
		const char *s;
		enum parse_status st;
		uint64_t v;
	} cases[] = {
		{ "0", PARSE_OK, 0 },
		{ "249", PARSE_OK, 249 },
		{ "0x400000", PARSE_OK, 0x400000 },
		{ "0XfF", PARSE_OK, 255 },
		{ "0b101", PARSE_OK, 5 },
		{ "1_000", PARSE_OK, 1000 },
		{ "18446744073709551615", PARSE_OK, UINT64_MAX },
		{ "0xffffffffffffffff", PARSE_OK, UINT64_MAX },
		{ "18446744073709551616", PARSE_OVERFLOW, 0 },
		{ "0x10000000000000000", PARSE_OVERFLOW, 0 },
		{ "99999999999999999999999", PARSE_OVERFLOW, 0 },
		{ "", PARSE_EMPTY, 0 },
		{ "abc", PARSE_JUNK, 0 },
		{ "12abc", PARSE_JUNK, 0 },
		{ "-1", PARSE_JUNK, 0 },
		{ "+1", PARSE_JUNK, 0 },
		{ " 1", PARSE_JUNK, 0 },
		{ "1 ", PARSE_JUNK, 0 },
		{ "0x", PARSE_JUNK, 0 },
		{ "0b2", PARSE_JUNK, 0 },
		{ "0x1g", PARSE_JUNK, 0 },
		{ "1__0", PARSE_JUNK, 0 },
		{ "_1", PARSE_JUNK, 0 },
		{ "1_", PARSE_JUNK, 0 },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t v = 0xdead;
		enum parse_status st = parse_u64(cases[i].s, &v);

		tap_ok(st == cases[i].st && (st != PARSE_OK ? v == 0xdead : v == cases[i].v),
		       "parse_u64(\"%s\") -> %s", cases[i].s, parse_status_str(cases[i].st));
	}
	{
		uint64_t v;

		tap_ok(parse_u64_max("255", 255, &v) == PARSE_OK && v == 255, "limit inclusive");
		tap_ok(parse_u64_max("256", 255, &v) == PARSE_OVERFLOW, "limit exceeded is overflow");
		tap_ok(parse_u64(NULL, &v) == PARSE_EMPTY, "NULL is empty");
	}
	{
		const char *end;
		int ovf;
		uint64_t v = parse_strtou64("123xyz", &end, 10, &ovf);

		tap_ok(v == 123 && !ovf && strcmp(end, "xyz") == 0, "strtou64 stops at junk");
		v = parse_strtou64("ff", &end, 16, &ovf);
		tap_ok(v == 255 && *end == '\0', "strtou64 base 16 without prefix");
		v = parse_strtou64("99999999999999999999", &end, 10, &ovf);
		tap_ok(ovf && v == UINT64_MAX && *end == '\0', "strtou64 flags overflow, consumes digits");
		v = parse_strtou64("zz", &end, 10, &ovf);
		tap_ok(v == 0 && end && strcmp(end, "zz") == 0, "strtou64 no digits: end = start");
		v = parse_strtou64("12", &end, 17, &ovf);
		tap_ok(v == 0 && strcmp(end, "12") == 0, "strtou64 rejects base 17");
	}
}

/* ---- tokenizer --------------------------------------------------------- */

static int tok(const char *in, char **argv, char *store, const char **err)
{
	strcpy(store, in);
	return tokenize(store, argv, TOKENIZE_MAX_ARGS, err);
}

static void test_tokenize(void)
{
	char store[256];
	char *argv[TOKENIZE_MAX_ARGS + 1];
	const char *err;
	int n;

	n = tok("  set  stack\t249 0x10 ", argv, store, &err);
	tap_ok(n == 4 && !strcmp(argv[0], "set") && !strcmp(argv[1], "stack") &&
		       !strcmp(argv[2], "249") && !strcmp(argv[3], "0x10") && argv[4] == NULL,
	       "splits on spaces and tabs");
	n = tok("", argv, store, &err);
	tap_ok(n == 0 && argv[0] == NULL, "empty line has no words");
	n = tok("   ", argv, store, &err);
	tap_ok(n == 0, "blank line has no words");
	n = tok("echo \"a  b\" c", argv, store, &err);
	tap_ok(n == 3 && !strcmp(argv[1], "a  b") && !strcmp(argv[2], "c"), "quotes keep spaces");
	n = tok("echo \"say \\\"hi\\\" \\\\ ok\"", argv, store, &err);
	tap_ok(n == 2 && !strcmp(argv[1], "say \"hi\" \\ ok"), "escapes in quotes");
	n = tok("echo \"\"", argv, store, &err);
	tap_ok(n == 2 && argv[1][0] == '\0', "empty quoted word");
	n = tok("echo \"open", argv, store, &err);
	tap_ok(n == -1 && err && !strcmp(err, "unterminated quote"), "unterminated quote");
	n = tok("echo \"a\"b", argv, store, &err);
	tap_ok(n == -1 && err, "text glued after a closing quote is an error");
	n = tok("echo a\"b\"", argv, store, &err);
	tap_ok(n == -1 && err, "quote inside a word is an error");
	n = tok("list # the pool", argv, store, &err);
	tap_ok(n == 1 && !strcmp(argv[0], "list"), "comment ignored");
	n = tok("a b c d e f g h i j k l m n o p", argv, store, &err);
	tap_ok(n == 16, "16 words fit");
	n = tok("a b c d e f g h i j k l m n o p q", argv, store, &err);
	tap_ok(n == -1 && err && !strcmp(err, "too many arguments"), "17 words: too many");
}

/* ---- line editor ------------------------------------------------------- */

static char echo_buf[1024];

static void echo_sink(void *arg, const char *s, size_t n)
{
	(void)arg;
	strncat(echo_buf, s, n);
}

static enum lineedit_result feed(struct lineedit *le, const char *keys, size_t n)
{
	enum lineedit_result r = LINEEDIT_MORE;

	for (size_t i = 0; i < n; i++)
		r = lineedit_feed(le, (unsigned char)keys[i]);
	return r;
}

static void test_lineedit(void)
{
	struct lineedit le;
	enum lineedit_result r;
	char big[400];

	echo_buf[0] = '\0';
	lineedit_init(&le, echo_sink, NULL);
	r = feed(&le, "lisx\x7ft\r", 7);
	tap_ok(r == LINEEDIT_DONE && !strcmp(le.buf, "list"), "DEL erases");
	tap_streq(echo_buf, "lisx\b \bt\n", "echo of typing and erase");
	lineedit_reset(&le);
	r = feed(&le, "\n", 1);
	tap_ok(r == LINEEDIT_MORE, "LF after CR is swallowed");
	r = feed(&le, "\b\bab\x1b[Dc\n", 9);
	tap_ok(r == LINEEDIT_DONE && !strcmp(le.buf, "abc"), "backspace on empty ok, arrow keys ignored");
	lineedit_reset(&le);
	r = feed(&le, "abc def\x17x\n", 10);
	tap_ok(r == LINEEDIT_DONE && !strcmp(le.buf, "abc x"), "Ctrl-W erases a word");
	lineedit_reset(&le);
	r = feed(&le, "junk\x15ok\n", 8);
	tap_ok(r == LINEEDIT_DONE && !strcmp(le.buf, "ok"), "Ctrl-U erases the line");
	lineedit_reset(&le);
	r = feed(&le, "half\x03", 5);
	tap_ok(r == LINEEDIT_CANCEL && le.len == 0, "Ctrl-C cancels");
	lineedit_reset(&le);
	r = feed(&le, "ls\x1b\n", 4);
	tap_ok(r == LINEEDIT_DONE && !strcmp(le.buf, "ls"), "ESC then Enter still ends the line");
	lineedit_reset(&le);
	r = feed(&le, "a\x1b[1;\r", 6);
	tap_ok(r == LINEEDIT_DONE && !strcmp(le.buf, "a"), "Enter inside an unfinished ESC [ ends the line");
	lineedit_reset(&le);
	r = feed(&le, "x\x1bqy\n", 5);
	tap_ok(r == LINEEDIT_DONE && !strcmp(le.buf, "xy"), "ESC x (meta) is swallowed");
	lineedit_reset(&le);
		r = feed(&le, "a\tb\x01\x80\xff\n", 7);
	tap_ok(r == LINEEDIT_DONE && !strcmp(le.buf, "a b"), "tab is a space; control and 8-bit bytes ignored");
	lineedit_reset(&le);
	memset(big, 'x', sizeof(big));
	echo_buf[0] = '\0';
	r = feed(&le, big, sizeof(big));
	tap_ok(r == LINEEDIT_MORE && le.len == LINEEDIT_MAX - 1, "line stops at its limit");
	tap_ok(strchr(echo_buf, '\a') != NULL, "full line rings the bell");
	r = lineedit_feed(&le, '\r');
	tap_ok(r == LINEEDIT_DONE && strlen(le.buf) == LINEEDIT_MAX - 1, "full line still ends");
	tap_ok(lineedit_feed(&le, -1) == LINEEDIT_MORE && lineedit_feed(&le, 300) == LINEEDIT_MORE,
	       "out-of-range input ignored");
}

/* ---- boot info and slot allocator --------------------------------------- */

static union {
	struct cairn_bootinfo bi;
	unsigned char page[CAIRN_BOOTINFO_SIZE];
} boot;

static void make_bootinfo(void)
{
	static const struct cairn_bootinfo_slot slots[] = {
		{ 0, CAIRN_OBJ_CPOOL, 8, 0, 0 },
		{ 1, CAIRN_OBJ_TASK, 0, 0, 0 },
		{ 2, CAIRN_OBJ_UNTYPED, 24, 0, 0x1000000 },
		{ 3, CAIRN_OBJ_VSPACE, 12, 0, 0x5000 },
		{ 4, CAIRN_OBJ_UNTYPED, 20, CAIRN_BI_DEVICE, 0xfe000000 },
		{ 5, CAIRN_OBJ_UNTYPED, 22, 0, 0x2000000 },
		{ 250, CAIRN_OBJ_PAGE, 12, 0, 0x7000 },
		{ 255, CAIRN_OBJ_CHANNEL, 0, 0, 0 },
	};

	memset(&boot, 0, sizeof(boot));
	boot.bi.magic = CAIRN_BOOTINFO_MAGIC;
	boot.bi.version = CAIRN_BOOTINFO_VERSION;
	boot.bi.vaddr = CAIRN_BOOTINFO_VADDR;
	boot.bi.root_cpool_bits = 8;
	boot.bi.first_free_slot = 6;
	boot.bi.slot_count = sizeof(slots) / sizeof(slots[0]);
	boot.bi.size = (uint32_t)(sizeof(boot.bi) + sizeof(slots));
	strcpy(boot.bi.kernel_version, "0.1.0");
	memcpy(boot.bi.slots, slots, sizeof(slots));
}

static void test_bootinfo_slots(void)
{
	struct slot_alloc sa;
	uint64_t s, first;
	int n;

	make_bootinfo();
	tap_ok(bootinfo_check(&boot.bi) == NULL, "good boot info passes");
	boot.bi.magic++;
	tap_ok(bootinfo_check(&boot.bi) != NULL, "bad magic refused");
	make_bootinfo();
	boot.bi.version = 99;
	tap_ok(bootinfo_check(&boot.bi) != NULL, "bad version refused");
	make_bootinfo();
	boot.bi.slots[2].slot = 300;
	tap_ok(bootinfo_check(&boot.bi) != NULL, "slot beyond the pool refused");
	make_bootinfo();
	boot.bi.slots[3].slot = 1;
	tap_ok(bootinfo_check(&boot.bi) != NULL, "unsorted/duplicate slots refused");
	make_bootinfo();
	boot.bi.slots[1].type = CAIRN_OBJ_TYPE_COUNT;
	tap_ok(bootinfo_check(&boot.bi) != NULL, "unknown type refused");
	make_bootinfo();
	boot.bi.slot_count = 100000;
	tap_ok(bootinfo_check(&boot.bi) != NULL, "huge slot count refused");
	make_bootinfo();
	boot.bi.root_cpool_bits = 40;
	tap_ok(bootinfo_check(&boot.bi) != NULL, "huge root pool refused");
	make_bootinfo();
	tap_ok(bootinfo_find(&boot.bi, 5) && bootinfo_find(&boot.bi, 5)->size_bits == 22 &&
		       !bootinfo_find(&boot.bi, 6), "bootinfo_find");

	tap_ok(!slot_alloc_init(&sa, 0) && !slot_alloc_init(&sa, 13), "slot_alloc rejects bad sizes");
	tap_ok(slot_alloc_init_bootinfo(&sa, &boot.bi), "slot_alloc from boot info");
	tap_ok(slot_alloc_is_used(&sa, 0) && slot_alloc_is_used(&sa, 5) &&
		       slot_alloc_is_used(&sa, 250) && slot_alloc_is_used(&sa, 255) &&
		       !slot_alloc_is_used(&sa, 6) && slot_alloc_is_used(&sa, 256),
	       "boot slots used, others free, out of range counts as used");
	tap_ok(slot_alloc_free_count(&sa) == 256 - 8, "free count (got %u)", slot_alloc_free_count(&sa));
	slot_alloc_get(&sa, &first);
	tap_ok(first == 6, "first allocation is first_free_slot (got %llu)", (unsigned long long)first);
	slot_alloc_set(&sa, first, false);
	slot_alloc_get(&sa, &s);
	tap_ok(s == 7, "a freed slot is not reused at once");
	for (n = 0; slot_alloc_get(&sa, &s); n++)
		;
	tap_ok(n == 256 - 9 && slot_alloc_free_count(&sa) == 0, "allocates every free slot then stops");
}

/* ---- ELF --------------------------------------------------------------- */

static unsigned char elf_img[0x3000];

static void put16(size_t off, uint16_t v) { memcpy(elf_img + off, &v, 2); }
static void put32(size_t off, uint32_t v) { memcpy(elf_img + off, &v, 4); }
static void put64(size_t off, uint64_t v) { memcpy(elf_img + off, &v, 8); }

#define PH(i) (64 + (i) * 56)

static void phdr(int i, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
		 uint64_t filesz, uint64_t memsz)
{
	put32(PH(i) + 0, type);
	put32(PH(i) + 4, flags);
	put64(PH(i) + 8, off);
	put64(PH(i) + 16, vaddr);
	put64(PH(i) + 24, vaddr);
	put64(PH(i) + 32, filesz);
	put64(PH(i) + 40, memsz);
	put64(PH(i) + 48, 0x1000);
}

/* Text at 0x400000 (file 0x1000, 0x800 bytes), data at 0x401000
 * (file 0x2000, 0x100 bytes + bss to 0x2000), a PT_NOTE in between. */
static void make_elf(void)
{
	memset(elf_img, 0, sizeof(elf_img));
	memcpy(elf_img, "\177ELF", 4);
	elf_img[4] = 2;
	elf_img[5] = 1;
	elf_img[6] = 1;
	put16(16, 2);   /* ET_EXEC */
	put16(18, 62);  /* EM_X86_64 */
	put32(20, 1);
	put64(24, 0x400010);
	put64(32, 64);  /* phoff */
	put16(52, 64);
	put16(54, 56);
	put16(56, 3);
	phdr(0, 1, ELF_PF_R | ELF_PF_X, 0x1000, 0x400000, 0x800, 0x800);
	phdr(1, 4, ELF_PF_R, 0x200, 0x400200, 0x10, 0x10);
	phdr(2, 1, ELF_PF_R | ELF_PF_W, 0x2000, 0x401000, 0x100, 0x2000);
}

static enum elf_error parse_elf(struct elf_image *img)
{
	return elf_parse(elf_img, sizeof(elf_img), 62, 0x400000, 0x800000, img);
}

static void test_elf(void)
{
	struct elf_image img;
	size_t dst;
	uint64_t src, n;
	enum elf_error e;

	make_elf();
	e = parse_elf(&img);
	tap_ok(e == ELF_OK && img.count == 2 && img.entry == 0x400010 &&
		       img.seg[1].vaddr == 0x401000 && img.seg[1].memsz == 0x2000,
	       "good image parses (%s)", elf_strerror(e));
	n = elf_page_file_bytes(&img.seg[1], 0x401000, &dst, &src);
	tap_ok(n == 0x100 && dst == 0 && src == 0x2000, "data page copies its file bytes");
	n = elf_page_file_bytes(&img.seg[1], 0x402000, &dst, &src);
	tap_ok(n == 0, "bss page is zero-fill only");

#define CORRUPT(what, want, ...)                                                    \
	do {                                                                        \
		make_elf();                                                         \
		__VA_ARGS__;                                                        \
		e = parse_elf(&img);                                                \
		tap_ok(e == (want), "%s -> %s (got %s)", what, elf_strerror(want),  \
		       elf_strerror(e));                                            \
	} while (0)

	CORRUPT("bad magic", ELF_BAD_MAGIC, elf_img[1] = 'X');
	CORRUPT("ELF32", ELF_BAD_CLASS, elf_img[4] = 1);
	CORRUPT("big-endian", ELF_BAD_ENDIAN, elf_img[5] = 2);
	CORRUPT("bad version", ELF_BAD_VERSION, put32(20, 2));
	CORRUPT("shared object", ELF_BAD_TYPE, put16(16, 3));
	CORRUPT("aarch64 image", ELF_BAD_MACHINE, put16(18, 183));
	CORRUPT("phentsize 32", ELF_BAD_PHDRS, put16(54, 32));
	CORRUPT("phoff past end", ELF_BAD_PHDRS, put64(32, sizeof(elf_img)));
	CORRUPT("phoff overflow", ELF_BAD_PHDRS, put64(32, UINT64_MAX - 8));
	CORRUPT("phnum past end", ELF_BAD_PHDRS, put16(56, 60000));
	CORRUPT("phnum 0", ELF_BAD_PHDRS, put16(56, 0));
	CORRUPT("segment bytes past end", ELF_SEG_FILE_RANGE, put64(PH(2) + 32, 0x1001));
	CORRUPT("segment offset overflow", ELF_SEG_FILE_RANGE, put64(PH(2) + 8, UINT64_MAX));
	CORRUPT("filesz > memsz", ELF_SEG_SIZE, put64(PH(0) + 40, 0x10));
	CORRUPT("memsz 0", ELF_SEG_SIZE, put64(PH(0) + 32, 0); put64(PH(0) + 40, 0));
	CORRUPT("below user range", ELF_SEG_ADDR, put64(PH(0) + 16, 0x1000));
	CORRUPT("vaddr wraps", ELF_SEG_ADDR, put64(PH(2) + 16, UINT64_MAX - 0xfff); put64(PH(2) + 40, 0x2000));
	CORRUPT("above user range", ELF_SEG_ADDR, put64(PH(2) + 40, 0x800000));
	CORRUPT("align not power of two", ELF_SEG_ALIGN, put64(PH(0) + 48, 0x3000));
	CORRUPT("vaddr/offset incongruent", ELF_SEG_ALIGN, put64(PH(2) + 8, 0x2010));
	CORRUPT("writable+executable", ELF_SEG_FLAGS, put32(PH(2) + 4, 7));
	CORRUPT("unknown flags", ELF_SEG_FLAGS, put32(PH(0) + 4, 0x15));
	CORRUPT("segments share a page", ELF_SEG_OVERLAP, put64(PH(2) + 16, 0x400000 + 0x800 + 0x0); put64(PH(2) + 8, 0x1800));
	CORRUPT("entry in data", ELF_BAD_ENTRY, put64(24, 0x401000));
	CORRUPT("entry outside", ELF_BAD_ENTRY, put64(24, 0x900000));
	CORRUPT("no PT_LOAD", ELF_NO_SEGMENTS, put32(PH(0), 4); put32(PH(2), 4));
	tap_ok(elf_parse(elf_img, 10, 62, 0, UINT64_MAX, &img) == ELF_TOO_SMALL, "truncated header");
	tap_ok(elf_parse(NULL, 100, 62, 0, UINT64_MAX, &img) == ELF_TOO_SMALL, "NULL image");
	make_elf();
	tap_ok(elf_parse(elf_img, 0x2080, 62, 0x400000, 0x800000, &img) == ELF_SEG_FILE_RANGE,
	       "image cut short inside a segment");
	/* Every single-byte corruption of the headers is either refused
	 * or yields segments inside the image and the user range. */
	{
		int bad = 0;

		for (size_t off = 0; off < 64 + 3 * 56; off++) {
			for (int bit = 0; bit < 8; bit++) {
				make_elf();
				elf_img[off] ^= (unsigned char)(1u << bit);
				if (parse_elf(&img) != ELF_OK)
					continue;
				for (unsigned i = 0; i < img.count; i++) {
					const struct elf_segment *s = &img.seg[i];

					if (s->offset + s->filesz > sizeof(elf_img) ||
					    s->vaddr < 0x400000 || s->vaddr + s->memsz > 0x800000)
						bad++;
				}
			}
		}
		tap_ok(bad == 0, "bit flips never yield out-of-bounds segments (%d bad)", bad);
	}
}

int main(void)
{
	test_parse();
	test_tokenize();
	test_lineedit();
	test_bootinfo_slots();
	test_elf();
	return tap_done();
}
