/*
 * fixture.h - a small world for capability tests: a root CPool whose
 * slot 0 holds a cap to itself (as rinit's does) and one untyped region
 * in slot 1, plus helpers to check invariants and detect leaks.
 */
#ifndef CAIRN_TEST_FIXTURE_H
#define CAIRN_TEST_FIXTURE_H

#include "../lib/tap.h"
#include "cap.h"
#include "cpool.h"
#include "object.h"
#include "untyped.h"

struct fixture {
	struct cpool *root;
	void *root_mem;
	void *ut_mem;
	unsigned ut_bits;
};

enum { FX_ROOT_SELF = 0, FX_UNTYPED = 1 };

/* Root pool of 2^root_bits slots; untyped of 2^ut_bits bytes (0: none). */
void fx_setup(struct fixture *f, unsigned root_bits, unsigned ut_bits, bool device);

/* As fx_setup, in the memory f holds from a setup of the same sizes
 * (refilled with the pattern) when it holds any: for a test that builds
 * thousands of worlds, whose fresh blocks' page faults would cost more
 * than the test. The world before is dropped, not torn down. */
void fx_setup_again(struct fixture *f, unsigned root_bits, unsigned ut_bits, bool device);

/* Delete everything; fails the current test on leaks or violations. */
void fx_teardown(struct fixture *f);

/* Free the memory of f's world without tearing it down. */
void fx_free(struct fixture *f);

static inline struct slot *fx_slot(struct fixture *f, uint64_t i)
{
	return cpool_slot(f->root, i);
}

/* The cap in root slot 0, for lookups. */
static inline const struct cap *fx_root_cap(struct fixture *f)
{
	return &f->root->slots[FX_ROOT_SELF].cap;
}

/* Run capcheck; print each violation as a TAP diagnostic; 0 if clean. */
unsigned fx_check_at(const char *file, int line);
#define fx_check() fx_check_at(__FILE__, __LINE__)

/* Live objects of all types (a leak detector). */
uint64_t fx_live_objects(void);

void *fx_alloc_aligned(size_t align, size_t size);

/* In a TAP_RUN test (tests/lib/tap.h): an expression returning a cairn
 * error must give exactly `want`. */
#define CHECK_ERR(expr, want)                                                 \
	do {                                                                  \
		int got_ = (expr), want_ = (want);                            \
		if (got_ != want_) {                                          \
			tap_diag("%s:%d: %s: got %s, want %s", __FILE__,      \
				 __LINE__, #expr, cairn_error_name(got_),     \
				 cairn_error_name(want_));                    \
			tap_current_failed = true;                            \
		}                                                             \
	} while (0)

#define CHECK_OK(expr) CHECK_ERR(expr, CAIRN_ERR_OK)

#endif
