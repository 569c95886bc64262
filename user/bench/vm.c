/*
 * vm.c - memory: retype of one 4 KiB page from untyped (sel4bench's
 * "untyped retype of one frame"), and mapping it into our own VSpace and
 * unmapping it (sel4bench's "page map, one page").
 */
#include <cairn/bootinfo.h>
#include "bench.h"
#include "console.h"
#include "vmap.h"

/* A page-aligned user address nothing else in this program uses (task
 * buffers of threads start at 0x10000000 and take a page each). */
#define MAP_VADDR 0x32000000ull

static uint64_t samples[BENCH_SAMPLES], samples2[BENCH_SAMPLES];

/* As caps.c's retype of a notification: one Page (size argument 0, as
 * for every type but CPool and Untyped) from a 64 KiB untyped per sample,
 * deleted again (its last cap) so that the untyped resets and every
 * sample starts from an empty region. The retype zeroes the 4 KiB. */
static int retype_page(struct bench_env *env)
{
	uint64_t ut, dest;
	int err = bench_new_object(env, CAIRN_OBJ_UNTYPED, 16, &ut);
	if (err)
		return err;
	if (!slot_alloc_get(env->slots, &dest))
		return CAIRN_ERR_NO_MEMORY;
	for (unsigned i = 0; i < BENCH_WARMUP + BENCH_SAMPLES; i++) {
		uint64_t t0 = bench_tsc();
		err = (int)raw_sys(CAIRN_SYS_UNTYPED_RETYPE, ut, CAIRN_OBJ_PAGE, 0,
				   CAIRN_SLOT_ROOT_CPOOL, dest, 1);
		uint64_t t1 = bench_tsc();
		if (!err) /* its last cap: the untyped resets */
			err = (int)raw_sys(CAIRN_SYS_CAP_DELETE, dest, 0, 0, 0, 0, 0);
		if (err)
			return err;
		if (i >= BENCH_WARMUP)
			samples[i - BENCH_WARMUP] = t1 - t0;
	}
	bench_report("retype (one 4 KiB page)", samples, BENCH_SAMPLES, bench_tsc_overhead);
	return CAIRN_ERR_OK;
}

/*
 * The page tables on the way exist before the first sample (a first map
 * through user/lib's vmap_page makes them), so each map sample is
 * PAGE_MAP alone: look the Page and VSpace caps up, walk to the last
 * level, write one entry, record the mapping in the Page cap. Each
 * unmap sample is PAGE_UNMAP of that page (the tables stay).
 */
static int map_unmap(struct bench_env *env)
{
	const unsigned attrs = CAIRN_MAP_READ | CAIRN_MAP_WRITE;
	uint64_t page;
	int err = bench_new_object(env, CAIRN_OBJ_PAGE, 0, &page);
	/* Unmeasured: the page tables down to MAP_VADDR, then back to unmapped
	 * (unmapping a page leaves its tables in place). */
	if (!err)
		err = vmap_page(env->ut, page, CAIRN_SLOT_VSPACE, MAP_VADDR, attrs);
	if (!err)
		err = cairn_page_unmap(page);
	for (unsigned i = 0; !err && i < BENCH_WARMUP + BENCH_SAMPLES; i++) {
		uint64_t t0 = bench_tsc();
		int e1 = (int)raw_sys(CAIRN_SYS_PAGE_MAP, page, CAIRN_SLOT_VSPACE, MAP_VADDR,
				      attrs, 0, 0);
		uint64_t t1 = bench_tsc();
		int e2 = (int)raw_sys(CAIRN_SYS_PAGE_UNMAP, page, 0, 0, 0, 0, 0);
		uint64_t t2 = bench_tsc();
		err = e1 ? e1 : e2;
		if (i >= BENCH_WARMUP) {
			samples[i - BENCH_WARMUP] = t1 - t0;
			samples2[i - BENCH_WARMUP] = t2 - t1;
		}
	}
	if (err)
		return err;
	bench_report("page map (one 4 KiB page)", samples, BENCH_SAMPLES, bench_tsc_overhead);
	bench_report("page unmap (one 4 KiB page)", samples2, BENCH_SAMPLES,
		     bench_tsc_overhead);
	return CAIRN_ERR_OK;
}

void bench_vm(struct bench_env *env)
{
	int err = retype_page(env);
	if (!err)
		err = map_unmap(env);
	if (err)
		printf("bench: memory benchmarks stopped: %s\n", cairn_strerror(err));
}
