/*
 * test_cap_random.c - random operation sequences checked step by step
 * against an independent reference model (plain arrays, its own size
 * table, parents as indices), with capcheck after every step.
 *
 *   test_cap_random [SEED [SEQUENCES [OPS]]]   or env CAIRN_SEED, CAIRN_SEQS
 */
#include <stdlib.h>
#include <string.h>

#include "capcheck.h"
#include "fixture.h"
#include "host_support.h"
#include "../lib/tap.h"

/* ---- the reference model ---- */

#define MP 160 /* pools per sequence */
#define PS 32  /* slots per model pool (root uses 32, others 4) */
#define MS (MP * PS)
#define MO 400
#define UT_BITS 15

struct mslot {
	int type; /* 0 = empty; enum values as numbers */
	int obj;  /* model object, -1 for untyped */
	unsigned rights;
	uint64_t badge;
	int badged;
	int parent; /* slot id or -1 */
	uint64_t wm, base; /* untyped only */
};
struct mobj { int type, refs, live, pool; void *kptr; uint64_t pa; };
struct mpool { int live, nslots, obj; struct cpool *k; };

static struct mslot S[MS];
static struct mobj O[MO];
static struct mpool P[MP];
static int nobj, npool;
static int work[MO], nwork;

/* Slot ids at or past nids() are in pools not made yet, so empty: the
 * model's scans stop there (scanning all MS made the test four times slower). */
static int nids(void) { return npool * PS; }
/* The slots a sequence may have written, cleared by the next one. */
static int dirty_ids = MS;

enum { T_UT = 1, T_POOL = 2, T_TASK = 3, T_CHAN = 4, T_NOTE = 5, T_PAGE = 8 };
static uint64_t model_size(int t)
{
	switch (t) {
	case T_POOL: return 512; /* 4 slots */
	case T_TASK: return 2048;
	case T_CHAN: return 16384; /* the ABI's CAIRN_CHANNEL_BITS (12-word ring) */
	case T_NOTE: return 256;
	default: return 4096;
	}
}

static bool has_obj(int t) { return t == T_POOL || t == T_TASK || t == T_CHAN || t == T_NOTE; }

static void m_delete(int id)
{
	struct mslot *s = &S[id];
	int parent = s->parent, obj = s->obj, type = s->type;

	for (int x = 0; x < nids(); x++)
		if (S[x].type && S[x].parent == id)
			S[x].parent = parent;
	memset(s, 0, sizeof(*s));
	s->parent = -1;
	s->obj = -1;
	if (has_obj(type) && --O[obj].refs == 0)
		work[nwork++] = obj;
}

static void m_reap(void)
{
	while (nwork) {
		int o = work[--nwork];
		O[o].live = 0;
		if (O[o].type == T_POOL) {
			struct mpool *p = &P[O[o].pool];
			for (int i = 0; i < p->nslots; i++)
				if (S[O[o].pool * PS + i].type)
					m_delete(O[o].pool * PS + i);
			p->live = 0;
		}
	}
}

static void m_untyped_resets(void)
{
	for (int u = 0; u < nids(); u++) {
		if (S[u].type != T_UT)
			continue;
		bool child = false;
		for (int x = 0; x < nids() && !child; x++)
			child = S[x].type && S[x].parent == u;
		if (!child)
			S[u].wm = 0;
	}
}

static bool m_is_desc(int x, int anc)
{
	for (int p = S[x].parent, n = 0; p >= 0 && n < MS; p = S[p].parent, n++)
		if (p == anc)
			return true;
	return false;
}

static int m_copy(int src, int dst, unsigned rights, int mint, uint64_t badge)
{
	if (S[dst].type) return CAIRN_ERR_SLOT_OCCUPIED;
	if (!S[src].type) return CAIRN_ERR_SLOT_EMPTY;
	if (rights & ~15u) return CAIRN_ERR_INVALID_ARGUMENT;
	if (S[src].type == T_UT) return CAIRN_ERR_ILLEGAL_OPERATION;
	struct mslot n = S[src];
	n.rights &= rights;
	if (mint) {
		if (n.type == T_CHAN || n.type == T_NOTE) {
			if (n.badged) return CAIRN_ERR_ILLEGAL_OPERATION;
			if (badge) { n.badge = badge; n.badged = 1; }
		} else if (badge) {
			if (n.type != T_POOL) return CAIRN_ERR_INVALID_ARGUMENT;
			return CAIRN_ERR_RANGE; /* the model only sends non-fitting guards */
		}
	}
	n.parent = src;
	S[dst] = n;
	if (has_obj(n.type)) O[n.obj].refs++;
	return 0;
}

static int m_move(int src, int dst)
{
	if (S[dst].type) return CAIRN_ERR_SLOT_OCCUPIED;
	if (!S[src].type) return CAIRN_ERR_SLOT_EMPTY;
	S[dst] = S[src];
	for (int x = 0; x < nids(); x++)
		if (S[x].type && S[x].parent == src)
			S[x].parent = dst;
	memset(&S[src], 0, sizeof(S[src]));
	S[src].parent = S[src].obj = -1;
	return 0;
}

static int m_revoke(int id)
{
	if (!S[id].type) return CAIRN_ERR_SLOT_EMPTY;
	for (int x = 0; x < nids(); x++)
		if (S[x].type && m_is_desc(x, id))
			m_delete(x);
	m_reap();
	return 0;
}

/* Retype; on success returns 0 and the caller records kernel pointers. */
static int m_retype(int ut, int type, int pool, int index, int count)
{
	if (!S[ut].type) return CAIRN_ERR_SLOT_EMPTY;
	if (S[ut].type != T_UT) return CAIRN_ERR_INVALID_CAP;
	if (index + count > P[pool].nslots) return CAIRN_ERR_RANGE;
	for (int i = 0; i < count; i++)
		if (S[pool * PS + index + i].type) return CAIRN_ERR_SLOT_OCCUPIED;
	uint64_t size = model_size(type), start = (S[ut].wm + size - 1) / size * size;
	if (start + count * size > (1u << UT_BITS)) return CAIRN_ERR_NO_MEMORY;
	if (nobj + count > MO || (type == T_POOL && npool + count > MP))
		return -1; /* the model is full: the caller skips the op */
	for (int i = 0; i < count; i++) {
		struct mslot *s = &S[pool * PS + index + i];
		memset(s, 0, sizeof(*s));
		s->type = type;
		s->rights = 15;
		s->parent = ut;
		s->obj = nobj;
		O[nobj] = (struct mobj){ .type = type, .refs = 1, .live = 1, .pool = -1,
					 .pa = S[ut].base + start + i * size };
		if (type == T_POOL) {
			O[nobj].pool = npool;
			P[npool] = (struct mpool){ .live = 1, .nslots = 4, .obj = nobj };
			npool++;
		}
		nobj++;
	}
	S[ut].wm = start + count * size;
	return 0;
}

/* ---- the kernel side ---- */

static struct fixture fx;
static uint64_t rng;
static uint64_t rnd(void)
{
	rng ^= rng >> 12; rng ^= rng << 25; rng ^= rng >> 27;
	return rng * 2685821657736338717ull;
}
static unsigned below(unsigned n) { return (unsigned)(rnd() % n); }

static struct slot *kslot(int id) { return &P[id / PS].k->slots[id % PS]; }

static void world_start(void)
{
	memset(S, 0, dirty_ids * sizeof(S[0]));
	for (int i = 0; i < dirty_ids; i++) S[i].parent = S[i].obj = -1;
	memset(O, 0, sizeof(O));
	memset(P, 0, sizeof(P));
	nobj = npool = nwork = 0;
	fx_setup_again(&fx, 5, UT_BITS, false);
	P[0] = (struct mpool){ .live = 1, .nslots = 32, .obj = 0, .k = fx.root };
	O[0] = (struct mobj){ .type = T_POOL, .refs = 1, .live = 1, .pool = 0, .kptr = &fx.root->hdr };
	S[0] = (struct mslot){ .type = T_POOL, .obj = 0, .rights = 15, .parent = -1 };
	S[1] = (struct mslot){ .type = T_UT, .obj = -1, .rights = 15, .parent = -1,
			       .base = (uintptr_t)fx.ut_mem };
	nobj = npool = 1;
}

static void world_end(void)
{
	/* Pools in cycles may outlive the root: reset the kernel lists. */
	memset(object_lists, 0, sizeof(object_lists));
	dirty_ids = nids();
}

static int pick_slot(bool prefer_full)
{
	int live[MP], n = 0;
	for (int p = 0; p < npool; p++)
		if (P[p].live) live[n++] = p;
	if (!n) return -1;
	for (int tries = 0; tries < 8; tries++) {
		int p = live[below(n)], id = p * PS + below(P[p].nslots);
		if (!prefer_full || S[id].type) return id;
	}
	int p = live[below(n)];
	return p * PS + below(P[p].nslots);
}

static char why[200];

static bool compare(void)
{
	int counts[CAIRN_OBJ_TYPE_COUNT] = { 0 };
	for (int o = 0; o < nobj; o++)
		if (O[o].live && has_obj(O[o].type)) {
			counts[O[o].type]++;
			if (O[o].kptr && ((struct object *)O[o].kptr)->cap_count != (uint32_t)O[o].refs) {
				snprintf(why, sizeof(why), "object %d refs %d kernel %u", o, O[o].refs,
					 ((struct object *)O[o].kptr)->cap_count);
				return false;
			}
		}
	for (int t = 0; t < CAIRN_OBJ_TYPE_COUNT; t++)
		if (object_lists[t].count != (uint64_t)counts[t]) {
			snprintf(why, sizeof(why), "%s: model %d live, kernel %llu", cairn_obj_type_name(t),
				 counts[t], (unsigned long long)object_lists[t].count);
			return false;
		}
	for (int p = 0; p < npool; p++) {
		if (!P[p].live) continue;
		for (int i = 0; i < P[p].nslots; i++) {
			int id = p * PS + i;
			struct mslot *m = &S[id];
			struct slot *k = kslot(id);
			bool ok = (int)k->cap.type == m->type;
			if (ok && m->type) {
				ok = k->cap.rights == m->rights &&
				     k->parent == (m->parent < 0 ? NULL : kslot(m->parent));
				if (m->type == T_UT)
					ok = ok && k->cap.data == m->wm && k->cap.paddr == m->base;
				else if (has_obj(m->type))
					ok = ok && k->cap.obj == O[m->obj].kptr;
				else
					ok = ok && k->cap.paddr == O[m->obj].pa;
				if (m->type == T_CHAN || m->type == T_NOTE)
					ok = ok && !!(k->cap.flags & CAP_FLAG_BADGED) == m->badged &&
					     k->cap.data == m->badge;
			}
			if (!ok) {
				snprintf(why, sizeof(why), "pool %d slot %d: model type %d, kernel type %d",
					 p, i, m->type, k->cap.type);
				return false;
			}
		}
	}
	return true;
}

static void record_new(int pool, int index, int count)
{
	for (int i = 0; i < count; i++) {
		struct slot *k = &P[pool].k->slots[index + i];
		struct mobj *o = &O[S[pool * PS + index + i].obj];
		if (has_obj(o->type))
			o->kptr = k->cap.obj;
		if (o->type == T_POOL)
			P[o->pool].k = cap_cpool(&k->cap);
	}
}

static unsigned long long op_ok[8], op_all[8];

/* One random step; returns false on a mismatch. */
static bool step(char *desc, size_t len)
{
	int a = pick_slot(true), b = pick_slot(false), km, mm;
	unsigned rights = below(8) ? CAIRN_RIGHTS_ALL : below(20);
	uint64_t badge = below(2) ? 0 : 1 + below(1000);

	int kind = below(11);

	if (a < 0) return true;
	switch (kind) {
	case 0: case 1:
		snprintf(desc, len, "copy %d -> %d rights %#x", a, b, rights);
		mm = m_copy(a, b, rights, 0, 0);
		km = cap_copy(kslot(a), kslot(b), rights);
		break;
	case 2: case 3:
		if (S[a].type == T_POOL && badge) badge = CAIRN_GUARD_DATA(1, 0); /* never fits */
		snprintf(desc, len, "mint %d -> %d rights %#x data %#llx", a, b, rights,
			 (unsigned long long)badge);
		mm = m_copy(a, b, rights, 1, badge);
		km = cap_mint(kslot(a), kslot(b), rights, badge);
		break;
	case 4:
		snprintf(desc, len, "move %d -> %d", a, b);
		mm = m_move(a, b);
		km = cap_move(kslot(a), kslot(b));
		break;
	case 5:
		snprintf(desc, len, "delete %d", a);
		mm = S[a].type ? (m_delete(a), m_reap(), 0) : CAIRN_ERR_SLOT_EMPTY;
		km = cap_delete(kslot(a));
		break;
	case 6:
		snprintf(desc, len, "revoke %d", a);
		mm = m_revoke(a);
		km = cap_revoke(kslot(a));
		break;
	default: {
		static const int types[] = { T_POOL, T_POOL, T_TASK, T_CHAN, T_NOTE, T_NOTE, T_PAGE };
		int type = types[below(ARRAY_SIZE(types))], count = 1 + below(3), ut = a;
		for (int x = 0; x < MS && below(4); x++)
			if (S[x].type == T_UT) { ut = x; break; }
		int pool = b / PS, index = b % PS;
		snprintf(desc, len, "retype %d type %d x%d -> pool %d [%d]", ut, type, count, pool, index);
		mm = m_retype(ut, type, pool, index, count);
		if (mm < 0) return true;
		km = untyped_retype(kslot(ut), type, type == T_POOL ? 2 : 0, P[pool].k, index, count);
		if (!mm && !km) record_new(pool, index, count);
		break;
	}
	}
	m_untyped_resets();
	kind = kind > 6 ? 7 : kind;
	op_all[kind]++;
	op_ok[kind] += km == 0;
	if (mm != km) {
		snprintf(why, sizeof(why), "model says %s, kernel says %s", cairn_error_name(mm),
			 cairn_error_name(km));
		return false;
	}
	return compare();
}

int main(int argc, char **argv)
{
	const char *env_seed = getenv("CAIRN_SEED"), *env_seqs = getenv("CAIRN_SEQS");
	uint64_t seed = argc > 1 ? strtoull(argv[1], NULL, 0) : env_seed ? strtoull(env_seed, NULL, 0) : 1;
	unsigned seqs = argc > 2 ? atoi(argv[2]) : env_seqs ? atoi(env_seqs) : 100000;
	unsigned ops = argc > 3 ? atoi(argv[3]) : 16;
	unsigned long long total = 0;
	char desc[160];

	printf("# seed %llu, %u sequences of %u ops (override: SEED SEQS OPS or CAIRN_SEED)\n",
	       (unsigned long long)seed, seqs, ops);
	rng = seed * 0x9e3779b97f4a7c15ull + 1;
	for (unsigned q = 0; q < seqs && !tap_current_failed; q++) {
		world_start();
		for (unsigned i = 0; i < ops; i++) {
			why[0] = 0;
			bool ok = step(desc, sizeof(desc));
			total++;
			struct capcheck c = { 0 };
			if (capcheck_run(&c)) {
				snprintf(why, sizeof(why), "capcheck: %s", c.first);
				ok = false;
			}
			if (!ok) {
				printf("# sequence %u step %u: %s: %s\n", q, i, desc, why);
				tap_current_failed = 1;
				break;
			}
		}
		world_end();
	}
	fx_free(&fx);
	printf("# %llu operations checked; succeeded/tried:", total);
	for (int k = 0; k < 8; k++)
		printf(" %s %llu/%llu", (const char *[]){ "copy", "copy", "mint", "mint", "move", "delete",
							"revoke", "retype" }[k], op_ok[k], op_all[k]);
	printf("\n");
	tap_result("random operation sequences match the reference model");
	return tap_done();
}
