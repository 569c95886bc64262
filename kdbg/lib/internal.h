/*
 * internal.h - kread's private structures: the kernel layout taken from
 * DWARF, the ELF handle, memory sources, the reader, and small helpers
 * (hash map, arena, string formatting) shared by the .c files.
 *
 * Nothing in here is an offset or size typed by hand: struct kr_layout
 * is filled by dwarf.c from the kernel's debug information.
 */
#ifndef KREAD_INTERNAL_H
#define KREAD_INTERNAL_H

#include "kread.h"

#include <stdarg.h>
#include <string.h>

#define KR_ERRLEN 256

/* ---- layouts ---------------------------------------------------------- */

/*
 * One struct member as DWARF describes it. Bit-fields (`type : 8`) have
 * bits != 0: read `size` bytes at off, shift right, mask. A member the
 * kernel does not have (optional ones such as task.run_ticks before the
 * kernel grows them) has ok == false and reads as 0.
 */
struct kr_fld {
	int64_t off;
	uint32_t size;
	uint8_t shift, bits;
	bool ok;
};

/* An array member: where it starts, element size, element count
 * (0 for a flexible array such as struct cpool.slots[]). */
struct kr_arr {
	int64_t off;
	uint64_t elem, count;
	bool ok;
};

struct kr_layout {
	struct {
		uint64_t size;
		struct kr_fld type, state, flags, cap_count, next, prev;
		struct kr_arr name;
	} obj;
	struct {
		uint64_t size;
		struct kr_fld head, tail, count;
	} olist;
	uint64_t olist_count;       /* length of object_lists[] */
	struct {
		uint64_t size;
		struct kr_fld type, rights, bits, flags, spare, obj, data;
		struct kr_fld parent, first_child, next_sibling, prev_sibling;
	} slot;
	struct {
		struct kr_fld radix;
		struct kr_arr slots;    /* flexible: count 0 */
	} cpool;
	struct {
		uint64_t size;
		struct kr_fld state, priority, queue_next, queue_prev, queue, blocked_on;
		struct kr_fld reply_from, reply_to, fault_kind, fault_ip, fault_addr;
		struct kr_fld ip, sp, run_ticks, ipc_sent;
		struct kr_arr slots;
		int64_t ctx_off;        /* struct arch_context ctx */
		uint64_t slot_vspace;   /* TASK_SLOT_VSPACE; UINT64_MAX if unknown */
	} task;
	/* The scalar members of struct arch_context by name, arrays
	 * expanded ("x0".."x30"), for kr_task_context (context.c). */
	struct {
		uint64_t size;
		int n;
		struct kr_ctx_reg {
			char name[16];
			int64_t off;    /* from the start of the context */
			uint32_t size;
		} reg[KR_CONTEXT_MAX];
	} ctx;
	struct {
		uint64_t size;
		struct kr_fld head, count, sent, s_head, r_head;
		int64_t senders_off, receivers_off;
		struct kr_arr ring;
	} chan;
	struct {
		struct kr_fld badge, info, caller;
		struct kr_arr words;
		int64_t cap_off;
	} msg;
	struct {
		uint64_t size;
		struct kr_fld word, w_head;
		int64_t waiters_off;
	} ntfn;
	struct {
		uint64_t size;
		struct kr_fld irq;
		int64_t slot_off;
	} irqh;
	struct {
		uint64_t size;          /* 0: the kernel has no struct io_port */
		struct kr_fld first, last;
	} ioport;
	uint64_t irq_control_size;
	struct {
		struct kr_fld head, size;
		int64_t buf_off;
	} log;
	struct {
		uint64_t size;
		struct kr_fld current, switches;
	} sched;
	int64_t console_waiters_off; /* -1: no console_input */
	struct {
		bool present;           /* struct kernel_debug exists */
		uint64_t size;
		struct kr_fld seq, ticks, idle_ticks, direct_map_base, kernel_vbase;
		struct kr_fld ready, panicked;
		struct kr_arr panic_msg;
	} dbg;
	uint64_t object_live;       /* enum object_state OBJECT_LIVE */
};

/* Read a member from a local copy of a structure (0 if absent). */
static inline uint64_t kr_get(const uint8_t *buf, const struct kr_fld *f)
{
	if (!f->ok)
		return 0;
	uint64_t v = 0;
	/* Little-endian on both arches: assemble the bytes, low first. */
	for (uint32_t i = 0; i < f->size && i < 8; i++)
		v |= (uint64_t)buf[f->off + i] << (8 * i);
	if (f->bits) {
		v >>= f->shift;
		if (f->bits < 64)
			v &= (1ull << f->bits) - 1;
	}
	return v;
}

static inline uint64_t kr_u64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

/* ---- the ELF ------------------------------------------------------------ */
struct kr_sym {
	uint64_t addr, size;
	const char *name;
};

struct kr_elf {
	char *path;
	const char *arch;
	int machine;
	struct kr_sym *syms;        /* sorted by address */
	size_t nsyms;
	char *strtab;               /* names point in here */
	/* Symbols the reader uses (0 when absent). */
	uint64_t sym_object_lists, sym_sched, sym_kernel_log, sym_console_input;
	uint64_t sym_kernel_debug;
	uint64_t direct_map_base, kernel_vbase;
	bool bases_from_elf;        /* both bases read from kernel_debug's initial data */
	struct kr_layout L;
};

/* dwarf.c: fill e->L from the ELF's DWARF. 0 or KR_EELF (err says why). */
int kr_dwarf_layout(const char *path, int fd, struct kr_layout *L, char *err, size_t errlen);

/* ---- memory ------------------------------------------------------------- */
enum kr_mem_kind { KR_MEM_FILE, KR_MEM_PROCESS, KR_MEM_CORE, KR_MEM_CALLBACK };

struct kr_mem {
	enum kr_mem_kind kind;
	const char *mode;
	struct kr_region *regions;  /* sorted by gpa */
	int nregions;
	const uint8_t *map;         /* file and core: the mmap'd file */
	size_t map_len;
	pid_t pid;
	kr_read_phys_fn fn;
	void *ctx;
	char *mode_copy;
	uint64_t bytes, calls;
	char err[KR_ERRLEN];
};

/* True when [gpa, gpa+len) lies in described RAM (always for callbacks). */
bool kr_mem_contains(const struct kr_mem *m, uint64_t gpa, uint64_t len);

/* ---- the reader ----------------------------------------------------------- */
struct kr_chunk;

struct kr_reader {
	struct kr_elf *elf;
	struct kr_mem *mem;
	char err[KR_ERRLEN];
	char note[KR_ERRLEN];
	struct kr_chunk *chunks;    /* scratch copies of kernel memory, reused */
};

void kr_seterr(struct kr_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Scratch memory for one snapshot; freed (recycled) by kr_scratch_reset. */
void *kr_scratch(struct kr_reader *r, size_t len);
void kr_scratch_reset(struct kr_reader *r);
void kr_scratch_free(struct kr_reader *r);

/* ---- helpers -------------------------------------------------------------- */
void kr_fmt(char *dst, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Open-addressing map from a nonzero 64-bit key to an int. */
struct kr_map {
	uint64_t *keys;
	int *vals;
	size_t cap;     /* power of two */
	size_t n;
};
int kr_map_init(struct kr_map *m, size_t expect);
void kr_map_free(struct kr_map *m);
/* 0 inserted, 1 already there (value unchanged), KR_ENOMEM. */
int kr_map_put(struct kr_map *m, uint64_t key, int val);
/* The value, or -1. */
int kr_map_get(const struct kr_map *m, uint64_t key);

/* Growable arrays of fixed-size elements. */
struct kr_vec {
	void *data;
	size_t n, cap, elem;
};
void *kr_vec_push(struct kr_vec *v);     /* zeroed element, NULL on ENOMEM */
void kr_vec_free(struct kr_vec *v);

#endif
