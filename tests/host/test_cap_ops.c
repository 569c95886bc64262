/*
 * test_cap_ops.c - copy, mint, move, delete and revoke on slots, with
 * every error path (sel4test CNODEOP style).
 */
#include "capcheck.h"
#include "fixture.h"
#include "host_support.h"
#include "../lib/tap.h"

static struct fixture fx;

/* A channel in root slot `i`, retyped from the fixture's untyped. */
static struct slot *make(enum cairn_obj_type type, uint64_t i)
{
	CHECK_OK(untyped_retype(fx_slot(&fx, FX_UNTYPED), type, 0, fx.root, i, 1));
	return fx_slot(&fx, i);
}

static void copy_basic(void)
{
	fx_setup(&fx, 6, 16, false);
	struct slot *ch = make(CAIRN_OBJ_CHANNEL, 10), *dst = fx_slot(&fx, 11);

	CHECK_OK(cap_copy(ch, dst, CAIRN_RIGHTS_ALL));
	CHECK_EQ(dst->cap.type, CAIRN_OBJ_CHANNEL);
	CHECK(dst->cap.obj == ch->cap.obj);
	CHECK_EQ(dst->cap.rights, CAIRN_RIGHTS_ALL);
	CHECK(dst->parent == ch && ch->first_child == dst);
	CHECK_EQ(ch->cap.obj->cap_count, 2);
	fx_check();
	fx_teardown(&fx);
}

static void copy_errors(void)
{
	fx_setup(&fx, 6, 16, false);
	struct slot *ch = make(CAIRN_OBJ_CHANNEL, 10);

	/* into an occupied slot (also itself) */
	CHECK_ERR(cap_copy(ch, fx_slot(&fx, FX_UNTYPED), CAIRN_RIGHTS_ALL), CAIRN_ERR_SLOT_OCCUPIED);
	CHECK_ERR(cap_copy(ch, ch, CAIRN_RIGHTS_ALL), CAIRN_ERR_SLOT_OCCUPIED);
	/* from an empty slot */
	CHECK_ERR(cap_copy(fx_slot(&fx, 20), fx_slot(&fx, 21), CAIRN_RIGHTS_ALL), CAIRN_ERR_SLOT_EMPTY);
	/* dest checked before src */
	CHECK_ERR(cap_copy(fx_slot(&fx, 20), ch, CAIRN_RIGHTS_ALL), CAIRN_ERR_SLOT_OCCUPIED);
	/* unknown right bits */
	CHECK_ERR(cap_copy(ch, fx_slot(&fx, 21), 0x10), CAIRN_ERR_INVALID_ARGUMENT);
	/* untyped caps are unique */
	CHECK_ERR(cap_copy(fx_slot(&fx, FX_UNTYPED), fx_slot(&fx, 21), CAIRN_RIGHTS_ALL),
		  CAIRN_ERR_ILLEGAL_OPERATION);
	CHECK_ERR(cap_mint(fx_slot(&fx, FX_UNTYPED), fx_slot(&fx, 21), CAIRN_RIGHTS_ALL, 0),
		  CAIRN_ERR_ILLEGAL_OPERATION);
	CHECK(slot_is_empty(fx_slot(&fx, 21)));
	CHECK_EQ(ch->cap.obj->cap_count, 1);
	fx_check();
	fx_teardown(&fx);
}

static void rights_only_reduce(void)
{
	fx_setup(&fx, 6, 16, false);
	struct slot *ch = make(CAIRN_OBJ_CHANNEL, 10);
	struct slot *a = fx_slot(&fx, 11), *b = fx_slot(&fx, 12), *c = fx_slot(&fx, 13);

	CHECK_OK(cap_copy(ch, a, CAIRN_RIGHT_READ | CAIRN_RIGHT_GRANT));
	CHECK_EQ(a->cap.rights, CAIRN_RIGHT_READ | CAIRN_RIGHT_GRANT);
	/* asking for more than the source has gives no more */
	CHECK_OK(cap_copy(a, b, CAIRN_RIGHTS_ALL));
	CHECK_EQ(b->cap.rights, CAIRN_RIGHT_READ | CAIRN_RIGHT_GRANT);
	CHECK_OK(cap_mint(b, c, CAIRN_RIGHT_WRITE | CAIRN_RIGHT_READ, 7));
	CHECK_EQ(c->cap.rights, CAIRN_RIGHT_READ);
	CHECK_OK(cap_delete(c));
	CHECK_OK(cap_mint(b, c, 0, 0));
	CHECK_EQ(c->cap.rights, 0);
	fx_check();
	fx_teardown(&fx);
}

static void mint_badge(void)
{
	fx_setup(&fx, 6, 16, false);
	struct slot *ch = make(CAIRN_OBJ_CHANNEL, 10), *nt = make(CAIRN_OBJ_NOTIFICATION, 20);
	struct slot *tk = make(CAIRN_OBJ_TASK, 30);

	CHECK_OK(cap_mint(ch, fx_slot(&fx, 11), CAIRN_RIGHTS_ALL, 0x1234));
	CHECK_EQ(fx_slot(&fx, 11)->cap.data, 0x1234);
	CHECK(fx_slot(&fx, 11)->cap.flags & CAP_FLAG_BADGED);
	/* minting a badged cap is refused, whatever the badge */
	CHECK_ERR(cap_mint(fx_slot(&fx, 11), fx_slot(&fx, 12), CAIRN_RIGHTS_ALL, 5),
		  CAIRN_ERR_ILLEGAL_OPERATION);
	CHECK_ERR(cap_mint(fx_slot(&fx, 11), fx_slot(&fx, 12), CAIRN_RIGHTS_ALL, 0),
		  CAIRN_ERR_ILLEGAL_OPERATION);
	/* ...but copying it keeps the badge */
	CHECK_OK(cap_copy(fx_slot(&fx, 11), fx_slot(&fx, 12), CAIRN_RIGHTS_ALL));
	CHECK_EQ(fx_slot(&fx, 12)->cap.data, 0x1234);
	/* badge 0: an unbadged copy, which can still be badged later */
	CHECK_OK(cap_mint(ch, fx_slot(&fx, 13), CAIRN_RIGHTS_ALL, 0));
	CHECK(!(fx_slot(&fx, 13)->cap.flags & CAP_FLAG_BADGED));
	CHECK_OK(cap_mint(fx_slot(&fx, 13), fx_slot(&fx, 14), CAIRN_RIGHTS_ALL, 9));
	CHECK_OK(cap_mint(nt, fx_slot(&fx, 21), CAIRN_RIGHTS_ALL, 1));
	CHECK_EQ(fx_slot(&fx, 21)->cap.data, 1);
	/* types without a badge take data 0 only */
	CHECK_ERR(cap_mint(tk, fx_slot(&fx, 31), CAIRN_RIGHTS_ALL, 1), CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_OK(cap_mint(tk, fx_slot(&fx, 31), CAIRN_RIGHT_READ, 0));
	fx_check();
	fx_teardown(&fx);
}

static void mint_guard(void)
{
	fx_setup(&fx, 6, 16, false);
	struct slot *root = fx_slot(&fx, FX_ROOT_SELF), *d = fx_slot(&fx, 40);

	CHECK_OK(cap_mint(root, d, CAIRN_RIGHTS_ALL, CAIRN_GUARD_DATA(5, 3)));
	CHECK_EQ(d->cap.bits, 3);
	CHECK_EQ(d->cap.data, 5);
	/* guard value must fit its size; guard + radix within 64 bits */
	CHECK_ERR(cap_mint(root, fx_slot(&fx, 41), CAIRN_RIGHTS_ALL, CAIRN_GUARD_DATA(8, 3)),
		  CAIRN_ERR_RANGE);
	CHECK_ERR(cap_mint(root, fx_slot(&fx, 41), CAIRN_RIGHTS_ALL, CAIRN_GUARD_DATA(0, 59)),
		  CAIRN_ERR_RANGE);
	CHECK_OK(cap_mint(root, fx_slot(&fx, 41), CAIRN_RIGHTS_ALL, CAIRN_GUARD_DATA(0, 58)));
	/* a guarded pool cap can be re-minted with another guard */
	CHECK_OK(cap_mint(d, fx_slot(&fx, 42), CAIRN_RIGHTS_ALL, CAIRN_GUARD_DATA(1, 1)));
	CHECK_EQ(fx_slot(&fx, 42)->cap.data, 1);
	fx_check();
	fx_teardown(&fx);
}

static void move_basic_and_errors(void)
{
	fx_setup(&fx, 6, 16, false);
	struct slot *ch = make(CAIRN_OBJ_CHANNEL, 10);
	struct slot *a = fx_slot(&fx, 11), *b = fx_slot(&fx, 12), *m = fx_slot(&fx, 13);
	struct object *o = ch->cap.obj;

	CHECK_OK(cap_copy(ch, a, CAIRN_RIGHTS_ALL));
	CHECK_OK(cap_copy(a, b, CAIRN_RIGHTS_ALL));
	/* move a (middle of a chain): m takes its place, child follows */
	CHECK_OK(cap_move(a, m));
	CHECK(slot_is_empty(a) && !a->parent && !a->first_child);
	CHECK(m->parent == ch && m->first_child == b && b->parent == m);
	CHECK_EQ(o->cap_count, 3);
	CHECK_ERR(cap_move(fx_slot(&fx, 20), fx_slot(&fx, 21)), CAIRN_ERR_SLOT_EMPTY);
	CHECK_ERR(cap_move(m, b), CAIRN_ERR_SLOT_OCCUPIED);
	CHECK_ERR(cap_move(m, m), CAIRN_ERR_SLOT_OCCUPIED);
	/* untyped caps move (with their watermark and children) */
	uint64_t wm = fx_slot(&fx, FX_UNTYPED)->cap.data;
	CHECK_OK(cap_move(fx_slot(&fx, FX_UNTYPED), fx_slot(&fx, 50)));
	CHECK_EQ(fx_slot(&fx, 50)->cap.data, wm);
	CHECK(ch->parent == fx_slot(&fx, 50));
	CHECK_OK(cap_move(fx_slot(&fx, 50), fx_slot(&fx, FX_UNTYPED)));
	fx_check();
	fx_teardown(&fx);
}

static void delete_splices_children(void)
{
	fx_setup(&fx, 6, 16, false);
	struct slot *ch = make(CAIRN_OBJ_CHANNEL, 10);
	struct slot *a = fx_slot(&fx, 11), *b = fx_slot(&fx, 12), *c = fx_slot(&fx, 13);
	struct slot *d = fx_slot(&fx, 14);

	CHECK_OK(cap_copy(ch, d, CAIRN_RIGHTS_ALL)); /* sibling of a */
	CHECK_OK(cap_copy(ch, a, CAIRN_RIGHTS_ALL));
	CHECK_OK(cap_copy(a, b, CAIRN_RIGHTS_ALL));
	CHECK_OK(cap_copy(a, c, CAIRN_RIGHTS_ALL));
	CHECK_OK(cap_delete(a));
	CHECK(slot_is_empty(a));
	CHECK(b->parent == ch && c->parent == ch);
	/* order kept: a's children sit where a was, before d */
	CHECK(ch->first_child == c && c->next_sibling == b && b->next_sibling == d);
	CHECK_ERR(cap_delete(a), CAIRN_ERR_SLOT_EMPTY);
	CHECK_EQ(ch->cap.obj->cap_count, 4);
	fx_check();
	/* delete a root with children: they become roots */
	struct slot *r = fx_slot(&fx, FX_ROOT_SELF);
	CHECK_OK(cap_copy(r, fx_slot(&fx, 30), CAIRN_RIGHTS_ALL));
	CHECK_OK(cap_copy(r, fx_slot(&fx, 31), CAIRN_RIGHTS_ALL));
	CHECK_OK(cap_delete(r));
	CHECK(!fx_slot(&fx, 30)->parent && !fx_slot(&fx, 30)->next_sibling);
	CHECK(!fx_slot(&fx, 31)->parent && !fx_slot(&fx, 31)->prev_sibling);
	CHECK_OK(cap_move(fx_slot(&fx, 30), r));
	fx_check();
	fx_teardown(&fx);
}

static void revoke_basic(void)
{
	fx_setup(&fx, 6, 16, false);
	struct slot *ch = make(CAIRN_OBJ_CHANNEL, 10);

	CHECK_OK(cap_copy(ch, fx_slot(&fx, 11), CAIRN_RIGHTS_ALL));
	CHECK_OK(cap_copy(fx_slot(&fx, 11), fx_slot(&fx, 12), CAIRN_RIGHTS_ALL));
	CHECK_OK(cap_mint(ch, fx_slot(&fx, 13), CAIRN_RIGHTS_ALL, 3));
	CHECK_OK(cap_revoke(ch));
	for (int i = 11; i <= 13; i++)
		CHECK(slot_is_empty(fx_slot(&fx, i)));
	CHECK(!ch->first_child);
	CHECK_EQ(ch->cap.obj->cap_count, 1);
	CHECK_EQ(host_hooks.channel_wakes, 0);
	/* revoke with nothing below is fine; of an empty slot is not */
	CHECK_OK(cap_revoke(ch));
	CHECK_ERR(cap_revoke(fx_slot(&fx, 11)), CAIRN_ERR_SLOT_EMPTY);
	/* revoking a copy leaves the original */
	CHECK_OK(cap_copy(ch, fx_slot(&fx, 11), CAIRN_RIGHTS_ALL));
	CHECK_OK(cap_copy(fx_slot(&fx, 11), fx_slot(&fx, 12), CAIRN_RIGHTS_ALL));
	CHECK_OK(cap_revoke(fx_slot(&fx, 11)));
	CHECK(slot_is_empty(fx_slot(&fx, 12)) && !slot_is_empty(fx_slot(&fx, 11)));
	fx_check();
	fx_teardown(&fx);
}

static void install_errors(void)
{
	fx_setup(&fx, 6, 0, false);
	struct cap bad = { .type = CAIRN_OBJ_CHANNEL };
	struct cap none = { 0 };
	struct cap root = fx_slot(&fx, FX_ROOT_SELF)->cap;

	CHECK_ERR(cap_install_original(fx_slot(&fx, 3), &bad), CAIRN_ERR_INVALID_CAP);
	CHECK_ERR(cap_install_original(fx_slot(&fx, 3), &none), CAIRN_ERR_INVALID_CAP);
	CHECK_ERR(cap_install_original(fx_slot(&fx, FX_ROOT_SELF), &root), CAIRN_ERR_SLOT_OCCUPIED);
	CHECK_ERR(cap_install_child(fx_slot(&fx, 4), fx_slot(&fx, 3), &root), CAIRN_ERR_SLOT_EMPTY);
	CHECK_OK(cap_install_child(fx_slot(&fx, FX_ROOT_SELF), fx_slot(&fx, 3), &root));
	CHECK_EQ(fx.root->hdr.cap_count, 2);
	fx_check();
	fx_teardown(&fx);
}

static void errors_have_names(void)
{
	for (int e = 0; e < CAIRN_ERR_COUNT; e++) {
		CHECK(strcmp(cairn_strerror(e), "unknown error") != 0);
		CHECK(strcmp(cairn_error_name(e), "UNKNOWN") != 0);
	}
	CHECK(strcmp(cairn_strerror(CAIRN_ERR_COUNT), "unknown error") == 0);
	CHECK(strcmp(cairn_strerror(-1), "unknown error") == 0);
	CHECK(strcmp(cairn_error_name(CAIRN_ERR_SLOT_EMPTY), "SLOT_EMPTY") == 0);
	for (int t = 0; t < CAIRN_OBJ_TYPE_COUNT; t++)
		CHECK(strcmp(cairn_obj_type_name(t), "?") != 0);
	CHECK(strcmp(cairn_task_state_name(CAIRN_TASK_BLOCKED_NOTIFICATION), "BlockedNotification") == 0);
}

int main(void)
{
	TAP_RUN(copy_basic);
	TAP_RUN(copy_errors);
	TAP_RUN(rights_only_reduce);
	TAP_RUN(mint_badge);
	TAP_RUN(mint_guard);
	TAP_RUN(move_basic_and_errors);
	TAP_RUN(delete_splices_children);
	TAP_RUN(revoke_basic);
	TAP_RUN(install_errors);
	TAP_RUN(errors_have_names);
	return tap_done();
}
