/*
 * kread.h - Cairn's kernel-state reader for host tools (kdbg-top, the
 * gdbserver): one C library that
 *   - opens cairn.elf and takes symbols, struct layouts and array bounds
 *     from its DWARF with elfutils' libdw (never a hand-copied offset),
 *   - reads guest memory from any source (a RAM file shared with QEMU,
 *     QEMU's own address space, a core file, or a callback such as QMP),
 *   - decodes the kernel's objects into a snapshot (tasks, CPools, caps,
 *     channels, notifications, untyped, the log), checking every pointer,
 *     length and list it follows, and
 *   - writes a snapshot as JSON (jansson) in the one vocabulary shared
 *     with kdbg --json and the gdbserver's `info os` tables (docs/schema.md).
 *
 * Reading a running guest: the kernel keeps kernel_debug.seq odd while it
 * is inside (changing state) and even while user code or idle runs.
 * kr_snapshot_read() reads seq, copies what it decodes, reads seq again:
 * a change or an odd value is KR_TORN (retry, or pause the VM), never
 * reported as corruption.
 *
 * Errors: functions return 0 or a negative KR_E* code and leave a message
 * in the handle's error buffer (kr_error()). Nothing here prints or exits.
 */
#ifndef KREAD_H
#define KREAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- results ------------------------------------------------------------ */
enum kr_status {
	KR_OK = 0,
	KR_EIO = -1,      /* memory could not be read (source gone, bad address) */
	KR_TORN = -2,     /* the kernel changed state during the read: retry */
	KR_ECORRUPT = -3, /* memory read fine but makes no sense (see problems) */
	KR_EELF = -4,     /* the ELF is missing, not Cairn's, or lacks DWARF */
	KR_ENOTREADY = -5,/* the kernel has not finished booting */
	KR_EINVAL = -6,   /* a bad argument from the caller */
	KR_ENOMEM = -7,
};

/* ---- the kernel ELF: symbols and layouts from DWARF ------------------------ */
struct kr_elf;

/* Open cairn.elf; on failure *out is NULL and err (if given) says why. */
int kr_elf_open(const char *path, struct kr_elf **out, char *err, size_t errlen);
void kr_elf_close(struct kr_elf *e);
const char *kr_elf_arch(const struct kr_elf *e);   /* "x86_64" or "aarch64" */
const char *kr_elf_path(const struct kr_elf *e);
/* Address of a global symbol, 0 if absent. */
uint64_t kr_elf_symbol(const struct kr_elf *e, const char *name);
/* The symbol containing addr and the offset in it (for ip columns), or NULL. */
const char *kr_elf_symbolize(const struct kr_elf *e, uint64_t addr, uint64_t *offset);
/* Base of the direct map (all RAM at phys + base) and of the kernel image. */
uint64_t kr_elf_direct_map_base(const struct kr_elf *e);
uint64_t kr_elf_kernel_vbase(const struct kr_elf *e);

/* ---- guest memory -------------------------------------------------------- */
/*
 * A source of guest-physical memory. Regions describe guest RAM: each
 * maps [gpa, gpa + size) to `where` (a file offset for a shared RAM file,
 * a host virtual address in QEMU for process_vm_readv). The monitor finds
 * them from QMP/HMP (`info mtree -f`, `gpa2hva`); a core file describes
 * itself.
 */
struct kr_region {
	uint64_t gpa, size, where;
};

struct kr_mem;

/* RAM shared with QEMU (-object memory-backend-file,share=on): mmap'd. */
int kr_mem_open_file(const char *path, const struct kr_region *regions, int nregions,
		     struct kr_mem **out, char *err, size_t errlen);
/* QEMU's address space, read with process_vm_readv (one call a read). */
int kr_mem_open_process(pid_t pid, const struct kr_region *regions, int nregions,
			struct kr_mem **out, char *err, size_t errlen);
/* An ELF core (QEMU dump-guest-memory, paging or not): physical addresses
 * from its PT_LOAD p_paddr. */
int kr_mem_open_core(const char *path, struct kr_mem **out, char *err, size_t errlen);
/* Any other reader (QMP `xp`/pmemsave, a gdbstub): read_phys returns 0 or
 * a negative KR_E* code. */
typedef int (*kr_read_phys_fn)(void *ctx, uint64_t gpa, void *buf, size_t len);
int kr_mem_open_callback(kr_read_phys_fn fn, void *ctx, const char *mode_name,
			 struct kr_mem **out);
void kr_mem_close(struct kr_mem *m);
/* Short name of the mode for the screen: "shared memory", "process_vm_readv",
 * "core file", or the callback's mode_name. */
const char *kr_mem_mode(const struct kr_mem *m);
/* Read guest-physical memory; 0 or KR_EIO. */
int kr_mem_read_phys(struct kr_mem *m, uint64_t gpa, void *buf, size_t len);
/* Why the last read failed ("guest-physical 0x... is outside RAM ..."). */
const char *kr_mem_error(const struct kr_mem *m);
/* Bytes read and read calls made so far (for the status line). */
void kr_mem_stats(const struct kr_mem *m, uint64_t *bytes, uint64_t *calls);

/* ---- the reader: ELF + memory ---------------------------------------------- */
struct kr_reader;

int kr_reader_new(struct kr_elf *elf, struct kr_mem *mem, struct kr_reader **out);
void kr_reader_free(struct kr_reader *r);
/* Swap the memory source (after a reconnect); the reader does not own it. */
void kr_reader_set_mem(struct kr_reader *r, struct kr_mem *mem);
const char *kr_error(const struct kr_reader *r);
/* A standing remark about this kernel ("" if none), e.g. that it has no
 * kernel_debug, so seq checks are off and ticks read as 0. */
const char *kr_reader_note(const struct kr_reader *r);
/* Kernel virtual address -> guest-physical (direct map or image); false if neither. */
bool kr_virt_to_phys(const struct kr_reader *r, uint64_t va, uint64_t *pa);
/* Read kernel virtual memory; 0, KR_EIO. */
int kr_read_virt(struct kr_reader *r, uint64_t va, void *buf, size_t len);
/* The current value of kernel_debug.seq (odd: the kernel is inside). */
int kr_read_seq(struct kr_reader *r, uint64_t *seq);

/* ---- a snapshot of kernel state -------------------------------------------- */
#define KR_NAME_LEN 16       /* CAIRN_NAME_LEN */
#define KR_LABEL_LEN 48      /* "rinit:root", "cpool@0xffff...", "'shared'" */
#define KR_WAITS_LEN 96      /* "recv on channel 'shared'" */

enum kr_wait_kind {
	KR_WAIT_NONE = 0,
	KR_WAIT_SEND,         /* blocked sending on a full channel */
	KR_WAIT_RECV,         /* blocked receiving on a channel */
	KR_WAIT_REPLY,        /* blocked for a reply from a server task */
	KR_WAIT_NOTIFICATION, /* blocked waiting on a notification */
	KR_WAIT_CONSOLE,      /* waiting for console input */
	KR_WAIT_FAULT,        /* faulted */
};

struct kr_task {
	uint64_t addr;
	char name[KR_NAME_LEN];
	int state;                /* enum cairn_task_state */
	const char *state_name;   /* "BlockedRecv" (static) */
	unsigned priority;
	enum kr_wait_kind wait_kind;
	uint64_t waits_on;        /* object (channel, notification) or task (reply), 0 */
	char waits_on_name[KR_LABEL_LEN]; /* its label, "" if none */
	char waits[KR_WAITS_LEN]; /* in words: "recv on channel 'shared'", "" */
	uint64_t ip, sp;
	bool current;             /* sched.current */
	uint64_t cpool;           /* root CPool object, 0 if none */
	uint64_t cpu_ticks;       /* timer ticks it was running (kernel accounting) */
	uint64_t ipc_sent;        /* messages it has sent (send, call, reply) */
	uint32_t fault_kind;      /* Faulted: enum cairn_fault_kind */
	uint64_t fault_ip, fault_addr;
};

struct kr_pool {
	uint64_t addr;
	char label[KR_LABEL_LEN]; /* debug name, else "TASK:root", else "cpool@ADDR" */
	unsigned radix_bits;
	unsigned used;            /* slots holding a cap */
	int first_cap, ncaps;     /* its used slots: snap->caps[first_cap ...] */
};

struct kr_cap {
	uint64_t slot_addr;
	uint64_t holder;          /* object holding the slot (pool, task, channel, irq handler) */
	char holder_label[KR_LABEL_LEN]; /* "rinit:root", "task 'rinit'", ... */
	unsigned slot;            /* index within the holder */
	int type;                 /* enum cairn_obj_type */
	const char *type_name;    /* "channel" (static, from the ABI header) */
	unsigned rights;          /* enum cairn_rights bits */
	uint64_t badge;           /* Channel/Notification badge (0: none) */
	bool badged;
	uint64_t object;          /* kernel object address, or physical address */
	uint64_t data;            /* raw cap data (watermark, guard, mapping) */
	unsigned bits;            /* raw cap bits (untyped size, guard size) */
	unsigned flags;           /* raw cap flags: 1 badged, 2 device memory */
	uint64_t parent;          /* CDT parent's slot address, 0 if original */
	char summary[KR_WAITS_LEN]; /* one line about the object */
};

struct kr_msg {
	uint64_t badge;
	unsigned length;          /* payload words */
	uint64_t words[12];       /* CAIRN_MSG_MAX_WORDS */
	int cap_type;             /* cap in flight: enum cairn_obj_type, 0 none */
	uint64_t caller;          /* sent by call: the task awaiting a reply, 0 */
};

struct kr_channel {
	uint64_t addr;
	char label[KR_LABEL_LEN]; /* "'shared'" or "0xADDR" */
	unsigned depth;           /* capacity of the ring */
	unsigned count;           /* messages queued */
	struct kr_msg *msgs;      /* count of them, oldest first */
	uint64_t sent;            /* messages ever sent through it (rates) */
	int nsenders, nreceivers;
	uint64_t *senders, *receivers; /* task addresses, queue order */
};

struct kr_notification {
	uint64_t addr;
	char label[KR_LABEL_LEN];
	uint64_t word;
	int nwaiters;
	uint64_t *waiters;
};

struct kr_untyped {
	uint64_t slot_addr;
	char holder_label[KR_LABEL_LEN];
	unsigned slot;
	uint64_t base;            /* physical */
	unsigned size_bits;
	uint64_t watermark;       /* bytes used from base */
	bool device;
};

struct kr_snapshot {
	const char *arch;
	uint64_t seq;             /* kernel_debug.seq the snapshot was taken at */
	uint64_t ticks, idle_ticks, switches;
	uint64_t current;         /* running task, 0 while idle */
	bool panicked;
	char panic_msg[128];
	struct kr_task *tasks; int ntasks;
	struct kr_pool *pools; int npools;
	struct kr_cap *caps; int ncaps;         /* every used slot of every holder */
	struct kr_channel *channels; int nchannels;
	struct kr_notification *notifications; int nnotifications;
	struct kr_untyped *untyped; int nuntyped;
	char *log; size_t log_len;               /* the log's tail (up to log_max bytes) */
	char **problems; int nproblems;          /* "<corrupt: ...>" findings */
	/* Cost of taking it. */
	uint64_t bytes_read, read_calls;
};

struct kr_snapshot_opts {
	size_t log_max;           /* bytes of log tail to copy (0: none) */
	bool caps;                /* decode every slot of every pool (else pools only) */
	bool check_seq;           /* KR_TORN on a seq change (off for cores/stopped VMs) */
};

/*
 * Take a snapshot. Returns KR_OK (problems may still be listed for memory
 * that is really inconsistent), KR_TORN (nothing kept: retry), KR_ENOTREADY,
 * KR_EIO or KR_EELF. *out is allocated on KR_OK only. opts NULL means
 * { .caps = true, .check_seq = true, .log_max = 0 }. Without kernel_debug
 * in the kernel (see kr_reader_note) there is no seq to check.
 */
int kr_snapshot_read(struct kr_reader *r, const struct kr_snapshot_opts *opts,
		     struct kr_snapshot **out);
void kr_snapshot_free(struct kr_snapshot *s);

/* Lookups in a snapshot (NULL if absent). */
const struct kr_task *kr_snap_task(const struct kr_snapshot *s, uint64_t addr);
const struct kr_task *kr_snap_task_named(const struct kr_snapshot *s, const char *name);
const struct kr_channel *kr_snap_channel(const struct kr_snapshot *s, uint64_t addr);
const struct kr_cap *kr_snap_cap_at(const struct kr_snapshot *s, uint64_t slot_addr);
/* Rights as kdbg prints them: "rwgG" with '-' for a missing right. */
void kr_rights_string(unsigned rights, char out[8]);

/* ---- a task's registers and user memory (context.c) ------------------------ */
/*
 * A task's saved user registers: struct arch_context (the task's `ctx`;
 * arch/{x86_64,aarch64}/include/arch_context.h) member by member, names
 * and offsets from DWARF, arrays expanded ("x0".."x30"). x86_64 has r15..
 * rax, vector, error, rip, cs, rflags, rsp, ss, fs_base; AArch64 x0..x30,
 * sp, pc, pstate, tpidr, esr, vector, far. They are what the task resumes
 * with; while a task runs in user mode (the current task, the CPU stopped
 * outside the kernel) its live registers are the CPU's, not these.
 */
#define KR_CONTEXT_MAX 64
struct kr_context {
	const char *arch;         /* "x86_64" or "aarch64" (static) */
	uint64_t task;            /* the task object it was read from */
	int n;
	struct kr_reg {
		char name[16];        /* the struct arch_context member */
		uint64_t value;
	} reg[KR_CONTEXT_MAX];
};

/* Read the context of the task object at task_addr (checked to be a task):
 * 0, KR_EIO (unreadable), KR_ECORRUPT (not a task), KR_EELF (the kernel's
 * DWARF has no struct arch_context); kr_error() says why. */
int kr_task_context(struct kr_reader *r, uint64_t task_addr, struct kr_context *out);
/* A register by member name ("rip", "x30", "pstate"); false if absent. */
bool kr_context_get(const struct kr_context *c, const char *name, uint64_t *value);

/*
 * User memory through a task's VSpace (the VSpace cap in its vspace slot):
 * its 4-level page tables (4 KiB pages; x86_64 2 MiB/1 GiB leaves, AArch64
 * 2 MiB/1 GiB blocks) are walked one entry per level, each table read from
 * guest-physical memory, so a table outside RAM is KR_EIO, not a crash.
 * Only user addresses: below KR_USER_TOP (ARCH_USER_TOP on both arches).
 * Unmapped: KR_EIO with the address and level in kr_error(). A task
 * without a VSpace: KR_EINVAL.
 */
#define KR_USER_TOP 0x00007ffffffff000ull
int kr_task_user_translate(struct kr_reader *r, uint64_t task_addr, uint64_t va, uint64_t *pa);
int kr_task_user_read(struct kr_reader *r, uint64_t task_addr, uint64_t va, void *buf,
		      size_t len);

/* ---- JSON (docs/schema.md) ------------------------------------------------- */
/* The snapshot as a JSON object (a jansson json_t *, returned as void * so
 * that users without jansson need not include it); the caller json_decref()s. */
void *kr_snapshot_to_json(const struct kr_snapshot *s);
/* ... or as text, one line (malloc'd). */
char *kr_snapshot_json_text(const struct kr_snapshot *s, bool pretty);
/* Snapshots as JSON lines for a sampler (kdbg-top --json --count): the
 * same document, with "caps" last and `extra` (a json_t object, or NULL)
 * merged in, ending in a newline. The line belongs to the stream and
 * lasts until its next call; NULL when out of memory. */
struct kr_json_stream;
struct kr_json_stream *kr_json_stream_new(void);
const char *kr_json_stream_line(struct kr_json_stream *js, const struct kr_snapshot *s,
				void *extra, size_t *len);
void kr_json_stream_free(struct kr_json_stream *js);

#endif
