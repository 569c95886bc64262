#include <stdlib.h>
#include <string.h>

#include "capcheck.h"
#include "fixture.h"
#include "host_support.h"
#include "../lib/tap.h"

void *fx_alloc_aligned(size_t align, size_t size)
{
	void *p = NULL;

	if (posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, size))
		return NULL;
	memset(p, 0xa5, size); /* retype must zero what it hands out */
	return p;
}

/* The world in memory already allocated (and filled with the pattern). */
static void fx_init(struct fixture *f, unsigned root_bits, unsigned ut_bits, bool device)
{
	size_t pool_size = 1ull << cairn_object_size_bits(CAIRN_OBJ_CPOOL, root_bits);
	struct cap cap;

	host_hooks_reset();
	f->root = cpool_init_at(f->root_mem, pool_size, root_bits);
	cap = cap_for_object(&f->root->hdr);
	CHECK_OK(cap_install_original(&f->root->slots[FX_ROOT_SELF], &cap));
	if (ut_bits) {
		f->ut_bits = ut_bits;
		CHECK_OK(untyped_cap_make(&cap, (paddr_t)(uintptr_t)f->ut_mem, ut_bits, device));
		CHECK_OK(cap_install_original(&f->root->slots[FX_UNTYPED], &cap));
	}
}

void fx_setup(struct fixture *f, unsigned root_bits, unsigned ut_bits, bool device)
{
	memset(f, 0, sizeof(*f));
	f->root_mem = fx_alloc_aligned(64, 1ull << cairn_object_size_bits(CAIRN_OBJ_CPOOL, root_bits));
	if (ut_bits)
		f->ut_mem = fx_alloc_aligned(1ull << ut_bits, 1ull << ut_bits);
	fx_init(f, root_bits, ut_bits, device);
}

void fx_setup_again(struct fixture *f, unsigned root_bits, unsigned ut_bits, bool device)
{
	if (!f->root_mem) {
		fx_setup(f, root_bits, ut_bits, device);
		return;
	}
	memset(f->root_mem, 0xa5, 1ull << cairn_object_size_bits(CAIRN_OBJ_CPOOL, root_bits));
	if (ut_bits)
		memset(f->ut_mem, 0xa5, 1ull << ut_bits);
	f->root = NULL;
	f->ut_bits = 0;
	fx_init(f, root_bits, ut_bits, device);
}

void fx_free(struct fixture *f)
{
	free(f->root_mem);
	free(f->ut_mem);
	memset(f, 0, sizeof(*f));
}

static void report(void *arg, const char *msg)
{
	(void)arg;
	printf("#   capcheck: %s\n", msg);
}

unsigned fx_check_at(const char *file, int line)
{
	struct capcheck c = { .report = report };
	unsigned n = capcheck_run(&c);

	if (n) {
		tap_diag("%s:%d: %u invariant violations", file, line, n);
		tap_current_failed = true;
	}
	return n;
}

uint64_t fx_live_objects(void)
{
	uint64_t n = 0;

	for (int t = 0; t < CAIRN_OBJ_TYPE_COUNT; t++)
		n += object_lists[t].count;
	return n;
}

void fx_teardown(struct fixture *f)
{
	fx_check();
	/* Revoking the untyped removes every object made from it. */
	if (f->ut_bits && !slot_is_empty(fx_slot(f, FX_UNTYPED))) {
		CHECK_OK(cap_revoke(fx_slot(f, FX_UNTYPED)));
		CHECK_EQ(fx_slot(f, FX_UNTYPED)->cap.data, 0);
	}
	fx_check();
	/* The pool's cap to itself is its last: deleting it empties the pool. */
	for (uint64_t i = 0; i < cpool_slot_count(f->root); i++)
		if (i != FX_ROOT_SELF && !slot_is_empty(fx_slot(f, i)))
			CHECK_OK(cap_delete(fx_slot(f, i)));
	if (!slot_is_empty(fx_slot(f, FX_ROOT_SELF)))
		CHECK_OK(cap_delete(fx_slot(f, FX_ROOT_SELF)));
	CHECK_EQ(fx_live_objects(), 0);
	if (fx_live_objects()) {
		/* Do not let one test's leak cascade into the next ones. */
		memset(object_lists, 0, sizeof(object_lists));
	}
	fx_free(f);
}
