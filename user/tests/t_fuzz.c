/*
 * t_fuzz.c - random system calls from a sandboxed task: any number,
 * any argument words, cap addresses real and bogus. The kernel must
 * answer every call with one of its error codes (or do what was asked),
 * never crash or hang, and afterwards every capability invariant must
 * hold (DEBUG_CHECKPOINT returns the kernel checker's count) and the
 * system must still work.
 *
 * The fuzzer's root CPool is a sandbox pool holding caps to objects made
 * for it (untyped, channel, notification, task, page, page table,
 * VSpace, a nested pool); it shares the suite's address space only to
 * run code, and has no cap that reaches the suite's own objects.
 */
#include "child.h"
#include "console.h"
#include "test_arch.h"
#include "harness.h"
#include "rng.h"

#define SANDBOX_BITS 6
/* A longer soak: make USER_EXTRA_CFLAGS='-DFUZZ_CALLS=300000 -DFUZZ_SEED=7' */
#ifndef FUZZ_CALLS
#define FUZZ_CALLS 30000
#endif
#ifndef FUZZ_SEED
#define FUZZ_SEED 0x5eed1234abcdull
#endif
#define MAX_RESCUES 20000

static uint64_t rng_state;

static uint64_t rng(void)
{
	return rng_next(&rng_state);
}

/* An argument word of one of the shapes the kernel must cope with. */
static uint64_t fuzz_word(void)
{
	uint64_t r = rng();
	switch (r % 9) {
	case 0: return 0;
	case 1: return (r >> 8) % 70;                          /* a slot, maybe empty */
	case 2: return rng();                                   /* anything */
	case 3: return CAIRN_SYS_CADDR((r >> 8) % 300, (r >> 20) % 70); /* any depth */
	case 4: return CAIRN_NO_SLOT;
	case 5: return (r >> 8) % 16;                           /* types, rights, lengths */
	case 6: return (r >> 8) % 4096;                         /* sizes, counts */
	case 7: return 0x400000 + ((r >> 8) % 64) * 0x1000;     /* user addresses */
	default: return 1ull << ((r >> 8) % 64);
	}
}

/* Each call's argument names, from the ABI's own list. */
static const char *const arg_names[CAIRN_SYS_COUNT] = {
#define FUZZ_ARGS_(name, nr, args, res) [nr] = args,
	CAIRN_SYSCALLS(FUZZ_ARGS_)
#undef FUZZ_ARGS_
};

/* How many argument words call nr takes (unknown numbers: any). */
static unsigned arity(uint64_t nr)
{
	if (nr >= CAIRN_SYS_COUNT)
		return 6;
	const char *s = arg_names[nr];
	unsigned n = *s ? 1 : 0;
	for (; *s; s++)
		n += *s == ',';
	return n;
}

static bool skipped(uint64_t nr)
{
	/* These would end the run or flood the console; the rest go. */
	return nr == CAIRN_SYS_DEBUG_SHUTDOWN || nr == CAIRN_SYS_DEBUG_PRINT ||
	       nr == CAIRN_SYS_DEBUG_CHECKPOINT;
}

static void fuzzer(struct child *c)
{
	unsigned weird = 0, succeeded = 0, made = 0;
	uint64_t codes = 0; /* bit per error code seen */
	for (unsigned i = 0; i < FUZZ_CALLS; i++) {
		uint64_t nr = rng() % (CAIRN_SYS_COUNT + 4); /* some unknown numbers too */
		if (skipped(nr))
			continue;
		/* Mostly the call's own arguments; one call in eight fills
		 * all six words (the unused ones are ignored). */
		uint64_t a[6] = { 0 };
		unsigned n = rng() % 8 ? arity(nr) : 6;
		for (unsigned j = 0; j < n; j++)
			a[j] = fuzz_word();
		int err = raw_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5], NULL);
		if (err < 0 || err >= CAIRN_ERR_COUNT)
			weird++;
		else
			codes |= 1ull << err;
		succeeded += err == CAIRN_ERR_OK;
		c->out[0] = ++made;
	}
	c->out[1] = weird;
	c->out[3] = succeeded;
	c->out[4] = codes;
	/* The sandbox holds no cap to this task, so it cannot suspend
	 * itself: it stops the one way left, with a deliberate fault. */
	c->out[2] = 1;
	__asm__ volatile(FAULT_UNDEFINED_ASM);
}

/* Make a `type` object straight into sandbox slot `index`. */
static int sandbox_obj(uint64_t pool, unsigned index, unsigned type, unsigned bits)
{
	return cairn_untyped_retype(CAIRN_SLOT_UNTYPED, type, bits, pool, index, 1);
}

static void random_syscalls(void)
{
	static struct child fz;
	uint64_t pool = new_obj(CAIRN_OBJ_CPOOL, SANDBOX_BITS);
	unsigned depth = boot_info->root_cpool_bits + SANDBOX_BITS;

	/* The sandbox: its own pool at 0, then one object of each kind. */
	CHECK_OK(cairn_cap_copy(CAIRN_SYS_CADDR(pool << SANDBOX_BITS, depth), pool,
				CAIRN_RIGHTS_ALL));
	CHECK_OK(sandbox_obj(pool, 1, CAIRN_OBJ_UNTYPED, 18));
	CHECK_OK(sandbox_obj(pool, 2, CAIRN_OBJ_CHANNEL, 0));
	CHECK_OK(sandbox_obj(pool, 3, CAIRN_OBJ_NOTIFICATION, 0));
	CHECK_OK(sandbox_obj(pool, 4, CAIRN_OBJ_TASK, 0));
	CHECK_OK(sandbox_obj(pool, 5, CAIRN_OBJ_PAGE, 0));
	CHECK_OK(sandbox_obj(pool, 6, CAIRN_OBJ_PAGE_TABLE, 0));
	CHECK_OK(sandbox_obj(pool, 7, CAIRN_OBJ_VSPACE, 0));
	CHECK_OK(sandbox_obj(pool, 8, CAIRN_OBJ_CPOOL, 2));

	rng_state = FUZZ_SEED;
	CHECK_OK(child_create(&fz, fuzzer, 50));
	CHECK_OK(cairn_task_configure(fz.task, CAIRN_TASK_FIELD_CPOOL, pool, 0));
	CHECK_OK(cairn_task_resume(fz.task));

	/* Calls that block (a receive on the sandbox channel, a wait...) are
	 * cut short: suspend the fuzzer and resume it at its next call. */
	unsigned rescues = 0;
	for (;;) {
		settle();
		struct cairn_task_info ti;
		CHECK_OK(cairn_task_read_state(fz.task, &ti));
		if (ti.state == CAIRN_TASK_FAULTED)
			break;
		CHECK(++rescues < MAX_RESCUES);
		CHECK_OK(cairn_task_suspend(fz.task));
		CHECK_OK(cairn_task_resume(fz.task));
	}
	CHECK_EQ(fz.out[2], 1);           /* it ran to the end, faulting only there */
	CHECK(fz.out[0] > FUZZ_CALLS / 2); /* (skipped numbers aside) */
	CHECK_EQ(fz.out[1], 0);           /* every answer was a known error code */
	/* It reached real work and many different checks, not only lookups. */
	printf("# fuzz: %llu of %llu calls succeeded; %d distinct error codes\n",
	       (unsigned long long)fz.out[3], (unsigned long long)fz.out[0],
	       __builtin_popcountll(fz.out[4]));
	CHECK(fz.out[3] >= 300);
	CHECK(__builtin_popcountll(fz.out[4]) >= 10); /* a broken sandbox gives 2 or 3 */

	uint64_t violations = 1;
	CHECK_OK(cairn_debug_checkpoint("after-fuzz", &violations));
	CHECK_EQ(violations, 0);

	/* Still working: a message through a fresh channel. */
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0);
	struct cairn_msg m = { .info = CAIRN_MSGINFO(1, 0), .words = { 42 } }, got;
	CHECK_OK(cairn_chan_try_send(ch, &m));
	CHECK_OK(cairn_chan_try_recv(ch, CAIRN_NO_SLOT, &got));
	CHECK_EQ(got.words[0], 42);
}

const struct test tests_fuzz[] = {
	{ "fuzz: 30,000 random system calls from a sandbox; invariants hold", random_syscalls },
	{ NULL, NULL },
};
