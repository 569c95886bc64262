/*
 * fake_sys.h - a fake kernel for host tests of user code: user/lib's
 * real functions (syscall.h) reach it through arch_syscall(). It models
 * a root CPool, logs each call, and fails a chosen call on demand.
 */
#ifndef USER_TEST_FAKE_SYS_H
#define USER_TEST_FAKE_SYS_H

#include <stddef.h>
#include "syscall.h"
/* fake_NAME(arg, r) for every call, generated from the ABI: a weak
 * default that logs, overridden by fake_sys.c where it models the call. */
#include "fake_syscalls.h"

#define FAKE_SLOTS 256

extern struct cairn_cap_info fake_caps[FAKE_SLOTS];
extern char fake_log[8192];      /* "name(args)\n" per call */
extern struct cairn_msg fake_last_msg; /* last message sent */
extern int fake_queued;          /* messages queued on slot 255 */

/* Empty pool except the boot layout: 0 cpool, 1 task, 2 untyped,
 * 3 vspace, 250 page, 255 channel. Clears the log and injections. */
void fake_reset(void);

/* Make the next call named `name` (e.g. "cap_copy") fail with err. */
void fake_fail(const char *name, int err);

/* Log "name(args)" and return the error injected for it (or 0). */
int fake_call(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The error injected for `name` (or 0), without logging. */
int fake_injected(const char *name);

#endif
