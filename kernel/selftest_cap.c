/*
 * selftest_cap.c - the capability core as compiled into the kernel:
 * retype, copy, mint and revoke on boot memory, with the invariant
 * checker clean before and after, and catching a damaged CDT link.
 */
#include "capcheck.h"
#include "cpool.h"
#include "frame.h"
#include "mem.h"
#include "selftest.h"
#include "untyped.h"

#define POOL_RADIX 4
#define UT_BITS 16

static unsigned violations(void)
{
	struct capcheck c = { 0 };
	return capcheck_run(&c);
}

const char *selftest_capability_core(void)
{
	int pool_bits = cairn_object_size_bits(CAIRN_OBJ_CPOOL, POOL_RADIX);
	paddr_t pool_pa = frame_alloc(&kernel_frames, (unsigned)pool_bits);
	paddr_t ut_pa = frame_alloc(&kernel_frames, UT_BITS);
	if (!pool_pa || !ut_pa)
		return "no memory for the test";
	struct cpool *p = cpool_init_at(phys_to_virt(pool_pa), 1u << pool_bits, POOL_RADIX);
	if (!p)
		return "cannot set up a pool";
	struct slot *s = p->slots;
	struct cap c = cap_for_object(&p->hdr);
	if (cap_install_original(&s[15], &c)) /* the pool holds its own cap */
		return "cannot give the pool a cap";
	if (untyped_cap_make(&c, ut_pa, UT_BITS, false) || cap_install_original(&s[0], &c))
		return "cannot make an untyped cap";

	if (untyped_retype(&s[0], CAIRN_OBJ_CHANNEL, 0, p, 1, 1) ||
	    cap_copy(&s[1], &s[2], CAIRN_RIGHT_READ) ||
	    cap_mint(&s[1], &s[3], CAIRN_RIGHTS_ALL, 5) ||
	    untyped_retype(&s[0], CAIRN_OBJ_NOTIFICATION, 0, p, 4, 3))
		return "retype, copy or mint failed";
	if (violations())
		return "the checker reports violations in a sound tree";

	struct slot *saved = s[2].parent;
	s[2].parent = &s[9]; /* an empty slot: a damaged link */
	unsigned found = violations();
	s[2].parent = saved;
	if (!found)
		return "the checker missed a damaged CDT link";

	if (cap_revoke(&s[0]) || s[0].cap.data != 0 || !slot_is_empty(&s[3]))
		return "revoking the untyped did not empty it";
	if (violations())
		return "violations after revoke";
	cap_delete(&s[0]);
	cap_delete(&s[15]); /* the pool's last cap: the pool goes */
	frame_free(&kernel_frames, ut_pa, 1u << UT_BITS);
	return violations() ? "violations after tearing down" : NULL;
}
