/*
 * t_cpool.c - CAddr resolution through nested CPools: radix, guards,
 * depth, and the lookup errors.
 */
#include "harness.h"

#define RB (boot_info->root_cpool_bits)

static void nested_two_levels(void)
{
	uint64_t pool = new_obj(CAIRN_OBJ_CPOOL, 4);
	uint64_t in5 = CAIRN_SYS_CADDR((pool << 4) | 5, RB + 4);

	CHECK_OK(cairn_cap_copy(in5, CAIRN_SLOT_CHANNEL, CAIRN_RIGHTS_ALL));
	CHECK_EQ(ident(in5).type, CAIRN_OBJ_CHANNEL);
	CHECK_EQ(ident(in5).object, ident(CAIRN_SLOT_CHANNEL).object);
	CHECK_EQ(ident(pool).summary[1], 1);
	/* depth = RB names the pool cap itself */
	CHECK_EQ(ident(CAIRN_SYS_CADDR(pool, RB)).type, CAIRN_OBJ_CPOOL);
	/* and messages go through a nested address too */
	struct cairn_msg m = msg4(1, 77, 0, 0, 0), r;
	CHECK_OK(cairn_chan_try_send(in5, &m));
	CHECK_OK(cairn_chan_try_recv(in5, CAIRN_NO_SLOT, &r));
	CHECK_EQ(r.words[0], 77);
}

static void three_levels(void)
{
	uint64_t a = new_obj(CAIRN_OBJ_CPOOL, 2), b = new_obj(CAIRN_OBJ_CPOOL, 3);
	uint64_t a1 = CAIRN_SYS_CADDR((a << 2) | 1, RB + 2);
	/* root[a] -> a[1] = pool b -> b[6] */
	CHECK_OK(cairn_cap_move(a1, b));
	uint64_t deep = CAIRN_SYS_CADDR((((a << 2) | 1) << 3) | 6, RB + 2 + 3);
	CHECK_OK(cairn_cap_copy(deep, CAIRN_SLOT_CHANNEL, CAIRN_RIGHT_READ));
	CHECK_EQ(ident(deep).rights, CAIRN_RIGHT_READ);
	CHECK_EQ(ident(a1).summary[1], 1);
}

static void guards(void)
{
	uint64_t pool = new_obj(CAIRN_OBJ_CPOOL, 4), g = new_slot();
	/* guard 0b101 (3 bits) in front of the pool's 4 radix bits */
	CHECK_OK(cairn_cap_mint(g, pool, CAIRN_RIGHTS_ALL, CAIRN_GUARD_DATA(5, 3)));
	struct cairn_cap_info i = ident(g);
	CHECK_EQ(i.summary[2], 3);
	CHECK_EQ(i.summary[3], 5);
	unsigned depth = RB + 3 + 4;
	uint64_t good = CAIRN_SYS_CADDR((((g << 3) | 5) << 4) | 9, depth);
	uint64_t bad = CAIRN_SYS_CADDR((((g << 3) | 4) << 4) | 9, depth);
	CHECK_OK(cairn_cap_copy(good, CAIRN_SLOT_CHANNEL, CAIRN_RIGHTS_ALL));
	CHECK_EQ(ident(good).type, CAIRN_OBJ_CHANNEL);
	CHECK_ERR(cairn_cap_identify(bad, &i), CAIRN_ERR_GUARD_MISMATCH);
	/* the same slot through the unguarded cap */
	CHECK_EQ(ident(CAIRN_SYS_CADDR((pool << 4) | 9, RB + 4)).type, CAIRN_OBJ_CHANNEL);
	/* depth that stops inside the guard, or inside the radix */
	CHECK_ERR(cairn_cap_identify(CAIRN_SYS_CADDR((g << 2) | 2, RB + 2), &i),
		  CAIRN_ERR_DEPTH_MISMATCH);
	CHECK_ERR(cairn_cap_identify(CAIRN_SYS_CADDR((((g << 3) | 5) << 2) | 1, RB + 3 + 2), &i),
		  CAIRN_ERR_DEPTH_MISMATCH);
}

static void lookup_errors(void)
{
	struct cairn_cap_info i;
	uint64_t e = new_slot(), pool = new_obj(CAIRN_OBJ_CPOOL, 4);

	/* through an empty slot, or through a slot that is not a pool */
	CHECK_ERR(cairn_cap_identify(CAIRN_SYS_CADDR((e << 4) | 1, RB + 4), &i),
		  CAIRN_ERR_MISSING_CAP);
	CHECK_ERR(cairn_cap_identify(CAIRN_SYS_CADDR((CAIRN_SLOT_CHANNEL << 4) | 1, RB + 4), &i),
		  CAIRN_ERR_DEPTH_MISMATCH);
	/* depth past 64; address bits above the depth */
	CHECK_ERR(cairn_cap_identify(CAIRN_SYS_CADDR(1, 65), &i), CAIRN_ERR_RANGE);
	CHECK_ERR(cairn_cap_identify(CAIRN_SYS_CADDR(1u << RB, RB), &i), CAIRN_ERR_RANGE);
	/* depth shorter than the root's radix */
	CHECK_ERR(cairn_cap_identify(CAIRN_SYS_CADDR(1, RB - 1), &i), CAIRN_ERR_DEPTH_MISMATCH);
	/* one bit too many for the nested pool: the walk goes on into its
	 * slot 3, which holds a channel (DEPTH_MISMATCH) or nothing */
	CHECK_OK(cairn_cap_copy(CAIRN_SYS_CADDR((pool << 4) | 3, RB + 4), CAIRN_SLOT_CHANNEL,
				CAIRN_RIGHTS_ALL));
	CHECK_ERR(cairn_cap_identify(CAIRN_SYS_CADDR((pool << 5) | (3 << 1), RB + 5), &i),
		  CAIRN_ERR_DEPTH_MISMATCH);
	CHECK_ERR(cairn_cap_identify(CAIRN_SYS_CADDR((pool << 5) | (4 << 1), RB + 5), &i),
		  CAIRN_ERR_MISSING_CAP);
	/* lookup errors come before anything else a call checks */
	CHECK_ERR(cairn_cap_delete(CAIRN_SYS_CADDR((e << 4) | 1, RB + 4)), CAIRN_ERR_MISSING_CAP);
}

static void long_guard(void)
{
	/* 40 guard bits of value 0 between the root slot and the radix */
	uint64_t pool = new_obj(CAIRN_OBJ_CPOOL, 4), g = new_slot();
	struct cairn_cap_info i;

	CHECK_OK(cairn_cap_mint(g, pool, CAIRN_RIGHTS_ALL, CAIRN_GUARD_DATA(0, 40)));
	uint64_t deep = CAIRN_SYS_CADDR(((uint64_t)g << 44) | 3, RB + 40 + 4);
	CHECK_OK(cairn_cap_copy(deep, CAIRN_SLOT_CHANNEL, CAIRN_RIGHTS_ALL));
	CHECK_EQ(ident(CAIRN_SYS_CADDR((pool << 4) | 3, RB + 4)).type, CAIRN_OBJ_CHANNEL);
	uint64_t off = CAIRN_SYS_CADDR(((uint64_t)g << 44) | (UINT64_C(1) << 30) | 3, RB + 44);
	CHECK_ERR(cairn_cap_identify(off, &i), CAIRN_ERR_GUARD_MISMATCH);
}

const struct test tests_cpool[] = {
	{ "cpool: two-level addresses (copy, identify, IPC)", nested_two_levels },
	{ "cpool: three levels, move a pool into a pool", three_levels },
	{ "cpool: guards match, mismatch is GUARD_MISMATCH, short depth", guards },
	{ "cpool: MISSING_CAP, DEPTH_MISMATCH, RANGE", lookup_errors },
	{ "cpool: a 40-bit guard resolves at depth 52", long_guard },
	{ 0, 0 },
};
