/*
 * fuzz_cap.c - libFuzzer target: the input is a sequence of capability
 * operations on slots named by CAddrs (resolved from a root CPool, so
 * lookup is fuzzed too). After each operation the invariant checker
 * must find nothing; any violation, sanitizer report or panic aborts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capcheck.h"
#include "cpool.h"
#include "host_support.h"
#include "object.h"
#include "untyped.h"

#define ROOT_BITS 5
#define UT_BITS 16

struct input {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < bytes && in->left; i++, in->left--)
		v |= (uint64_t)*in->p++ << (8 * i);
	return v;
}

/* A slot named by (depth, address) from the root pool's own cap. */
static struct slot *addr_slot(struct cpool *root, struct input *in)
{
	struct cpool_lookup r;
	unsigned depth = 1 + take(in, 1) % 16;
	uint64_t addr = take(in, 2) & ((1ull << depth) - 1);

	if (cpool_lookup_slot(&root->slots[0].cap, addr, depth, &r))
		return NULL;
	return r.slot;
}

static void report(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "capcheck: %s\n", msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	size_t pool_size = 1ull << cairn_object_size_bits(CAIRN_OBJ_CPOOL, ROOT_BITS);
	/* One pool and one untyped region for every run, refilled with a
	 * pattern (retype must zero what it hands out): a fresh 64 KiB
	 * aligned block per run came from mmap, and its page faults and
	 * munmap cost more than the run itself. */
	static void *root_mem, *ut_mem;
	struct cpool *root;
	struct cap cap;

	host_hooks_reset();
	memset(object_lists, 0, sizeof(object_lists));
	if (!root_mem && (posix_memalign(&root_mem, 64, pool_size) ||
			  posix_memalign(&ut_mem, 1u << UT_BITS, 1u << UT_BITS)))
		abort();
	memset(root_mem, 0xa5, pool_size);
	memset(ut_mem, 0xa5, 1u << UT_BITS);
	root = cpool_init_at(root_mem, pool_size, ROOT_BITS);
	cap = cap_for_object(&root->hdr);
	if (cap_install_original(&root->slots[0], &cap))
		abort();
	if (untyped_cap_make(&cap, (uintptr_t)ut_mem, UT_BITS, false) ||
	    cap_install_original(&root->slots[1], &cap))
		abort();

	while (in.left) {
		unsigned op = take(&in, 1) % 6;
		struct slot *a = addr_slot(root, &in), *b = addr_slot(root, &in);
		unsigned rights = take(&in, 1);
		uint64_t arg = take(&in, 1);

		/* Once the root pool is gone no slot can be named. */
		if (root->hdr.state != OBJECT_LIVE)
			break;
		switch (op) {
		case 0:
			if (a && b) cap_copy(a, b, rights);
			break;
		case 1:
			if (a && b) cap_mint(a, b, rights, arg & 0x80 ? take(&in, 8) : arg);
			break;
		case 2:
			if (a && b) cap_move(a, b);
			break;
		case 3:
			if (a) cap_delete(a);
			break;
		case 4:
			if (a) cap_revoke(a);
			break;
		case 5:
			if (a && b) {
				unsigned bits = take(&in, 1) % 24;
				uint64_t index = take(&in, 1), count = take(&in, 1) % 8;
				untyped_retype(a, (enum cairn_obj_type)(arg % 13), bits, cap_cpool(&b->cap),
					       index, count);
			}
			break;
		}
		struct capcheck c = { .report = report };
		if (capcheck_run(&c))
			abort();
	}
	return 0;
}
