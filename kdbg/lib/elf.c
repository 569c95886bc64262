/*
 * elf.c - cairn.elf: architecture, symbols (sorted, for lookups and for
 * naming instruction pointers), initial values of globals from section
 * data (kernel_debug's address-space bases), and the DWARF layout.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int cmp_sym(const void *a, const void *b)
{
	const struct kr_sym *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Copy .symtab's named functions and objects; keep their names. */
static int load_symbols(Elf *elf, struct kr_elf *e, char *err, size_t errlen)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB)
			continue;
		Elf_Data *d = elf_getdata(scn, NULL);
		Elf_Scn *strscn = elf_getscn(elf, sh.sh_link);
		Elf_Data *sd = strscn ? elf_getdata(strscn, NULL) : NULL;
		if (!d || !sd || !sh.sh_entsize)
			break;
		size_t n = sh.sh_size / sh.sh_entsize;
		e->strtab = malloc(sd->d_size + 1);
		e->syms = calloc(n ? n : 1, sizeof(*e->syms));
		if (!e->strtab || !e->syms) {
			snprintf(err, errlen, "out of memory");
			return KR_ENOMEM;
		}
		memcpy(e->strtab, sd->d_buf, sd->d_size);
		e->strtab[sd->d_size] = 0;
		for (size_t i = 0; i < n; i++) {
			GElf_Sym s;
			if (!gelf_getsym(d, (int)i, &s) || s.st_name >= sd->d_size || !s.st_value)
				continue;
			int type = GELF_ST_TYPE(s.st_info);
			if (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE)
				continue;
			const char *name = e->strtab + s.st_name;
			if (!*name || name[0] == '$')  /* AArch64 mapping symbols $x/$d */
				continue;
			e->syms[e->nsyms++] = (struct kr_sym){ s.st_value, s.st_size, name };
		}
		qsort(e->syms, e->nsyms, sizeof(*e->syms), cmp_sym);
		return 0;
	}
	snprintf(err, errlen, "%s: no symbol table (stripped?)", e->path);
	return KR_EELF;
}

/* The initial bytes of [va, va+len) in the file (zeros in .bss); false if
 * no allocated section holds them. */
static bool initial_bytes(Elf *elf, uint64_t va, void *buf, size_t len)
{
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC))
			continue;
		if (va < sh.sh_addr || va + len > sh.sh_addr + sh.sh_size)
			continue;
		if (sh.sh_type == SHT_NOBITS) {
			memset(buf, 0, len);
			return true;
		}
		Elf_Data *d = elf_getdata(scn, NULL);
		if (!d || va - sh.sh_addr + len > d->d_size)
			return false;
		memcpy(buf, (const uint8_t *)d->d_buf + (va - sh.sh_addr), len);
		return true;
	}
	return false;
}

int kr_elf_open(const char *path, struct kr_elf **out, char *err, size_t errlen)
{
	char dummy[8];
	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	*out = NULL;
	if (!path) {
		snprintf(err, errlen, "no ELF path");
		return KR_EINVAL;
	}
	elf_version(EV_CURRENT);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return KR_EELF;
	}
	struct kr_elf *e = calloc(1, sizeof(*e));
	Elf *elf = NULL;
	int rc = KR_EELF;
	if (!e || !(e->path = strdup(path))) {
		snprintf(err, errlen, "out of memory");
		rc = KR_ENOMEM;
		goto fail;
	}
	elf = elf_begin(fd, ELF_C_READ, NULL);
	GElf_Ehdr eh;
	if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) ||
	    gelf_getclass(elf) != ELFCLASS64) {
		snprintf(err, errlen, "%s: not an ELF64 file", path);
		goto fail;
	}
	e->machine = eh.e_machine;
	if (eh.e_machine == EM_X86_64)
		e->arch = "x86_64";
	else if (eh.e_machine == EM_AARCH64)
		e->arch = "aarch64";
	else {
		snprintf(err, errlen, "%s: machine %d is neither x86_64 nor aarch64", path,
			 eh.e_machine);
		goto fail;
	}
	if ((rc = load_symbols(elf, e, err, errlen)))
		goto fail;
	e->sym_object_lists = kr_elf_symbol(e, "object_lists");
	e->sym_sched = kr_elf_symbol(e, "sched");
	e->sym_kernel_log = kr_elf_symbol(e, "kernel_log");
	e->sym_console_input = kr_elf_symbol(e, "console_input");
	e->sym_kernel_debug = kr_elf_symbol(e, "kernel_debug");
	if (!e->sym_object_lists || !e->sym_sched || !e->sym_kernel_log) {
		snprintf(err, errlen, "%s: no object_lists/sched/kernel_log symbol: not a Cairn kernel",
			 path);
		rc = KR_EELF;
		goto fail;
	}
	if ((rc = kr_dwarf_layout(path, fd, &e->L, err, errlen)))
		goto fail;

	/* The address-space bases, as the kernel publishes them. */
	const struct kr_layout *L = &e->L;
	if (L->dbg.present && e->sym_kernel_debug && L->dbg.direct_map_base.ok &&
	    L->dbg.kernel_vbase.ok) {
		uint8_t buf[8] = { 0 }, buf2[8] = { 0 };
		if (L->dbg.direct_map_base.size <= 8 && L->dbg.kernel_vbase.size <= 8 &&
		    initial_bytes(elf, e->sym_kernel_debug + L->dbg.direct_map_base.off, buf,
				  L->dbg.direct_map_base.size) &&
		    initial_bytes(elf, e->sym_kernel_debug + L->dbg.kernel_vbase.off, buf2,
				  L->dbg.kernel_vbase.size)) {
			e->direct_map_base = kr_u64(buf);
			e->kernel_vbase = kr_u64(buf2);
			e->bases_from_elf = e->direct_map_base && e->kernel_vbase;
		}
	}
	if (!e->bases_from_elf) {
		/* Without them no kernel pointer can be followed: refuse the
		 * ELF rather than guess. */
		snprintf(err, errlen, "%s: no kernel_debug.direct_map_base/kernel_vbase in its data: "
			 "not a Cairn kernel, or one older than kread (rebuild it)", path);
		rc = KR_EELF;
		goto fail;
	}
	elf_end(elf);
	close(fd);
	*out = e;
	return 0;
fail:
	if (elf)
		elf_end(elf);
	close(fd);
	kr_elf_close(e);
	return rc;
}

void kr_elf_close(struct kr_elf *e)
{
	if (!e)
		return;
	free(e->syms);
	free(e->strtab);
	free(e->path);
	free(e);
}

const char *kr_elf_arch(const struct kr_elf *e)
{
	return e->arch;
}

const char *kr_elf_path(const struct kr_elf *e)
{
	return e->path;
}

uint64_t kr_elf_symbol(const struct kr_elf *e, const char *name)
{
	/* Linear: used at open time and by tools, not per snapshot. Prefer
	 * an object/function with that name over anything else. */
	for (size_t i = 0; i < e->nsyms; i++)
		if (strcmp(e->syms[i].name, name) == 0)
			return e->syms[i].addr;
	return 0;
}

const char *kr_elf_symbolize(const struct kr_elf *e, uint64_t addr, uint64_t *offset)
{
	size_t lo = 0, hi = e->nsyms;
	while (lo < hi) {   /* last symbol with addr <= the address */
		size_t mid = (lo + hi) / 2;
		if (e->syms[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	const struct kr_sym *s = &e->syms[lo - 1];
	/* Sized symbols must contain it; unsized ones (asm labels) get 64 KiB. */
	uint64_t span = s->size ? s->size : 0x10000;
	if (addr - s->addr >= span)
		return NULL;
	if (offset)
		*offset = addr - s->addr;
	return s->name;
}

uint64_t kr_elf_direct_map_base(const struct kr_elf *e)
{
	return e->direct_map_base;
}

uint64_t kr_elf_kernel_vbase(const struct kr_elf *e)
{
	return e->kernel_vbase;
}
