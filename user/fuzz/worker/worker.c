/*
 * worker.c - one guest fuzzer task (see user/fuzz/fuzz.h).
 *
 * It makes random system calls until its budget is spent, each argument
 * shaped by what the ABI says it is (a CAddr, a size, rights, a badge,
 * an address, a message info word...), drawn from boundary values and
 * from anything at all, so that calls get past the first checks and
 * reach real work: caps copied, minted, moved, revoked and sent between
 * the workers' pools, objects retyped, other workers suspended,
 * reconfigured and given new registers, pages mapped into their
 * VSpaces. Every answer must be one of the kernel's error codes.
 *
 * All state is in the shared page, so main() can be entered again at
 * any time and goes on where it stopped.
 */
#include <stdbool.h>
#include <cairn/errors.h>
#include <cairn/syscalls.h>
#include "../fuzz.h"
#include "rng.h"
#include "spawn.h"
#include "syscall_arch.h"

#define SHARED ((volatile struct fuzz_shared *)(uintptr_t)FUZZ_SHARED_VADDR)

static uint64_t rng_state;

static uint64_t rng(void)
{
	return rng_next(&rng_state);
}

static uint64_t pick(uint64_t n)
{
	return rng() % n;
}

static bool name_is(const char *s, unsigned n, const char *want)
{
	unsigned i = 0;

	for (; i < n && want[i]; i++)
		if (s[i] != want[i])
			return false;
	return i == n && !want[i];
}

/* What an argument word means, from its name in the ABI's list. */
enum kind {
	K_CAP, K_TYPE, K_SIZE, K_INDEX, K_COUNT, K_RIGHTS, K_DATA, K_FIELD, K_ADDR,
	K_MASK, K_PRIO, K_NAME, K_INFO, K_WORD, K_SMALL,
};

/*
 * Half the calls are "plausible": each cap argument names a slot that
 * (last we looked) holds a cap of the type the call wants, sizes and
 * types match, addresses are free user pages. Without this nearly every
 * retype, map or configure stops at its first check. We learn what our
 * slots hold by identifying them now and then (those calls count too).
 */
#define RESCAN_EVERY FUZZ_RESCAN_EVERY
/* Above the default CONFIG_RETYPE_FANOUT_MAX (256): FANOUT_LIMIT. */
#define CAIRN_RETYPE_FANOUT_PROBE 257
#define slot_type (SHARED->slot_type)
static bool plausible;
static unsigned retype_type; /* the type a plausible retype makes */

static void rescan(volatile struct fuzz_shared *s)
{
	uint64_t a[6] = { 0 }, r[6];
	struct task_buffer *tb = (struct task_buffer *)(uintptr_t)SPAWN_BUFFER_VADDR;

	s->scans++;
	s->since_scan = 0;
	for (unsigned k = 0; k < FUZZ_POOL_SLOTS; k++) {
		a[0] = k;
		s->calls++;
		slot_type[k] = arch_syscall(CAIRN_SYS_CAP_IDENTIFY, a, r) == CAIRN_ERR_OK
				       ? tb->info.cap.type
				       : CAIRN_OBJ_NULL;
	}
}

/* A slot holding a cap of `type` (CAIRN_OBJ_NULL: an empty slot), else any. */
static uint64_t slot_of(unsigned type)
{
	unsigned start = (unsigned)pick(FUZZ_POOL_SLOTS);

	for (unsigned i = 0; i < FUZZ_POOL_SLOTS; i++) {
		unsigned k = (start + i) % FUZZ_POOL_SLOTS;

		if (slot_type[k] == type)
			return k;
	}
	return start;
}

/* The object type a cap argument of this name wants. */
static unsigned cap_type_of(const char *s, unsigned n)
{
	static const struct { const char *name; unsigned type; } want[] = {
		{ "ut", CAIRN_OBJ_UNTYPED },  { "dest_pool", CAIRN_OBJ_CPOOL },
		{ "task", CAIRN_OBJ_TASK },   { "chan", CAIRN_OBJ_CHANNEL },
		{ "ntfn", CAIRN_OBJ_NOTIFICATION }, { "page", CAIRN_OBJ_PAGE },
		{ "vspace", CAIRN_OBJ_VSPACE }, { "pt", CAIRN_OBJ_PAGE_TABLE },
		{ "dest", CAIRN_OBJ_NULL },
	};

	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (name_is(s, n, want[i].name))
			return want[i].type;
	return CAIRN_OBJ_TYPE_COUNT; /* any non-empty slot */
}

static uint64_t plausible_cap(unsigned type)
{
	if (type == CAIRN_OBJ_TYPE_COUNT) {
		static const uint8_t any[] = { CAIRN_OBJ_CHANNEL, CAIRN_OBJ_TASK, CAIRN_OBJ_CPOOL,
					       CAIRN_OBJ_NOTIFICATION, CAIRN_OBJ_PAGE,
					       CAIRN_OBJ_UNTYPED, CAIRN_OBJ_VSPACE,
					       CAIRN_OBJ_PAGE_TABLE };
		type = any[pick(sizeof(any))];
	}
	return slot_of(type);
}

static uint64_t plausible_word(uint64_t nr, enum kind k, const char *name, unsigned n)
{
	uint64_t r = rng();

	switch (k) {
	case K_CAP: return plausible_cap(cap_type_of(name, n));
	case K_TYPE: {
		static const uint8_t types[] = { CAIRN_OBJ_UNTYPED, CAIRN_OBJ_CPOOL, CAIRN_OBJ_TASK,
						 CAIRN_OBJ_CHANNEL, CAIRN_OBJ_NOTIFICATION,
						 CAIRN_OBJ_VSPACE, CAIRN_OBJ_PAGE_TABLE,
						 CAIRN_OBJ_PAGE };
		retype_type = types[r % sizeof(types)];
		return retype_type;
	}
	case K_SIZE:
		return retype_type == CAIRN_OBJ_UNTYPED ? 4 + r % 12
		       : retype_type == CAIRN_OBJ_CPOOL ? 1 + r % 4 : 0;
	case K_INDEX: return slot_of(CAIRN_OBJ_NULL);
	case K_COUNT: return r % 16 ? 1 + r % 3 : CAIRN_RETYPE_FANOUT_PROBE;
	case K_RIGHTS: return r % 2 ? CAIRN_RIGHTS_ALL : r % 16;
	case K_DATA: return r % 2 ? 1 + r % 100 : CAIRN_GUARD_DATA(r % 4, r % 3);
	case K_FIELD: return r % 4;
	case K_ADDR:
		if (nr == CAIRN_SYS_PT_MAP)
			return UINT64_C(0x10000000) + (r % 4) * UINT64_C(0x200000);
		if (nr == CAIRN_SYS_TASK_SET_REGS)
			return r % 2 ? UINT64_C(0x400000) : SPAWN_STACK_TOP - 8;
		return UINT64_C(0x10000000) + (r % 24) * 0x1000;
	case K_MASK: return r % 16;
	case K_PRIO: return r % 51;
	case K_NAME: return name_is(name, n, "name0") ? UINT64_C(0x656d616e7a7a7566) : 0;
	case K_INFO: return (r % 13) | (r % 4 ? 0 : CAIRN_MSG_CAP);
	case K_SMALL:
		return nr == CAIRN_SYS_PAGE_MAP ? (r % 2 ? CAIRN_MAP_READ | CAIRN_MAP_WRITE
							 : CAIRN_MAP_READ | (r % 8))
						: r % 4;
	default: return r % 8;
	}
}

static const char *const arg_names[CAIRN_SYS_COUNT] = {
#define WORKER_ARGS_(name, nr, args, res) [nr] = args,
	CAIRN_SYSCALLS(WORKER_ARGS_)
#undef WORKER_ARGS_
};

static enum kind kind_of(const char *s, unsigned n)
{
	static const char *const caps[] = { "dest", "src", "slot", "ut", "dest_pool", "task",
					    "cap", "chan", "ntfn", "page", "vspace", "pt",
					    "handler", "irqcontrol", "ioport" };
	static const struct { const char *name; enum kind k; } others[] = {
		{ "type", K_TYPE },   { "size_bits", K_SIZE }, { "dest_index", K_INDEX },
		{ "count", K_COUNT }, { "rights", K_RIGHTS },  { "data", K_DATA },
		{ "field", K_FIELD }, { "vaddr", K_ADDR },     { "ip", K_ADDR },
		{ "sp", K_ADDR },     { "mask", K_MASK },      { "priority", K_PRIO },
		{ "name0", K_NAME },  { "name1", K_NAME },     { "info", K_INFO },
		{ "attrs", K_SMALL }, { "flags", K_SMALL },    { "width", K_SMALL },
		{ "irq", K_SMALL },   { "len", K_SMALL },
	};

	for (unsigned i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (name_is(s, n, caps[i]))
			return K_CAP;
	for (unsigned i = 0; i < sizeof(others) / sizeof(others[0]); i++)
		if (name_is(s, n, others[i].name))
			return others[i].k;
	return K_WORD;
}

/* A CAddr argument: mostly slots of our own pool, some through a pool
 * in one of them (two levels), some at any depth, some nonsense. */
static uint64_t fuzz_cap(void)
{
	uint64_t r = rng();

	switch (r % 10) {
	case 0: case 1: case 2: case 3: case 4:
		return (r >> 8) % FUZZ_POOL_SLOTS;
	case 5:
		return CAIRN_SYS_CADDR(((r >> 8) % FUZZ_POOL_SLOTS) << FUZZ_POOL_BITS |
					       (r >> 16) % FUZZ_POOL_SLOTS,
				       2 * FUZZ_POOL_BITS);
	case 6:
		return CAIRN_SYS_CADDR(((r >> 8) % FUZZ_POOL_SLOTS) << 2 | (r >> 16) % 4,
				       FUZZ_POOL_BITS + 2);
	case 7: return CAIRN_SYS_CADDR((r >> 8) % 4096, (r >> 20) % 70);
	case 8: return CAIRN_NO_SLOT;
	default: return rng();
	}
}

/* An address: ours (taken or free), another space's, the kernel's,
 * the edges of the user half, misaligned, anything. */
static uint64_t fuzz_addr(void)
{
	static const uint64_t places[] = {
		0, 0x1000, 0x200000, 0x201000, FUZZ_SHARED_VADDR, 0x2ff000, 0x300000,
		0x400000, 0x401000, 0x402000, 0x403000, 0x404000, 0x10000000, 0x10001000,
		0x10200000, 0x40000000, UINT64_C(0x00007ffffffff000), UINT64_C(0x0000800000000000),
		UINT64_C(0xffff800000000000), UINT64_C(0xffffffff80000000),
		UINT64_C(0xffffffff80200000), UINT64_C(0xfffffffffffff000),
	};
	uint64_t r = rng(), a = places[(r >> 8) % (sizeof(places) / sizeof(places[0]))];

	switch (r % 8) {
	case 0: return a + ((r >> 16) % 64) * 0x1000;
	case 1: return a + 1 + (r >> 16) % 4095; /* misaligned */
	case 2: return rng();
	case 3: return rng() & ~UINT64_C(0xfff);
	default: return a;
	}
}

static uint64_t fuzz_word(enum kind k)
{
	uint64_t r = rng();

	if (r % 16 == 0)
		return rng(); /* any kind may be anything */
	r >>= 4;
	switch (k) {
	case K_CAP: return fuzz_cap();
	case K_TYPE: return r % 14;
	case K_SIZE: return r % 4 ? r % 24 : r % 70;
	case K_INDEX: return r % 4 ? r % FUZZ_POOL_SLOTS : r % 300;
	case K_COUNT: {
		static const uint64_t counts[] = { 0, 1, 1, 1, 2, 3, 4, 8, 63, 64, 65, 256, 257,
						   4096, UINT64_C(1) << 32, UINT64_MAX };
		return counts[r % 16];
	}
	case K_RIGHTS: return r % 17;
	case K_DATA: {
		static const uint64_t data[] = { 0, 1, 2, 0xff, 0x40, 0x41, 0x7, 0x3f,
						 UINT64_C(1) << 63, UINT64_MAX };
		return r % 3 ? data[(r >> 8) % 10] : rng();
	}
	case K_FIELD: return r % 6;
	case K_ADDR: return fuzz_addr();
	case K_MASK: return r % 33;
	case K_PRIO: return r % 4 ? r % 60 : r % 300;
	case K_NAME: return r % 2 ? UINT64_C(0x6e69616372657a7a) : rng();
	case K_INFO: return (r % 16) | (r % 4 ? 0 : CAIRN_MSG_CAP) |
			    (r % 16 == 1 ? (uint64_t)1 << (r >> 8) % 64 : 0);
	case K_SMALL: return r % 4 ? r % 16 : r % 4096;
	default: return r % 2 ? r % 100 : rng();
	}
}

static bool skipped(uint64_t nr)
{
	/* These would flood the console or be no test of the kernel (the
	 * checkpoint runs the invariant checker: the coordinator calls it
	 * itself). DEBUG_SHUTDOWN goes: in the fuzz configuration the
	 * kernel refuses it to all but the root task. */
	return nr == CAIRN_SYS_DEBUG_PRINT || nr == CAIRN_SYS_DEBUG_CHECKPOINT;
}

/* The task-buffer inputs a call may read: cap to send, receive slot,
 * message words 4.., sometimes left as the last call left them. */
static void fuzz_buffer(struct task_buffer *tb)
{
	if (rng() % 2)
		tb->send_cap = plausible ? plausible_cap(CAIRN_OBJ_TYPE_COUNT) : fuzz_cap();
	if (rng() % 2)
		tb->recv_slot = plausible ? slot_of(CAIRN_OBJ_NULL)
				: rng() % 4 ? rng() % FUZZ_POOL_SLOTS : fuzz_cap();
	if (rng() % 4 == 0)
		for (unsigned i = 0; i < CAIRN_MSG_MAX_WORDS - CAIRN_MSG_INLINE_WORDS; i++)
			tb->msg[i] = rng();
}

static void one_call(volatile struct fuzz_shared *s, struct task_buffer *tb)
{
	uint64_t a[6] = { 0 }, r[6];
	uint64_t nr;
	unsigned n = 0;

	plausible = pick(2);
	retype_type = CAIRN_OBJ_PAGE;
	do
		nr = pick(16) ? pick(CAIRN_SYS_COUNT) : pick(CAIRN_SYS_COUNT + 8) + (pick(8) ? 0 : rng());
	while (skipped(nr));
	if (nr < CAIRN_SYS_COUNT) {
		/* the call's own arguments by name; the rest stay 0 except
		 * now and then (unused words are ignored: the call must still behave) */
		const char *p = arg_names[nr];

		while (*p && n < 6) {
			unsigned len = 0;

			while (p[len] && p[len] != ',')
				len++;
			enum kind k = kind_of(p, len);

			a[n++] = plausible ? plausible_word(nr, k, p, len) : fuzz_word(k);
			p += len;
			while (*p == ',' || *p == ' ')
				p++;
		}
	}
	if (n < 6 && !plausible && pick(12) == 0)
		a[n + pick(6 - n)] = rng();
	if (nr == CAIRN_SYS_DEBUG_GETC && pick(4))
		a[0] = CAIRN_GETC_NONBLOCK; /* blocking reads steal no input, but waste a round */
	fuzz_buffer(tb);

	s->rng = rng_state; /* before the call: a restart goes on with the next */
	s->last_nr = nr;
	for (unsigned i = 0; i < 6; i++)
		s->last_args[i] = a[i];
	s->calls++;
	uint64_t err = arch_syscall(nr, a, r);
	if (err >= CAIRN_ERR_COUNT)
		s->weird++;
	else
		s->codes |= UINT64_C(1) << err;
	s->ok += err == CAIRN_ERR_OK;
	unsigned k = nr < FUZZ_NR_SLOTS - 1 ? (unsigned)nr : FUZZ_NR_SLOTS - 1;
	s->by_nr[k]++;
	s->ok_by_nr[k] += err == CAIRN_ERR_OK;
}

static void __attribute__((noreturn)) done(void)
{
	/* Tell the coordinator in a register it reads with TASK_READ_STATE:
	 * a fault with arg0 = FUZZ_DONE_MAGIC (no cap is needed to fault). */
	for (;;) {
#if defined(__x86_64__)
		__asm__ volatile("mov %0, %%rdi\n\tud2" ::"r"(FUZZ_DONE_MAGIC) : "rdi");
#else
		__asm__ volatile("mov x0, %0\n\tudf #0" ::"r"(FUZZ_DONE_MAGIC) : "x0");
#endif
	}
}

int main(void *arg)
{
	volatile struct fuzz_shared *s = SHARED;
	struct task_buffer *tb = (struct task_buffer *)(uintptr_t)SPAWN_BUFFER_VADDR;

	(void)arg;
	if (s->magic != FUZZ_SHARED_MAGIC)
		__builtin_trap(); /* no shared page: a fault without the magic */
	s->entries++;
	rng_state = s->rng;
	if (s->entries == 1)
		s->since_scan = RESCAN_EVERY; /* first entry: look first */
	while (s->calls < s->budget) {
		if (s->since_scan++ >= RESCAN_EVERY)
			rescan(s);
		one_call(s, tb);
	}
	done();
}
