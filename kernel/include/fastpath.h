/*
 * fastpath.h - the IPC fastpath: CHAN_CALL and CHAN_REPLY_RECV in the
 * common case, handled straight from the caller's registers with a
 * direct switch to the partner. Each returns false, having changed
 * nothing, when the case is not the common one; the full path
 * (kernel/channel.c) then handles the call with the same result.
 */
#ifndef CAIRN_FASTPATH_H
#define CAIRN_FASTPATH_H

#include "arch.h"

/* Called by the syscall entry code (before kernel_syscall) with the
 * current task's context; true when handled. */
bool fastpath_call(struct arch_context *c);
bool fastpath_reply_recv(struct arch_context *c);

#endif
