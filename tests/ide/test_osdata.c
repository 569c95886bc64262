/*
 * test_osdata.c - the gdbserver's data pieces on a real kernel state:
 * osdata_xml for every table, kr_task_context and the regs.c layouts
 * for every task, kr_task_user_read at every task's saved ip (compared
 * with the task's ELF when given), the errors for unmapped, kernel and
 * bogus addresses, and osdata_xml on a synthetic snapshot of 1,000 caps
 * with hostile names.
 *
 *   test_osdata CAIRN_ELF CORE OUTDIR [TASK=USER_ELF ...]
 *
 * writes OUTDIR/osdata-TABLE.xml (for xmllint) and prints one TAP line a
 * check, then "# N passed, N failed"; exits 1 on any failure.
 */
#include "../lib/tap.h"
#include "kread.h"
#include "osdata.h"
#include "regs.h"

#include <gelf.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The bytes of a user ELF's file image at va (from its PT_LOAD segment);
 * false if none covers [va, va+len) with file data. */
static bool elf_bytes(const char *path, uint64_t va, uint8_t *out, size_t len)
{
	bool ok = false;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	elf_version(EV_CURRENT);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	size_t n = 0;
	if (e && elf_getphdrnum(e, &n) == 0) {
		for (size_t i = 0; i < n && !ok; i++) {
			GElf_Phdr ph;
			if (!gelf_getphdr(e, (int)i, &ph) || ph.p_type != PT_LOAD ||
			    va < ph.p_vaddr || va + len > ph.p_vaddr + ph.p_filesz)
				continue;
			ok = pread(fd, out, len, (off_t)(ph.p_offset + va - ph.p_vaddr)) == (ssize_t)len;
		}
	}
	if (e)
		elf_end(e);
	close(fd);
	return ok;
}

static void write_file(const char *dir, const char *table, const char *xml)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/osdata-%s.xml", dir, *table ? table : "types");
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(xml, f);
		fclose(f);
	}
}

/* The regs.c layouts on a fake `g` reply of the right length (zeros). */
static void check_regs(const char *arch, const struct kr_context *ctx, const char *name)
{
	/* QEMU 7.2's `g` reply: x86_64 608 bytes, aarch64 268 (measured). */
	size_t glen = strcmp(arch, "x86_64") == 0 ? 608 : 268;
	char *g = malloc(2 * glen + 1);
	memset(g, '0', 2 * glen);
	g[2 * glen] = 0;
	int rc = regs_patch_g(arch, ctx, g);
	const char *pcname = strcmp(arch, "x86_64") == 0 ? "rip" : "pc";
	int pcnum = strcmp(arch, "x86_64") == 0 ? 16 : 32;
	int spnum = strcmp(arch, "x86_64") == 0 ? 7 : 31;
	uint64_t pc = 0, sp = 0;
	kr_context_get(ctx, pcname, &pc);
	kr_context_get(ctx, strcmp(arch, "x86_64") == 0 ? "rsp" : "sp", &sp);
	char p[40], want[40];
	bool ok = rc == 0 && regs_task_p(arch, ctx, pcnum, p, sizeof(p)) == 0;
	/* little-endian hex of pc */
	for (int i = 0; i < 8; i++)
		snprintf(want + 2 * i, 3, "%02x", (unsigned)((pc >> (8 * i)) & 0xff));
	ok = ok && strcmp(p, want) == 0 && strncmp(g + 2 * 8 * pcnum, want, 16) == 0;
	for (int i = 0; i < 8; i++)
		snprintf(want + 2 * i, 3, "%02x", (unsigned)((sp >> (8 * i)) & 0xff));
	ok = ok && regs_task_p(arch, ctx, spnum, p, sizeof(p)) == 0 && strcmp(p, want) == 0 &&
	     strncmp(g + 2 * 8 * spnum, want, 16) == 0;
	/* Registers the context lacks are left to QEMU. */
	ok = ok && regs_task_p(arch, ctx, strcmp(arch, "x86_64") == 0 ? 20 : 34, p, sizeof(p)) == -1;
	tap_ok(ok, "%s: regs_patch_g/regs_task_p put pc %#lx and sp %#lx at regs %d/%d", name,
	      (unsigned long)pc, (unsigned long)sp, pcnum, spnum);
	g[100] = 0;
	tap_ok(regs_patch_g(arch, ctx, g) == -1, "%s: a short g reply is refused", name);
	free(g);
}

/* 1,000 caps with hostile names: well-formed and fast. */
static void synthetic(const char *dir)
{
	enum { N = 1000 };
	struct kr_snapshot s = { .arch = "x86_64" };
	struct kr_cap *caps = calloc(N, sizeof(*caps));
	static const char *const nasty[] = {
		"a<b>&\"c'", "\x01\x02\x1b[31m", "caf\xc3\xa9", "bad\xff\xfe", "trunc\xe2\x82",
		"\xed\xa0\x80surrogate", "\xf0\x9f\x98\x80" "emoji", "]]>",
	};
	for (int i = 0; i < N; i++) {
		snprintf(caps[i].holder_label, sizeof(caps[i].holder_label), "%s",
			 nasty[i % 8]);
		snprintf(caps[i].summary, sizeof(caps[i].summary), "%s#%d", nasty[(i + 3) % 8], i);
		caps[i].type_name = "channel";
		caps[i].slot = (unsigned)i;
		caps[i].badged = i & 1;
		caps[i].badge = (uint64_t)i;
	}
	s.caps = caps;
	s.ncaps = N;
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	char *xml = NULL;
	for (int k = 0; k < 10; k++) {
		free(xml);
		xml = osdata_xml(&s, "caps");
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ms = ((b.tv_sec - a.tv_sec) * 1e3 + (b.tv_nsec - a.tv_nsec) / 1e6) / 10;
	tap_ok(xml && strstr(xml, "a&lt;b&gt;&amp;&quot;c&apos;") && strstr(xml, "caf\xc3\xa9") &&
	      strstr(xml, "bad\\xff\\xfe") && strstr(xml, "\\x01\\x02\\x1b[31m"),
	      "synthetic: names escaped (entities, \\xNN for bad UTF-8 and controls)");
	tap_ok(ms < 50, "synthetic: 1,000 caps in %.2f ms", ms);
	if (xml)
		write_file(dir, "synthetic", xml);
	free(xml);
	free(caps);
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: %s CAIRN_ELF CORE OUTDIR [TASK=USER_ELF ...]\n", argv[0]);
		return 2;
	}
	char err[256];
	struct kr_elf *elf;
	struct kr_mem *mem;
	struct kr_reader *r;
	struct kr_snapshot *s;
	if (kr_elf_open(argv[1], &elf, err, sizeof(err)) ||
	    kr_mem_open_core(argv[2], &mem, err, sizeof(err))) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	kr_reader_new(elf, mem, &r);
	struct kr_snapshot_opts opts = { .caps = true };
	int rc = kr_snapshot_read(r, &opts, &s);
	if (rc) {
		fprintf(stderr, "snapshot: %s\n", kr_error(r));
		return 2;
	}
	const char *arch = kr_elf_arch(elf);
	printf("# %s: %d tasks, %d caps, %d channels, %d untyped\n", arch, s->ntasks, s->ncaps,
	       s->nchannels, s->nuntyped);

	static const char *const tables[] = { "", "tasks", "pools", "caps", "channels",
					      "notifications", "untyped" };
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		char *xml = osdata_xml(s, tables[i]);
		tap_ok(xml != NULL, "osdata_xml(\"%s\")", tables[i]);
		if (xml) {
			write_file(argv[3], tables[i], xml);
			if (getenv("SHOW"))
				fputs(xml, stdout);
		}
		free(xml);
	}
	tap_ok(osdata_xml(s, "nonesuch") == NULL, "osdata_xml(unknown) is NULL");

	for (int i = 0; i < s->ntasks; i++) {
		const struct kr_task *t = &s->tasks[i];
		struct kr_context ctx;
		rc = kr_task_context(r, t->addr, &ctx);
		uint64_t ip = 0, sp = 0;
		kr_context_get(&ctx, strcmp(arch, "x86_64") == 0 ? "rip" : "pc", &ip);
		kr_context_get(&ctx, strcmp(arch, "x86_64") == 0 ? "rsp" : "sp", &sp);
		tap_ok(rc == 0 && ip == t->ip && sp == t->sp,
		      "task '%s': context (%d registers) ip %#lx sp %#lx agree with the snapshot%s%s",
		      t->name, ctx.n, (unsigned long)ip, (unsigned long)sp, rc ? ": " : "",
		      rc ? kr_error(r) : "");
		if (getenv("SHOW"))
			for (int k = 0; k < ctx.n; k++)
				printf("#   %-8s %#lx\n", ctx.reg[k].name,
				       (unsigned long)ctx.reg[k].value);
		check_regs(arch, &ctx, t->name);

		uint8_t code[16];
		if (t->state == 0 || !t->ip) {
			printf("# task '%s' is inactive or has no ip: no code to read\n", t->name);
			continue;
		}
		rc = kr_task_user_read(r, t->addr, t->ip, code, sizeof(code));
		char hex[40] = "";
		for (int k = 0; k < 16 && !rc; k++)
			snprintf(hex + 2 * k, 3, "%02x", code[k]);
		tap_ok(rc == 0, "task '%s': 16 bytes at ip %#lx: %s", t->name, (unsigned long)t->ip,
		      rc ? kr_error(r) : hex);
		uint64_t pa;
		rc = kr_task_user_translate(r, t->addr, t->ip, &pa);
		tap_ok(rc == 0, "task '%s': ip %#lx is physical %#lx", t->name, (unsigned long)t->ip,
		      (unsigned long)pa);
		for (int a = 4; a < argc; a++) {
			size_t nl = strcspn(argv[a], "=");
			uint8_t want[16];
			if (argv[a][nl] != '=' || strlen(t->name) != nl ||
			    strncmp(argv[a], t->name, nl) != 0)
				continue;
			bool have = elf_bytes(argv[a] + nl + 1, t->ip, want, 16);
			tap_ok(have && memcmp(want, code, 16) == 0,
			      "task '%s': code at ip matches %s", t->name, argv[a] + nl + 1);
		}
		/* Errors, never crashes. */
		rc = kr_task_user_read(r, t->addr, 0x7ffffff00000ull, code, 16);
		printf("# unmapped: %s\n", kr_error(r));
		tap_ok(rc == KR_EIO, "task '%s': an unmapped address is KR_EIO", t->name);
		rc = kr_task_user_read(r, t->addr, 0xffff800000000000ull, code, 16);
		tap_ok(rc == KR_EIO, "task '%s': a kernel address is refused (%s)", t->name,
		      kr_error(r));
		rc = kr_task_user_read(r, t->addr, KR_USER_TOP - 8, code, 16);
		tap_ok(rc == KR_EIO, "task '%s': a read across the user top is refused", t->name);
	}
	struct kr_context ctx;
	rc = kr_task_context(r, s->tasks[0].addr + 8, &ctx);
	tap_ok(rc != 0, "a bogus task address gives an error (%s)", kr_error(r));
	rc = kr_task_user_read(r, 0xdead0000, 0x1000, &ctx, 8);
	tap_ok(rc != 0, "a non-kernel task address gives an error (%s)", kr_error(r));

	synthetic(argv[3]);
	kr_snapshot_free(s);
	kr_reader_free(r);
	kr_mem_close(mem);
	kr_elf_close(elf);
	return tap_done();
}
