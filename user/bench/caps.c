/*
 * caps.c - capability operations: copy, delete, a lookup (poll of a
 * notification: the cheapest call that resolves a cap), retype of one
 * object, and revoke of 1,000 derived caps.
 */
#include <cairn/bootinfo.h>
#include "bench.h"
#include "console.h"

#define REVOKE_CAPS 1000
#define REVOKE_POOL_BITS 10
#define REVOKE_ROUNDS 9

static uint64_t samples[BENCH_SAMPLES], samples2[BENCH_SAMPLES];

static int copy_delete(struct bench_env *env, uint64_t src)
{
	uint64_t dest;
	if (!slot_alloc_get(env->slots, &dest))
		return CAIRN_ERR_NO_MEMORY;
	for (unsigned i = 0; i < BENCH_WARMUP + BENCH_SAMPLES; i++) {
		uint64_t t0 = bench_tsc();
		int e1 = (int)raw_sys(CAIRN_SYS_CAP_COPY, dest, src, CAIRN_RIGHTS_ALL, 0, 0, 0);
		uint64_t t1 = bench_tsc();
		int e2 = (int)raw_sys(CAIRN_SYS_CAP_DELETE, dest, 0, 0, 0, 0, 0);
		uint64_t t2 = bench_tsc();
		if (e1 || e2)
			return e1 ? e1 : e2;
		if (i >= BENCH_WARMUP) {
			samples[i - BENCH_WARMUP] = t1 - t0;
			samples2[i - BENCH_WARMUP] = t2 - t1;
		}
	}
	bench_report("cap copy", samples, BENCH_SAMPLES, bench_tsc_overhead);
	bench_report("cap delete", samples2, BENCH_SAMPLES, bench_tsc_overhead);
	return CAIRN_ERR_OK;
}

static int lookup(uint64_t ntfn)
{
	for (unsigned i = 0; i < BENCH_WARMUP + BENCH_SAMPLES; i++) {
		uint64_t t0 = bench_tsc();
		int err = (int)raw_sys(CAIRN_SYS_NTFN_POLL, ntfn, 0, 0, 0, 0, 0);
		uint64_t t1 = bench_tsc();
		if (err)
			return err;
		if (i >= BENCH_WARMUP)
			samples[i - BENCH_WARMUP] = t1 - t0;
	}
	bench_report("cap lookup (notification poll)", samples, BENCH_SAMPLES,
		     bench_tsc_overhead);
	return CAIRN_ERR_OK;
}

static int retype(struct bench_env *env)
{
	uint64_t ut, dest;
	int err = bench_new_object(env, CAIRN_OBJ_UNTYPED, 16, &ut);
	if (err)
		return err;
	if (!slot_alloc_get(env->slots, &dest))
		return CAIRN_ERR_NO_MEMORY;
	for (unsigned i = 0; i < BENCH_WARMUP + BENCH_SAMPLES; i++) {
		uint64_t t0 = bench_tsc();
		err = (int)raw_sys(CAIRN_SYS_UNTYPED_RETYPE, ut, CAIRN_OBJ_NOTIFICATION, 0,
				   CAIRN_SLOT_ROOT_CPOOL, dest, 1);
		uint64_t t1 = bench_tsc();
		if (!err) /* its last cap: the untyped resets */
			err = (int)raw_sys(CAIRN_SYS_CAP_DELETE, dest, 0, 0, 0, 0, 0);
		if (err)
			return err;
		if (i >= BENCH_WARMUP)
			samples[i - BENCH_WARMUP] = t1 - t0;
	}
	bench_report("retype (one notification)", samples, BENCH_SAMPLES, bench_tsc_overhead);
	return CAIRN_ERR_OK;
}

static int revoke(struct bench_env *env, uint64_t src)
{
	uint64_t pool, orig;
	int err = bench_new_object(env, CAIRN_OBJ_CPOOL, REVOKE_POOL_BITS, &pool);
	if (err)
		return err;
	if (!slot_alloc_get(env->slots, &orig))
		return CAIRN_ERR_NO_MEMORY;
	unsigned depth = env->bi->root_cpool_bits + REVOKE_POOL_BITS;
	for (unsigned r = 0; r < REVOKE_ROUNDS; r++) {
		/* A fresh parent, then 1,000 copies of it in the big pool. */
		if ((err = cairn_cap_copy(orig, src, CAIRN_RIGHTS_ALL)))
			return err;
		for (uint64_t i = 0; i < REVOKE_CAPS; i++) {
			uint64_t addr = (pool << REVOKE_POOL_BITS) | i;
			err = cairn_cap_copy(CAIRN_SYS_CADDR(addr, depth), orig, CAIRN_RIGHTS_ALL);
			if (err)
				return err;
		}
		uint64_t t0 = bench_tsc();
		err = (int)raw_sys(CAIRN_SYS_CAP_REVOKE, orig, 0, 0, 0, 0, 0);
		uint64_t t1 = bench_tsc();
		if (err || (err = cairn_cap_delete(orig)))
			return err;
		samples[r] = t1 - t0;
	}
	bench_report("revoke of 1000 caps", samples, REVOKE_ROUNDS, bench_tsc_overhead);
	return CAIRN_ERR_OK;
}

void bench_caps(struct bench_env *env)
{
	uint64_t ntfn;
	int err = bench_new_object(env, CAIRN_OBJ_NOTIFICATION, 0, &ntfn);
	if (!err)
		err = copy_delete(env, ntfn);
	if (!err)
		err = lookup(ntfn);
	if (!err)
		err = retype(env);
	if (!err)
		err = revoke(env, ntfn);
	if (err)
		printf("bench: capability benchmarks stopped: %s\n", cairn_strerror(err));
}
