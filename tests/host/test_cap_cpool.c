/*
 * test_cap_cpool.c - CAddr resolution through nested, guarded pools;
 * every wrong bit of an address fails with its own error and the right
 * count of unresolved bits (sel4test CSPACE style).
 */
#include "fixture.h"
#include "../lib/tap.h"

static struct fixture fx;

/*
 * root (radix 6) [6] -> L1 cap, guard 0b101 (3 bits), L1 radix 4
 *                L1 [9] -> L2 cap, no guard, L2 radix 3
 *                L2 [2] = a channel
 * The full address is 6+3+4+3 = 16 bits.
 */
static struct cpool *l1, *l2;
#define A_ROOT 6u
#define A_GUARD 5u
#define A_L1 9u
#define A_L2 2u
#define ADDR ((A_ROOT << 10) | (A_GUARD << 7) | (A_L1 << 3) | A_L2)

static void build(void)
{
	struct slot *ut;

	fx_setup(&fx, 6, 16, false);
	ut = fx_slot(&fx, FX_UNTYPED);
	CHECK_OK(untyped_retype(ut, CAIRN_OBJ_CPOOL, 4, fx.root, 5, 1));
	l1 = cap_cpool(&fx_slot(&fx, 5)->cap);
	CHECK_OK(cap_mint(fx_slot(&fx, 5), fx_slot(&fx, A_ROOT), CAIRN_RIGHTS_ALL,
			  CAIRN_GUARD_DATA(A_GUARD, 3)));
	CHECK_OK(untyped_retype(ut, CAIRN_OBJ_CPOOL, 3, l1, A_L1, 1));
	l2 = cap_cpool(&l1->slots[A_L1].cap);
	CHECK_OK(untyped_retype(ut, CAIRN_OBJ_CHANNEL, 0, l2, A_L2, 1));
}

static void lookup_nested(void)
{
	struct cpool_lookup r;

	build();
	CHECK_OK(cpool_lookup_cap(fx_root_cap(&fx), ADDR, 16, &r));
	CHECK(r.slot == &l2->slots[A_L2] && r.pool == l2);
	CHECK_EQ(r.bits_left, 0);
	CHECK_EQ(r.slot->cap.type, CAIRN_OBJ_CHANNEL);
	/* stopping at each level names the pool cap on the way */
	CHECK_OK(cpool_lookup_cap(fx_root_cap(&fx), A_ROOT, 6, &r));
	CHECK(r.slot == fx_slot(&fx, A_ROOT));
	CHECK_OK(cpool_lookup_cap(fx_root_cap(&fx), ADDR >> 3, 13, &r));
	CHECK(r.slot == &l1->slots[A_L1] && r.pool == l1);
	fx_teardown(&fx);
}

static void every_wrong_bit(void)
{
	struct cpool_lookup r;

	build();
	for (unsigned bit = 0; bit < 16; bit++) {
		int err = cpool_lookup_cap(fx_root_cap(&fx), ADDR ^ (1u << bit), 16, &r);
		if (bit >= 10) { /* root index: an empty root slot on the way */
			CHECK_ERR(err, CAIRN_ERR_MISSING_CAP);
			CHECK_EQ(r.bits_left, 10);
		} else if (bit >= 7) { /* L1's guard */
			CHECK_ERR(err, CAIRN_ERR_GUARD_MISMATCH);
			CHECK_EQ(r.bits_left, 10);
		} else if (bit >= 3) { /* L1 index: empty slot with bits to go */
			CHECK_ERR(err, CAIRN_ERR_MISSING_CAP);
			CHECK_EQ(r.bits_left, 3);
		} else { /* L2 index: resolves, to an empty slot */
			CHECK_ERR(err, CAIRN_ERR_MISSING_CAP);
			CHECK_EQ(r.bits_left, 0);
			CHECK_OK(cpool_lookup_slot(fx_root_cap(&fx), ADDR ^ (1u << bit), 16, &r));
			CHECK(r.slot == &l2->slots[A_L2 ^ (1u << bit)]);
		}
	}
	fx_teardown(&fx);
}

static void depth_errors(void)
{
	struct cpool_lookup r;

	build();
	/* address ends inside L1's guard, then inside L1's radix */
	CHECK_ERR(cpool_lookup_slot(fx_root_cap(&fx), ADDR >> 8, 8, &r), CAIRN_ERR_DEPTH_MISMATCH);
	CHECK_EQ(r.bits_left, 2);
	CHECK_ERR(cpool_lookup_slot(fx_root_cap(&fx), ADDR >> 4, 12, &r), CAIRN_ERR_DEPTH_MISMATCH);
	CHECK_EQ(r.bits_left, 6); /* counted from the start of the failing level */
	/* address goes on past a channel */
	CHECK_ERR(cpool_lookup_slot(fx_root_cap(&fx), (uint64_t)ADDR << 1, 17, &r),
		  CAIRN_ERR_DEPTH_MISMATCH);
	CHECK_EQ(r.bits_left, 1);
	/* ...or past the untyped in root slot 1 */
	CHECK_ERR(cpool_lookup_slot(fx_root_cap(&fx), (FX_UNTYPED << 4) | 3, 10, &r),
		  CAIRN_ERR_DEPTH_MISMATCH);
	CHECK_EQ(r.bits_left, 4);
	/* bad depths and stray high bits */
	CHECK_ERR(cpool_lookup_slot(fx_root_cap(&fx), 0, 0, &r), CAIRN_ERR_RANGE);
	CHECK_ERR(cpool_lookup_slot(fx_root_cap(&fx), 0, 65, &r), CAIRN_ERR_RANGE);
	CHECK_ERR(cpool_lookup_slot(fx_root_cap(&fx), 1u << 6, 6, &r), CAIRN_ERR_RANGE);
	/* root slot 0 is the root itself: 10 levels through it */
	CHECK_OK(cpool_lookup_slot(fx_root_cap(&fx), 0, 60, &r));
	CHECK(r.slot == fx_slot(&fx, 0));
	fx_teardown(&fx);
}

static void invalid_root(void)
{
	struct cpool_lookup r;

	build();
	CHECK_ERR(cpool_lookup_slot(&l2->slots[A_L2].cap, 0, 3, &r), CAIRN_ERR_INVALID_ROOT);
	CHECK_ERR(cpool_lookup_slot(NULL, 0, 3, &r), CAIRN_ERR_INVALID_ROOT);
	CHECK_ERR(cpool_lookup_slot(&fx_slot(&fx, 40)->cap, 0, 3, &r), CAIRN_ERR_INVALID_ROOT);
	fx_teardown(&fx);
}

static void single_level_with_guard(void)
{
	struct cpool_lookup r;

	build();
	/* rinit style: a 58-bit zero guard lets plain slot numbers be 64-bit CAddrs */
	CHECK_OK(cap_mint(fx_slot(&fx, FX_ROOT_SELF), fx_slot(&fx, 20), CAIRN_RIGHTS_ALL,
			  CAIRN_GUARD_DATA(0, 58)));
	CHECK_OK(cpool_lookup_cap(&fx_slot(&fx, 20)->cap, FX_UNTYPED, 64, &r));
	CHECK(r.slot == fx_slot(&fx, FX_UNTYPED));
	CHECK_ERR(cpool_lookup_cap(&fx_slot(&fx, 20)->cap, 1ull << 63 | 1, 64, &r),
		  CAIRN_ERR_GUARD_MISMATCH);
	CHECK_EQ(r.bits_left, 64);
	fx_teardown(&fx);
}

static void rights_on_path(void)
{
	struct cpool_lookup r;

	build();
	/* a read-only cap to the root: reads fine, writes refused */
	CHECK_OK(cap_copy(fx_slot(&fx, FX_ROOT_SELF), fx_slot(&fx, 21), CAIRN_RIGHT_READ));
	const struct cap *ro = &fx_slot(&fx, 21)->cap;
	CHECK_OK(cpool_lookup_for(ro, 30, 6, CAIRN_RIGHT_READ, &r));
	CHECK_ERR(cpool_lookup_for(ro, 30, 6, CAIRN_RIGHT_WRITE, &r), CAIRN_ERR_INSUFFICIENT_RIGHTS);
	/* the rights that count are those of the last pool's cap */
	CHECK_OK(cpool_lookup_for(ro, ADDR, 16, CAIRN_RIGHT_WRITE, &r));
	CHECK_EQ(r.pool_rights, CAIRN_RIGHTS_ALL);
	fx_teardown(&fx);
}

/* A reproducible xorshift, so a failure names its case. */
static uint64_t rnd_state = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* cpool_lookup_one_level (the syscall lookups' shortcut) finds exactly the
 * slot the walk finds at depth guard + radix, with the same rights check,
 * and finds nothing where the walk fails: over root caps with random
 * guards, guard values, rights, and addresses near and far from a hit. */
static void one_level_agrees_with_walk(void)
{
	struct cpool_lookup r;

	build();
	for (unsigned i = 0; i < 20000; i++) {
		unsigned gbits = (unsigned)(rnd() % 60), rights = (unsigned)(rnd() % 16);
		uint64_t gval = rnd() % 4 == 0 ? rnd() : rnd() & ((1ull << gbits) - 1);
		struct slot *copy = fx_slot(&fx, 20);
		if (cap_mint(fx_slot(&fx, FX_ROOT_SELF), copy, rights,
			     CAIRN_GUARD_DATA(gval, gbits)) != CAIRN_ERR_OK)
			continue; /* a guard value the kernel refuses */
		const struct cap *root = &copy->cap;
		unsigned depth = root->bits + 6;
		uint64_t addr = rnd() % 3 ? ((uint64_t)root->data << 6) | (rnd() % 64) : rnd();
		if (rnd() % 8 == 0)
			addr ^= 1ull << (rnd() % 64);
		unsigned need = (unsigned)(rnd() % 4) & (CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE);
		struct slot *fast = cpool_lookup_one_level(root, addr, need);
		int err = cpool_lookup_for(root, addr, depth, need, &r);
		if (fast ? (err != CAIRN_ERR_OK || r.slot != fast) : (err == CAIRN_ERR_OK && depth < 64)) {
			printf("#   case %u: guard %u bits = %#llx, rights %#x, addr %#llx, need %#x: "
			       "one level %p, walk %s\n", i, gbits, (unsigned long long)gval, rights,
			       (unsigned long long)addr, need, (void *)fast, cairn_error_name(err));
			CHECK(!"the one-level lookup and the walk agree");
			break;
		}
		CHECK_OK(cap_delete(copy));
	}
	fx_teardown(&fx);
}

int main(void)
{
	TAP_RUN(lookup_nested);
	TAP_RUN(every_wrong_bit);
	TAP_RUN(depth_errors);
	TAP_RUN(invalid_root);
	TAP_RUN(single_level_with_guard);
	TAP_RUN(rights_on_path);
	TAP_RUN(one_level_agrees_with_walk);
	return tap_done();
}
