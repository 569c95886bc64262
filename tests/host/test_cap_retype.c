/*
 * test_cap_retype.c - untyped retype (sel4test RETYPE style): every
 * type, sizes and alignment, exact fill, fan-out, every error, reuse
 * after revoke, device memory, nested untyped.
 */
#include "fixture.h"
#include "host_support.h"
#include "task.h"
#include "../lib/tap.h"

static struct fixture fx;

#define UT() fx_slot(&fx, FX_UNTYPED)

static bool all_bytes(const void *p, uint8_t v, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i] != v)
			return false;
	return true;
}

static void every_type(void)
{
	static const struct { enum cairn_obj_type t; unsigned bits; } types[] = {
		{ CAIRN_OBJ_UNTYPED, 12 }, { CAIRN_OBJ_CPOOL, 4 }, { CAIRN_OBJ_TASK, 0 },
		{ CAIRN_OBJ_CHANNEL, 0 }, { CAIRN_OBJ_NOTIFICATION, 0 }, { CAIRN_OBJ_VSPACE, 0 },
		{ CAIRN_OBJ_PAGE_TABLE, 0 }, { CAIRN_OBJ_PAGE, 0 },
	};
	fx_setup(&fx, 6, 18, false);
	for (unsigned i = 0; i < ARRAY_SIZE(types); i++) {
		struct slot *s = fx_slot(&fx, 10 + i);
		int bits = cairn_object_size_bits(types[i].t, types[i].bits);
		CHECK_OK(untyped_retype(UT(), types[i].t, types[i].bits, fx.root, 10 + i, 1));
		CHECK_EQ(s->cap.type, types[i].t);
		CHECK_EQ(s->cap.rights, CAIRN_RIGHTS_ALL);
		CHECK(s->parent == UT());
		paddr_t pa = object_type_has_header(types[i].t) ? (paddr_t)(uintptr_t)s->cap.obj
								: s->cap.paddr;
		CHECK(IS_ALIGNED(pa, 1ull << bits));
		CHECK(pa >= UT()->cap.paddr && pa + (1ull << bits) <= UT()->cap.paddr + UT()->cap.data);
		if (object_type_has_header(types[i].t)) {
			CHECK_EQ(s->cap.obj->cap_count, 1);
			CHECK_EQ(s->cap.obj->state, OBJECT_LIVE);
			CHECK_EQ(object_lists[types[i].t].count, types[i].t == CAIRN_OBJ_CPOOL ? 2 : 1);
		} else if (types[i].t != CAIRN_OBJ_UNTYPED) {
			CHECK(all_bytes((void *)(uintptr_t)pa, 0, 1ull << bits));
		}
	}
	struct task *t = task_from_object(fx_slot(&fx, 12)->cap.obj);
	CHECK_EQ(t->state, CAIRN_TASK_INACTIVE);
	CHECK_EQ(t->time_slice, CONFIG_TIME_SLICE_TICKS);
	CHECK(slot_is_empty(&t->slots[TASK_SLOT_CPOOL]));
	CHECK_EQ(cap_cpool(&fx_slot(&fx, 11)->cap)->radix_bits, 4);
	CHECK_EQ(fx_slot(&fx, 10)->cap.bits, 12);
	CHECK_EQ(fx_slot(&fx, 10)->cap.data, 0);
	fx_check();
	fx_teardown(&fx);
}

static void alignment_and_watermark(void)
{
	fx_setup(&fx, 6, 16, false);
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_NOTIFICATION, 0, fx.root, 10, 1));
	CHECK_EQ(UT()->cap.data, 1u << CAIRN_NOTIFICATION_BITS);
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_PAGE, 0, fx.root, 11, 2));
	CHECK_EQ(fx_slot(&fx, 11)->cap.paddr, UT()->cap.paddr + 4096);
	CHECK_EQ(fx_slot(&fx, 12)->cap.paddr, UT()->cap.paddr + 8192);
	CHECK_EQ(UT()->cap.data, 3 * 4096);
	fx_check();
	fx_teardown(&fx);
}

static void exact_fill_then_one_more(void)
{
	fx_setup(&fx, 6, 16, false);
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_PAGE, 0, fx.root, 10, 16));
	CHECK_EQ(UT()->cap.data, 1u << 16);
	CHECK_ERR(untyped_retype(UT(), CAIRN_OBJ_PAGE, 0, fx.root, 30, 1), CAIRN_ERR_NO_MEMORY);
	CHECK_ERR(untyped_retype(UT(), CAIRN_OBJ_NOTIFICATION, 0, fx.root, 30, 1), CAIRN_ERR_NO_MEMORY);
	CHECK(slot_is_empty(fx_slot(&fx, 30)));
	fx_check();
	fx_teardown(&fx);
	/* too many at once: nothing is created */
	fx_setup(&fx, 6, 16, false);
	CHECK_ERR(untyped_retype(UT(), CAIRN_OBJ_PAGE, 0, fx.root, 10, 17), CAIRN_ERR_NO_MEMORY);
	CHECK(slot_is_empty(fx_slot(&fx, 10)));
	CHECK_EQ(UT()->cap.data, 0);
	/* an object bigger than the region */
	CHECK_ERR(untyped_retype(UT(), CAIRN_OBJ_UNTYPED, 17, fx.root, 10, 1), CAIRN_ERR_NO_MEMORY);
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_UNTYPED, 16, fx.root, 10, 1));
	fx_check();
	fx_teardown(&fx);
}

static void fanout_limit(void)
{
	fx_setup(&fx, 10, 18, false);
	CHECK_ERR(untyped_retype(UT(), CAIRN_OBJ_NOTIFICATION, 0, fx.root, 2,
				 CONFIG_RETYPE_FANOUT_MAX + 1), CAIRN_ERR_FANOUT_LIMIT);
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_NOTIFICATION, 0, fx.root, 2,
				CONFIG_RETYPE_FANOUT_MAX));
	CHECK_EQ(object_lists[CAIRN_OBJ_NOTIFICATION].count, CONFIG_RETYPE_FANOUT_MAX);
	for (unsigned i = 0; i < CONFIG_RETYPE_FANOUT_MAX; i++)
		CHECK_EQ(fx_slot(&fx, 2 + i)->cap.type, CAIRN_OBJ_NOTIFICATION);
	fx_check();
	fx_teardown(&fx);
}

static void argument_errors(void)
{
	fx_setup(&fx, 6, 16, false);
	CHECK_ERR(untyped_retype(fx_slot(&fx, 9), CAIRN_OBJ_PAGE, 0, fx.root, 10, 1), CAIRN_ERR_SLOT_EMPTY);
	CHECK_ERR(untyped_retype(fx_slot(&fx, FX_ROOT_SELF), CAIRN_OBJ_PAGE, 0, fx.root, 10, 1),
		  CAIRN_ERR_INVALID_CAP);
	CHECK_ERR(untyped_retype(UT(), CAIRN_OBJ_NULL, 0, fx.root, 10, 1), CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_ERR(untyped_retype(UT(), CAIRN_OBJ_TYPE_COUNT, 0, fx.root, 10, 1), CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_ERR(untyped_retype(UT(), (enum cairn_obj_type)200, 0, fx.root, 10, 1), CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_ERR(untyped_retype(UT(), CAIRN_OBJ_PAGE, 0, fx.root, 10, 0), CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_ERR(untyped_retype(UT(), CAIRN_OBJ_PAGE, 0, NULL, 10, 1), CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_ERR(untyped_retype(UT(), CAIRN_OBJ_IRQ_CONTROL, 0, fx.root, 10, 1), CAIRN_ERR_ILLEGAL_OPERATION);
	CHECK_ERR(untyped_retype(UT(), CAIRN_OBJ_IRQ_HANDLER, 0, fx.root, 10, 1), CAIRN_ERR_ILLEGAL_OPERATION);
	CHECK_ERR(untyped_retype(UT(), CAIRN_OBJ_IO_PORT, 0, fx.root, 10, 1), CAIRN_ERR_ILLEGAL_OPERATION);
	CHECK_ERR(untyped_retype(UT(), CAIRN_OBJ_CPOOL, 0, fx.root, 10, 1), CAIRN_ERR_RANGE);
	CHECK_ERR(untyped_retype(UT(), CAIRN_OBJ_CPOOL, 21, fx.root, 10, 1), CAIRN_ERR_RANGE);
	CHECK_ERR(untyped_retype(UT(), CAIRN_OBJ_UNTYPED, 3, fx.root, 10, 1), CAIRN_ERR_RANGE);
	CHECK_ERR(untyped_retype(UT(), CAIRN_OBJ_UNTYPED, 48, fx.root, 10, 1), CAIRN_ERR_RANGE);
	CHECK_ERR(untyped_retype(UT(), CAIRN_OBJ_TASK, 1, fx.root, 10, 1), CAIRN_ERR_RANGE);
	/* destination range */
	CHECK_ERR(untyped_retype(UT(), CAIRN_OBJ_PAGE, 0, fx.root, 64, 1), CAIRN_ERR_RANGE);
	CHECK_ERR(untyped_retype(UT(), CAIRN_OBJ_PAGE, 0, fx.root, 62, 3), CAIRN_ERR_RANGE);
	CHECK_ERR(untyped_retype(UT(), CAIRN_OBJ_PAGE, 0, fx.root, UINT64_MAX, 2), CAIRN_ERR_RANGE);
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_PAGE, 0, fx.root, 62, 2));
	/* an occupied slot anywhere in the range: nothing is created */
	CHECK_ERR(untyped_retype(UT(), CAIRN_OBJ_PAGE, 0, fx.root, 58, 5), CAIRN_ERR_SLOT_OCCUPIED);
	for (int i = 58; i < 62; i++)
		CHECK(slot_is_empty(fx_slot(&fx, i)));
	CHECK_EQ(UT()->cap.data, 2 * 4096);
	fx_check();
	fx_teardown(&fx);
}

static void reuse_after_revoke_and_delete(void)
{
	fx_setup(&fx, 6, 16, false);
	/* channels exactly filling the 64 KiB untyped */
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_CHANNEL, 0, fx.root, 10,
				(1u << 16) >> CAIRN_CHANNEL_BITS));
	CHECK_ERR(untyped_retype(UT(), CAIRN_OBJ_PAGE, 0, fx.root, 20, 1), CAIRN_ERR_NO_MEMORY);
	void *first = fx_slot(&fx, 10)->cap.obj;
	CHECK_OK(cap_revoke(UT()));
	CHECK_EQ(UT()->cap.data, 0);
	CHECK_EQ(object_lists[CAIRN_OBJ_CHANNEL].count, 0);
	memset(fx.ut_mem, 0x5a, 1u << 16);
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_PAGE, 0, fx.root, 20, 16));
	CHECK_EQ(fx_slot(&fx, 20)->cap.paddr, (uintptr_t)first);
	CHECK(all_bytes(fx.ut_mem, 0, 1u << 16));
	/* deleting the children one by one: reset when the last goes */
	for (int i = 20; i < 35; i++)
		CHECK_OK(cap_delete(fx_slot(&fx, i)));
	CHECK_EQ(UT()->cap.data, 1u << 16);
	CHECK_OK(cap_delete(fx_slot(&fx, 35)));
	CHECK_EQ(UT()->cap.data, 0);
	/* a copy of a child keeps the memory in use after the child goes */
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_TASK, 0, fx.root, 20, 1));
	CHECK_OK(cap_copy(fx_slot(&fx, 20), fx_slot(&fx, 21), CAIRN_RIGHTS_ALL));
	CHECK_OK(cap_delete(fx_slot(&fx, 20)));
	CHECK(fx_slot(&fx, 21)->parent == UT());
	CHECK_EQ(UT()->cap.data, 1u << CAIRN_TASK_BITS);
	CHECK_OK(cap_delete(fx_slot(&fx, 21)));
	CHECK_EQ(UT()->cap.data, 0);
	CHECK_EQ(fx_live_objects(), 1); /* the root pool */
	fx_check();
	fx_teardown(&fx);
}

static void device_untyped(void)
{
	fx_setup(&fx, 6, 16, true);
	static const enum cairn_obj_type refused[] = {
		CAIRN_OBJ_CPOOL, CAIRN_OBJ_TASK, CAIRN_OBJ_CHANNEL, CAIRN_OBJ_NOTIFICATION,
		CAIRN_OBJ_VSPACE, CAIRN_OBJ_PAGE_TABLE,
	};
	for (unsigned i = 0; i < ARRAY_SIZE(refused); i++)
		CHECK_ERR(untyped_retype(UT(), refused[i], refused[i] == CAIRN_OBJ_CPOOL ? 4 : 0,
					 fx.root, 10, 1), CAIRN_ERR_ILLEGAL_OPERATION);
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_PAGE, 0, fx.root, 10, 1));
	CHECK(fx_slot(&fx, 10)->cap.flags & CAP_FLAG_DEVICE);
	CHECK(all_bytes(fx.ut_mem, 0xa5, 4096)); /* device memory is not touched */
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_UNTYPED, 12, fx.root, 11, 1));
	CHECK(fx_slot(&fx, 11)->cap.flags & CAP_FLAG_DEVICE);
	CHECK_ERR(untyped_retype(fx_slot(&fx, 11), CAIRN_OBJ_CHANNEL, 0, fx.root, 12, 1),
		  CAIRN_ERR_ILLEGAL_OPERATION);
	CHECK_OK(untyped_retype(fx_slot(&fx, 11), CAIRN_OBJ_PAGE, 0, fx.root, 12, 1));
	fx_check();
	fx_teardown(&fx);
}

static void make_cap_errors(void)
{
	struct cap c;
	CHECK_ERR(untyped_cap_make(&c, 0x1000, 3, false), CAIRN_ERR_RANGE);
	CHECK_ERR(untyped_cap_make(&c, 0x1000, 48, false), CAIRN_ERR_RANGE);
	CHECK_ERR(untyped_cap_make(&c, 0x1000, 13, false), CAIRN_ERR_ALIGNMENT);
	CHECK_OK(untyped_cap_make(&c, 0x2000, 13, true));
	CHECK_EQ(c.type, CAIRN_OBJ_UNTYPED);
	CHECK(c.flags & CAP_FLAG_DEVICE);
}

static void nested_untyped(void)
{
	fx_setup(&fx, 6, 16, false);
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_UNTYPED, 14, fx.root, 10, 2));
	struct slot *sub = fx_slot(&fx, 11);
	CHECK_EQ(sub->cap.paddr, UT()->cap.paddr + (1u << 14));
	CHECK_OK(untyped_retype(sub, CAIRN_OBJ_PAGE, 0, fx.root, 20, 4));
	CHECK_ERR(untyped_retype(sub, CAIRN_OBJ_PAGE, 0, fx.root, 24, 1), CAIRN_ERR_NO_MEMORY);
	/* the sub-untyped's cap goes: its objects hang from the parent now */
	CHECK_OK(cap_delete(sub));
	CHECK(fx_slot(&fx, 20)->parent == UT());
	CHECK_EQ(UT()->cap.data, 2u << 14);
	fx_check();
	/* revoking the parent takes everything */
	CHECK_OK(cap_revoke(UT()));
	for (int i = 10; i < 24; i++)
		CHECK(slot_is_empty(fx_slot(&fx, i)));
	CHECK_EQ(host_hooks.memory_caps_deleted, 4);
	fx_check();
	fx_teardown(&fx);
}

int main(void)
{
	TAP_RUN(every_type);
	TAP_RUN(alignment_and_watermark);
	TAP_RUN(exact_fill_then_one_more);
	TAP_RUN(fanout_limit);
	TAP_RUN(argument_errors);
	TAP_RUN(reuse_after_revoke_and_delete);
	TAP_RUN(device_untyped);
	TAP_RUN(make_cap_errors);
	TAP_RUN(nested_untyped);
	return tap_done();
}
