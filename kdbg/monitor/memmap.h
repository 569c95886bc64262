/*
 * memmap.h - where a running guest's RAM is, and the three ways of
 * reading it (target.c picks one): the RAM file QEMU shares, QEMU's own
 * address space, or QMP commands. Internal to kdbg/monitor.
 */
#ifndef KDBG_TOP_MEMMAP_H
#define KDBG_TOP_MEMMAP_H

#include "kread.h"
#include "qmp.h"
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* One line of `info mtree -f`, e.g.
 *   0000000000100000-000000000fffffff (prio 0, ram): pc.ram @0000000000100000 */
struct mt_range {
	uint64_t start, size;
	char kind[16];          /* "ram", "rom", "romd", "i/o" */
	char name[64];          /* the memory region: a backend's id, "pc.ram", "vga.vram" */
	uint64_t offset;        /* the "@offset" into the region, 0 if none */
};

/*
 * Parse `info mtree -f` output: the ranges of the flat view of the system
 * address space (the view listing AS "memory"; the first view if no view
 * names it). Returns how many (*out malloc'd, may be NULL when 0).
 */
int memmap_parse(const char *text, struct mt_range **out);

/*
 * The "ram" ranges of the region called name, adjacent ones merged, as
 * kr_regions with where = the offset into that RAM block. Returns how many
 * (at most max).
 */
int memmap_ram(const struct mt_range *r, int n, const char *name,
	       struct kr_region *out, int max);

/* The name of the region with the most RAM (the machine's main RAM when
 * QEMU does not list its backend), NULL if there is no RAM at all. */
const char *memmap_largest_ram(const struct mt_range *r, int n);

#define MEMMAP_MAX_REGIONS 32

/* What a discovery found, for the screen and the report. */
struct memmap_info {
	char backend[64];       /* the RAM block's name ("ram", "pc.ram") */
	char path[512];         /* shared: the RAM file */
	struct kr_region regions[MEMMAP_MAX_REGIONS];
	int nregions;
};

/*
 * Open guest memory one way. Each returns 0 and *out, or -1 and err that
 * says what is missing and how to get it. All QMP use is bounded by
 * timeout_ms per command.
 */
int memmap_open_shared(struct qmp *q, pid_t pid, int timeout_ms, struct kr_mem **out,
		       struct memmap_info *info, char *err, size_t errlen);
int memmap_open_process(struct qmp *q, pid_t pid, int timeout_ms, struct kr_mem **out,
			struct memmap_info *info, char *err, size_t errlen);

/*
 * Reads through QMP: pmemsave into a temp file (one command per chunk;
 * about 2-4 ms for up to 64 KiB), falling back to HMP `xp` when QEMU
 * cannot write our file (another host, another user). Chunks are cached
 * until qmpread_invalidate() (target.c calls it at every snapshot) or for
 * a quarter second, except reads overlapping the "nocache" range (the
 * kernel's sequence counter, which must be read fresh both times).
 */
struct qmpread;
struct qmpread *qmpread_new(struct qmp *q, int timeout_ms);
void qmpread_free(struct qmpread *r);
int qmpread_open(struct qmpread *r, struct kr_mem **out);
void qmpread_invalidate(struct qmpread *r);
void qmpread_nocache(struct qmpread *r, uint64_t gpa, uint64_t len);
/* Raw read (no cache): 0 or KR_EIO; exported for tests and measurements. */
int qmpread_raw(struct qmpread *r, uint64_t gpa, void *buf, size_t len, bool force_xp);
const char *qmpread_method(const struct qmpread *r);   /* "pmemsave" or "xp" */

#endif
