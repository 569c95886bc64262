/*
 * target_util.h - the parts of target.c that need no connection: turning
 * a target spec into a QMP address, and reading HMP `info registers`.
 * Internal to kdbg/monitor.
 */
#ifndef KDBG_TOP_TARGET_UTIL_H
#define KDBG_TOP_TARGET_UTIL_H

#include "target.h"
#include <stddef.h>

/* "unix:PATH" and "HOST:PORT" (digits after the last colon, no slash) as
 * they are; anything else is a socket path: "unix:" + spec. */
void target_resolve_plain(const char *spec, char *addr, size_t addrlen);

/*
 * libvirt:DOMAIN: run `kdbg/bin/kdbg libvirt-qmp DOMAIN` (found under
 * $KDBG_TREE, else up from /proc/self/exe), which prints "unix:PATH" of
 * the domain's monitor QMP socket. Waits at most 30 s: libvirt's first
 * connection probes QEMU for ~16 s. 0, or -1 and err.
 */
int target_resolve_libvirt(const char *domain, char *addr, size_t addrlen,
			   char *err, size_t errlen);

/*
 * The interesting registers of the first vCPU from HMP `info registers`
 * (x86_64: RIP, RSP, RBP, RAX..R15, RFL, CR3...; AArch64: PC, SP, PSTATE,
 * X00..X30), in that order. Returns how many (at most max).
 */
int target_parse_regs(const char *text, struct target_reg *out, int max);

/* Monotonic seconds (CLOCK_MONOTONIC): timeouts and rates. */
double now_s(void);

#endif
