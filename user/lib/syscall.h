/*
 * syscall.h - C functions for every Cairn system call. Each returns the
 * kernel's error code (enum cairn_error, 0 = success); results come
 * back through pointer arguments, which may not be NULL unless noted.
 *
 * Cap arguments are CAddr argument words (see cairn/syscalls.h): a
 * plain root-pool slot number works as is.
 *
 * On the target these are syscall.c; host tests link a fake instead,
 * which is why user programs reach the kernel only through this file.
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

int cairn_null(void);

int cairn_cap_copy(uint64_t dest, uint64_t src, unsigned rights);
int cairn_cap_mint(uint64_t dest, uint64_t src, unsigned rights, uint64_t data);
int cairn_cap_move(uint64_t dest, uint64_t src);
int cairn_cap_delete(uint64_t slot);
int cairn_cap_revoke(uint64_t slot);
int cairn_cap_identify(uint64_t slot, struct cairn_cap_info *out);
int cairn_untyped_retype(uint64_t ut, unsigned type, unsigned size_bits, uint64_t dest_pool,
			 uint64_t dest_index, uint64_t count);

int cairn_task_configure(uint64_t task, unsigned field, uint64_t cap, uint64_t vaddr);
int cairn_task_set_regs(uint64_t task, unsigned mask, uint64_t ip, uint64_t sp, uint64_t arg0,
			uint64_t arg1);
int cairn_task_resume(uint64_t task);
int cairn_task_suspend(uint64_t task);
int cairn_task_set_priority(uint64_t task, unsigned priority);
int cairn_set_name(uint64_t cap, const char *name);
int cairn_task_read_state(uint64_t task, struct cairn_task_info *out);

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

int cairn_ntfn_signal(uint64_t ntfn);
int cairn_ntfn_wait(uint64_t ntfn, uint64_t *bits);
int cairn_ntfn_poll(uint64_t ntfn, uint64_t *bits);

int cairn_page_map(uint64_t page, uint64_t vspace, uint64_t vaddr, unsigned attrs);
int cairn_page_unmap(uint64_t page);
int cairn_pt_map(uint64_t pt, uint64_t vspace, uint64_t vaddr);
int cairn_pt_unmap(uint64_t pt);

int cairn_irq_claim(uint64_t irqcontrol, unsigned irq, uint64_t dest, uint64_t ntfn);
int cairn_irq_ack(uint64_t handler);

int cairn_yield(void);
/* Prints len bytes (in CAIRN_DEBUG_PRINT_MAX pieces); flags CAIRN_PRINT_*. */
int cairn_debug_print(const char *s, size_t len, unsigned flags);
/* Port I/O through an IOPort cap (x86_64); width 1, 2 or 4. */
int cairn_ioport_in(uint64_t ioport, unsigned port, unsigned width, uint32_t *value);
int cairn_ioport_out(uint64_t ioport, unsigned port, unsigned width, uint32_t value);
/* Stop at a named point when a debugger is watching (kdbg_checkpoint);
 * *violations (may be NULL) gets the kernel checker's count. */
int cairn_debug_checkpoint(const char *name, uint64_t *violations);
/* One console byte in *ch; flags CAIRN_GETC_NONBLOCK. */
int cairn_debug_getc(unsigned flags, int *ch);
/* Returns only if the kernel refused. */
int cairn_debug_shutdown(int status);

#endif
