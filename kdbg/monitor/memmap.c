/*
 * memmap.c - find guest RAM: the guest-physical layout from HMP
 * `info mtree -f`, the RAM backends from QOM, and from those either the
 * shared RAM file (mmap'd by kr_mem_open_file) or QEMU's host addresses
 * (gpa2hva, read by kr_mem_open_process).
 *
 * What QEMU 7.2 prints (x86_64 pc with -machine memory-backend=ram):
 *   FlatView #1
 *    AS "memory", root: system
 *    Root memory region: system
 *     0000000000000000-000000000009ffff (prio 0, ram): ram
 *     00000000000c0000-00000000000cafff (prio 0, rom): ram @00000000000c0000
 *     0000000000100000-000000000fffffff (prio 0, ram): ram @0000000000100000
 *     00000000fd000000-00000000fdffffff (prio 1, ram): vga.vram
 * and on AArch64 virt:
 *     0000000040000000-000000004fffffff (prio 0, ram): ram
 * The region name is the backend's id ("pc.ram" / "mach-virt.ram" without
 * one); "@X" is the offset into that RAM block, which for a file backend
 * is the file offset. Other flat views (SMM, I/O, bus masters) are not the
 * CPU's normal view and are skipped.
 */
#define _GNU_SOURCE
#include "memmap.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- parsing ---------------------------------------------------------- */

/* One range line into *m; false if the line is something else. */
static bool parse_range(const char *line, struct mt_range *m)
{
	uint64_t a, b;
	int prio, n = 0;
	char kind[16];
	const char *name, *at;
	size_t nl;

	if (sscanf(line, " %" SCNx64 "-%" SCNx64 " (prio %d, %15[^)]): %n",
		   &a, &b, &prio, kind, &n) != 4 || !n || b < a)
		return false;
	memset(m, 0, sizeof *m);
	m->start = a;
	m->size = b - a + 1;
	snprintf(m->kind, sizeof m->kind, "%s", kind);
	name = line + n;
	nl = strcspn(name, "\r\n");
	/* " @OFFSET" ends the line when the range starts inside the region. */
	at = NULL;
	for (const char *p = name; p + 1 < name + nl; p++)
		if (p[0] == ' ' && p[1] == '@')
			at = p;
	if (at) {
		char *end;
		unsigned long long off = strtoull(at + 2, &end, 16);
		if (end > at + 2 && end == name + nl) {
			m->offset = off;
			nl = at - name;
		}
	}
	if (nl >= sizeof m->name)
		nl = sizeof m->name - 1;
	memcpy(m->name, name, nl);
	m->name[nl] = 0;
	return true;
}

int memmap_parse(const char *text, struct mt_range **out)
{
	/* Ranges of every view, tagged by view; then keep one view. */
	struct mt_range *all = NULL;
	int *view_of = NULL, n = 0, cap = 0, view = -1, memory_view = -1;
	const char *line = text;

	*out = NULL;
	while (line && *line) {
		const char *next = strchr(line, '\n');
		size_t len = next ? (size_t)(next - line) : strlen(line);
		char copy[512];         /* a range line is ~100 characters */
		struct mt_range m;
		/* One line at a time, not the rest of the text: strstr() and
		 * sscanf() scan all of that (sscanf takes its length), which made
		 * a 4 MB text (QMP_MAX_LINE) take a second. */
		if (len < sizeof copy) {
			memcpy(copy, line, len);
			copy[len] = 0;
		} else {
			copy[0] = 0;
		}
		if (!strncmp(copy, "FlatView #", 10)) {
			view++;
		} else if (!strncmp(copy, " AS \"memory\"", 12) && memory_view < 0) {
			memory_view = view;
		} else if (view >= 0 && parse_range(copy, &m)) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				struct mt_range *na = realloc(all, cap * sizeof *all);
				int *nv = realloc(view_of, cap * sizeof *view_of);
				if (!na || !nv) {
					free(na ? na : all);
					free(nv ? nv : view_of);
					return 0;
				}
				all = na;
				view_of = nv;
			}
			all[n] = m;
			view_of[n++] = view;
		}
		line = next ? next + 1 : NULL;
	}
	int want = memory_view >= 0 ? memory_view : 0, k = 0;
	for (int i = 0; i < n; i++)
		if (view_of[i] == want)
			all[k++] = all[i];
	free(view_of);
	if (!k) {
		free(all);
		return 0;
	}
	*out = all;
	return k;
}

int memmap_ram(const struct mt_range *r, int n, const char *name,
	       struct kr_region *out, int max)
{
	int k = 0;
	for (int i = 0; i < n; i++) {
		if (strcmp(r[i].kind, "ram") || strcmp(r[i].name, name))
			continue;
		/* Adjacent in both guest and block: one region. */
		if (k && out[k - 1].gpa + out[k - 1].size == r[i].start &&
		    out[k - 1].where + out[k - 1].size == r[i].offset) {
			out[k - 1].size += r[i].size;
			continue;
		}
		if (k == max)
			break;
		out[k].gpa = r[i].start;
		out[k].size = r[i].size;
		out[k].where = r[i].offset;
		k++;
	}
	return k;
}

const char *memmap_largest_ram(const struct mt_range *r, int n)
{
	const char *best = NULL;
	uint64_t best_size = 0;
	for (int i = 0; i < n; i++) {
		uint64_t total = 0;
		if (strcmp(r[i].kind, "ram"))
			continue;
		for (int j = 0; j < n; j++)
			if (!strcmp(r[j].kind, "ram") && !strcmp(r[j].name, r[i].name))
				total += r[j].size;
		if (total > best_size) {
			best_size = total;
			best = r[i].name;
		}
	}
	return best;
}

/* ---- QOM: the RAM backends ------------------------------------------------ */

struct backend {
	char id[64];
	char type[48];          /* "memory-backend-file" ... */
};

/* The memory-backend-* objects under /objects; count or -1 (err). */
static int list_backends(struct qmp *q, int timeout_ms, struct backend *out, int max,
			 char *err, size_t errlen)
{
	json_t *l = qmp_command(q, "qom-list", json_pack("{s:s}", "path", "/objects"),
				timeout_ms, err, errlen);
	size_t i;
	json_t *e;
	int k = 0;

	if (!l)
		return -1;
	if (!json_is_array(l)) {
		seterr(err, errlen, "QMP qom-list: unexpected reply (not a list)");
		json_decref(l);
		return -1;
	}
	json_array_foreach(l, i, e) {
		const char *name = json_string_value(json_object_get(e, "name"));
		const char *type = json_string_value(json_object_get(e, "type"));
		/* "child<memory-backend-file>" */
		if (!name || !type || strncmp(type, "child<memory-backend-", 21) || k == max)
			continue;
		snprintf(out[k].id, sizeof out[k].id, "%s", name);
		snprintf(out[k].type, sizeof out[k].type, "%.*s", (int)strlen(type) - 7, type + 6);
		k++;
	}
	json_decref(l);
	return k;
}

static json_t *qom_get(struct qmp *q, const char *id, const char *prop, int timeout_ms,
		       char *err, size_t errlen)
{
	char path[128];
	snprintf(path, sizeof path, "/objects/%.63s", id);
	return qmp_command(q, "qom-get", json_pack("{s:s, s:s}", "path", path, "property", prop),
			   timeout_ms, err, errlen);
}

/* `info mtree -f`, parsed. Count (>0) or -1 with err. */
static int get_mtree(struct qmp *q, int timeout_ms, struct mt_range **out, char *err, size_t errlen)
{
	char *text = qmp_hmp(q, "info mtree -f", timeout_ms, err, errlen);
	int n;
	if (!text)
		return -1;
	n = memmap_parse(text, out);
	free(text);
	if (n <= 0) {
		seterr(err, errlen, "no memory map in HMP `info mtree -f` output");
		return -1;
	}
	return n;
}

/* ---- shared RAM file ----------------------------------------------------- */

#define NO_SHARED_HINT "start QEMU with -object memory-backend-file,id=ram,size=SIZE," \
	"mem-path=/dev/shm/FILE,share=on -machine memory-backend=ram (kdbg run does)"

int memmap_open_shared(struct qmp *q, pid_t pid, int timeout_ms, struct kr_mem **out,
		       struct memmap_info *info, char *err, size_t errlen)
{
	struct backend b[16];
	struct mt_range *mt = NULL;
	char why[512] = "";
	int nb, nmt = -1, rc = -1;

	*out = NULL;
	nb = list_backends(q, timeout_ms, b, 16, err, errlen);
	if (nb < 0)
		return -1;
	for (int i = 0; i < nb && rc < 0; i++) {
		char path[512];
		struct stat st;
		json_t *v;

		if (strcmp(b[i].type, "memory-backend-file"))
			continue;
		v = qom_get(q, b[i].id, "share", timeout_ms, err, errlen);
		if (!v)
			goto out;
		bool share = json_is_true(v);
		json_decref(v);
		if (!share) {
			snprintf(why, sizeof why, "RAM backend '%.63s' is not shared (share=off)", b[i].id);
			continue;
		}
		v = qom_get(q, b[i].id, "mem-path", timeout_ms, err, errlen);
		if (!v)
			goto out;
		if (!json_is_string(v)) {
			json_decref(v);
			snprintf(why, sizeof why, "RAM backend '%.63s': mem-path is not a string", b[i].id);
			continue;
		}
		/* A relative path is relative to QEMU's working directory. */
		const char *mp = json_string_value(v);
		if (mp[0] != '/' && pid > 0)
			snprintf(path, sizeof path, "/proc/%d/cwd/%s", (int)pid, mp);
		else
			snprintf(path, sizeof path, "%s", mp);
		json_decref(v);
		if (stat(path, &st) < 0 || access(path, R_OK) < 0) {
			snprintf(why, sizeof why, "RAM file %.300s of backend '%.63s' is not readable here: %.80s",
				 path, b[i].id, strerror(errno));
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			/* QEMU made an unlinked file inside: not reachable by name. */
			snprintf(why, sizeof why, "RAM backend '%.63s' has mem-path=%.300s, a directory: give a file",
				 b[i].id, path);
			continue;
		}
		if (nmt < 0 && (nmt = get_mtree(q, timeout_ms, &mt, err, errlen)) < 0)
			goto out;
		int nr = memmap_ram(mt, nmt, b[i].id, info->regions, MEMMAP_MAX_REGIONS);
		if (!nr) {
			snprintf(why, sizeof why, "RAM backend '%.63s' is not mapped into guest memory "
				 "(-machine memory-backend=%.63s missing?)", b[i].id, b[i].id);
			continue;
		}
		for (int r = 0; r < nr; r++)
			if (info->regions[r].where + info->regions[r].size > (uint64_t)st.st_size) {
				snprintf(why, sizeof why, "RAM file %.300s is smaller than the guest RAM it "
					 "backs (stale file?)", path);
				nr = 0;
			}
		if (!nr)
			continue;
		if (kr_mem_open_file(path, info->regions, nr, out, why, sizeof why) < 0)
			continue;
		info->nregions = nr;
		snprintf(info->backend, sizeof info->backend, "%.63s", b[i].id);
		snprintf(info->path, sizeof info->path, "%s", path);
		rc = 0;
	}
	if (rc < 0)
		seterr(err, errlen, "no shared RAM: %s", why[0] ? why : NO_SHARED_HINT);
out:
	free(mt);
	return rc;
}

/* ---- QEMU's address space -------------------------------------------------- */

/* HMP "Host virtual address for 0x100000 (ram) is 0x7f36f00ff000". */
static int gpa2hva(struct qmp *q, uint64_t gpa, int timeout_ms, uint64_t *hva,
		   char *err, size_t errlen)
{
	char cmd[64], *text, *is;
	snprintf(cmd, sizeof cmd, "gpa2hva 0x%" PRIx64, gpa);
	text = qmp_hmp(q, cmd, timeout_ms, err, errlen);
	if (!text)
		return -1;
	is = strstr(text, " is 0x");
	if (!is || sscanf(is + 4, "%" SCNx64, hva) != 1) {
		seterr(err, errlen, "HMP %s: %.*s", cmd, (int)strcspn(text, "\r\n"), text);
		free(text);
		return -1;
	}
	free(text);
	return 0;
}

int memmap_open_process(struct qmp *q, pid_t pid, int timeout_ms, struct kr_mem **out,
			struct memmap_info *info, char *err, size_t errlen)
{
	struct backend b[16];
	struct mt_range *mt = NULL;
	const char *name = NULL;
	int nb, nmt, nr = 0, rc = -1;

	*out = NULL;
	if (pid <= 0) {
		seterr(err, errlen, "process_vm_readv needs QEMU's pid: connect through a unix QMP socket");
		return -1;
	}
	nb = list_backends(q, timeout_ms, b, 16, err, errlen);
	if (nb < 0)
		return -1;
	nmt = get_mtree(q, timeout_ms, &mt, err, errlen);
	if (nmt < 0)
		return -1;
	/* The main RAM: the backend QOM lists (the implicit "pc.ram" too),
	 * else the biggest RAM region. */
	for (int i = 0; i < nb && !nr; i++) {
		nr = memmap_ram(mt, nmt, b[i].id, info->regions, MEMMAP_MAX_REGIONS);
		name = b[i].id;
	}
	if (!nr && (name = memmap_largest_ram(mt, nmt)))
		nr = memmap_ram(mt, nmt, name, info->regions, MEMMAP_MAX_REGIONS);
	if (!nr) {
		seterr(err, errlen, "no RAM in `info mtree -f`");
		goto out;
	}
	snprintf(info->backend, sizeof info->backend, "%.63s", name);
	for (int r = 0; r < nr; r++)
		if (gpa2hva(q, info->regions[r].gpa, timeout_ms, &info->regions[r].where,
			    err, errlen) < 0)
			goto out;
	info->nregions = nr;
	if (kr_mem_open_process(pid, info->regions, nr, out, err, errlen) < 0)
		goto out;
	/* Permission shows only on the first read (ptrace access mode). */
	uint64_t probe;
	if (kr_mem_read_phys(*out, info->regions[0].gpa, &probe, sizeof probe) < 0) {
		seterr(err, errlen, "process_vm_readv into QEMU (pid %d) failed: run as root or "
		       "as QEMU's user with ptrace allowed (/proc/sys/kernel/yama/ptrace_scope)",
		       (int)pid);
		kr_mem_close(*out);
		*out = NULL;
		goto out;
	}
	rc = 0;
out:
	free(mt);
	return rc;
}
