/*
 * snap.h - state shared by snapshot.c (copying kernel memory: globals,
 * object lists, per-object and per-slot-table bulk reads) and decode.c
 * (turning those copies into struct kr_snapshot). Private to kread.
 */
#ifndef KREAD_SNAP_H
#define KREAD_SNAP_H

#include "internal.h"

#include <cairn/objects.h>

#define KR_MAX_OBJECTS (1 << 16)  /* longest object list walked */
#define KR_MAX_RADIX 20           /* CAIRN_CPOOL_MAX_SLOT_BITS */
#define KR_MAX_PROBLEMS 200       /* more than this is noise */

/* One live object as copied from the guest. */
struct obj_rec {
	uint64_t addr;
	int type;              /* the list it was found on */
	const uint8_t *buf;    /* the whole object (CPool: its header) */
	const uint8_t *slots;  /* CPool: the slot table, else NULL */
	unsigned radix;
	bool bad;              /* header inconsistent: do not decode the body */
	char name[KR_NAME_LEN];/* debug name, printable */
};

/* A sorted (address, index) pair for bsearch lookups in a snapshot. */
struct kr_idx {
	uint64_t addr;
	int i;
};

/* What kr_snapshot_read allocates: the public part first. */
struct kr_snap_priv {
	struct kr_snapshot pub;
	struct kr_idx *task_idx, *chan_idx, *cap_idx;
	int ntask_idx, nchan_idx, ncap_idx;
};

struct snap_ctx {
	struct kr_reader *r;
	const struct kr_layout *L;
	struct kr_snapshot_opts opts;
	struct kr_snap_priv *sp;
	struct kr_snapshot *s;

	const uint8_t *sched;          /* copy of `sched` */
	const uint8_t *olists;         /* copy of object_lists[] */
	struct obj_rec *objs;          /* every listed object, grouped by type */
	int nobjs, objs_cap;
	int first[CAIRN_OBJ_TYPE_COUNT], count[CAIRN_OBJ_TYPE_COUNT];
	struct kr_map by_addr;         /* object address -> objs[] index */
	uint64_t console_queue;        /* &console_input.waiters, 0 if none */
	unsigned *task_mark;           /* per task: walk epoch (cycle detection) */
	unsigned epoch;
	struct kr_vec problems;        /* char * */
	int rc;                        /* fatal: KR_EIO or KR_ENOMEM */
};

void snap_problem(struct snap_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The record of a live object of `type` at addr, or NULL. */
const struct obj_rec *snap_obj(const struct snap_ctx *c, uint64_t addr, int type);
/* Decode every copied object into c->s (decode.c). */
int snap_decode(struct snap_ctx *c);
/* A printable copy of a kernel name field. */
void snap_name(char *dst, size_t dstlen, const uint8_t *src, size_t srclen);

#endif
