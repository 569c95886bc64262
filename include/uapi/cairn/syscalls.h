/*
 * cairn/syscalls.h - the system call ABI: numbers, register convention,
 * argument encodings, message layout and the task buffer. The single
 * source of truth for the kernel's syscall entry, user/lib's stubs and
 * kdbg (the X-macro lines are parseable; enums are in DWARF).
 *
 * ---------------------------------------------------------------------
 * Register convention
 *
 *   x86_64, `syscall`:
 *     in:  rax = number; args a0..a5 = rdi, rsi, rdx, r10, r8, r9
 *     out: rax = error (enum cairn_error, 0 = success);
 *          results r0..r5 = rdi, rsi, rdx, r10, r8, r9
 *     rcx and r11 are clobbered (the CPU puts rip/rflags there), and so
 *     are all six argument registers, whether or not a call defines
 *     them as results (the kernel may zero them). Every other register,
 *     rsp included, is preserved.
 *
 *   AArch64, `svc #0`:
 *     in:  x8 = number; args a0..a5 = x0..x5
 *     out: x0 = error; results r0..r5 = x1..x6
 *     x0..x8 are clobbered; everything else is preserved.
 *
 * Results beyond six words go to the task buffer (struct task_buffer).
 * An unknown number answers CAIRN_ERR_INVALID_ARGUMENT. Argument words a
 * call does not use are ignored, whatever they hold (as seL4 and Linux
 * ignore them; checking them cost every call several instructions). A
 * later argument comes with a new call, or a flag in a word whose
 * unknown bits are refused, so old callers' leftovers never change what
 * a call does.
 *
 * ---------------------------------------------------------------------
 * Capability arguments
 *
 * A "cap" argument is a CAddr argument word: the address in the low
 * CAIRN_SYS_DEPTH_SHIFT bits, the resolution depth above. Depth 0 (the
 * common case: a plain slot number) means "one level": the root CPool
 * cap's guard bits plus its radix bits, so slot N of the root pool is
 * just N. A nonzero depth is passed to the CPool walk as is (see
 * cairn_caddr_t in objects.h). Lookup errors are those of the walk
 * (MISSING_CAP, DEPTH_MISMATCH, GUARD_MISMATCH, RANGE, INVALID_ROOT).
 */
#ifndef CAIRN_UAPI_SYSCALLS_H
#define CAIRN_UAPI_SYSCALLS_H

#include <stdint.h>
#include <cairn/objects.h>

#define CAIRN_SYS_DEPTH_SHIFT 57
#define CAIRN_SYS_ADDR_MASK ((UINT64_C(1) << CAIRN_SYS_DEPTH_SHIFT) - 1)
/* A CAddr argument resolving `depth` (1..64) bits; addr < 2^57. */
#define CAIRN_SYS_CADDR(addr, depth) \
	(((uint64_t)(addr) & CAIRN_SYS_ADDR_MASK) | ((uint64_t)(depth) << CAIRN_SYS_DEPTH_SHIFT))
#define CAIRN_SYS_CADDR_ADDR(arg) ((uint64_t)(arg) & CAIRN_SYS_ADDR_MASK)
#define CAIRN_SYS_CADDR_DEPTH(arg) ((unsigned)((uint64_t)(arg) >> CAIRN_SYS_DEPTH_SHIFT))

/* "No slot", where a CAddr argument or field is optional. */
#define CAIRN_NO_SLOT UINT64_MAX

/*
 * The calls. X(NAME, number, args, results) - args and results are the
 * register words in order, by name (a run w0, w1, ... is an array w[]);
 * "tb:" names task-buffer fields. Rights a call needs on its caps are
 * noted; a missing right is INSUFFICIENT_RIGHTS, a wrong cap type
 * INVALID_CAP, an empty slot SLOT_EMPTY (MISSING_CAP when the walk
 * itself fails).
 *
 * This list is the system-call layer's one source: scripts/gen-syscalls.py
 * generates from it the kernel's dispatcher and handler prototypes
 * (`int sys_name(struct task *caller, const struct cairn_sys_name_args
 * *arg)`, arguments read by name), result setters, user/lib's stubs
 * (`cairn_name(...)`) and the host tests' fake kernel; kdbg reads it too.
 * Each "---- ...: kernel/FILE.c" section names the file that holds its
 * calls' handlers, with the objects they act on, and the build fails when
 * a handler is elsewhere. Adding a call is one line here and one handler
 * (tests/build/test_add_syscall.sh does it).
 */
#define CAIRN_SYSCALLS(X)                                                                  \
	/* ---- kernel/syscall.c ------------------------------------------------------ */   \
	/* Does nothing; for benchmarks and liveness checks. */                             \
	X(NULL,              0, "",                                "")                      \
	/* ---- capabilities: kernel/sys_cap.c --------------------------------------- */   \
	/* Copy src to the empty dest, keeping rights & mask. READ on src's pool,   */   \
	/* WRITE on dest's. Untyped caps cannot be copied (ILLEGAL_OPERATION).      */   \
	X(CAP_COPY,          1, "dest, src, rights",               "")                      \
	/* As copy and set data: a badge (Channel/Notification) or guard         */   \
	/* (CPool, CAIRN_GUARD_DATA).                                              */   \
	X(CAP_MINT,          2, "dest, src, rights, data",         "")                      \
	X(CAP_MOVE,          3, "dest, src",                       "")                      \
	X(CAP_DELETE,        4, "slot",                            "")                      \
	/* Delete every descendant of the cap in slot (not the cap itself). */           \
	X(CAP_REVOKE,        5, "slot",                            "")                      \
	/* Describe the cap in slot: fills tb.info.cap (struct cairn_cap_info). */       \
	/* An empty slot answers OK with type CAIRN_OBJ_NULL (so a listing can */        \
	/* walk a pool without an error per hole).                             */        \
	X(CAP_IDENTIFY,      6, "slot",                            "tb: info.cap")          \
	/* Make `count` objects of `type` (user size bits as                  */        \
	/* cairn_object_size_bits) from the Untyped cap `ut` into slots        */        \
	/* dest_index.. of the CPool cap `dest_pool` (WRITE on it).            */        \
	X(UNTYPED_RETYPE,    7, "ut, type, size_bits, dest_pool, dest_index, count", "")     \
	/* ---- tasks: kernel/sys_task.c --------------------------------------------- */   \
	/* Install a copy of `cap` (a CDT child; the caller keeps its own) as */         \
	/* the task's field (enum cairn_task_field). BUFFER also takes the     */        \
	/* page-aligned vaddr where that Page is mapped in the task's VSpace;  */        \
	/* the other fields take vaddr 0. cap = CAIRN_NO_SLOT clears a field.   */        \
	X(TASK_CONFIGURE,    8, "task, field, cap, vaddr",         "")                      \
	/* Write the registers whose CAIRN_REG_* bits are in mask. */                    \
	X(TASK_SET_REGS,     9, "task, mask, ip, sp, arg0, arg1",  "")                      \
	/* Make an Inactive task Ready (needs CPool, VSpace and buffer set:   */         \
	/* ILLEGAL_OPERATION otherwise). Resuming a running task is a no-op.   */        \
	X(TASK_RESUME,      10, "task",                            "")                      \
	/* Make a task Inactive, cancelling any IPC it is blocked in.          */        \
	X(TASK_SUSPEND,     11, "task",                            "")                      \
	/* 0..CAIRN_PRIO_MAX, and not above the caller's own priority (RANGE). */        \
	X(TASK_SET_PRIORITY,12, "task, priority",                  "")                      \
	/* Set the debug name of a Task, Channel, Notification or CPool: up to */        \
	/* 15 bytes packed little-endian in two words (see cairn_name_pack); */          \
	/* bytes after the first NUL must be 0.                               */        \
	X(SET_NAME,         13, "cap, name0, name1",               "")                      \
	/* Snapshot of a task: fills tb.info.task (struct cairn_task_info). */           \
	X(TASK_READ_STATE,  14, "task",                            "tb: info.task")         \
	/* Give up the rest of this turn to tasks of the same priority. */               \
	X(YIELD,            31, "",                                "")                      \
	/* ---- channels: kernel/channel.c. WRITE to send, READ to receive, GRANT   */   \
	/* to send a cap.                                                            */   \
	/* Queue a message; block while the channel's ring is full.           */         \
	X(CHAN_SEND,        15, "chan, info, w0, w1, w2, w3",      "")                      \
	/* As SEND, answering WOULD_BLOCK instead of blocking.                */         \
	X(CHAN_TRY_SEND,    16, "chan, info, w0, w1, w2, w3",      "")                      \
	/* Take the oldest message; block while there is none.                */         \
	X(CHAN_RECV,        17, "chan",                            "badge, info, w0, w1, w2, w3") \
	X(CHAN_TRY_RECV,    18, "chan",                            "badge, info, w0, w1, w2, w3") \
	/* Send, then block until the receiver replies. The result is the    */         \
	/* reply (badge 0).                                                    */        \
	X(CHAN_CALL,        19, "chan, info, w0, w1, w2, w3",      "badge, info, w0, w1, w2, w3") \
	/* Answer the last call this task received (ILLEGAL_OPERATION when   */          \
	/* there is none; a cap needs GRANT_REPLY on the channel it came by). */         \
	X(CHAN_REPLY,       20, "info, w0, w1, w2, w3",            "")                      \
	/* Reply (if a call is pending; otherwise just receive), then RECV. */           \
	X(CHAN_REPLY_RECV,  21, "chan, info, w0, w1, w2, w3",      "badge, info, w0, w1, w2, w3") \
	/* ---- notifications: kernel/notification.c. WRITE to signal, READ to wait */   \
	/* OR the cap's badge (1 when unbadged) into the word; wake a waiter. */         \
	X(NTFN_SIGNAL,      22, "ntfn",                            "")                      \
	/* Block until the word is nonzero; return it and clear it. */                   \
	X(NTFN_WAIT,        23, "ntfn",                            "bits")                  \
	/* As WAIT without blocking: bits may be 0. */                                   \
	X(NTFN_POLL,        24, "ntfn",                            "bits")                  \
	/* ---- memory: kernel/vspace.c ------------------------------------------------ */  \
	/* Map a Page at vaddr with CAIRN_MAP_* attrs (limited by the Page    */         \
	/* cap's rights: WRITE needs WRITE). A Page maps at one place at a   */          \
	/* time (SLOT_OCCUPIED if it is mapped, or vaddr is taken). A missing */         \
	/* page-table level on the way answers MISSING_CAP: map a PageTable. */          \
	/* vaddr must be page aligned (ALIGNMENT) and a user address (RANGE). */         \
	X(PAGE_MAP,         25, "page, vspace, vaddr, attrs",      "")                      \
	X(PAGE_UNMAP,       26, "page",                            "")                      \
	/* Install a PageTable at the first missing level of the walk to vaddr */       \
	/* (ILLEGAL_OPERATION when no level is missing).                       */       \
	X(PT_MAP,           27, "pt, vspace, vaddr",               "")                      \
	X(PT_UNMAP,         28, "pt",                              "")                      \
	/* ---- interrupts: kernel/irq.c ----------------------------------------------- */  \
	/* Claim line irq with the IRQControl cap: an IRQHandler cap in dest, */         \
	/* bound to the Notification ntfn (a copy of it is kept).             */         \
	X(IRQ_CLAIM,        29, "irqcontrol, irq, dest, ntfn",     "")                      \
	/* Unmask the line after handling it. */                                         \
	X(IRQ_ACK,          30, "handler",                         "")                      \
	/* ---- debug: kernel/sys_debug.c ---------------------------------------------- */ \
	/* Print tb.print[0..len) on the console (len <= CAIRN_DEBUG_PRINT_MAX).*/       \
	/* With CAIRN_PRINT_TAGGED each line is written as a kernel log line   */        \
	/* prefixed CAIRN_DEBUG_PRINT_TAG (and kept in the kernel log ring).   */        \
	X(DEBUG_PRINT,      32, "len, flags",                      "")                      \
	/* One byte of console input in r0. Blocks until there is one, unless */         \
	/* flags has CAIRN_GETC_NONBLOCK (then WOULD_BLOCK). Temporary, until */         \
	/* a user-space serial driver exists.                                  */        \
	X(DEBUG_GETC,       33, "flags",                           "ch")                    \
	/* Stop the machine; status 0 means success (QEMU exits with it). */             \
	X(DEBUG_SHUTDOWN,   34, "status",                          "")                      \
	/* A named point for debuggers: the kernel calls kdbg_checkpoint(name) */        \
	/* with tb.print[0..len) (1..CAIRN_CHECKPOINT_NAME_MAX bytes, printable), */     \
	/* where scripted GDB sessions put a breakpoint. In builds with debug */         \
	/* assertions it first runs the capability invariant checker and      */         \
	/* answers how many violations it found (0 otherwise).                */         \
	X(DEBUG_CHECKPOINT, 35, "len",                             "violations")                      \
	/* ---- I/O ports (x86_64): kernel/ioport.c. READ to read, WRITE to write  */   \
	/* width 1, 2 or 4 bytes; the whole access must lie in the IOPort     */         \
	/* cap's range (RANGE otherwise); ILLEGAL_OPERATION on other arches.  */         \
	X(IOPORT_IN,        36, "ioport, port, width",             "value")                 \
	X(IOPORT_OUT,       37, "ioport, port, width, value",      "")

enum cairn_syscall {
#define CAIRN_SYSCALL_ENUM_(name, nr, args, res) CAIRN_SYS_##name = nr,
	CAIRN_SYSCALLS(CAIRN_SYSCALL_ENUM_)
#undef CAIRN_SYSCALL_ENUM_
	/* How many calls there are. The numbers run 0..COUNT-1 without gaps
	 * (scripts/gen-syscalls.py checks), in any order in the list. */
#define CAIRN_SYSCALL_ONE_(name, nr, args, res) + 1
	CAIRN_SYS_COUNT = 0 CAIRN_SYSCALLS(CAIRN_SYSCALL_ONE_)
#undef CAIRN_SYSCALL_ONE_
};

static inline const char *cairn_syscall_name(unsigned long nr)
{
	switch (nr) {
#define CAIRN_SYSCALL_NAME_(name, nr, args, res) case nr: return #name;
		CAIRN_SYSCALLS(CAIRN_SYSCALL_NAME_)
#undef CAIRN_SYSCALL_NAME_
	}
	return "UNKNOWN";
}

/* ---- message info word (CHAN_* info argument and result) ------------- */

/*
 * A message is `len` payload words (0..CAIRN_MSG_MAX_WORDS), the sender
 * cap's badge, and optionally one capability. Words 0..3 travel in
 * registers; words 4..len-1 are read from the sender's tb.msg[] and
 * written to the receiver's tb.msg[] (word i at msg[i - 4]).
 *   bits 0..3  length in words
 *   bit  8     CAP: sending, tb.send_cap names the cap to send (it is
 *              copied; the sender keeps its own); receiving, a cap was
 *              placed in the receiver's tb.recv_slot
 *   bit  9     CAP_DROPPED (result only): a cap came with the message
 *              but the receiver's tb.recv_slot was CAIRN_NO_SLOT, not
 *              an empty slot, or unresolvable; the cap was deleted
 *   bit  10    CALL (result only): the message came from CHAN_CALL;
 *              the receiver owes a CHAN_REPLY
 * Other bits must be 0 on input (INVALID_ARGUMENT). A length above
 * CAIRN_MSG_MAX_WORDS is RANGE. Payload words past len read as 0.
 */
enum cairn_msginfo_bits {
	CAIRN_MSG_LEN_MASK = 0xf,
	CAIRN_MSG_CAP = 1u << 8,
	CAIRN_MSG_CAP_DROPPED = 1u << 9,
	CAIRN_MSG_CALL = 1u << 10,
};
#define CAIRN_MSGINFO(len, flags) ((uint64_t)((len) & CAIRN_MSG_LEN_MASK) | (uint64_t)(flags))
#define CAIRN_MSGINFO_LEN(info) ((unsigned)((info) & CAIRN_MSG_LEN_MASK))

/* ---- TASK_CONFIGURE fields, TASK_SET_REGS mask ------------------------ */

enum cairn_task_field {
	CAIRN_TASK_FIELD_CPOOL = 0,  /* root CPool for the task's CAddrs */
	CAIRN_TASK_FIELD_VSPACE = 1, /* its address space (a VSpace cap) */
	CAIRN_TASK_FIELD_BUFFER = 2, /* its task buffer Page, mapped at vaddr */
	CAIRN_TASK_FIELD_FAULT = 3,  /* Channel its faults are sent to */
	CAIRN_TASK_FIELD_COUNT
};

enum cairn_reg_mask {
	CAIRN_REG_IP = 1u << 0,   /* instruction pointer: rip / pc (ELR) */
	CAIRN_REG_SP = 1u << 1,   /* stack pointer: rsp / sp_el0 */
	CAIRN_REG_ARG0 = 1u << 2, /* first argument register: rdi / x0 */
	CAIRN_REG_ARG1 = 1u << 3, /* second argument register: rsi / x1 */
	CAIRN_REG_ALL = 0xf,
};

#define CAIRN_PRIO_MAX 255

/* ---- PAGE_MAP attrs ---------------------------------------------------- */

enum cairn_map_attrs {
	CAIRN_MAP_READ = 1u << 0,  /* must be set: no write- or exec-only pages */
	CAIRN_MAP_WRITE = 1u << 1,
	CAIRN_MAP_EXEC = 1u << 2,
	CAIRN_MAP_UNCACHED = 1u << 3, /* device registers */
};

/* ---- debug calls ------------------------------------------------------- */

enum cairn_debug_flags {
	CAIRN_PRINT_TAGGED = 1u << 0, /* DEBUG_PRINT: as a kernel log line */
	CAIRN_GETC_NONBLOCK = 1u << 0, /* DEBUG_GETC: WOULD_BLOCK, not wait */
};

/* How the kernel prefixes each line of a tagged DEBUG_PRINT. */
#define CAIRN_DEBUG_PRINT_TAG "[kernel] Userspace print: "

#define CAIRN_DEBUG_PRINT_MAX 1024
#define CAIRN_CHECKPOINT_NAME_MAX 31

/* ---- CAP_IDENTIFY result ----------------------------------------------- */

enum cairn_cap_info_flags {
	CAIRN_CAPINFO_DEVICE = 1u << 0,   /* Untyped/Page: device memory */
	CAIRN_CAPINFO_BADGED = 1u << 1,   /* Channel/Notification: badge set */
	CAIRN_CAPINFO_ORIGINAL = 1u << 2, /* no CDT parent */
	CAIRN_CAPINFO_HAS_CHILDREN = 1u << 3,
	CAIRN_CAPINFO_MAPPED = 1u << 4,   /* Page/PageTable: mapped (summary[0] = vaddr) */
};

/*
 * Meaning of summary[] by type (unlisted entries are 0):
 *   Untyped:      [0] bytes used (watermark)  [1] bytes free
 *   CPool:        [0] radix bits  [1] slots in use  [2] guard bits  [3] guard value
 *   Task:         [0] state (enum cairn_task_state)  [1] priority  [2] ip  [3] sp
 *   Channel:      [0] messages queued  [1] capacity  [2] blocked senders
 *                 [3] blocked receivers
 *   Notification: [0] pending word  [1] waiters
 *   Page, PageTable: [0] mapped vaddr (with CAIRN_CAPINFO_MAPPED)
 *   IRQHandler:   [0] line  [1] 1 if bound to a notification
 *   IOPort:       [0] first port  [1] number of ports
 */
struct cairn_cap_info {
	uint8_t type;      /* enum cairn_obj_type; NULL for an empty slot */
	uint8_t rights;    /* enum cairn_rights */
	uint8_t size_bits; /* log2 bytes of the object (Untyped: region) */
	uint8_t flags;     /* enum cairn_cap_info_flags */
	uint32_t reserved;
	uint64_t badge;    /* Channel/Notification badge, CPool guard data */
	uint64_t paddr;    /* physical base of memory objects, else 0 */
	uint64_t object;   /* opaque object identity: equal for caps to one object */
	uint64_t summary[4];
	char name[CAIRN_NAME_LEN]; /* debug name, NUL-terminated ("" if none) */
	uint64_t sent;     /* Channel: messages ever sent through it, else 0 */
};

/* ---- TASK_READ_STATE result -------------------------------------------- */

struct cairn_task_info {
	uint8_t state;        /* enum cairn_task_state */
	uint8_t priority;
	uint8_t blocked_type; /* object type it blocks on, or CAIRN_OBJ_NULL */
	uint8_t fields_set;   /* bit per cairn_task_field that is configured */
	uint32_t time_slice;  /* ticks left */
	uint64_t ip, sp, arg0, arg1;
	uint64_t buffer_vaddr;
	uint64_t fault_addr;  /* Faulted: the faulting address */
	uint64_t fault_code;  /* Faulted: arch exception number */
	char name[CAIRN_NAME_LEN];
	uint64_t run_ticks;   /* timer ticks that found it running */
	uint64_t ipc_sent;    /* messages it sent: send, call, reply */
};

/* ---- the task buffer --------------------------------------------------- */

/*
 * One page per task (TASK_CONFIGURE BUFFER), shared between the task
 * and the kernel: inputs the task sets before a call, results the
 * kernel writes that do not fit in registers. The kernel only reads
 * the fields a call names and never trusts them (it checks each).
 */
struct task_buffer {
	/* in: CAddr argument word of the cap sent with CAIRN_MSG_CAP */
	uint64_t send_cap;
	/* in: CAddr argument word of the empty slot a received cap goes
	 * to, or CAIRN_NO_SLOT to accept none */
	uint64_t recv_slot;
	/* out, after a receive with CAIRN_MSG_CAP: the cap's badge and type */
	uint64_t recv_cap_badge;
	uint64_t recv_cap_type;
	/* in (send) / out (receive): message words 4 .. len-1 */
	uint64_t msg[CAIRN_MSG_MAX_WORDS - CAIRN_MSG_INLINE_WORDS];
	uint64_t reserved[4];
	/* out: results of CAP_IDENTIFY and TASK_READ_STATE */
	union {
		struct cairn_cap_info cap;
		struct cairn_task_info task;
		uint64_t raw[32];
	} info;
	/* in: DEBUG_PRINT's bytes */
	char print[CAIRN_DEBUG_PRINT_MAX];
};

#define CAIRN_TASK_BUFFER_SIZE 4096

/* Layout checks: the buffer fits one page; offsets are ABI. */
_Static_assert(sizeof(struct task_buffer) <= CAIRN_TASK_BUFFER_SIZE, "task buffer exceeds a page");
_Static_assert(sizeof(struct cairn_cap_info) == 88, "cairn_cap_info layout changed");
_Static_assert(sizeof(struct cairn_task_info) == 96, "cairn_task_info layout changed");
_Static_assert(CAIRN_MSG_INLINE_WORDS == 4, "message words must fit the argument registers");

/* Pack a debug name (at most CAIRN_NAME_LEN - 1 bytes) for SET_NAME. */
static inline void cairn_name_pack(const char *name, uint64_t out[2])
{
	out[0] = out[1] = 0;
	for (unsigned i = 0; i < CAIRN_NAME_LEN - 1 && name[i]; i++)
		out[i / 8] |= (uint64_t)(unsigned char)name[i] << (8 * (i % 8));
}

#endif
