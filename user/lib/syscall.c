/*
 * syscall.c - the system call stubs: marshal arguments into the
 * register convention (arch/<arch>/syscall_arch.h) and the task buffer.
 */
#include "syscall.h"
#include "syscall_arch.h"
#include "uthread.h"
#include "ustring.h"

static int sys(enum cairn_syscall nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
	       uint64_t a4, uint64_t a5, uint64_t r[6])
{
	const uint64_t a[6] = { a0, a1, a2, a3, a4, a5 };
	uint64_t scratch[6];

	return (int)arch_syscall(nr, a, r ? r : scratch);
}

/* The caller's task buffer; calls that need one fail without it. */
static struct task_buffer *tb(void)
{
	return uthread_current()->tb;
}

int cairn_null(void)
{
	return sys(CAIRN_SYS_NULL, 0, 0, 0, 0, 0, 0, NULL);
}

int cairn_cap_copy(uint64_t dest, uint64_t src, unsigned rights)
{
	return sys(CAIRN_SYS_CAP_COPY, dest, src, rights, 0, 0, 0, NULL);
}

int cairn_cap_mint(uint64_t dest, uint64_t src, unsigned rights, uint64_t data)
{
	return sys(CAIRN_SYS_CAP_MINT, dest, src, rights, data, 0, 0, NULL);
}

int cairn_cap_move(uint64_t dest, uint64_t src)
{
	return sys(CAIRN_SYS_CAP_MOVE, dest, src, 0, 0, 0, 0, NULL);
}

int cairn_cap_delete(uint64_t slot)
{
	return sys(CAIRN_SYS_CAP_DELETE, slot, 0, 0, 0, 0, 0, NULL);
}

int cairn_cap_revoke(uint64_t slot)
{
	return sys(CAIRN_SYS_CAP_REVOKE, slot, 0, 0, 0, 0, 0, NULL);
}

int cairn_cap_identify(uint64_t slot, struct cairn_cap_info *out)
{
	struct task_buffer *b = tb();
	int err;

	if (!b)
		return CAIRN_ERR_ILLEGAL_OPERATION;
	err = sys(CAIRN_SYS_CAP_IDENTIFY, slot, 0, 0, 0, 0, 0, NULL);
	if (!err)
		memcpy(out, &b->info.cap, sizeof(*out));
	return err;
}

int cairn_untyped_retype(uint64_t ut, unsigned type, unsigned size_bits, uint64_t dest_pool,
			 uint64_t dest_index, uint64_t count)
{
	return sys(CAIRN_SYS_UNTYPED_RETYPE, ut, type, size_bits, dest_pool, dest_index, count,
		   NULL);
}

int cairn_task_configure(uint64_t task, unsigned field, uint64_t cap, uint64_t vaddr)
{
	return sys(CAIRN_SYS_TASK_CONFIGURE, task, field, cap, vaddr, 0, 0, NULL);
}

int cairn_task_set_regs(uint64_t task, unsigned mask, uint64_t ip, uint64_t sp, uint64_t arg0,
			uint64_t arg1)
{
	return sys(CAIRN_SYS_TASK_SET_REGS, task, mask, ip, sp, arg0, arg1, NULL);
}

int cairn_task_resume(uint64_t task)
{
	return sys(CAIRN_SYS_TASK_RESUME, task, 0, 0, 0, 0, 0, NULL);
}

int cairn_task_suspend(uint64_t task)
{
	return sys(CAIRN_SYS_TASK_SUSPEND, task, 0, 0, 0, 0, 0, NULL);
}

int cairn_task_set_priority(uint64_t task, unsigned priority)
{
	return sys(CAIRN_SYS_TASK_SET_PRIORITY, task, priority, 0, 0, 0, 0, NULL);
}

int cairn_set_name(uint64_t cap, const char *name)
{
	uint64_t packed[2];

	if (strlen(name) >= CAIRN_NAME_LEN)
		return CAIRN_ERR_RANGE;
	cairn_name_pack(name, packed);
	return sys(CAIRN_SYS_SET_NAME, cap, packed[0], packed[1], 0, 0, 0, NULL);
}

int cairn_task_read_state(uint64_t task, struct cairn_task_info *out)
{
	struct task_buffer *b = tb();
	int err;

	if (!b)
		return CAIRN_ERR_ILLEGAL_OPERATION;
	err = sys(CAIRN_SYS_TASK_READ_STATE, task, 0, 0, 0, 0, 0, NULL);
	if (!err)
		memcpy(out, &b->info.task, sizeof(*out));
	return err;
}

/* ---- channels --------------------------------------------------------- */

/* Put the cap to send in the task buffer when the message carries one. */
static int prepare_send(const struct cairn_msg *m)
{
	unsigned len = CAIRN_MSGINFO_LEN(m->info);
	struct task_buffer *b;

	if (!(m->info & CAIRN_MSG_CAP) && len <= CAIRN_MSG_INLINE_WORDS)
		return 0;
	b = tb();
	if (!b)
		return CAIRN_ERR_ILLEGAL_OPERATION;
	if (m->info & CAIRN_MSG_CAP)
		b->send_cap = m->cap;
	if (len > CAIRN_MSG_INLINE_WORDS && len <= CAIRN_MSG_MAX_WORDS)
		memcpy(b->msg, &m->words[CAIRN_MSG_INLINE_WORDS],
		       (len - CAIRN_MSG_INLINE_WORDS) * sizeof(uint64_t));
	return 0;
}

static int prepare_recv(uint64_t recv_slot)
{
	struct task_buffer *b = tb();

	if (!b)
		return recv_slot == CAIRN_NO_SLOT ? 0 : CAIRN_ERR_ILLEGAL_OPERATION;
	b->recv_slot = recv_slot;
	return 0;
}

static void unpack_msg(const uint64_t r[6], uint64_t recv_slot, struct cairn_msg *out)
{
	out->badge = r[0];
	out->info = r[1];
	unsigned len = CAIRN_MSGINFO_LEN(out->info);
	struct task_buffer *b = tb();

	for (unsigned i = 0; i < CAIRN_MSG_INLINE_WORDS; i++)
		out->words[i] = r[2 + i];
	for (unsigned i = CAIRN_MSG_INLINE_WORDS; i < CAIRN_MSG_MAX_WORDS; i++)
		out->words[i] = b && i < len ? b->msg[i - CAIRN_MSG_INLINE_WORDS] : 0;
	out->cap = (out->info & CAIRN_MSG_CAP) ? recv_slot : CAIRN_NO_SLOT;
}

static int send_common(enum cairn_syscall nr, uint64_t chan, const struct cairn_msg *m)
{
	int err = prepare_send(m);

	if (err)
		return err;
	return sys(nr, chan, m->info, m->words[0], m->words[1], m->words[2], m->words[3], NULL);
}

int cairn_chan_send(uint64_t chan, const struct cairn_msg *msg)
{
	return send_common(CAIRN_SYS_CHAN_SEND, chan, msg);
}

int cairn_chan_try_send(uint64_t chan, const struct cairn_msg *msg)
{
	return send_common(CAIRN_SYS_CHAN_TRY_SEND, chan, msg);
}

static int recv_common(enum cairn_syscall nr, uint64_t chan, uint64_t recv_slot,
		       struct cairn_msg *out)
{
	uint64_t r[6];
	int err = prepare_recv(recv_slot);

	if (err)
		return err;
	err = sys(nr, chan, 0, 0, 0, 0, 0, r);
	if (!err)
		unpack_msg(r, recv_slot, out);
	return err;
}

int cairn_chan_recv(uint64_t chan, uint64_t recv_slot, struct cairn_msg *out)
{
	return recv_common(CAIRN_SYS_CHAN_RECV, chan, recv_slot, out);
}

int cairn_chan_try_recv(uint64_t chan, uint64_t recv_slot, struct cairn_msg *out)
{
	return recv_common(CAIRN_SYS_CHAN_TRY_RECV, chan, recv_slot, out);
}

/* Send-then-receive calls: CALL and REPLY_RECV. */
static int exchange(enum cairn_syscall nr, uint64_t chan, const struct cairn_msg *m,
		    uint64_t recv_slot, struct cairn_msg *out)
{
	uint64_t r[6];
	int err = prepare_send(m);

	if (!err)
		err = prepare_recv(recv_slot);
	if (err)
		return err;
	err = sys(nr, chan, m->info, m->words[0], m->words[1], m->words[2], m->words[3], r);
	if (!err)
		unpack_msg(r, recv_slot, out);
	return err;
}

int cairn_chan_call(uint64_t chan, const struct cairn_msg *msg, uint64_t recv_slot,
		    struct cairn_msg *reply)
{
	return exchange(CAIRN_SYS_CHAN_CALL, chan, msg, recv_slot, reply);
}

int cairn_chan_reply_recv(uint64_t chan, const struct cairn_msg *reply, uint64_t recv_slot,
			  struct cairn_msg *out)
{
	return exchange(CAIRN_SYS_CHAN_REPLY_RECV, chan, reply, recv_slot, out);
}

int cairn_chan_reply(const struct cairn_msg *m)
{
	int err = prepare_send(m);

	if (err)
		return err;
	return sys(CAIRN_SYS_CHAN_REPLY, m->info, m->words[0], m->words[1], m->words[2],
		   m->words[3], 0, NULL);
}

/* ---- notifications, memory, IRQs -------------------------------------- */

int cairn_ntfn_signal(uint64_t ntfn)
{
	return sys(CAIRN_SYS_NTFN_SIGNAL, ntfn, 0, 0, 0, 0, 0, NULL);
}

int cairn_ntfn_wait(uint64_t ntfn, uint64_t *bits)
{
	uint64_t r[6];
	int err = sys(CAIRN_SYS_NTFN_WAIT, ntfn, 0, 0, 0, 0, 0, r);

	*bits = err ? 0 : r[0];
	return err;
}

int cairn_ntfn_poll(uint64_t ntfn, uint64_t *bits)
{
	uint64_t r[6];
	int err = sys(CAIRN_SYS_NTFN_POLL, ntfn, 0, 0, 0, 0, 0, r);

	*bits = err ? 0 : r[0];
	return err;
}

int cairn_page_map(uint64_t page, uint64_t vspace, uint64_t vaddr, unsigned attrs)
{
	return sys(CAIRN_SYS_PAGE_MAP, page, vspace, vaddr, attrs, 0, 0, NULL);
}

int cairn_page_unmap(uint64_t page)
{
	return sys(CAIRN_SYS_PAGE_UNMAP, page, 0, 0, 0, 0, 0, NULL);
}

int cairn_pt_map(uint64_t pt, uint64_t vspace, uint64_t vaddr)
{
	return sys(CAIRN_SYS_PT_MAP, pt, vspace, vaddr, 0, 0, 0, NULL);
}

int cairn_pt_unmap(uint64_t pt)
{
	return sys(CAIRN_SYS_PT_UNMAP, pt, 0, 0, 0, 0, 0, NULL);
}

int cairn_irq_claim(uint64_t irqcontrol, unsigned irq, uint64_t dest, uint64_t ntfn)
{
	return sys(CAIRN_SYS_IRQ_CLAIM, irqcontrol, irq, dest, ntfn, 0, 0, NULL);
}

int cairn_irq_ack(uint64_t handler)
{
	return sys(CAIRN_SYS_IRQ_ACK, handler, 0, 0, 0, 0, 0, NULL);
}

/* ---- scheduling and debug --------------------------------------------- */

int cairn_yield(void)
{
	return sys(CAIRN_SYS_YIELD, 0, 0, 0, 0, 0, 0, NULL);
}

int cairn_debug_print(const char *s, size_t len, unsigned flags)
{
	struct task_buffer *b = tb();

	if (!b)
		return CAIRN_ERR_ILLEGAL_OPERATION;
	while (len) {
		size_t n = len < CAIRN_DEBUG_PRINT_MAX ? len : CAIRN_DEBUG_PRINT_MAX;
		int err;

		memcpy(b->print, s, n);
		err = sys(CAIRN_SYS_DEBUG_PRINT, n, flags, 0, 0, 0, 0, NULL);
		if (err)
			return err;
		s += n;
		len -= n;
	}
	return 0;
}

int cairn_debug_getc(unsigned flags, int *ch)
{
	uint64_t r[6];
	int err = sys(CAIRN_SYS_DEBUG_GETC, flags, 0, 0, 0, 0, 0, r);

	*ch = err ? -1 : (int)(r[0] & 0xff);
	return err;
}

int cairn_ioport_in(uint64_t ioport, unsigned port, unsigned width, uint32_t *value)
{
	uint64_t r[6];
	int err = sys(CAIRN_SYS_IOPORT_IN, ioport, port, width, 0, 0, 0, r);

	*value = err ? 0 : (uint32_t)r[0];
	return err;
}

int cairn_ioport_out(uint64_t ioport, unsigned port, unsigned width, uint32_t value)
{
	return sys(CAIRN_SYS_IOPORT_OUT, ioport, port, width, value, 0, 0, NULL);
}

int cairn_debug_checkpoint(const char *name, uint64_t *violations)
{
	struct task_buffer *b = tb();
	size_t len = strlen(name);

	if (!b)
		return CAIRN_ERR_ILLEGAL_OPERATION;
	if (len > CAIRN_DEBUG_PRINT_MAX)
		return CAIRN_ERR_RANGE;
	memcpy(b->print, name, len);
	uint64_t r[6];
	int err = sys(CAIRN_SYS_DEBUG_CHECKPOINT, len, 0, 0, 0, 0, 0, r);
	if (violations)
		*violations = err ? 0 : r[0];
	return err;
}

int cairn_debug_shutdown(int status)
{
	return sys(CAIRN_SYS_DEBUG_SHUTDOWN, (uint64_t)(int64_t)status, 0, 0, 0, 0, 0, NULL);
}
