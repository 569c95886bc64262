/*
 * syscall.h - C functions for every Cairn system call. Each returns the
 * kernel's error code (enum cairn_error, 0 = success); results come
 * back through pointer arguments, which may not be NULL unless noted
 * (the generated ones take NULL).
 *
 * Cap arguments are CAddr argument words (see cairn/syscalls.h): a
 * plain root-pool slot number works as is.
 *
 * Everything reaches the kernel through arch_syscall(): on the target the
 * `syscall`/`svc` instruction (arch/ARCH/syscall_arch.h), in host tests a
 * fake kernel (tests/host/user), which is why user programs reach the
 * kernel only through this file.
 */
#ifndef ULIB_SYSCALL_H
#define ULIB_SYSCALL_H

#include <stddef.h>
#include <stdint.h>
#include <cairn/errors.h>
#include <cairn/objects.h>
#include <cairn/syscalls.h>

/* A channel message: what CHAN_* calls send and receive. */
struct cairn_msg {
	uint64_t badge; /* received: the sender cap's badge */
	uint64_t info;  /* CAIRN_MSGINFO(len, flags) */
	uint64_t words[CAIRN_MSG_MAX_WORDS]; /* words 4.. go via the task buffer */
	uint64_t cap;   /* sent with CAIRN_MSG_CAP: the cap to send;
			   received with CAIRN_MSG_CAP: the slot it is in */
};

/*
 * The calls whose functions below are written by hand (syscall.c): they
 * marshal through the task buffer, a struct cairn_msg or a string.
 * scripts/gen-syscalls.py reads this list: every other call's function,
 * cairn_NAME(args in register order, results by pointer), is generated
 * from the ABI into <generated/syscall_stubs.h>, and these get a raw
 * cairn_sys_NAME that the functions here call.
 */
#define CAIRN_HAND_WRAPPED                                                     \
	CAP_IDENTIFY TASK_READ_STATE SET_NAME                                   \
	CHAN_SEND CHAN_TRY_SEND CHAN_RECV CHAN_TRY_RECV CHAN_CALL CHAN_REPLY    \
	CHAN_REPLY_RECV DEBUG_PRINT DEBUG_GETC DEBUG_CHECKPOINT IOPORT_IN

#include <generated/syscall_stubs.h>

int cairn_cap_identify(uint64_t slot, struct cairn_cap_info *out);
int cairn_task_read_state(uint64_t task, struct cairn_task_info *out);
/* Up to CAIRN_NAME_LEN - 1 printable bytes (RANGE when longer). */
int cairn_set_name(uint64_t cap, const char *name);

/* recv_slot: where a received cap goes, or CAIRN_NO_SLOT. */
int cairn_chan_send(uint64_t chan, const struct cairn_msg *msg);
int cairn_chan_try_send(uint64_t chan, const struct cairn_msg *msg);
int cairn_chan_recv(uint64_t chan, uint64_t recv_slot, struct cairn_msg *out);
int cairn_chan_try_recv(uint64_t chan, uint64_t recv_slot, struct cairn_msg *out);
int cairn_chan_call(uint64_t chan, const struct cairn_msg *msg, uint64_t recv_slot,
		    struct cairn_msg *reply);
int cairn_chan_reply(const struct cairn_msg *msg);
int cairn_chan_reply_recv(uint64_t chan, const struct cairn_msg *reply, uint64_t recv_slot,
			  struct cairn_msg *out);

/* Prints len bytes (in CAIRN_DEBUG_PRINT_MAX pieces); flags CAIRN_PRINT_*. */
int cairn_debug_print(const char *s, size_t len, unsigned flags);
/* Port I/O through an IOPort cap (x86_64); width 1, 2 or 4. */
int cairn_ioport_in(uint64_t ioport, unsigned port, unsigned width, uint32_t *value);
/* Stop at a named point when a debugger is watching (kdbg_checkpoint);
 * *violations (may be NULL) gets the kernel checker's count. */
int cairn_debug_checkpoint(const char *name, uint64_t *violations);
/* One console byte in *ch (-1 on error); flags CAIRN_GETC_NONBLOCK. */
int cairn_debug_getc(unsigned flags, int *ch);

#endif
