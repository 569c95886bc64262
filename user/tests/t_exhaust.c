/*
 * t_exhaust.c - running out of everything: untyped memory (mixed
 * objects, tasks), the slots of a pool, a channel's ring (with blocked
 * senders behind it), the CAddr bits of nested CPools, and nesting
 * deeper than any address reaches. Each limit must answer its precise
 * error code and change nothing, and after revoke the untyped must be
 * empty (watermark 0) and make the same objects again.
 */
#include "child.h"
#include "harness.h"

/* A fresh 2^bits Untyped from slot 2, in a tracked slot. */
static uint64_t untyped(unsigned bits)
{
	return new_obj(CAIRN_OBJ_UNTYPED, bits);
}

/* Slot k of the pool whose cap is in root slot `pool` (radix `bits`). */
static uint64_t in_pool(uint64_t pool, unsigned bits, uint64_t k)
{
	return CAIRN_SYS_CADDR(pool << bits | k, boot_info->root_cpool_bits + bits);
}

static uint64_t watermark(uint64_t ut)
{
	return ident(ut).summary[0];
}

/*
 * Retype a mix of objects, one at a time, into a pool until the
 * untyped answers NO_MEMORY; how many were made (types cycling through
 * kinds[]), or 0 after a failed check.
 */
static const struct { unsigned type, bits; } kinds[] = {
	{ CAIRN_OBJ_PAGE, 0 },    { CAIRN_OBJ_NOTIFICATION, 0 }, { CAIRN_OBJ_TASK, 0 },
	{ CAIRN_OBJ_CHANNEL, 0 }, { CAIRN_OBJ_CPOOL, 3 },        { CAIRN_OBJ_VSPACE, 0 },
	{ CAIRN_OBJ_PAGE_TABLE, 0 },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

static unsigned fill_untyped(uint64_t ut, uint64_t pool, unsigned pool_bits, int *err)
{
	unsigned n = 0, k = 0, misses = 0;

	/* The kinds in turn, skipping those that no longer fit (smaller
	 * ones still fit in what is left): until none fits. */
	while (n < (1u << pool_bits) && misses < NKINDS) {
		*err = cairn_untyped_retype(ut, kinds[k].type, kinds[k].bits, pool, n, 1);
		k = (k + 1) % NKINDS;
		if (*err == CAIRN_ERR_OK) {
			n++;
			misses = 0;
		} else if (*err == CAIRN_ERR_NO_MEMORY) {
			misses++;
		} else {
			return n;
		}
	}
	return n;
}

static void retype_until_out_of_memory(void)
{
	const unsigned bits = 17, pool_bits = 8; /* 128 KiB, 256 slots */
	uint64_t ut = untyped(bits), pool = new_obj(CAIRN_OBJ_CPOOL, pool_bits);
	uint64_t first_wm;
	unsigned first, again;
	int err = 0;

	first = fill_untyped(ut, pool, pool_bits, &err);
	CHECK_ERR(err, CAIRN_ERR_NO_MEMORY);
	CHECK(first > 8);
	first_wm = watermark(ut);
	/* less than the smallest object is left, which no longer fits */
	CHECK(first_wm > (UINT64_C(1) << bits) - (1u << CAIRN_NOTIFICATION_BITS));
	CHECK(first_wm <= UINT64_C(1) << bits);
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_NOTIFICATION, 0, pool, first, 1),
		  CAIRN_ERR_NO_MEMORY);
	CHECK_EQ(ident(in_pool(pool, pool_bits, first)).type, CAIRN_OBJ_NULL);
	CHECK_EQ(ident(pool).summary[1], first);
	CHECK_EQ(watermark(ut), first_wm);

	CHECK_OK(cairn_cap_revoke(ut));
	CHECK_EQ(watermark(ut), 0);
	CHECK_EQ(ident(ut).summary[1], UINT64_C(1) << bits);
	CHECK_EQ(ident(pool).summary[1], 0); /* every object gone from the pool */
	again = fill_untyped(ut, pool, pool_bits, &err);
	CHECK_ERR(err, CAIRN_ERR_NO_MEMORY);
	CHECK_EQ(again, first);
	CHECK_EQ(watermark(ut), first_wm);
	CHECK_OK(cairn_cap_revoke(ut));
	CHECK_EQ(watermark(ut), 0);
}

static void tasks_until_out_of_memory(void)
{
	const unsigned bits = 15; /* 32 KiB: exactly 16 tasks of 2 KiB */
	const unsigned fit = 1u << (bits - CAIRN_TASK_BITS);
	uint64_t ut = untyped(bits), first = new_slots(fit + 1);

	for (unsigned round = 0; round < 2; round++) {
		for (unsigned i = 0; i < fit; i++) {
			CHECK_OK(cairn_untyped_retype(ut, CAIRN_OBJ_TASK, 0, CAIRN_SLOT_ROOT_CPOOL,
						      first + i, 1));
			/* a real task: configurable, named */
			CHECK_OK(cairn_task_configure(first + i, CAIRN_TASK_FIELD_CPOOL,
						      CAIRN_SLOT_ROOT_CPOOL, 0));
			CHECK_OK(cairn_set_name(first + i, "exhaust"));
		}
		CHECK_EQ(watermark(ut), UINT64_C(1) << bits);
		CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_TASK, 0, CAIRN_SLOT_ROOT_CPOOL,
					       first + fit, 1), CAIRN_ERR_NO_MEMORY);
		CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_NOTIFICATION, 0, CAIRN_SLOT_ROOT_CPOOL,
					       first + fit, 1), CAIRN_ERR_NO_MEMORY);
		CHECK_EQ(ident(first + fit).type, CAIRN_OBJ_NULL);
		/* Deleting some tasks frees nothing while others remain (an
		 * untyped is only reset when empty): a fan-out retype into
		 * their slots is NO_MEMORY and makes nothing at all. */
		for (unsigned i = 0; i < 3; i++)
			CHECK_OK(cairn_cap_delete(first + i));
		CHECK_EQ(watermark(ut), UINT64_C(1) << bits);
		CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_TASK, 0, CAIRN_SLOT_ROOT_CPOOL, first,
					       3), CAIRN_ERR_NO_MEMORY);
		for (unsigned i = 0; i < 3; i++)
			CHECK_EQ(ident(first + i).type, CAIRN_OBJ_NULL);
		CHECK_OK(cairn_cap_revoke(ut));
		CHECK_EQ(watermark(ut), 0);
		for (unsigned i = 0; i <= fit; i++)
			CHECK_EQ(ident(first + i).type, CAIRN_OBJ_NULL);
	}
}

static void fill_every_slot_of_a_pool(void)
{
	const unsigned pool_bits = 4, n = 1u << pool_bits;
	uint64_t ut = untyped(16), pool = new_slot(), ch = new_obj(CAIRN_OBJ_CHANNEL, 0);

	CHECK_OK(cairn_untyped_retype(ut, CAIRN_OBJ_CPOOL, pool_bits, CAIRN_SLOT_ROOT_CPOOL, pool,
				      1));
	/* more objects than slots: RANGE, and nothing made */
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_NOTIFICATION, 0, pool, 0, n + 1),
		  CAIRN_ERR_RANGE);
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_NOTIFICATION, 0, pool, 1, n), CAIRN_ERR_RANGE);
	CHECK_EQ(ident(pool).summary[1], 0);
	/* every slot: half retyped in one call, half copies */
	CHECK_OK(cairn_untyped_retype(ut, CAIRN_OBJ_NOTIFICATION, 0, pool, 0, n / 2));
	for (unsigned k = n / 2; k < n; k++)
		CHECK_OK(cairn_cap_copy(in_pool(pool, pool_bits, k), ch, CAIRN_RIGHTS_ALL));
	CHECK_EQ(ident(pool).summary[1], n);
	/* full: every way in is SLOT_OCCUPIED, past the end RANGE */
	for (unsigned k = 0; k < n; k++) {
		CHECK_ERR(cairn_cap_copy(in_pool(pool, pool_bits, k), ch, CAIRN_RIGHTS_ALL),
			  CAIRN_ERR_SLOT_OCCUPIED);
		CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_NOTIFICATION, 0, pool, k, 1),
			  CAIRN_ERR_SLOT_OCCUPIED);
	}
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_NOTIFICATION, 0, pool, n, 1), CAIRN_ERR_RANGE);
	struct cairn_msg m = msg4(0, 0, 0, 0, 0), got;
	m.info = CAIRN_MSGINFO(0, CAIRN_MSG_CAP);
	m.cap = ch;
	CHECK_OK(cairn_chan_try_send(ch, &m));
	/* a cap arriving for a full pool's slot is dropped, not lost in it */
	CHECK_OK(cairn_chan_try_recv(ch, in_pool(pool, pool_bits, 3), &got));
	CHECK(got.info & CAIRN_MSG_CAP_DROPPED);
	CHECK_EQ(ident(pool).summary[1], n);
	/* revoke: the copies of the channel go, the notifications go */
	CHECK_OK(cairn_cap_revoke(ch));
	CHECK_EQ(ident(pool).summary[1], n / 2);
	CHECK_OK(cairn_cap_revoke(ut));
	CHECK_EQ(watermark(ut), 0);
	CHECK_EQ(ident(pool).type, CAIRN_OBJ_NULL);
	/* and the same again */
	CHECK_OK(cairn_untyped_retype(ut, CAIRN_OBJ_CPOOL, pool_bits, CAIRN_SLOT_ROOT_CPOOL, pool,
				      1));
	CHECK_OK(cairn_untyped_retype(ut, CAIRN_OBJ_NOTIFICATION, 0, pool, 0, n));
	CHECK_EQ(ident(pool).summary[1], n);
}

/* arg0 = channel: one blocking send of 2000 + arg1; out[0] its answer. */
static void one_sender(struct child *c)
{
	struct cairn_msg m = msg4(1, 2000 + c->arg[1], 0, 0, 0);

	c->out[0] = cairn_chan_send(c->arg[0], &m);
	c->out[1] = 1;
}

/* All but one of the suite's child stacks (child.c). */
#define SENDERS 7

static void full_channel_many_senders(void)
{
	static struct child c[SENDERS];
	uint64_t ut = untyped(CAIRN_CHANNEL_BITS), ch = new_slot(), v = 1;
	struct cairn_msg m = msg4(1, 0, 0, 0, 0), r;

	for (unsigned i = 0; i < SENDERS; i++) {
		CHECK_OK(child_create(&c[i], one_sender, 100));
		c[i].arg[0] = ch;
		c[i].arg[1] = i;
	}
	for (unsigned round = 0; round < 2; round++) {
		CHECK_OK(cairn_untyped_retype(ut, CAIRN_OBJ_CHANNEL, 0, CAIRN_SLOT_ROOT_CPOOL, ch,
					      1));
		uint64_t depth = ident(ch).summary[1];
		CHECK(depth >= 1);
		for (uint64_t i = 0; i < depth; i++) {
			m.words[0] = i;
			CHECK_OK(cairn_chan_try_send(ch, &m));
		}
		CHECK_ERR(cairn_chan_try_send(ch, &m), CAIRN_ERR_WOULD_BLOCK);
		CHECK_EQ(ident(ch).summary[0], depth);
		for (unsigned i = 0; i < SENDERS; i++) {
			/* (again from the start in the second round) */
			c[i].out[0] = c[i].out[1] = 0;
			CHECK_OK(cairn_task_suspend(c[i].task));
			CHECK_OK(cairn_task_set_regs(c[i].task, CAIRN_REG_ALL, child_entry_ip(),
						     child_entry_sp(&c[i]), (uintptr_t)&c[i],
						     (uintptr_t)c[i].tb));
			CHECK_OK(cairn_task_resume(c[i].task));
			settle(); /* one at a time: they queue in this order */
		}
		CHECK_EQ(ident(ch).summary[2], SENDERS);
		for (unsigned i = 0; i < SENDERS; i++) {
			struct cairn_task_info ti;
			CHECK_OK(cairn_task_read_state(c[i].task, &ti));
			CHECK_EQ(ti.state, CAIRN_TASK_BLOCKED_SEND);
		}
		if (round == 0) {
			/* drain: the ring in order, then the senders in order */
			for (uint64_t i = 0; i < depth + SENDERS; i++) {
				CHECK_OK(cairn_chan_try_recv(ch, CAIRN_NO_SLOT, &r));
				CHECK_EQ(r.words[0], i < depth ? i : 2000 + (i - depth));
			}
			CHECK_ERR(cairn_chan_try_recv(ch, CAIRN_NO_SLOT, &r), CAIRN_ERR_WOULD_BLOCK);
			settle();
			for (unsigned i = 0; i < SENDERS; i++) {
				CHECK_EQ(c[i].out[1], 1);
				CHECK_EQ(c[i].out[0], CAIRN_ERR_OK);
			}
			CHECK_OK(cairn_cap_revoke(ut));
			CHECK_EQ(ident(ch).type, CAIRN_OBJ_NULL);
		} else {
			/* delete it full: every sender wakes with OBJECT_DESTROYED */
			CHECK_OK(cairn_cap_delete(ch));
			settle();
			for (unsigned i = 0; i < SENDERS; i++) {
				CHECK_EQ(c[i].out[1], 1);
				CHECK_EQ(c[i].out[0], CAIRN_ERR_OBJECT_DESTROYED);
			}
		}
		CHECK_EQ(watermark(ut), 0);
		CHECK_OK(cairn_debug_checkpoint("exhaust-chan", &v));
		CHECK_EQ(v, 0);
	}
}

/*
 * VSpaces until the kernel's table of live address spaces is full
 * (VSPACE_MAX, 1,024 with the ones already in use): NO_MEMORY while the
 * untyped still has room; a VSpace's entry is only freed when its
 * memory is reset, so revoke frees them all and the same count fits.
 */
#define VS_BATCH 64

static unsigned vspaces_until_full(uint64_t ut, uint64_t pool, int *err)
{
	unsigned n = 0;

	while (n + VS_BATCH <= 1024 &&
	       !(*err = cairn_untyped_retype(ut, CAIRN_OBJ_VSPACE, 0, pool, n, VS_BATCH)))
		n += VS_BATCH;
	/* the last few one at a time */
	while (n < 1024 && !(*err = cairn_untyped_retype(ut, CAIRN_OBJ_VSPACE, 0, pool, n, 1)))
		n++;
	return n;
}

static void vspaces_until_the_table_is_full(void)
{
	const unsigned bits = 23; /* 8 MiB: room for 2,048 */
	uint64_t ut = untyped(bits), pool = new_obj(CAIRN_OBJ_CPOOL, 10);
	unsigned first, again;
	int err = 0;

	first = vspaces_until_full(ut, pool, &err);
	CHECK_ERR(err, CAIRN_ERR_NO_MEMORY);
	CHECK(first > 512 && first < 1024);
	CHECK(ident(ut).summary[1] >= (UINT64_C(1) << bits) / 2); /* memory was not the limit */
	/* other objects still fit; a fan-out of VSpaces makes none */
	uint64_t small = new_obj(CAIRN_OBJ_CPOOL, 2);
	CHECK_OK(cairn_untyped_retype(ut, CAIRN_OBJ_NOTIFICATION, 0, small, 0, 1));
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_VSPACE, 0, small, 1, 2), CAIRN_ERR_NO_MEMORY);
	CHECK_EQ(ident(small).summary[1], 1);
	/* deleting caps frees no entry while the untyped is in use */
	CHECK_OK(cairn_cap_delete(in_pool(pool, 10, 0)));
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_VSPACE, 0, pool, 0, 1), CAIRN_ERR_NO_MEMORY);
	CHECK_OK(cairn_cap_revoke(ut));
	CHECK_EQ(watermark(ut), 0);
	again = vspaces_until_full(ut, pool, &err);
	CHECK_ERR(err, CAIRN_ERR_NO_MEMORY);
	CHECK_EQ(again, first);
	CHECK_OK(cairn_cap_revoke(ut));
	CHECK_EQ(watermark(ut), 0);
	/* and the rest of the system can make VSpaces again */
	CHECK(new_obj(CAIRN_OBJ_VSPACE, 0) != CAIRN_NO_SLOT);
}

/*
 * CPools nested until the CAddr has no bits left: root slot 0 (the
 * root pool itself) takes 8 bits, our first pool's root slot 8 more,
 * then radix-4 pools take 4 bits each (12 of them with the default
 * 256-slot root pool): a slot of the last is at depth 64, the deepest
 * any address reaches.
 */
#define NEST_RADIX 4

static uint64_t nest_addr(uint64_t top, unsigned levels, uint64_t last, unsigned *depth)
{
	/* root slot 0 (zero bits), then `top`, then `levels` slot-0 steps,
	 * then `last` */
	*depth = 2 * boot_info->root_cpool_bits + NEST_RADIX * levels + NEST_RADIX;
	return (top << (NEST_RADIX * (levels + 1))) | last;
}

static void nest_pools_to_max_depth(void)
{
	uint64_t ut = untyped(16), top = new_slot(), ntfn_at, addr;
	const unsigned NEST_LEVELS = (CAIRN_CADDR_BITS - 2 * boot_info->root_cpool_bits) / NEST_RADIX;
	unsigned depth;
	struct cairn_cap_info info;

	CHECK(2 * boot_info->root_cpool_bits + NEST_RADIX * NEST_LEVELS == CAIRN_CADDR_BITS);
	CHECK_OK(cairn_untyped_retype(ut, CAIRN_OBJ_CPOOL, NEST_RADIX, CAIRN_SLOT_ROOT_CPOOL, top,
				      1));
	/* level k+1 goes in slot 0 of level k, named through the chain */
	for (unsigned k = 1; k < NEST_LEVELS; k++) {
		addr = nest_addr(top, k - 1, 0, &depth);
		uint64_t pool = CAIRN_SYS_CADDR(addr >> NEST_RADIX, depth - NEST_RADIX);
		CHECK_OK(cairn_untyped_retype(ut, CAIRN_OBJ_CPOOL, NEST_RADIX, pool, 0, 1));
	}
	/* slot 5 of the deepest pool, at depth exactly 64 */
	addr = nest_addr(top, NEST_LEVELS - 1, 5, &depth);
	CHECK_EQ(depth, CAIRN_CADDR_BITS);
	ntfn_at = CAIRN_SYS_CADDR(addr, depth);
	CHECK_OK(cairn_untyped_retype(ut, CAIRN_OBJ_NOTIFICATION, 0,
				      CAIRN_SYS_CADDR(addr >> NEST_RADIX, depth - NEST_RADIX), 5,
				      1));
	CHECK_EQ(ident(ntfn_at).type, CAIRN_OBJ_NOTIFICATION);
	uint64_t bits = 0;
	CHECK_OK(cairn_ntfn_signal(ntfn_at));
	CHECK_OK(cairn_ntfn_poll(ntfn_at, &bits));
	CHECK_EQ(bits, 1);
	/* one more level can be made, but nothing in it can be named */
	CHECK_OK(cairn_untyped_retype(ut, CAIRN_OBJ_CPOOL, NEST_RADIX,
				      CAIRN_SYS_CADDR(addr >> NEST_RADIX, depth - NEST_RADIX), 0, 1));
	CHECK_EQ(ident(CAIRN_SYS_CADDR(addr & ~UINT64_C(0xf), depth)).type, CAIRN_OBJ_CPOOL);
	CHECK_ERR(cairn_cap_identify(CAIRN_SYS_CADDR(addr, depth + 1), &info), CAIRN_ERR_RANGE);
	CHECK_ERR(cairn_cap_identify(CAIRN_SYS_CADDR(addr, depth + 4), &info), CAIRN_ERR_RANGE);
	CHECK_ERR(cairn_cap_identify(CAIRN_SYS_CADDR(addr, 127), &info), CAIRN_ERR_RANGE);
	/* deleting the top takes the whole chain */
	CHECK_OK(cairn_cap_delete(top));
	CHECK_EQ(watermark(ut), 0);
}

/*
 * Deeper than any address: 2,000 pools, each holding the previous one
 * in its slot 0, built bottom-up by moves. Deleting the outermost must
 * destroy them all without recursion (a kernel stack would not hold
 * 2,000 frames), leaving the untyped empty and the invariants whole.
 */
#define DEEP_POOLS 2000


/* DEEP_POOLS pools from ut, each holding the one made before it (moved
 * into its slot 0); the outermost ends in root slot head. */
static int nest_pools(uint64_t ut, uint64_t head, uint64_t next, unsigned pool_depth)
{
	int err = cairn_untyped_retype(ut, CAIRN_OBJ_CPOOL, CAIRN_CPOOL_MIN_SLOT_BITS,
				       CAIRN_SLOT_ROOT_CPOOL, head, 1);

	for (unsigned i = 1; i < DEEP_POOLS && !err; i++) {
		err = cairn_untyped_retype(ut, CAIRN_OBJ_CPOOL, CAIRN_CPOOL_MIN_SLOT_BITS,
					   CAIRN_SLOT_ROOT_CPOOL, next, 1);
		if (!err)
			err = cairn_cap_move(CAIRN_SYS_CADDR(next << CAIRN_CPOOL_MIN_SLOT_BITS,
							     pool_depth), head);
		if (!err)
			err = cairn_cap_move(head, next);
	}
	return err;
}

static void nest_deeper_than_addressable(void)
{
	uint64_t ut = untyped(21), head = new_slot(), next = new_slot(), v = 1;
	unsigned pool_depth = boot_info->root_cpool_bits + CAIRN_CPOOL_MIN_SLOT_BITS;

	CHECK_OK(nest_pools(ut, head, next, pool_depth));
	/* and a cycle: the outermost pool holds a copy of its own cap */
	CHECK_OK(cairn_cap_copy(CAIRN_SYS_CADDR(head << CAIRN_CPOOL_MIN_SLOT_BITS | 1, pool_depth),
				head, CAIRN_RIGHTS_ALL));
	CHECK_OK(cairn_debug_checkpoint("exhaust-deep", &v));
	CHECK_EQ(v, 0);
	CHECK_OK(cairn_cap_revoke(ut));
	CHECK_EQ(ident(head).type, CAIRN_OBJ_NULL);
	CHECK_EQ(watermark(ut), 0);
	CHECK_OK(cairn_debug_checkpoint("exhaust-deep-gone", &v));
	CHECK_EQ(v, 0);
	/* the same again, torn down by deleting the outermost cap instead */
	CHECK_OK(nest_pools(ut, head, next, pool_depth));
	CHECK_OK(cairn_cap_delete(head));
	CHECK_EQ(watermark(ut), 0);
	CHECK_OK(cairn_debug_checkpoint("exhaust-deep-deleted", &v));
	CHECK_EQ(v, 0);
}

const struct test tests_exhaust[] = {
	{ "exhaust: retype mixed objects until NO_MEMORY; revoke; the same again",
	  retype_until_out_of_memory },
	{ "exhaust: tasks until NO_MEMORY (fan-out too); revoke; the same again",
	  tasks_until_out_of_memory },
	{ "exhaust: every slot of a pool; RANGE, SLOT_OCCUPIED, dropped cap; reuse",
	  fill_every_slot_of_a_pool },
	{ "exhaust: full channel, 7 blocked senders; drain in order, delete wakes all",
	  full_channel_many_senders },
	{ "exhaust: VSpaces until the kernel's table is full (NO_MEMORY); revoke frees it",
	  vspaces_until_the_table_is_full },
	{ "exhaust: CPools nested to CAddr depth 64; deeper is RANGE", nest_pools_to_max_depth },
	{ "exhaust: 2,000 nested pools and a cycle: revoke and delete, no leak",
	  nest_deeper_than_addressable },
	{ NULL, NULL },
};
