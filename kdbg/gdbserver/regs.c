/*
 * regs.c - a task's saved context as GDB register values (see regs.h
 * for the layouts, checked against QEMU 7.2's XML and its `g` replies).
 */
#include "regs.h"

#include <string.h>

/* One register of the `g` packet: its size and the struct arch_context
 * member that holds it for a task (NULL: the task's context has none). */
struct greg {
	unsigned size;
	const char *ctx;
};

static const struct greg x86_64_regs[] = {
	{ 8, "rax" }, { 8, "rbx" }, { 8, "rcx" }, { 8, "rdx" },
	{ 8, "rsi" }, { 8, "rdi" }, { 8, "rbp" }, { 8, "rsp" },
	{ 8, "r8" }, { 8, "r9" }, { 8, "r10" }, { 8, "r11" },
	{ 8, "r12" }, { 8, "r13" }, { 8, "r14" }, { 8, "r15" },
	{ 8, "rip" }, { 4, "rflags" },
	{ 4, "cs" }, { 4, "ss" }, { 4, NULL }, { 4, NULL }, { 4, NULL }, { 4, NULL },
	{ 8, "fs_base" }, { 8, NULL }, { 8, NULL },  /* gs_base, k_gs_base */
};

static const struct greg aarch64_regs[] = {
	{ 8, "x0" }, { 8, "x1" }, { 8, "x2" }, { 8, "x3" }, { 8, "x4" }, { 8, "x5" },
	{ 8, "x6" }, { 8, "x7" }, { 8, "x8" }, { 8, "x9" }, { 8, "x10" }, { 8, "x11" },
	{ 8, "x12" }, { 8, "x13" }, { 8, "x14" }, { 8, "x15" }, { 8, "x16" }, { 8, "x17" },
	{ 8, "x18" }, { 8, "x19" }, { 8, "x20" }, { 8, "x21" }, { 8, "x22" }, { 8, "x23" },
	{ 8, "x24" }, { 8, "x25" }, { 8, "x26" }, { 8, "x27" }, { 8, "x28" }, { 8, "x29" },
	{ 8, "x30" },
	{ 8, "sp" }, { 8, "pc" }, { 4, "pstate" },   /* cpsr: SPSR_EL1's low half */
};

/* The table for arch (n entries), or NULL. */
static const struct greg *table(const char *arch, int *n)
{
	if (arch && strcmp(arch, "x86_64") == 0) {
		*n = sizeof(x86_64_regs) / sizeof(x86_64_regs[0]);
		return x86_64_regs;
	}
	if (arch && strcmp(arch, "aarch64") == 0) {
		*n = sizeof(aarch64_regs) / sizeof(aarch64_regs[0]);
		return aarch64_regs;
	}
	return NULL;
}

/* size bytes of v, little-endian, as hex (2 * size chars, no NUL). */
static void put_hex(char *out, uint64_t v, unsigned size)
{
	static const char digits[] = "0123456789abcdef";
	for (unsigned i = 0; i < size; i++, v >>= 8) {
		out[2 * i] = digits[(v >> 4) & 15];
		out[2 * i + 1] = digits[v & 15];
	}
}

int regs_patch_g(const char *arch, const struct kr_context *ctx, char *g_hex)
{
	int n;
	const struct greg *t = table(arch, &n);
	if (!t)
		return -1;
	size_t len = strlen(g_hex), end = 0;
	for (int i = 0; i < n; i++)
		end += 2 * t[i].size;
	if (len < end)
		return -1;
	size_t pos = 0;
	for (int i = 0; i < n; i++) {
		const char *m = t[i].ctx;
		uint64_t v;
		if (m && kr_context_get(ctx, m, &v))
			put_hex(g_hex + pos, v, t[i].size);
		pos += 2 * t[i].size;
	}
	return 0;
}

int regs_task_p(const char *arch, const struct kr_context *ctx, int regnum, char *out,
		size_t outlen)
{
	int n;
	const struct greg *t = table(arch, &n);
	if (!t || regnum < 0 || regnum >= n)
		return -1;
	const char *m = t[regnum].ctx;
	uint64_t v;
	if (!m || !kr_context_get(ctx, m, &v) || outlen < 2 * t[regnum].size + 1)
		return -1;
	put_hex(out, v, t[regnum].size);
	out[2 * t[regnum].size] = 0;
	return 0;
}
