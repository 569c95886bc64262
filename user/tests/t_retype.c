/*
 * t_retype.c - untyped retype: every type, fan-out, exact fill,
 * NO_MEMORY, argument errors, reuse and reset after revoke.
 */
#include "harness.h"

/* A fresh 2^bits Untyped carved from slot 2, in a tracked slot. */
static uint64_t small_untyped(unsigned bits)
{
	return new_obj(CAIRN_OBJ_UNTYPED, bits);
}

static void every_type(void)
{
	static const struct { unsigned type, bits, size_bits; } kinds[] = {
		{ CAIRN_OBJ_UNTYPED, 12, 12 },      { CAIRN_OBJ_CPOOL, 4, 4 + CAIRN_SLOT_BITS },
		{ CAIRN_OBJ_CPOOL, 1, CAIRN_CPOOL_MIN_BITS },
		{ CAIRN_OBJ_TASK, 0, CAIRN_TASK_BITS }, { CAIRN_OBJ_CHANNEL, 0, CAIRN_CHANNEL_BITS },
		{ CAIRN_OBJ_NOTIFICATION, 0, CAIRN_NOTIFICATION_BITS },
		{ CAIRN_OBJ_VSPACE, 0, CAIRN_VSPACE_BITS },
		{ CAIRN_OBJ_PAGE_TABLE, 0, CAIRN_PAGE_TABLE_BITS }, { CAIRN_OBJ_PAGE, 0, CAIRN_PAGE_BITS },
	};
	uint64_t ut = small_untyped(16);

	for (unsigned k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		uint64_t s = new_slot();
		struct cairn_cap_info i;

		CHECK_OK(cairn_untyped_retype(ut, kinds[k].type, kinds[k].bits, CAIRN_SLOT_ROOT_CPOOL,
					      s, 1));
		i = ident(s);
		CHECK_EQ(i.type, kinds[k].type);
		CHECK_EQ(i.size_bits, kinds[k].size_bits);
		CHECK_EQ(i.rights, CAIRN_RIGHTS_ALL);
		CHECK(!(i.flags & CAIRN_CAPINFO_ORIGINAL));
	}
	CHECK(ident(ut).flags & CAIRN_CAPINFO_HAS_CHILDREN);
}

static void type_and_size_errors(void)
{
	uint64_t ut = small_untyped(16), s = new_slot();

	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_NULL, 0, 0, s, 1), CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_TYPE_COUNT, 0, 0, s, 1),
		  CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_IRQ_CONTROL, 0, 0, s, 1),
		  CAIRN_ERR_ILLEGAL_OPERATION);
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_IO_PORT, 0, 0, s, 1),
		  CAIRN_ERR_ILLEGAL_OPERATION);
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_TASK, 1, 0, s, 1), CAIRN_ERR_RANGE);
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_CPOOL, 0, 0, s, 1), CAIRN_ERR_RANGE);
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_CPOOL, 21, 0, s, 1), CAIRN_ERR_RANGE);
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_UNTYPED, 3, 0, s, 1), CAIRN_ERR_RANGE);
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_PAGE, 65, 0, s, 1), CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_PAGE, 0, 0, s, 0), CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_EQ(ident(s).type, CAIRN_OBJ_NULL);
	CHECK_EQ(ident(ut).summary[0], 0); /* nothing was used */
}

static void cap_errors(void)
{
	uint64_t s = new_slot(), ch = new_obj(CAIRN_OBJ_CHANNEL, 0), ut = small_untyped(16);

	CHECK_ERR(cairn_untyped_retype(new_slot(), CAIRN_OBJ_PAGE, 0, 0, s, 1),
		  CAIRN_ERR_SLOT_EMPTY);
	CHECK_ERR(cairn_untyped_retype(ch, CAIRN_OBJ_PAGE, 0, 0, s, 1), CAIRN_ERR_INVALID_CAP);
	/* the destination pool must be a CPool */
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_PAGE, 0, ch, s, 1), CAIRN_ERR_INVALID_CAP);
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_PAGE, 0, new_slot(), s, 1),
		  CAIRN_ERR_SLOT_EMPTY);
	/* destination slots: occupied, or past the pool's end */
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_PAGE, 0, 0, CAIRN_SLOT_CHANNEL, 1),
		  CAIRN_ERR_SLOT_OCCUPIED);
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_PAGE, 0, 0, 255, 2), CAIRN_ERR_RANGE);
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_PAGE, 0, 0, 256, 1), CAIRN_ERR_RANGE);
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_PAGE, 0, 0, UINT64_MAX, 2), CAIRN_ERR_RANGE);
}

static void fanout_and_exact_fill(void)
{
	uint64_t ut = small_untyped(16), pool = new_obj(CAIRN_OBJ_CPOOL, 9);
	uint64_t spare = new_slot();
	struct cairn_cap_info i;

	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_PAGE, 0, pool, 0, 257),
		  CAIRN_ERR_FANOUT_LIMIT);
	/* 2^16 bytes = exactly 16 pages, made in one call into the pool */
	CHECK_OK(cairn_untyped_retype(ut, CAIRN_OBJ_PAGE, 0, pool, 100, 16));
	i = ident(ut);
	CHECK_EQ(i.summary[0], 1u << 16);
	CHECK_EQ(i.summary[1], 0);
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_NOTIFICATION, 0, 0, spare, 1),
		  CAIRN_ERR_NO_MEMORY);
	i = ident(pool);
	CHECK_EQ(i.summary[1], 16); /* slots in use */
	/* distinct consecutive frames */
	unsigned depth = boot_info->root_cpool_bits + 9;
	struct cairn_cap_info p0 = ident(CAIRN_SYS_CADDR((pool << 9) | 100, depth));
	struct cairn_cap_info p15 = ident(CAIRN_SYS_CADDR((pool << 9) | 115, depth));
	CHECK_EQ(p0.type, CAIRN_OBJ_PAGE);
	CHECK_EQ(p15.paddr, p0.paddr + 15 * 4096);
	CHECK_EQ(p0.paddr, ident(ut).paddr);
}

static void alignment_and_no_memory(void)
{
	unsigned cb = CAIRN_CHANNEL_BITS;
	uint64_t ut = small_untyped(cb + 1), a = new_slot(), b = new_slot(), c = new_slot();
	struct cairn_cap_info i;

	CHECK_OK(cairn_untyped_retype(ut, CAIRN_OBJ_NOTIFICATION, 0, 0, a, 1)); /* at 0 */
	CHECK_OK(cairn_untyped_retype(ut, CAIRN_OBJ_CHANNEL, 0, 0, b, 1)); /* aligned up */
	i = ident(ut);
	CHECK_EQ(i.summary[0], UINT64_C(2) << cb); /* a gap for alignment, then the channel */
	CHECK_EQ(i.summary[1], 0);
	CHECK_EQ(ident(b).size_bits, cb);
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_NOTIFICATION, 0, 0, c, 1), CAIRN_ERR_NO_MEMORY);
	/* an object larger than the whole region */
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_UNTYPED, cb + 2, 0, c, 1), CAIRN_ERR_NO_MEMORY);
	CHECK_EQ(ident(c).type, CAIRN_OBJ_NULL);
}

static void reuse_after_revoke(void)
{
	uint64_t ut = small_untyped(13), a = new_slots(2), b = a + 1, x = new_slot();
	struct cairn_cap_info first, again;

	CHECK_OK(cairn_untyped_retype(ut, CAIRN_OBJ_PAGE, 0, 0, a, 2));
	CHECK_OK(cairn_cap_copy(x, a, CAIRN_RIGHTS_ALL)); /* a grandchild */
	first = ident(a);
	CHECK_ERR(cairn_untyped_retype(ut, CAIRN_OBJ_PAGE, 0, 0, new_slot(), 1), CAIRN_ERR_NO_MEMORY);
	CHECK_OK(cairn_cap_revoke(ut));
	CHECK_EQ(ident(a).type, CAIRN_OBJ_NULL);
	CHECK_EQ(ident(b).type, CAIRN_OBJ_NULL);
	CHECK_EQ(ident(x).type, CAIRN_OBJ_NULL);
	CHECK_EQ(ident(ut).summary[0], 0); /* reset: watermark back to 0 */
	CHECK_OK(cairn_untyped_retype(ut, CAIRN_OBJ_PAGE, 0, 0, a, 2));
	again = ident(a);
	CHECK_EQ(again.paddr, first.paddr);
}

static void reset_when_last_child_deleted(void)
{
	uint64_t ut = small_untyped(13), a = new_slots(2), b = a + 1;

	CHECK_OK(cairn_untyped_retype(ut, CAIRN_OBJ_PAGE, 0, 0, a, 2));
	CHECK_OK(cairn_cap_delete(a));
	CHECK_EQ(ident(ut).summary[0], 8192); /* b still uses the region */
	CHECK_OK(cairn_cap_delete(b));
	CHECK_EQ(ident(ut).summary[0], 0);
	CHECK_EQ(ident(ut).summary[1], 8192);
	CHECK(!(ident(ut).flags & CAIRN_CAPINFO_HAS_CHILDREN));
}

static void new_memory_is_zeroed(void)
{
	uint64_t ut = small_untyped(12), pg = new_slot();
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)0x30000000;

	CHECK_OK(cairn_untyped_retype(ut, CAIRN_OBJ_PAGE, 0, 0, pg, 1));
	CHECK_OK(map_rw(pg, 0x30000000));
	p[0] = 0xdeadbeef;
	p[511] = 42;
	CHECK_OK(cairn_cap_delete(pg));
	CHECK_OK(cairn_untyped_retype(ut, CAIRN_OBJ_PAGE, 0, 0, pg, 1));
	CHECK_OK(map_rw(pg, 0x30000000));
	CHECK_EQ(p[0], 0);
	CHECK_EQ(p[511], 0);
}

const struct test tests_retype[] = {
	{ "retype: every memory type, its size and CDT parent", every_type },
	{ "retype: type, size-bits and count errors change nothing", type_and_size_errors },
	{ "retype: SLOT_EMPTY, INVALID_CAP, SLOT_OCCUPIED, RANGE", cap_errors },
	{ "retype: FANOUT_LIMIT, 16 pages fill 64 KiB exactly, then NO_MEMORY",
	  fanout_and_exact_fill },
	{ "retype: objects aligned to their size; NO_MEMORY", alignment_and_no_memory },
	{ "retype: revoke resets the untyped; memory reused", reuse_after_revoke },
	{ "untyped: reset when its last child is deleted", reset_when_last_child_deleted },
	{ "retype: reused memory is zeroed", new_memory_is_zeroed },
	{ 0, 0 },
};
