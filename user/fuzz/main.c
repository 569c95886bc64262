/*
 * main.c - the guest fuzzer's coordinator: the root task when Kconfig
 * selects ROOT_TASK_FUZZ (`make fuzz-guest`).
 *
 * The run is a series of rounds. Each round builds a world from one
 * Untyped (U): FUZZ_WORKERS worker programs (user/fuzz/worker), each in
 * a VSpace and root CPool of its own, plus channels, notifications, a
 * spare VSpace, pages, page tables and a small pool; every worker's
 * pool gets a random subset of caps to all of these - other workers'
 * Tasks, CPools and VSpaces included - with random rights, badges and
 * guards, and an Untyped of its own. The workers then make random
 * system calls (worker.c) while the coordinator keeps them going:
 * a worker that blocked, was suspended, reconfigured, reprioritised or
 * faulted is reset and restarted, and now and then the coordinator
 * revokes or deletes caps under them. At the end of a round the
 * kernel's invariant checker must find nothing wrong, U is revoked
 * and must be empty again (watermark 0, every slot of the world
 * empty), and the next round makes the same objects again from it,
 * which must take the same memory.
 *
 * FUZZ_CALLS and FUZZ_SEED come from generated/fuzz_params.h, which
 * user/fuzz/fuzz.mk rewrites when `make fuzz-guest CALLS=... SEED=...`
 * asks for other values. The seed fixes every random choice (the
 * workers' calls and the coordinator's); how calls of different
 * workers interleave also depends on when the timer preempts them.
 *
 * Output: "# ..." progress, TAP lines, and one summary line
 * "fuzz-guest: ... result=PASS|FAIL"; the machine ends with status 0
 * when everything held, 1 otherwise.
 */
#include <generated/fuzz_params.h>
#include <cairn/bootinfo.h>
#include "bootinfo.h"
#include "console.h"
#include "fuzz.h"
#include "rng.h"
#include "spawn.h"
#include "start.h"
#include "syscall.h"
#include "thread.h"
#include "ustring.h"
#include "vmap.h"

/* More: make fuzz-guest USER_EXTRA_CFLAGS=-DFUZZ_WORKERS=8 (at most 10) */
#ifndef FUZZ_WORKERS
#define FUZZ_WORKERS 4
#endif
#define CALLS_PER_ROUND 5000  /* per worker */
#define PRIO_COORD 200
#define PRIO_WORK 50
#define WORLD_UT_BITS 22      /* U: 4 MiB, far more than a world takes */
#define SUB_UT_BITS 16        /* each worker's own Untyped */
#define SCRATCH UINT64_C(0x32000000) /* spawn_elf's fill window */
#define WINDOW UINT64_C(0x32001000)  /* where a worker's page is read */
#define THREAD_AREA UINT64_C(0x33000000)
/* A worker running this many ticks since its last restart is restarted
 * (harmless when it is healthy: it goes on from its page), so that one
 * sent into an endless loop by another cannot stall the round. */
#define RESTART_TICKS 100
#define POLLS_PER_ROUND_MAX 50000
#define SHARED_OBJS 6
/* Pool slots of the originals hand_over() gives (distribute() fills
 * below them; the worker's Untyped goes above). */
#define OWNED_FIRST (FUZZ_POOL_SLOTS - 19)

struct worker {
	struct spawn_result sp;
	uint64_t shared, spare_page, spare_pt;
	uint64_t tick_base;
	bool done;
	bool protected; /* no writable cap to its Task given out (distribute) */
	bool killed;    /* its Task, VSpace or CPool destroyed (or our caps to them) */
	bool owner;     /* holds the originals of its own Task, VSpace, CPool */
	unsigned restarts;
};

static const struct cairn_bootinfo *bi;
static struct slot_alloc slots;
static struct ut_alloc main_ua;  /* long-lived objects: from slot 2 */
static struct ut_alloc world_ua; /* a round's world: from U only */
static uint64_t world_ut;        /* U */
static uint64_t tick_ntfn, tick_task;
static struct uthread_stack tick_stack;
static struct worker workers[FUZZ_WORKERS];
static uint64_t shared_objs[SHARED_OBJS];
extern const char fuzz_worker_start[], fuzz_worker_end[];

/* What the run found. */
static struct {
	uint64_t calls, ok, weird, codes, restarts, chaos, destroyed, violations, setup_errors;
	uint64_t leaks, polls, timeouts, rounds, bad_pages, distributed, weird_tampered;
	uint64_t scan_calls; /* of calls: the workers' CAP_IDENTIFY of their pools */
} st;
static bool reported_setup;
static uint64_t by_nr[FUZZ_NR_SLOTS], ok_by_nr[FUZZ_NR_SLOTS];

static uint64_t rng_state;

static uint64_t splitmix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return (x ^ (x >> 31)) | 1; /* xorshift needs a nonzero state */
}

static uint64_t rng(void)
{
	return rng_next(&rng_state);
}

static uint64_t pick(uint64_t n)
{
	return rng() % n;
}

/* A call that must succeed; a failure is a finding, reported once. */
static bool must(int err, const char *what, unsigned line)
{
	if (!err)
		return true;
	st.setup_errors++;
	if (!reported_setup) {
		reported_setup = true;
		printf("# FAIL: %s (main.c:%u): %s\n", what, line, cairn_error_name(err));
	}
	return false;
}
#define MUST(expr) must((expr), #expr, __LINE__)

/* Slot k of the pool whose cap is in root slot `pool`. */
static uint64_t in_pool(uint64_t pool, unsigned k)
{
	return CAIRN_SYS_CADDR(pool << FUZZ_POOL_BITS | k, bi->root_cpool_bits + FUZZ_POOL_BITS);
}

static struct cairn_cap_info identify(uint64_t slot)
{
	struct cairn_cap_info info;

	if (cairn_cap_identify(slot, &info))
		memset(&info, 0, sizeof(info));
	return info;
}

/* ---- building a world --------------------------------------------------- */

static int make(unsigned type, unsigned bits, uint64_t *slot)
{
	return ut_alloc_object(&world_ua, type, bits, slot);
}

/* Fill a worker's shared page through our window, then map it there. */
static int give_shared_page(struct worker *w, unsigned id, uint64_t round)
{
	volatile struct fuzz_shared *s = (volatile struct fuzz_shared *)(uintptr_t)WINDOW;
	uint64_t budget = CALLS_PER_ROUND;
	uint64_t left = FUZZ_CALLS > st.calls ? FUZZ_CALLS - st.calls : 0;
	int err;

	if (left < budget * FUZZ_WORKERS)
		budget = (left + FUZZ_WORKERS - 1) / FUZZ_WORKERS;
	if ((err = make(CAIRN_OBJ_PAGE, 0, &w->shared)) ||
	    (err = cairn_page_map(w->shared, CAIRN_SLOT_VSPACE, WINDOW,
				  CAIRN_MAP_READ | CAIRN_MAP_WRITE)))
		return err;
	memset((void *)s, 0, 4096);
	s->magic = FUZZ_SHARED_MAGIC;
	s->id = id;
	s->workers = FUZZ_WORKERS;
	s->rng = splitmix(FUZZ_SEED + round * FUZZ_WORKERS + id);
	s->budget = budget;
	if ((err = cairn_page_unmap(w->shared)))
		return err;
	return vmap_page(&world_ua, w->shared, w->sp.vspace, FUZZ_SHARED_VADDR,
			 CAIRN_MAP_READ | CAIRN_MAP_WRITE);
}

static int spawn_worker(struct worker *w, unsigned id, uint64_t round)
{
	struct spawn_args a = {
		.image = fuzz_worker_start,
		.size = (size_t)(fuzz_worker_end - fuzz_worker_start),
		.name = "fuzz-w0",
		.priority = PRIO_WORK,
		.stack_pages = 1,
		.self_vspace = CAIRN_SLOT_VSPACE,
		.scratch_vaddr = SCRATCH,
		.root_bits = bi->root_cpool_bits,
	};
	char name[8] = "fuzz-w0";
	int err;

	name[6] = (char)('0' + id % 10);
	a.name = name;
	memset(w, 0, sizeof(*w));
	/* It is Ready at once, but below us: it runs when we wait. */
	if ((err = spawn_elf(&world_ua, &a, &w->sp)) ||
	    (err = give_shared_page(w, id, round)) ||
	    (err = make(CAIRN_OBJ_PAGE, 0, &w->spare_page)) ||
	    (err = make(CAIRN_OBJ_PAGE_TABLE, 0, &w->spare_pt)))
		return err;
	return 0;
}

/* One cap, derived from `src` with random rights and badge or guard,
 * into slot k of pool `pool`. Failures are the kernel's checks of our
 * random choices, not findings. */
static void give_random(uint64_t pool, unsigned k, uint64_t src, unsigned mask)
{
	struct cairn_cap_info info = identify(src);
	unsigned rights = (pick(3) ? CAIRN_RIGHTS_ALL : (unsigned)pick(16)) & mask;
	uint64_t dest = in_pool(pool, k);
	int err;

	if ((info.type == CAIRN_OBJ_CHANNEL || info.type == CAIRN_OBJ_NOTIFICATION) && pick(2))
		err = cairn_cap_mint(dest, src, rights, 1 + pick(1000));
	else if (info.type == CAIRN_OBJ_CPOOL && pick(4) == 0)
		err = cairn_cap_mint(dest, src, rights, CAIRN_GUARD_DATA(pick(4), 2));
	else
		err = cairn_cap_copy(dest, src, rights);
	st.distributed += err == CAIRN_ERR_OK;
}

static void distribute(void)
{
	uint64_t cand[FUZZ_WORKERS * 5 + SHARED_OBJS];
	unsigned mask[FUZZ_WORKERS * 5 + SHARED_OBJS];
	unsigned n = 0;

	for (unsigned j = 0; j < FUZZ_WORKERS; j++) {
		/* A protected worker's Task is handed out without WRITE, so
		 * nobody can set its registers: on AArch64 its error register
		 * is x0, which TASK_SET_REGS may write (ARG0) while it is in
		 * a call, so only a protected worker's odd answers are the
		 * kernel's. */
		workers[j].protected = pick(2);
		mask[n] = workers[j].protected ? ~(unsigned)CAIRN_RIGHT_WRITE : ~0u;
		cand[n++] = workers[j].sp.task;
		cand[n++] = workers[j].sp.cpool;
		cand[n++] = workers[j].sp.vspace;
		cand[n++] = workers[j].spare_page;
		cand[n++] = workers[j].spare_pt;
	}
	for (unsigned j = 0; j < n; j++)
		if (identify(cand[j]).type != CAIRN_OBJ_TASK)
			mask[j] = ~0u;
	for (unsigned j = 0; j < SHARED_OBJS; j++) {
		mask[n] = ~0u;
		cand[n++] = shared_objs[j];
	}
	for (unsigned i = 0; i < FUZZ_WORKERS; i++) {
		uint64_t pool = workers[i].sp.cpool;
		unsigned c;

		/* Slot 0: its own pool, so two-level addresses work. */
		MUST(cairn_cap_copy(in_pool(pool, 0), pool, CAIRN_RIGHTS_ALL));
		for (unsigned k = 1; k < OWNED_FIRST; k++)
			if (pick(10) < 6) {
				c = (unsigned)pick(n);
				give_random(pool, k, cand[c], mask[c]);
			}
		/* An Untyped of its own (Untyped caps cannot be copied). */
		MUST(cairn_untyped_retype(world_ut, CAIRN_OBJ_UNTYPED, SUB_UT_BITS, pool,
					  FUZZ_POOL_SLOTS - 1 - pick(8), 1));
	}
}

/*
 * Now and then a worker is given the original caps of its own Task,
 * VSpace and root CPool (the pool then holds the only original of
 * itself), the coordinator keeping copies: revoking or deleting them,
 * the worker can destroy the address space, pool or task it is running
 * on, in the middle of its own call.
 */
static void hand_over(struct worker *w)
{
	uint64_t *caps[3] = { &w->sp.task, &w->sp.vspace, &w->sp.cpool };
	uint64_t copies[3];

	for (unsigned i = 0; i < 3; i++) {
		if (!slot_alloc_get(&slots, &copies[i])) {
			MUST(CAIRN_ERR_NO_MEMORY);
			return;
		}
		if (!MUST(cairn_cap_copy(copies[i], *caps[i], CAIRN_RIGHTS_ALL)))
			return;
	}
	for (unsigned i = 0; i < 3; i++) {
		if (!MUST(cairn_cap_move(in_pool(copies[2], OWNED_FIRST + i), *caps[i])))
			return;
		*caps[i] = copies[i];
	}
	w->owner = true;
	w->protected = false; /* it may set its own registers */
}

/* The whole world of one round, from U; false on a setup failure. */
static bool build_world(uint64_t round)
{
	static const struct { unsigned type, bits; } shared[SHARED_OBJS] = {
		{ CAIRN_OBJ_CHANNEL, 0 },      { CAIRN_OBJ_CHANNEL, 0 },
		{ CAIRN_OBJ_NOTIFICATION, 0 }, { CAIRN_OBJ_NOTIFICATION, 0 },
		{ CAIRN_OBJ_VSPACE, 0 },       { CAIRN_OBJ_CPOOL, 2 },
	};

	for (unsigned i = 0; i < FUZZ_WORKERS; i++)
		if (!MUST(spawn_worker(&workers[i], i, round)))
			return false;
	for (unsigned j = 0; j < SHARED_OBJS; j++)
		if (!MUST(make(shared[j].type, shared[j].bits, &shared_objs[j])))
			return false;
	rng_state = splitmix(FUZZ_SEED ^ (round << 32));
	distribute();
	for (unsigned i = 0; i < FUZZ_WORKERS; i++)
		if (pick(4) == 0)
			hand_over(&workers[i]);
	return st.setup_errors == 0;
}

/* ---- running a round ---------------------------------------------------- */

static void ticker(uint64_t arg)
{
	(void)arg;
	/* At the workers' priority: each time round, wake the coordinator. */
	for (;;) {
		cairn_ntfn_signal(tick_ntfn);
		cairn_yield();
	}
}

/* Put a worker back as spawned and let it go on from its page. */
static void restart(struct worker *w)
{
	struct cairn_task_info ti;
	uint64_t t = w->sp.task;

	/* An owner may have destroyed them, or revoked our copies. */
	if (identify(t).type != CAIRN_OBJ_TASK || identify(w->sp.vspace).type != CAIRN_OBJ_VSPACE ||
	    identify(w->sp.cpool).type != CAIRN_OBJ_CPOOL) {
		w->killed = true;
		return;
	}
	if (!MUST(cairn_task_suspend(t)) ||
	    !MUST(cairn_task_configure(t, CAIRN_TASK_FIELD_CPOOL, w->sp.cpool, 0)) ||
	    !MUST(cairn_task_configure(t, CAIRN_TASK_FIELD_VSPACE, w->sp.vspace, 0)) ||
	    !MUST(cairn_task_configure(t, CAIRN_TASK_FIELD_BUFFER, w->sp.buffer,
				       SPAWN_BUFFER_VADDR)) ||
	    !MUST(cairn_task_configure(t, CAIRN_TASK_FIELD_FAULT, CAIRN_NO_SLOT, 0)) ||
	    !MUST(cairn_task_set_regs(t, CAIRN_REG_ALL, w->sp.entry,
				      SPAWN_STACK_TOP - ARCH_ENTRY_SP_BIAS, 0, SPAWN_BUFFER_VADDR)) ||
	    !MUST(cairn_task_set_priority(t, PRIO_WORK)) || !MUST(cairn_task_resume(t)) ||
	    !MUST(cairn_task_read_state(t, &ti)))
		return;
	w->tick_base = ti.run_ticks;
	w->restarts++;
	st.restarts++;
}

/*
 * Now and then, the coordinator pulls caps from under the workers:
 * revokes or deletes one in a pool, revokes every copy of a shared
 * object, suspends a worker; rarely it destroys a shared object outright
 * (its last cap: blocked workers wake with OBJECT_DESTROYED) or a
 * worker's Task, VSpace or root CPool, while it is ready or blocked and
 * others may hold caps to it or be in a call with it.
 */
static void chaos(void)
{
	struct worker *w = &workers[pick(FUZZ_WORKERS)];
	uint64_t slot = in_pool(w->sp.cpool, (unsigned)pick(FUZZ_POOL_SLOTS));
	uint64_t obj = shared_objs[pick(SHARED_OBJS)];

	switch (pick(16)) {
	case 0: case 1: case 2: case 3: (void)cairn_cap_revoke(slot); break;
	case 4: case 5: case 6: case 7: (void)cairn_cap_delete(slot); break;
	case 8: case 9: case 10: (void)cairn_cap_revoke(obj); break;
	case 11: case 12: case 13: (void)cairn_task_suspend(w->sp.task); break;
	case 14:
		if (!cairn_cap_revoke(obj) && !cairn_cap_delete(obj))
			st.destroyed++;
		break;
	default: {
		/* its Task, or the VSpace or root CPool it runs in (the copies
		 * its Task holds go with the revoke) */
		uint64_t victim = pick(3) == 0 ? w->sp.task : pick(2) ? w->sp.vspace : w->sp.cpool;

		if (w->killed || w->owner) /* (for an owner: only our copies) */
			break;
		if (MUST(cairn_cap_revoke(victim)) && MUST(cairn_cap_delete(victim))) {
			w->killed = true;
			st.destroyed++;
		}
		break;
	}
	}
	st.chaos++;
}

static void run_round(void)
{
	struct cairn_task_info ti;
	uint64_t bits;
	unsigned left = FUZZ_WORKERS, polls = 0;

	for (unsigned i = 0; i < FUZZ_WORKERS; i++)
		if (MUST(cairn_task_read_state(workers[i].sp.task, &ti)))
			workers[i].tick_base = ti.run_ticks;
	while (left && st.setup_errors == 0) {
		if (++polls > POLLS_PER_ROUND_MAX) {
			st.timeouts++;
			break;
		}
		(void)cairn_ntfn_wait(tick_ntfn, &bits);
		for (unsigned i = 0; i < FUZZ_WORKERS; i++) {
			struct worker *w = &workers[i];

			if (identify(w->sp.task).type != CAIRN_OBJ_TASK)
				w->killed = true; /* (an owner revoked our copy) */
			if (!w->done && w->killed) {
				w->done = true;
				left--;
			}
			if (w->done || !MUST(cairn_task_read_state(w->sp.task, &ti)))
				continue;
			if (ti.state == CAIRN_TASK_FAULTED && ti.arg0 == FUZZ_DONE_MAGIC) {
				w->done = true;
				left--;
			} else if ((ti.state != CAIRN_TASK_READY && ti.state != CAIRN_TASK_RUNNING) ||
				   ti.priority != PRIO_WORK ||
				   ti.run_ticks - w->tick_base >= RESTART_TICKS) {
				restart(w);
			}
		}
		if (pick(16) == 0)
			chaos();
	}
	st.polls += polls;
}

/* Read a worker's page in our window (after it is stopped). */
static void collect(struct worker *w)
{
	const volatile struct fuzz_shared *s = (volatile struct fuzz_shared *)(uintptr_t)WINDOW;

	/* (a killed worker's VSpace may be gone, the page unmapped with it) */
	if (w->killed)
		(void)cairn_page_unmap(w->shared);
	else if (!MUST(cairn_page_unmap(w->shared)))
		return;
	if (!MUST(cairn_page_map(w->shared, CAIRN_SLOT_VSPACE, WINDOW, CAIRN_MAP_READ)))
		return;
	if (s->magic != FUZZ_SHARED_MAGIC || s->calls > s->budget + FUZZ_POOL_SLOTS) {
		/* its own code, run from a random place, wrote there
		 * (a rescan may pass the budget by up to a pool of calls) */
		st.bad_pages++;
	} else {
		st.calls += s->calls;
		st.scan_calls += s->scans * FUZZ_POOL_SLOTS;
		st.ok += s->ok;
		if (w->protected)
			st.weird += s->weird;
		else
			st.weird_tampered += s->weird;
		/* (an unprotected worker's error register may hold a value
		 * another worker set: see distribute()) */
		if (w->protected)
			st.codes |= s->codes;
		for (unsigned k = 0; k < FUZZ_NR_SLOTS; k++) {
			by_nr[k] += s->by_nr[k];
			ok_by_nr[k] += s->ok_by_nr[k];
		}
		if (s->weird && w->protected)
			printf("# worker %llu: unknown answer, last call %s (%llu)\n",
			       (unsigned long long)s->id, cairn_syscall_name(s->last_nr),
			       (unsigned long long)s->last_nr);
	}
	MUST(cairn_page_unmap(w->shared));
}

static uint64_t checkpoint(const char *name)
{
	uint64_t v = 0;

	MUST(cairn_debug_checkpoint(name, &v));
	if (v)
		printf("# checkpoint %s: %llu invariant violations\n", name, (unsigned long long)v);
	return v;
}

/*
 * Revoke U: everything of the round must be gone, U empty, every slot
 * the round used in our pool empty. Returns the round's leaks.
 */
static uint64_t tear_down(const struct slot_alloc *before)
{
	uint64_t leaks = 0;
	struct cairn_cap_info u;

	if (!MUST(cairn_cap_revoke(world_ut)))
		return 1;
	u = identify(world_ut);
	if (u.type != CAIRN_OBJ_UNTYPED || u.summary[0] != 0) {
		printf("# leak: U's watermark is %llu after revoke\n",
		       (unsigned long long)u.summary[0]);
		leaks++;
	}
	for (uint64_t s = 0; s < slots.count; s++) {
		if (!slot_alloc_is_used(&slots, s) || slot_alloc_is_used(before, s))
			continue;
		if (identify(s).type != CAIRN_OBJ_NULL) {
			printf("# leak: slot %llu still holds a %s\n", (unsigned long long)s,
			       cairn_obj_type_name(identify(s).type));
			leaks++;
		}
	}
	slots = *before;
	return leaks;
}

/* ---- the run ------------------------------------------------------------ */

static bool setup(void)
{
	struct thread_env env = { &main_ua, CAIRN_SLOT_ROOT_CPOOL, THREAD_AREA };
	uint64_t page;

	if (!MUST(cairn_task_set_priority(CAIRN_SLOT_ROOT_TASK, PRIO_COORD)) ||
	    !MUST(ut_alloc_object(&main_ua, CAIRN_OBJ_UNTYPED, WORLD_UT_BITS, &world_ut)) ||
	    !MUST(ut_alloc_object(&main_ua, CAIRN_OBJ_NOTIFICATION, 0, &tick_ntfn)) ||
	    /* The page table over SCRATCH and WINDOW, made once from slot
	     * 2: spawn_elf would otherwise make it from U each round. */
	    !MUST(ut_alloc_object(&main_ua, CAIRN_OBJ_PAGE, 0, &page)) ||
	    !MUST(vmap_page(&main_ua, page, CAIRN_SLOT_VSPACE, SCRATCH, CAIRN_MAP_READ)) ||
	    !MUST(ut_free_object(&main_ua, page)) ||
	    !MUST(thread_start(&env, &tick_task, &tick_stack, CAIRN_SLOT_VSPACE, PRIO_WORK,
			       ticker, 0, "fuzz-tick")))
		return false;
	world_ua = (struct ut_alloc){ .slots = &slots, .root_pool = CAIRN_SLOT_ROOT_CPOOL,
				      .count = 1, .untyped = { world_ut } };
	return true;
}

/* After the run: the system still answers, U once more holds the same
 * world and is empty after revoke. */
static bool still_works(uint64_t watermark)
{
	struct slot_alloc before = slots;
	struct cairn_msg m = { .info = CAIRN_MSGINFO(1, 0), .words = { 42 }, .cap = CAIRN_NO_SLOT };
	struct cairn_msg got;
	uint64_t ch, wm;
	bool ok;

	if (!build_world(0))
		return false;
	wm = identify(world_ut).summary[0];
	ok = wm == watermark;
	for (unsigned i = 0; i < FUZZ_WORKERS; i++)
		MUST(cairn_task_suspend(workers[i].sp.task));
	ok = ok && MUST(make(CAIRN_OBJ_CHANNEL, 0, &ch)) && MUST(cairn_chan_try_send(ch, &m)) &&
	     MUST(cairn_chan_try_recv(ch, CAIRN_NO_SLOT, &got)) && got.words[0] == 42;
	ok = tear_down(&before) == 0 && ok;
	printf("# after the run: the same world again takes %llu bytes of U (first round: %llu)\n",
	       (unsigned long long)wm, (unsigned long long)watermark);
	return ok;
}

static void tap(unsigned n, bool ok, const char *what)
{
	printf("%s %u - %s\n", ok ? "ok" : "not ok", n, what);
}

int main(void *arg)
{
	const char *problem;
	uint64_t watermark = 0;
	bool same_memory = true, works;

	bi = arg;
	problem = bootinfo_adopt(bi);
	if (problem) {
		printf("Bail out! boot info: %s\n", problem);
		return 1;
	}
	slot_alloc_init_bootinfo(&slots, bi);
	ut_alloc_init_bootinfo(&main_ua, &slots, bi);
	printf("# fuzz-guest: seed %llu, %llu calls, %u workers, %u calls each a round\n",
	       (unsigned long long)FUZZ_SEED, (unsigned long long)FUZZ_CALLS, FUZZ_WORKERS,
	       CALLS_PER_ROUND);
	if (!setup()) {
		printf("Bail out! cannot set up the fuzzer\n");
		return 1;
	}
	for (uint64_t round = 1; st.calls < FUZZ_CALLS && st.setup_errors == 0; round++) {
		struct slot_alloc before = slots;
		uint64_t calls_before = st.calls, wm;

		if (!build_world(round))
			break;
		wm = identify(world_ut).summary[0];
		if (round == 1)
			watermark = wm;
		else if (wm != watermark) {
			printf("# round %llu: the same world took %llu bytes, not %llu\n",
			       (unsigned long long)round, (unsigned long long)wm,
			       (unsigned long long)watermark);
			same_memory = false;
		}
		run_round();
		for (unsigned i = 0; i < FUZZ_WORKERS; i++)
			if (identify(workers[i].sp.task).type == CAIRN_OBJ_TASK)
				MUST(cairn_task_suspend(workers[i].sp.task));
		for (unsigned i = 0; i < FUZZ_WORKERS; i++)
			collect(&workers[i]);
		st.violations += checkpoint("fuzz-round-live");
		st.leaks += tear_down(&before);
		st.violations += checkpoint("fuzz-round-revoked");
		st.rounds = round;
		if (st.calls == calls_before) {
			printf("# round %llu made no calls: stopping\n", (unsigned long long)round);
			st.setup_errors++;
		}
		if (round % 5 == 0 || st.calls >= FUZZ_CALLS)
			printf("# round %llu: %llu calls, %llu ok, %d codes, %llu restarts, "
			       "%llu chaos (%llu objects destroyed), %llu violations, %llu leaks\n",
			       (unsigned long long)round, (unsigned long long)st.calls,
			       (unsigned long long)st.ok, __builtin_popcountll(st.codes),
			       (unsigned long long)st.restarts, (unsigned long long)st.chaos,
			       (unsigned long long)st.destroyed,
			       (unsigned long long)st.violations, (unsigned long long)st.leaks);
	}
	works = st.setup_errors == 0 && still_works(watermark);
	st.violations += checkpoint("fuzz-end");

	printf("# calls (ok/made) by number:");
	for (unsigned k = 0; k < FUZZ_NR_SLOTS; k++)
		if (by_nr[k])
			printf(" %s %llu/%llu", k < FUZZ_NR_SLOTS - 1 ? cairn_syscall_name(k) : "other",
			       (unsigned long long)ok_by_nr[k], (unsigned long long)by_nr[k]);
	printf("\n# of the calls, %llu were the workers' own scans of their pools "
	       "(CAP_IDENTIFY of each slot, every %u calls)",
	       (unsigned long long)st.scan_calls, FUZZ_RESCAN_EVERY);
	printf("\n# error codes never answered:");
	for (int e = 0; e < CAIRN_ERR_COUNT; e++)
		if (!(st.codes & (UINT64_C(1) << e)))
			printf(" %s", cairn_error_name(e));
	printf("\n");
	bool reached = st.calls >= FUZZ_CALLS;
	if (st.bad_pages)
		printf("# %llu worker pages were overwritten by their own code run from a random "
		       "place (not counted)\n", (unsigned long long)st.bad_pages);
	tap(1, reached && st.setup_errors == 0,
	    "fuzz-guest: every call made, every set-up and restart call succeeded");
	if (st.weird_tampered)
		printf("# %llu odd answers to workers whose registers others could set "
		       "(not counted)\n", (unsigned long long)st.weird_tampered);
	tap(2, st.weird == 0, "fuzz-guest: every answer was a known error code");
	tap(3, st.violations == 0, "fuzz-guest: invariant checker found no violation");
	tap(4, st.leaks == 0 && same_memory,
	    "fuzz-guest: U empty after each revoke; the same objects take the same memory");
	tap(5, works, "fuzz-guest: system works after the run");
	tap(6, __builtin_popcountll(st.codes) >= 12 && st.ok >= st.calls / 100,
	    "fuzz-guest: calls reached real work (>= 12 distinct answers, >= 1% succeeded)");
	printf("1..6\n");
	bool pass = reached && st.setup_errors == 0 && st.weird == 0 &&
		    st.violations == 0 && st.leaks == 0 && same_memory && works &&
		    __builtin_popcountll(st.codes) >= 12 && st.ok >= st.calls / 100;
	printf("fuzz-guest: calls=%llu seed=%llu workers=%u rounds=%llu ok=%llu codes=%d "
	       "restarts=%llu chaos=%llu timeouts=%llu violations=%llu weird=%llu leaks=%llu "
	       "result=%s\n",
	       (unsigned long long)st.calls, (unsigned long long)FUZZ_SEED, FUZZ_WORKERS,
	       (unsigned long long)st.rounds, (unsigned long long)st.ok,
	       __builtin_popcountll(st.codes), (unsigned long long)st.restarts,
	       (unsigned long long)st.chaos, (unsigned long long)st.timeouts,
	       (unsigned long long)st.violations, (unsigned long long)st.weird,
	       (unsigned long long)st.leaks, pass ? "PASS" : "FAIL");
	return pass ? 0 : 1;
}
