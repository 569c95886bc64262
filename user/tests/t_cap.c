/*
 * t_cap.c - copy, mint, move, delete, revoke, identify and their
 * effect on the derivation tree, seen through CAP_IDENTIFY flags.
 */
#include "harness.h"

#define HAS_CHILDREN CAIRN_CAPINFO_HAS_CHILDREN
#define ORIGINAL CAIRN_CAPINFO_ORIGINAL

static void identify_boot_caps(void)
{
	struct cairn_cap_info i = ident(CAIRN_SLOT_ROOT_CPOOL);

	CHECK_EQ(i.type, CAIRN_OBJ_CPOOL);
	CHECK_EQ(i.summary[0], boot_info->root_cpool_bits);
	CHECK(i.flags & ORIGINAL);
	CHECK_EQ(ident(CAIRN_SLOT_ROOT_TASK).type, CAIRN_OBJ_TASK);
	CHECK_EQ(ident(CAIRN_SLOT_UNTYPED).type, CAIRN_OBJ_UNTYPED);
	CHECK_EQ(ident(CAIRN_SLOT_VSPACE).type, CAIRN_OBJ_VSPACE);
	CHECK_EQ(ident(CAIRN_SLOT_SPARE_BUFFER).type, CAIRN_OBJ_PAGE);
	i = ident(CAIRN_SLOT_CHANNEL);
	CHECK_EQ(i.type, CAIRN_OBJ_CHANNEL);
	CHECK_EQ(i.rights, CAIRN_RIGHTS_ALL);
}

static void identify_empty_and_out_of_range(void)
{
	struct cairn_cap_info i;

	CHECK_OK(cairn_cap_identify(new_slot(), &i));
	CHECK_EQ(i.type, CAIRN_OBJ_NULL);
	/* slot 2^bits does not exist at the default depth */
	CHECK_ERR(cairn_cap_identify(UINT64_C(1) << boot_info->root_cpool_bits, &i),
		  CAIRN_ERR_RANGE);
}

static void copy_makes_child(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), c = new_slot();
	struct cairn_cap_info a, b;

	CHECK(!(ident(ch).flags & HAS_CHILDREN));
	CHECK(!(ident(ch).flags & ORIGINAL)); /* a child of the untyped */
	CHECK_OK(cairn_cap_copy(c, ch, CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE));
	a = ident(ch);
	b = ident(c);
	CHECK(a.flags & HAS_CHILDREN);
	CHECK_EQ(b.type, CAIRN_OBJ_CHANNEL);
	CHECK_EQ(b.object, a.object);
	CHECK_EQ(b.rights, CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE);
	CHECK(!(b.flags & (ORIGINAL | HAS_CHILDREN)));
}

static void copy_errors(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), d = new_slot(), e = new_slot();

	CHECK_ERR(cairn_cap_copy(d, e, CAIRN_RIGHTS_ALL), CAIRN_ERR_SLOT_EMPTY);
	CHECK_ERR(cairn_cap_copy(ch, CAIRN_SLOT_CHANNEL, CAIRN_RIGHTS_ALL), CAIRN_ERR_SLOT_OCCUPIED);
	CHECK_ERR(cairn_cap_copy(d, ch, 0x10), CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_ERR(cairn_cap_copy(d, CAIRN_SLOT_UNTYPED, CAIRN_RIGHTS_ALL),
		  CAIRN_ERR_ILLEGAL_OPERATION);
	CHECK_EQ(ident(d).type, CAIRN_OBJ_NULL);
}

static void copy_never_adds_rights(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), r = new_slot(), rr = new_slot();

	CHECK_OK(cairn_cap_copy(r, ch, CAIRN_RIGHT_READ));
	CHECK_OK(cairn_cap_copy(rr, r, CAIRN_RIGHTS_ALL));
	CHECK_EQ(ident(rr).rights, CAIRN_RIGHT_READ);
}

static void mint_badge(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), m = new_slot(), m2 = new_slot();
	struct cairn_cap_info i;

	CHECK_OK(cairn_cap_mint(m, ch, CAIRN_RIGHT_WRITE, 0x1234));
	i = ident(m);
	CHECK(i.flags & CAIRN_CAPINFO_BADGED);
	CHECK_EQ(i.badge, 0x1234);
	CHECK_EQ(i.rights, CAIRN_RIGHT_WRITE);
	CHECK(ident(ch).flags & HAS_CHILDREN);
	CHECK_ERR(cairn_cap_mint(m2, m, CAIRN_RIGHT_WRITE, 0x99), CAIRN_ERR_ILLEGAL_OPERATION);
	CHECK_OK(cairn_cap_copy(m2, m, CAIRN_RIGHTS_ALL)); /* a copy keeps the badge */
	CHECK_EQ(ident(m2).badge, 0x1234);
}

static void mint_errors(void)
{
	uint64_t pg = new_obj(CAIRN_OBJ_PAGE, 0), pool = new_obj(CAIRN_OBJ_CPOOL, 4);
	uint64_t d = new_slot();

	CHECK_ERR(cairn_cap_mint(d, pg, CAIRN_RIGHTS_ALL, 1), CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_OK(cairn_cap_mint(d, pg, CAIRN_RIGHT_READ, 0)); /* data 0 is fine */
	CHECK_OK(cairn_cap_delete(d));
	/* guard of 61 bits + radix 4 > 64 */
	CHECK_ERR(cairn_cap_mint(d, pool, CAIRN_RIGHTS_ALL, CAIRN_GUARD_DATA(0, 61)),
		  CAIRN_ERR_RANGE);
	/* guard value wider than its size */
	CHECK_ERR(cairn_cap_mint(d, pool, CAIRN_RIGHTS_ALL, CAIRN_GUARD_DATA(4, 2)),
		  CAIRN_ERR_RANGE);
	CHECK_EQ(ident(d).type, CAIRN_OBJ_NULL);
}

static void move_keeps_children(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), c = new_slot(), dst = new_slot();
	struct cairn_cap_info before = ident(ch), after;

	CHECK_OK(cairn_cap_copy(c, ch, CAIRN_RIGHTS_ALL));
	CHECK_OK(cairn_cap_move(dst, ch));
	CHECK_EQ(ident(ch).type, CAIRN_OBJ_NULL);
	after = ident(dst);
	CHECK_EQ(after.object, before.object);
	CHECK(after.flags & HAS_CHILDREN);
	/* the moved cap is still the copy's parent: revoke reaches it */
	CHECK_OK(cairn_cap_revoke(dst));
	CHECK_EQ(ident(c).type, CAIRN_OBJ_NULL);
	CHECK(!(ident(dst).flags & HAS_CHILDREN));
}

static void move_errors(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), e = new_slot();

	CHECK_ERR(cairn_cap_move(ch, CAIRN_SLOT_CHANNEL), CAIRN_ERR_SLOT_OCCUPIED);
	CHECK_ERR(cairn_cap_move(ch, e), CAIRN_ERR_SLOT_OCCUPIED);
	CHECK_ERR(cairn_cap_move(new_slot(), e), CAIRN_ERR_SLOT_EMPTY);
	CHECK_OK(cairn_cap_move(e, ch)); /* untyped-derived caps move fine */
	CHECK_EQ(ident(e).type, CAIRN_OBJ_CHANNEL);
}

static void delete_reparents_children(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), a = new_slot(), b = new_slot();

	CHECK_OK(cairn_cap_copy(a, ch, CAIRN_RIGHTS_ALL));
	CHECK_OK(cairn_cap_copy(b, a, CAIRN_RIGHTS_ALL));
	CHECK_OK(cairn_cap_delete(a));
	CHECK_EQ(ident(a).type, CAIRN_OBJ_NULL);
	CHECK_EQ(ident(b).type, CAIRN_OBJ_CHANNEL); /* the object lives on */
	CHECK(ident(ch).flags & HAS_CHILDREN);      /* b now hangs off ch */
	CHECK_OK(cairn_cap_revoke(ch));
	CHECK_EQ(ident(b).type, CAIRN_OBJ_NULL);
	CHECK_ERR(cairn_cap_delete(a), CAIRN_ERR_SLOT_EMPTY);
}

static void revoke_whole_subtree(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_NOTIFICATION, 0), s[6];

	for (int i = 0; i < 6; i++) {
		s[i] = new_slot();
		/* a tree: 0,1 children of ch; 2,3 of 0; 4 of 2; 5 of 1 */
		static const int parent[6] = { -1, -1, 0, 0, 2, 1 };
		CHECK_OK(cairn_cap_copy(s[i], parent[i] < 0 ? ch : s[parent[i]], CAIRN_RIGHTS_ALL));
	}
	CHECK_OK(cairn_cap_revoke(s[0]));
	CHECK_EQ(ident(s[0]).type, CAIRN_OBJ_NOTIFICATION); /* not itself */
	CHECK(!(ident(s[0]).flags & HAS_CHILDREN));
	CHECK_EQ(ident(s[2]).type, CAIRN_OBJ_NULL);
	CHECK_EQ(ident(s[3]).type, CAIRN_OBJ_NULL);
	CHECK_EQ(ident(s[4]).type, CAIRN_OBJ_NULL);
	CHECK_EQ(ident(s[5]).type, CAIRN_OBJ_NOTIFICATION); /* other branch */
	CHECK_OK(cairn_cap_revoke(ch));
	for (int i = 0; i < 6; i++)
		CHECK_EQ(ident(s[i]).type, CAIRN_OBJ_NULL);
	CHECK_ERR(cairn_cap_revoke(s[0]), CAIRN_ERR_SLOT_EMPTY);
}

static void revoke_many(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), first = CAIRN_NO_SLOT, last = 0;

	for (int i = 0; i < 40; i++) {
		uint64_t s = new_slot();

		CHECK_OK(cairn_cap_copy(s, i % 2 ? last : ch, CAIRN_RIGHTS_ALL));
		if (i == 0)
			first = s;
		last = s;
	}
	CHECK_OK(cairn_cap_revoke(ch));
	CHECK_EQ(ident(first).type, CAIRN_OBJ_NULL);
	CHECK_EQ(ident(last).type, CAIRN_OBJ_NULL);
	CHECK(!(ident(ch).flags & HAS_CHILDREN));
}

static void pool_rights_checked(void)
{
	uint64_t pool = new_obj(CAIRN_OBJ_CPOOL, 4), ro = new_slot();
	unsigned depth = boot_info->root_cpool_bits + 4;

	CHECK_OK(cairn_cap_copy(ro, pool, CAIRN_RIGHT_READ));
	/* slot 1 of the pool reached through the read-only cap */
	uint64_t in_ro = CAIRN_SYS_CADDR((ro << 4) | 1, depth);
	uint64_t in_rw = CAIRN_SYS_CADDR((pool << 4) | 1, depth);
	CHECK_ERR(cairn_cap_copy(in_ro, CAIRN_SLOT_CHANNEL, CAIRN_RIGHTS_ALL),
		  CAIRN_ERR_INSUFFICIENT_RIGHTS);
	CHECK_OK(cairn_cap_copy(in_rw, CAIRN_SLOT_CHANNEL, CAIRN_RIGHTS_ALL));
	CHECK_ERR(cairn_cap_delete(in_ro), CAIRN_ERR_INSUFFICIENT_RIGHTS);
	CHECK_OK(cairn_cap_copy(new_slot(), in_ro, CAIRN_RIGHTS_ALL)); /* READ suffices */
	CHECK_EQ(ident(in_ro).type, CAIRN_OBJ_CHANNEL);
	CHECK_OK(cairn_cap_delete(in_rw));
	CHECK_EQ(ident(in_ro).type, CAIRN_OBJ_NULL);
}

const struct test tests_cap[] = {
	{ "identify: boot slots 0,1,2,3,250,255", identify_boot_caps },
	{ "identify: empty slot is NULL, slot past the pool is RANGE",
	  identify_empty_and_out_of_range },
	{ "copy: same object, fewer rights, CDT child (HAS_CHILDREN)", copy_makes_child },
	{ "copy: SLOT_EMPTY, SLOT_OCCUPIED, bad rights, untyped", copy_errors },
	{ "copy: rights only shrink along a chain", copy_never_adds_rights },
	{ "mint: badge, rights; no re-badging", mint_badge },
	{ "mint: data on a page, guards that do not fit", mint_errors },
	{ "move: children follow the cap", move_keeps_children },
	{ "move: SLOT_OCCUPIED, SLOT_EMPTY", move_errors },
	{ "delete: children move up to the parent", delete_reparents_children },
	{ "revoke: deletes exactly the subtree", revoke_whole_subtree },
	{ "revoke: 40 caps in a mixed tree", revoke_many },
	{ "cpool rights: WRITE to change, READ to copy from", pool_rights_checked },
	{ 0, 0 },
};
