/*
 * mem.c - sources of guest-physical memory: a RAM file shared with QEMU
 * (mmap'd), QEMU's own address space (process_vm_readv), a QEMU core
 * (PT_LOAD p_paddr -> p_offset, mmap'd), or a caller's callback.
 *
 * Every read is bounds-checked against the described regions; a read
 * that leaves RAM is KR_EIO with a message naming the address. A read
 * spanning two regions is split at the boundary (the two may live far
 * apart in the file or in QEMU).
 */
#define _GNU_SOURCE
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static int cmp_region(const void *a, const void *b)
{
	const struct kr_region *x = a, *y = b;
	return x->gpa < y->gpa ? -1 : x->gpa > y->gpa;
}

static struct kr_mem *mem_new(enum kr_mem_kind kind, const char *mode,
			      const struct kr_region *regions, int n)
{
	struct kr_mem *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->kind = kind;
	m->mode = mode;
	if (n > 0) {
		m->regions = malloc(sizeof(*regions) * (size_t)n);
		if (!m->regions) {
			free(m);
			return NULL;
		}
		memcpy(m->regions, regions, sizeof(*regions) * (size_t)n);
		qsort(m->regions, (size_t)n, sizeof(*regions), cmp_region);
		m->nregions = n;
	}
	return m;
}

/* The region holding gpa (binary search on sorted starts), or NULL. */
static const struct kr_region *region_at(const struct kr_mem *m, uint64_t gpa)
{
	int lo = 0, hi = m->nregions;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (m->regions[mid].gpa <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Overlapping regions: scan back for one that really contains it. */
	for (int i = lo - 1; i >= 0; i--) {
		const struct kr_region *r = &m->regions[i];
		if (gpa - r->gpa < r->size)
			return r;
		if (lo - 1 - i > 8)
			break;
	}
	return NULL;
}

bool kr_mem_contains(const struct kr_mem *m, uint64_t gpa, uint64_t len)
{
	if (m->kind == KR_MEM_CALLBACK && m->nregions == 0)
		return true;  /* the callback knows; a failed read will say */
	if (gpa + len < gpa)
		return false;
	while (len) {
		const struct kr_region *r = region_at(m, gpa);
		if (!r)
			return false;
		uint64_t n = r->size - (gpa - r->gpa);
		if (n >= len)
			return true;
		gpa += n;
		len -= n;
	}
	return true;
}

static int check_regions(const struct kr_region *regions, int n, uint64_t file_size,
			 char *err, size_t errlen)
{
	if (n <= 0 || !regions) {
		snprintf(err, errlen, "no RAM regions given");
		return KR_EINVAL;
	}
	for (int i = 0; i < n; i++) {
		const struct kr_region *r = &regions[i];
		if (!r->size || r->gpa + r->size < r->gpa ||
		    (file_size && (r->where > file_size || r->size > file_size - r->where))) {
			snprintf(err, errlen,
				 "region %d (gpa %#lx size %#lx at %#lx) does not fit the file (%#lx bytes)",
				 i, (unsigned long)r->gpa, (unsigned long)r->size,
				 (unsigned long)r->where, (unsigned long)file_size);
			return KR_EINVAL;
		}
	}
	return 0;
}

static int map_file(const char *path, const uint8_t **map, size_t *len, char *err,
		    size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return KR_EIO;
	}
	struct stat st;
	if (fstat(fd, &st) < 0 || st.st_size <= 0) {
		snprintf(err, errlen, "%s: empty or unreadable", path);
		close(fd);
		return KR_EIO;
	}
	/* MAP_SHARED: a RAM file's pages are QEMU's live guest memory. */
	void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "%s: mmap: %s", path, strerror(errno));
		return KR_EIO;
	}
	*map = p;
	*len = (size_t)st.st_size;
	return 0;
}

int kr_mem_open_file(const char *path, const struct kr_region *regions, int nregions,
		     struct kr_mem **out, char *err, size_t errlen)
{
	char dummy[8];
	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	*out = NULL;
	const uint8_t *map;
	size_t len;
	int rc = map_file(path, &map, &len, err, errlen);
	if (rc)
		return rc;
	if ((rc = check_regions(regions, nregions, len, err, errlen))) {
		munmap((void *)map, len);
		return rc;
	}
	struct kr_mem *m = mem_new(KR_MEM_FILE, "shared memory", regions, nregions);
	if (!m) {
		munmap((void *)map, len);
		return KR_ENOMEM;
	}
	m->map = map;
	m->map_len = len;
	*out = m;
	return 0;
}

int kr_mem_open_process(pid_t pid, const struct kr_region *regions, int nregions,
			struct kr_mem **out, char *err, size_t errlen)
{
	char dummy[8];
	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	*out = NULL;
	int rc = check_regions(regions, nregions, 0, err, errlen);
	if (rc)
		return rc;
	struct kr_mem *m = mem_new(KR_MEM_PROCESS, "process_vm_readv", regions, nregions);
	if (!m)
		return KR_ENOMEM;
	m->pid = pid;
	/* Probe once so that a missing ptrace permission is reported now. */
	uint8_t b;
	struct iovec l = { &b, 1 }, r = { (void *)(uintptr_t)m->regions[0].where, 1 };
	if (process_vm_readv(pid, &l, 1, &r, 1, 0) != 1) {
		snprintf(err, errlen, "process_vm_readv(pid %d): %s", (int)pid, strerror(errno));
		kr_mem_close(m);
		return KR_EIO;
	}
	*out = m;
	return 0;
}

/*
 * dump-guest-memory paging=true writes every RAM block once, in physical
 * order, but describes it with one PT_LOAD per *virtual* mapping: a page
 * mapped twice (kernel image and direct map) is described once, and the
 * direct map's segment -- where kernel objects live -- carries no file
 * data (p_filesz 0 < p_memsz). The bytes are in the file all the same:
 * runs with the same file-offset-minus-paddr belong to one block, so join
 * them, and let the block stored last run to the end of the data, up to
 * the end of RAM that the data-less segments describe. (The same repair
 * as `kdbg normalize-core`; a paging=false core is left as it is.)
 */
static int merge_paged_runs(Elf *elf, const GElf_Ehdr *eh, size_t nph, struct kr_region *regs,
			    int n, size_t file_len)
{
	uint64_t ram_end = 0;
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD && ph.p_memsz > ph.p_filesz &&
		    ph.p_paddr + ph.p_memsz > ram_end)
			ram_end = ph.p_paddr + ph.p_memsz;
	}
	if (!ram_end)
		return n;   /* every segment has its data: nothing elided */
	qsort(regs, (size_t)n, sizeof(*regs), cmp_region);
	int m = 0;
	for (int i = 0; i < n; i++) {
		struct kr_region *b = m ? &regs[m - 1] : NULL;
		if (b && regs[i].where - regs[i].gpa == b->where - b->gpa &&
		    regs[i].gpa <= b->gpa + b->size + (1ull << 40)) {
			uint64_t end = regs[i].gpa + regs[i].size;
			if (end > b->gpa + b->size)
				b->size = end - b->gpa;
		} else {
			regs[m++] = regs[i];
		}
	}
	/* The memory data ends at the program headers if they follow it. */
	uint64_t data_end = file_len;
	int last = 0;
	for (int i = 1; i < m; i++)
		if (regs[i].where > regs[last].where)
			last = i;
	if (eh->e_phoff > regs[last].where && eh->e_phoff < data_end)
		data_end = eh->e_phoff;
	struct kr_region *b = &regs[last];
	uint64_t size = data_end - b->where;
	if (b->gpa < ram_end && size > ram_end - b->gpa)
		size = ram_end - b->gpa;
	if (size > b->size)
		b->size = size;
	return m;
}

int kr_mem_open_core(const char *path, struct kr_mem **out, char *err, size_t errlen)
{
	char dummy[8];
	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	*out = NULL;
	const uint8_t *map;
	size_t len;
	int rc = map_file(path, &map, &len, err, errlen);
	if (rc)
		return rc;
	elf_version(EV_CURRENT);
	Elf *elf = elf_memory((char *)map, len);
	GElf_Ehdr eh;
	size_t nph = 0;
	struct kr_region *regs = NULL;
	int n = 0;
	rc = KR_EIO;
	if (!elf || !gelf_getehdr(elf, &eh) || eh.e_type != ET_CORE ||
	    elf_getphdrnum(elf, &nph) != 0) {
		snprintf(err, errlen, "%s: not an ELF core file", path);
		goto out;
	}
	regs = calloc(nph ? nph : 1, sizeof(*regs));
	if (!regs) {
		rc = KR_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nph; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD || !ph.p_filesz)
			continue;
		/* p_paddr is guest-physical in QEMU's dumps, paging or not. */
		if (ph.p_offset > len || ph.p_filesz > len - ph.p_offset) {
			snprintf(err, errlen, "%s: PT_LOAD %zu runs past the end (truncated core?)",
				 path, i);
			goto out;
		}
		regs[n++] = (struct kr_region){ ph.p_paddr, ph.p_filesz, ph.p_offset };
	}
	if (!n) {
		snprintf(err, errlen, "%s: core has no memory (no PT_LOAD)", path);
		goto out;
	}
	n = merge_paged_runs(elf, &eh, nph, regs, n, len);
	struct kr_mem *m = mem_new(KR_MEM_CORE, "core file", regs, n);
	if (!m) {
		rc = KR_ENOMEM;
		goto out;
	}
	m->map = map;
	m->map_len = len;
	map = NULL;
	*out = m;
	rc = 0;
out:
	free(regs);
	if (elf)
		elf_end(elf);
	if (map)
		munmap((void *)map, len);
	return rc;
}

int kr_mem_open_callback(kr_read_phys_fn fn, void *ctx, const char *mode_name,
			 struct kr_mem **out)
{
	*out = NULL;
	if (!fn)
		return KR_EINVAL;
	struct kr_mem *m = mem_new(KR_MEM_CALLBACK, "callback", NULL, 0);
	if (!m)
		return KR_ENOMEM;
	m->fn = fn;
	m->ctx = ctx;
	if (mode_name && (m->mode_copy = strdup(mode_name)))
		m->mode = m->mode_copy;
	*out = m;
	return 0;
}

void kr_mem_close(struct kr_mem *m)
{
	if (!m)
		return;
	if (m->map)
		munmap((void *)m->map, m->map_len);
	free(m->regions);
	free(m->mode_copy);
	free(m);
}

const char *kr_mem_mode(const struct kr_mem *m)
{
	return m->mode;
}

const char *kr_mem_error(const struct kr_mem *m)
{
	return m->err;
}

static int out_of_ram(struct kr_mem *m, uint64_t gpa, uint64_t start, size_t len)
{
	snprintf(m->err, sizeof(m->err),
		 "guest-physical %#lx is outside RAM (reading %zu bytes at %#lx)",
		 (unsigned long)gpa, len, (unsigned long)start);
	return KR_EIO;
}

int kr_mem_read_phys(struct kr_mem *m, uint64_t gpa, void *buf, size_t len)
{
	m->calls++;
	if (m->kind == KR_MEM_CALLBACK) {
		int rc = m->fn(m->ctx, gpa, buf, len);
		if (rc) {
			snprintf(m->err, sizeof(m->err), "%s: reading %zu bytes at %#lx failed",
				 m->mode, len, (unsigned long)gpa);
			return rc < 0 ? rc : KR_EIO;
		}
		m->bytes += len;
		return 0;
	}
	const uint64_t start = gpa;
	uint8_t *dst = buf;
	size_t left = len;
	while (left) {
		const struct kr_region *r = region_at(m, gpa);
		if (!r)
			return out_of_ram(m, gpa, start, len);
		uint64_t in = r->size - (gpa - r->gpa);
		size_t n = left < in ? left : (size_t)in;
		uint64_t where = r->where + (gpa - r->gpa);
		if (m->kind == KR_MEM_PROCESS) {
			struct iovec l = { dst, n }, rv = { (void *)(uintptr_t)where, n };
			ssize_t got = process_vm_readv(m->pid, &l, 1, &rv, 1, 0);
			if (got != (ssize_t)n) {
				snprintf(m->err, sizeof(m->err),
					 "process_vm_readv(pid %d) at guest %#lx: %s", (int)m->pid,
					 (unsigned long)gpa, got < 0 ? strerror(errno) : "short read");
				return KR_EIO;
			}
		} else {
			/* Regions were checked against the file when opened. */
			memcpy(dst, m->map + where, n);
		}
		dst += n;
		gpa += n;
		left -= n;
	}
	m->bytes += len;
	return 0;
}

void kr_mem_stats(const struct kr_mem *m, uint64_t *bytes, uint64_t *calls)
{
	if (bytes)
		*bytes = m->bytes;
	if (calls)
		*calls = m->calls;
}
