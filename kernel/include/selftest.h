/*
 * selftest.h - in-kernel self-tests (CONFIG_KERNEL_SELFTEST). They print
 * TAP lines and a final "N passed, N failed", then end QEMU with status
 * 0 (all passed) or 1.
 */
#ifndef CAIRN_SELFTEST_H
#define CAIRN_SELFTEST_H

#include "kernel.h"

__attribute__((noreturn)) void selftest_run_all(void);
/* Trap code asks: was an exception with this vector expected? (Consumes
 * the expectation.) */
bool selftest_exception_expected(uint64_t vector);

/* Individual tests in their own files: NULL on success, else why. */
const char *selftest_capability_core(void);

#endif
