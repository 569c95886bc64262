/*
 * t_isolation.c - what a task must not be able to do, checked from the
 * task's side: touch kernel memory or memory only another VSpace maps,
 * reach caps outside its own CPool, do more than a cap's rights allow,
 * re-badge a badged cap, map a page a second time or into a VSpace it
 * cannot write, and use anything derived from a revoked cap (a page
 * mapped through one is unmapped). A fault is reported and stops only
 * the task; the kernel's invariants hold afterwards.
 *
 * Already covered elsewhere (and not repeated): rights one call at a
 * time from the suite itself (t_chan, t_task, t_cap, t_mem, t_ntfn),
 * re-badging a channel from the suite (t_cap), a second mapping of one
 * page cap (t_mem), a peer's private memory (t_xas), and the fuzzer's
 * sandbox (t_fuzz). The tests here run the forbidden calls from a task
 * whose CPool holds only what the test gave it.
 */
#include <cairn/fault.h>
#include "child.h"
#include "harness.h"
#include "test_arch.h"

#define RW (CAIRN_MAP_READ | CAIRN_MAP_WRITE)
#define SANDBOX_BITS 4
#define VA UINT64_C(0x34000000) /* free in the suite's VSpace */
#define FAR UINT64_C(0x620000000000)  /* no page table here in any VSpace */

#if defined(__x86_64__)
#define KERNEL_IMAGE UINT64_C(0xffffffff80200000)
#define DIRECT_MAP UINT64_C(0xffff800000000000)
#define HOLE UINT64_C(0x0000800000000000) /* non-canonical */
#else
#define KERNEL_IMAGE UINT64_C(0xffff000040200000)
#define DIRECT_MAP UINT64_C(0xffff000000000000)
#define HOLE UINT64_C(0x0001000000000000) /* above the 48-bit TTBR0 range */
#endif

static uint64_t check_violations(void)
{
	uint64_t v = 1;

	if (cairn_debug_checkpoint("isolation", &v))
		return 1;
	return v;
}

/* ---- memory ------------------------------------------------------------ */

/* arg1 = address, arg2 = 1 to write arg3 there; out[0] = what it read.
 * (The suite's children share its VSpace: these addresses are not its.) */
static void touch_mem(struct child *c)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)c->arg[1];

	if (c->arg[2])
		*p = c->arg[3];
	else
		c->out[0] = *p;
	c->out[1] = 1; /* reached only if the access did not fault */
}

/*
 * Run access() in child c (made once, with fault channel ch) again for
 * addr; it must fault there, and the fault message name the address
 * (x86_64 reports a non-canonical address as a protection fault
 * without one).
 */
static bool faults_at(struct child *c, uint64_t ch, uint64_t addr, bool write)
{
	struct cairn_task_info ti;
	struct cairn_msg m;

	c->arg[1] = addr;
	c->arg[2] = write;
	c->arg[3] = 0xbad;
	c->out[0] = c->out[1] = 0;
	if (cairn_task_suspend(c->task) ||
	    cairn_task_set_regs(c->task, CAIRN_REG_ALL, child_entry_ip(), child_entry_sp(c),
				(uintptr_t)c, (uintptr_t)c->tb) ||
	    cairn_task_resume(c->task))
		return false;
	settle();
	if (c->out[1] || cairn_task_read_state(c->task, &ti) || ti.state != CAIRN_TASK_FAULTED ||
	    cairn_chan_try_recv(ch, CAIRN_NO_SLOT, &m))
		return false;
	if (m.words[0] == CAIRN_FAULT_PAGE_FAULT)
		return m.words[2] == addr && ti.fault_addr == addr;
	return m.words[0] == CAIRN_FAULT_PROTECTION;
}

static bool make_access_child(struct child *c, uint64_t *ch)
{
	*ch = new_obj(CAIRN_OBJ_CHANNEL, 0);
	return *ch != CAIRN_NO_SLOT && !child_create(c, touch_mem, 100) &&
	       !cairn_task_configure(c->task, CAIRN_TASK_FIELD_FAULT, *ch, 0);
}

static void kernel_memory_faults(void)
{
	static struct child c;
	uint64_t ch, pg = new_obj(CAIRN_OBJ_PAGE, 0);
	volatile uint64_t *mine = (volatile uint64_t *)(uintptr_t)VA;

	CHECK(make_access_child(&c, &ch));
	CHECK_OK(map_rw(pg, VA));
	*mine = 0x600d;
	/* the kernel image, our own page through the kernel's direct map,
	 * the direct map's first page, the non-user hole, the very top */
	const uint64_t addrs[] = { KERNEL_IMAGE, DIRECT_MAP + ident(pg).paddr, DIRECT_MAP, HOLE,
				   UINT64_C(0xfffffffffffff000) };
	for (unsigned i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		if (!faults_at(&c, ch, addrs[i], false) || !faults_at(&c, ch, addrs[i], true)) {
			test_fail(__FILE__, __LINE__, "access to 0x%llx did not fault as it should",
				  (unsigned long long)addrs[i]);
			return;
		}
	}
	CHECK_EQ(*mine, 0x600d); /* the write through the direct map did not land */
	CHECK_EQ(check_violations(), 0);
	CHECK_OK(cairn_null());
}

static void other_vspace_memory(void)
{
	static struct child c;
	uint64_t ch, vs = new_obj(CAIRN_OBJ_VSPACE, 0), pg = new_obj(CAIRN_OBJ_PAGE, 0);
	volatile uint64_t *mine = (volatile uint64_t *)(uintptr_t)VA;
	int err, tables = 0;

	CHECK(make_access_child(&c, &ch));
	/* the page holds a secret, then is mapped only in the other VSpace */
	CHECK_OK(map_rw(pg, VA));
	*mine = 0x5ec7e7;
	CHECK_OK(cairn_page_unmap(pg));
	while ((err = cairn_page_map(pg, vs, FAR, RW)) == CAIRN_ERR_MISSING_CAP && tables < 3) {
		CHECK_OK(cairn_pt_map(new_obj(CAIRN_OBJ_PAGE_TABLE, 0), vs, FAR));
		tables++;
	}
	CHECK_OK(err);
	/* here, that address is nothing: reads and writes fault */
	CHECK(faults_at(&c, ch, FAR, false));
	CHECK(faults_at(&c, ch, FAR, true));
	CHECK_EQ(c.out[0], 0);
	/* back in ours: the secret is intact */
	CHECK_OK(cairn_page_unmap(pg));
	CHECK_OK(map_rw(pg, VA));
	CHECK_EQ(*mine, 0x5ec7e7);
	CHECK_EQ(check_violations(), 0);
}

/* ---- a task with its own CPool ----------------------------------------- */

/* Answers of the sandboxed child's calls, in order. */
#define MAX_ANSWERS 24
static volatile int answers[MAX_ANSWERS];
static volatile unsigned answer_count;

static void answer(int err)
{
	if (answer_count < MAX_ANSWERS)
		answers[answer_count++] = err;
}

/* The sandbox's answers are exactly `want`, in order; else one failure
 * naming the first call that differs. */
static bool answers_are(const int *want, unsigned n, int line)
{
	if (answer_count != n) {
		test_fail(__FILE__, line, "%u calls answered, want %u", answer_count, n);
		return false;
	}
	for (unsigned i = 0; i < n; i++)
		if (answers[i] != want[i]) {
			test_fail(__FILE__, line, "call %u answered %s, want %s", i,
				  cairn_error_name(answers[i]), cairn_error_name(want[i]));
			return false;
		}
	return true;
}

/* A sandbox pool of 2^SANDBOX_BITS slots, slot 0 itself with `rights`. */
static uint64_t sandbox(unsigned rights)
{
	uint64_t pool = new_obj(CAIRN_OBJ_CPOOL, SANDBOX_BITS);

	if (pool != CAIRN_NO_SLOT &&
	    cairn_cap_copy(CAIRN_SYS_CADDR(pool << SANDBOX_BITS,
					   boot_info->root_cpool_bits + SANDBOX_BITS),
			   pool, rights))
		return CAIRN_NO_SLOT;
	return pool;
}

static int give(uint64_t pool, unsigned k, uint64_t src, unsigned rights)
{
	return cairn_cap_copy(CAIRN_SYS_CADDR(pool << SANDBOX_BITS | k,
					      boot_info->root_cpool_bits + SANDBOX_BITS),
			      src, rights);
}

/*
 * A sandboxed task has no cap to itself, so it cannot suspend itself as
 * children do when done (child.c, with a slot number of the suite's
 * pool): it stops the one way left, with a deliberate fault.
 */
static void __attribute__((noreturn)) sandbox_done(void)
{
	for (;;)
		__asm__ volatile(FAULT_UNDEFINED_ASM);
}

/* Run fn in a child whose root CPool is `pool`, through a cap with
 * `rights`, until it is done. */
static bool run_sandboxed(struct child *c, void (*fn)(struct child *), uint64_t pool,
			  unsigned rights)
{
	struct cairn_task_info ti;
	uint64_t root = new_slot();

	answer_count = 0;
	if (root == CAIRN_NO_SLOT || cairn_cap_copy(root, pool, rights) ||
	    child_create(c, fn, 100) ||
	    cairn_task_configure(c->task, CAIRN_TASK_FIELD_CPOOL, root, 0) ||
	    cairn_task_resume(c->task))
		return false;
	settle();
	return !cairn_task_read_state(c->task, &ti) && ti.state == CAIRN_TASK_FAULTED &&
	       c->started && !c->finished;
}

/* Slot numbers that mean something in the suite's root pool. */
static void reach_out(struct child *c)
{
	struct cairn_msg m = msg4(1, 7, 0, 0, 0);
	struct cairn_cap_info info;
	struct cairn_task_info ti;

	(void)c;
	answer(cairn_task_suspend(CAIRN_SLOT_ROOT_TASK)); /* here: a channel */
	answer(cairn_untyped_retype(CAIRN_SLOT_UNTYPED, CAIRN_OBJ_PAGE, 0, 0, 5, 1));
	answer(cairn_page_map(1, CAIRN_SLOT_VSPACE, VA, RW));
	answer(cairn_chan_try_send(CAIRN_SLOT_CHANNEL, &m));   /* past our 16 slots */
	answer(cairn_cap_copy(6, CAIRN_SLOT_CHANNEL, CAIRN_RIGHTS_ALL));
	answer(cairn_cap_revoke(CAIRN_SLOT_UNTYPED));
	answer(cairn_cap_delete(CAIRN_SLOT_VSPACE));
	/* the suite's slot 255 at the depth of the suite's root pool: here
	 * 4 bits index our pool (slot 15, empty) and 4 are left over */
	answer(cairn_cap_identify(CAIRN_SYS_CADDR(CAIRN_SLOT_CHANNEL, 8), &info));
	/* depth 8: slot 0 (our pool), then its slot 1 (a channel, no task) */
	answer(cairn_task_read_state(CAIRN_SYS_CADDR(1, 8), &ti));
	answer(cairn_ntfn_signal(4));
	answer(cairn_cap_identify(2, &info) ? -1 : info.type); /* empty: type NULL */
	sandbox_done();
}

static void caps_not_held(void)
{
	static struct child c;
	uint64_t pool = sandbox(CAIRN_RIGHTS_ALL), ch = new_obj(CAIRN_OBJ_CHANNEL, 0);
	struct cairn_task_info ti;
	static const int want[] = {
		CAIRN_ERR_INVALID_CAP, CAIRN_ERR_SLOT_EMPTY, CAIRN_ERR_INVALID_CAP,
		CAIRN_ERR_RANGE,       CAIRN_ERR_RANGE,      CAIRN_ERR_SLOT_EMPTY,
		CAIRN_ERR_SLOT_EMPTY,  CAIRN_ERR_MISSING_CAP, CAIRN_ERR_INVALID_CAP,
		CAIRN_ERR_SLOT_EMPTY,  CAIRN_OBJ_NULL,
	};

	CHECK(pool != CAIRN_NO_SLOT);
	CHECK_OK(give(pool, 1, ch, CAIRN_RIGHTS_ALL));
	CHECK(run_sandboxed(&c, reach_out, pool, CAIRN_RIGHTS_ALL));
	if (!answers_are(want, sizeof(want) / sizeof(want[0]), __LINE__))
		return;
	/* nothing of ours changed */
	CHECK_OK(cairn_task_read_state(CAIRN_SLOT_ROOT_TASK, &ti));
	CHECK_EQ(ti.state, CAIRN_TASK_RUNNING);
	CHECK_EQ(ident(CAIRN_SYS_CADDR(pool << SANDBOX_BITS | 5,
				       boot_info->root_cpool_bits + SANDBOX_BITS)).type,
		 CAIRN_OBJ_NULL); /* the retype made nothing */
	CHECK_EQ(ident(CAIRN_SLOT_CHANNEL).summary[0], 0);
	CHECK_EQ(ident(CAIRN_SLOT_VSPACE).type, CAIRN_OBJ_VSPACE);
}

/*
 * The sandbox's root CPool cap is READ only (so is its slot 0), and it
 * holds: 1 a channel READ only,
 * 2 a Task READ only, 3 a Page READ only, 4 a VSpace READ only,
 * 5 a Page with all rights, 6 a notification READ only, 7 a channel
 * WRITE only (no GRANT).
 */
static void exceed_rights(struct child *c)
{
	struct cairn_msg m = msg4(1, 1, 0, 0, 0), r;
	struct cairn_task_info ti;
	uint64_t bits;

	(void)c;
	answer(cairn_chan_try_send(1, &m));
	answer(cairn_chan_try_recv(7, CAIRN_NO_SLOT, &r));
	m.info = CAIRN_MSGINFO(1, CAIRN_MSG_CAP);
	m.cap = 1;
	answer(cairn_chan_try_send(7, &m));                      /* a cap needs GRANT */
	answer(cairn_task_suspend(2));
	answer(cairn_task_set_priority(2, 1));
	answer(cairn_task_set_regs(2, CAIRN_REG_IP, 0, 0, 0, 0));
	answer(cairn_task_read_state(2, &ti));                   /* READ is enough */
	answer(cairn_page_map(3, 4, VA, RW));
	answer(cairn_page_map(5, 4, VA, CAIRN_MAP_READ));        /* the VSpace needs WRITE */
	answer(cairn_ntfn_signal(6));
	answer(cairn_ntfn_poll(6, &bits));                       /* READ is enough */
	answer(cairn_cap_copy(8, 1, CAIRN_RIGHTS_ALL));          /* the pool needs WRITE */
	answer(cairn_cap_delete(1));
	answer(cairn_cap_move(9, 5));
	answer(cairn_set_name(2, "nope"));
	sandbox_done();
}

static void rights_not_exceeded(void)
{
	static struct child c, victim;
	uint64_t pool = sandbox(CAIRN_RIGHT_READ), vs = new_obj(CAIRN_OBJ_VSPACE, 0);
	/* (the rest of the set-up writes the pool through our own cap) */
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), pg = new_obj(CAIRN_OBJ_PAGE, 0);
	uint64_t nt = new_obj(CAIRN_OBJ_NOTIFICATION, 0);
	struct cairn_task_info ti;
	static const int want[] = {
		CAIRN_ERR_INSUFFICIENT_RIGHTS, CAIRN_ERR_INSUFFICIENT_RIGHTS,
		CAIRN_ERR_INSUFFICIENT_RIGHTS, CAIRN_ERR_INSUFFICIENT_RIGHTS,
		CAIRN_ERR_INSUFFICIENT_RIGHTS, CAIRN_ERR_INSUFFICIENT_RIGHTS, CAIRN_ERR_OK,
		CAIRN_ERR_INSUFFICIENT_RIGHTS, CAIRN_ERR_INSUFFICIENT_RIGHTS,
		CAIRN_ERR_INSUFFICIENT_RIGHTS, CAIRN_ERR_OK, CAIRN_ERR_INSUFFICIENT_RIGHTS,
		CAIRN_ERR_INSUFFICIENT_RIGHTS, CAIRN_ERR_INSUFFICIENT_RIGHTS,
		CAIRN_ERR_INSUFFICIENT_RIGHTS,
	};

	CHECK(pool != CAIRN_NO_SLOT);
	CHECK_OK(child_create(&victim, touch_mem, 90)); /* never resumed */
	CHECK_OK(give(pool, 1, ch, CAIRN_RIGHT_READ));
	CHECK_OK(give(pool, 2, victim.task, CAIRN_RIGHT_READ));
	CHECK_OK(give(pool, 3, pg, CAIRN_RIGHT_READ));
	CHECK_OK(give(pool, 4, vs, CAIRN_RIGHT_READ));
	CHECK_OK(give(pool, 5, pg, CAIRN_RIGHTS_ALL));
	CHECK_OK(give(pool, 6, nt, CAIRN_RIGHT_READ));
	CHECK_OK(give(pool, 7, ch, CAIRN_RIGHT_WRITE));
	CHECK(run_sandboxed(&c, exceed_rights, pool, CAIRN_RIGHT_READ));
	if (!answers_are(want, sizeof(want) / sizeof(want[0]), __LINE__))
		return;
	CHECK_OK(cairn_task_read_state(victim.task, &ti));
	CHECK_EQ(ti.state, CAIRN_TASK_INACTIVE);
	CHECK_EQ(ti.priority, 90);
	CHECK_EQ(ident(ch).summary[0], 0);
	CHECK(!(ident(pg).flags & CAIRN_CAPINFO_MAPPED));
	/* copies never add rights back */
	uint64_t s = new_slot();
	CHECK_OK(cairn_cap_copy(s, CAIRN_SYS_CADDR(pool << SANDBOX_BITS | 1,
						   boot_info->root_cpool_bits + SANDBOX_BITS),
				CAIRN_RIGHTS_ALL));
	CHECK_EQ(ident(s).rights, CAIRN_RIGHT_READ);
}

static void no_rebadging(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), nt = new_obj(CAIRN_OBJ_NOTIFICATION, 0);
	uint64_t b = new_slot(), nb = new_slot(), d = new_slot(), recv = new_slot();
	struct cairn_msg m = msg4(1, 5, 0, 0, 0), got;
	uint64_t bits;

	CHECK_OK(cairn_cap_mint(b, ch, CAIRN_RIGHTS_ALL, 0x77));
	CHECK_OK(cairn_cap_mint(nb, nt, CAIRN_RIGHTS_ALL, 0x10));
	/* any new badge, 0 included, on a badged channel or notification */
	const uint64_t badges[] = { 0x99, 0x77, 0, 1, UINT64_MAX };
	for (unsigned i = 0; i < sizeof(badges) / sizeof(badges[0]); i++) {
		int err = cairn_cap_mint(d, b, CAIRN_RIGHTS_ALL, badges[i]);
		if (err == CAIRN_ERR_OK) {
			/* accepted only as a plain copy: the badge stays */
			CHECK_EQ(ident(d).badge, 0x77);
			CHECK(ident(d).flags & CAIRN_CAPINFO_BADGED);
			CHECK_OK(cairn_cap_delete(d));
		} else {
			CHECK_ERR(err, CAIRN_ERR_ILLEGAL_OPERATION);
		}
		err = cairn_cap_mint(d, nb, CAIRN_RIGHTS_ALL, badges[i]);
		if (err == CAIRN_ERR_OK) {
			CHECK_EQ(ident(d).badge, 0x10);
			CHECK_OK(cairn_cap_delete(d));
		} else {
			CHECK_ERR(err, CAIRN_ERR_ILLEGAL_OPERATION);
		}
	}
	/* the badge travels with the cap through a channel, and the
	 * received cap cannot be re-badged either */
	m.info = CAIRN_MSGINFO(1, CAIRN_MSG_CAP);
	m.cap = b;
	CHECK_OK(cairn_chan_try_send(b, &m));
	CHECK_OK(cairn_chan_try_recv(ch, recv, &got));
	CHECK_EQ(got.badge, 0x77);
	CHECK(got.info & CAIRN_MSG_CAP);
	CHECK_EQ(ident(recv).badge, 0x77);
	CHECK_ERR(cairn_cap_mint(d, recv, CAIRN_RIGHTS_ALL, 0x99), CAIRN_ERR_ILLEGAL_OPERATION);
	/* and a signal through the badged notification ORs in its badge */
	CHECK_OK(cairn_ntfn_signal(nb));
	CHECK_OK(cairn_ntfn_poll(nt, &bits));
	CHECK_EQ(bits, 0x10);
}

/* 0: a Page (all rights); 1: a Channel; 2: a VSpace READ only;
 * 3: a VSpace with all rights. */
static void map_without_vspace(struct child *c)
{
	(void)c;
	answer(cairn_page_map(0, 1, VA, RW));      /* not a VSpace */
	answer(cairn_page_map(0, 5, VA, RW));      /* an empty slot */
	answer(cairn_page_map(0, 2, VA, RW));      /* VSpace without WRITE */
	answer(cairn_page_map(0, 3, VA, RW));      /* fine: its own table there? */
	answer(cairn_page_map(0, 3, VA + 0x1000, RW)); /* mapped already */
	answer(cairn_pt_map(0, 3, FAR));           /* a Page is no PageTable */
	sandbox_done();
}

static void maps_once_and_only_with_vspace(void)
{
	static struct child c;
	uint64_t pool = new_obj(CAIRN_OBJ_CPOOL, SANDBOX_BITS);
	uint64_t pg = new_obj(CAIRN_OBJ_PAGE, 0), ch = new_obj(CAIRN_OBJ_CHANNEL, 0);
	uint64_t vs = new_obj(CAIRN_OBJ_VSPACE, 0);
	int err, tables = 0;

	/* the other VSpace gets tables down to VA, so that a map can work */
	uint64_t probe = new_obj(CAIRN_OBJ_PAGE, 0);
	while ((err = cairn_page_map(probe, vs, VA, RW)) == CAIRN_ERR_MISSING_CAP && tables < 3) {
		CHECK_OK(cairn_pt_map(new_obj(CAIRN_OBJ_PAGE_TABLE, 0), vs, VA));
		tables++;
	}
	CHECK_OK(err);
	CHECK_OK(cairn_page_unmap(probe));
	CHECK_OK(give(pool, 0, pg, CAIRN_RIGHTS_ALL));
	CHECK_OK(give(pool, 1, ch, CAIRN_RIGHTS_ALL));
	CHECK_OK(give(pool, 2, vs, CAIRN_RIGHT_READ));
	CHECK_OK(give(pool, 3, vs, CAIRN_RIGHTS_ALL));
	CHECK(run_sandboxed(&c, map_without_vspace, pool, CAIRN_RIGHTS_ALL));
	static const int want[] = { CAIRN_ERR_INVALID_CAP, CAIRN_ERR_SLOT_EMPTY,
				    CAIRN_ERR_INSUFFICIENT_RIGHTS, CAIRN_ERR_OK,
				    CAIRN_ERR_SLOT_OCCUPIED, CAIRN_ERR_INVALID_CAP };
	if (!answers_are(want, sizeof(want) / sizeof(want[0]), __LINE__))
		return;
	/* the page cap the sandbox mapped is mapped once, in the other
	 * VSpace only; the suite's own cap to it cannot map it a second
	 * time either (one mapping per cap) */
	struct cairn_cap_info in_box = ident(CAIRN_SYS_CADDR(pool << SANDBOX_BITS,
							     boot_info->root_cpool_bits + SANDBOX_BITS));
	CHECK(in_box.flags & CAIRN_CAPINFO_MAPPED);
	CHECK_EQ(in_box.summary[0], VA);
	CHECK_OK(cairn_page_map(pg, vs, VA + 0x2000, RW));
	CHECK_ERR(cairn_page_map(pg, vs, VA + 0x3000, RW), CAIRN_ERR_SLOT_OCCUPIED);
	CHECK_ERR(cairn_page_map(pg, CAIRN_SLOT_VSPACE, VA + 0x3000, RW), CAIRN_ERR_SLOT_OCCUPIED);
}

/* ---- revoke ------------------------------------------------------------ */

/* 1: a badged channel copy, 2: a Page copy; after the revoke. */
static void use_revoked(struct child *c)
{
	struct cairn_msg m = msg4(1, 1, 0, 0, 0);
	struct cairn_cap_info info;

	(void)c;
	answer(cairn_chan_try_send(1, &m));
	answer(cairn_page_map(2, 3, VA, RW));
	answer(cairn_cap_identify(1, &info) ? -1 : info.type);
	answer(cairn_cap_identify(2, &info) ? -1 : info.type);
	sandbox_done();
}

static void nothing_usable_after_revoke(void)
{
	static struct child c, reader;
	uint64_t pool = sandbox(CAIRN_RIGHTS_ALL), ch = new_obj(CAIRN_OBJ_CHANNEL, 0);
	uint64_t pg = new_obj(CAIRN_OBJ_PAGE, 0), mapped = new_slot(), fault_ch;
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)VA;
	struct cairn_msg m;

	/* a page mapped through a copy, more copies in the sandbox */
	CHECK_OK(cairn_cap_copy(mapped, pg, CAIRN_RIGHTS_ALL));
	CHECK_OK(map_rw(mapped, VA));
	*p = 42;
	CHECK_OK(give(pool, 2, mapped, CAIRN_RIGHTS_ALL)); /* a grandchild of pg */
	uint64_t badged = new_slot();
	CHECK_OK(cairn_cap_mint(badged, ch, CAIRN_RIGHTS_ALL, 0x5));
	CHECK_OK(give(pool, 1, badged, CAIRN_RIGHTS_ALL));
	CHECK_OK(give(pool, 3, CAIRN_SLOT_VSPACE, CAIRN_RIGHTS_ALL));

	CHECK_OK(cairn_cap_revoke(pg));
	CHECK_OK(cairn_cap_revoke(ch));
	CHECK_EQ(ident(mapped).type, CAIRN_OBJ_NULL);
	CHECK_EQ(ident(badged).type, CAIRN_OBJ_NULL);
	/* the mapping made through the revoked copy is gone */
	CHECK(make_access_child(&reader, &fault_ch));
	CHECK(faults_at(&reader, fault_ch, VA, false));
	/* the sandbox's copies are gone too */
	CHECK(run_sandboxed(&c, use_revoked, pool, CAIRN_RIGHTS_ALL));
	static const int want[] = { CAIRN_ERR_SLOT_EMPTY, CAIRN_ERR_SLOT_EMPTY, CAIRN_OBJ_NULL,
				    CAIRN_OBJ_NULL };
	if (!answers_are(want, sizeof(want) / sizeof(want[0]), __LINE__))
		return;
	CHECK_ERR(cairn_chan_try_recv(ch, CAIRN_NO_SLOT, &m), CAIRN_ERR_WOULD_BLOCK);
	/* the originals still work, and the frame kept its contents */
	CHECK(!(ident(pg).flags & CAIRN_CAPINFO_MAPPED));
	CHECK_OK(map_rw(pg, VA));
	CHECK_EQ(*p, 42);
	CHECK_EQ(check_violations(), 0);
}

const struct test tests_isolation[] = {
	{ "isolation: kernel memory (image, direct map, hole, top): reads and writes fault",
	  kernel_memory_faults },
	{ "isolation: a page only another VSpace maps: no access here, contents intact",
	  other_vspace_memory },
	{ "isolation: a sandboxed task reaches only the caps in its own pool", caps_not_held },
	{ "isolation: no call exceeds a cap's rights (from a sandbox); copies only shrink",
	  rights_not_exceeded },
	{ "isolation: no re-badging (any badge, 0 too; channels, notifications, sent caps)",
	  no_rebadging },
	{ "isolation: map needs a writable VSpace cap; a page cap maps once", maps_once_and_only_with_vspace },
	{ "isolation: after revoke nothing derived works; its mappings are gone",
	  nothing_usable_after_revoke },
	{ NULL, NULL },
};
