/*
 * syscall.c - the system calls that marshal through the task buffer, a
 * struct cairn_msg or a string (CAIRN_HAND_WRAPPED in syscall.h), over
 * the raw cairn_sys_NAME stubs generated from the ABI. Every other call's
 * function is generated whole.
 */
#include "syscall.h"
#include "uthread.h"
#include "ustring.h"

/* The caller's task buffer; calls that need one fail without it. */
static struct task_buffer *tb(void)
{
	return uthread_current()->tb;
}

/* ---- capabilities and tasks ------------------------------------------ */

int cairn_cap_identify(uint64_t slot, struct cairn_cap_info *out)
{
	struct task_buffer *b = tb();
	int err;

	if (!b)
		return CAIRN_ERR_ILLEGAL_OPERATION;
	err = cairn_sys_cap_identify(slot);
	if (!err)
		memcpy(out, &b->info.cap, sizeof(*out));
	return err;
}

int cairn_task_read_state(uint64_t task, struct cairn_task_info *out)
{
	struct task_buffer *b = tb();
	int err;

	if (!b)
		return CAIRN_ERR_ILLEGAL_OPERATION;
	err = cairn_sys_task_read_state(task);
	if (!err)
		memcpy(out, &b->info.task, sizeof(*out));
	return err;
}

int cairn_set_name(uint64_t cap, const char *name)
{
	uint64_t packed[2];

	if (strlen(name) >= CAIRN_NAME_LEN)
		return CAIRN_ERR_RANGE;
	cairn_name_pack(name, packed);
	return cairn_sys_set_name(cap, packed[0], packed[1]);
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

/* A received message: badge, info and words 0..3 from the registers,
 * the rest from the task buffer. */
static void unpack_msg(uint64_t badge, uint64_t info, const uint64_t *w, uint64_t recv_slot,
		       struct cairn_msg *out)
{
	unsigned len = CAIRN_MSGINFO_LEN(info);
	struct task_buffer *b = tb();

	out->badge = badge;
	out->info = info;
	for (unsigned i = 0; i < CAIRN_MSG_INLINE_WORDS; i++)
		out->words[i] = w[i];
	for (unsigned i = CAIRN_MSG_INLINE_WORDS; i < CAIRN_MSG_MAX_WORDS; i++)
		out->words[i] = b && i < len ? b->msg[i - CAIRN_MSG_INLINE_WORDS] : 0;
	out->cap = (info & CAIRN_MSG_CAP) ? recv_slot : CAIRN_NO_SLOT;
}

/* The four register words of a message, as the stubs take them. */
#define MSG_WORDS(m) (m)->words[0], (m)->words[1], (m)->words[2], (m)->words[3]

int cairn_chan_send(uint64_t chan, const struct cairn_msg *msg)
{
	int err = prepare_send(msg);

	return err ? err : cairn_sys_chan_send(chan, msg->info, MSG_WORDS(msg));
}

int cairn_chan_try_send(uint64_t chan, const struct cairn_msg *msg)
{
	int err = prepare_send(msg);

	return err ? err : cairn_sys_chan_try_send(chan, msg->info, MSG_WORDS(msg));
}

int cairn_chan_recv(uint64_t chan, uint64_t recv_slot, struct cairn_msg *out)
{
	struct cairn_sys_chan_recv_result r;
	int err = prepare_recv(recv_slot);

	if (!err)
		err = cairn_sys_chan_recv(chan, &r);
	if (!err)
		unpack_msg(r.badge, r.info, r.w, recv_slot, out);
	return err;
}

int cairn_chan_try_recv(uint64_t chan, uint64_t recv_slot, struct cairn_msg *out)
{
	struct cairn_sys_chan_try_recv_result r;
	int err = prepare_recv(recv_slot);

	if (!err)
		err = cairn_sys_chan_try_recv(chan, &r);
	if (!err)
		unpack_msg(r.badge, r.info, r.w, recv_slot, out);
	return err;
}

int cairn_chan_call(uint64_t chan, const struct cairn_msg *msg, uint64_t recv_slot,
		    struct cairn_msg *reply)
{
	struct cairn_sys_chan_call_result r;
	int err = prepare_send(msg);

	if (!err)
		err = prepare_recv(recv_slot);
	if (!err)
		err = cairn_sys_chan_call(chan, msg->info, MSG_WORDS(msg), &r);
	if (!err)
		unpack_msg(r.badge, r.info, r.w, recv_slot, reply);
	return err;
}

int cairn_chan_reply_recv(uint64_t chan, const struct cairn_msg *reply, uint64_t recv_slot,
			  struct cairn_msg *out)
{
	struct cairn_sys_chan_reply_recv_result r;
	int err = prepare_send(reply);

	if (!err)
		err = prepare_recv(recv_slot);
	if (!err)
		err = cairn_sys_chan_reply_recv(chan, reply->info, MSG_WORDS(reply), &r);
	if (!err)
		unpack_msg(r.badge, r.info, r.w, recv_slot, out);
	return err;
}

int cairn_chan_reply(const struct cairn_msg *msg)
{
	int err = prepare_send(msg);

	return err ? err : cairn_sys_chan_reply(msg->info, MSG_WORDS(msg));
}

/* ---- debug and I/O ports ---------------------------------------------- */

int cairn_debug_print(const char *s, size_t len, unsigned flags)
{
	struct task_buffer *b = tb();

	if (!b)
		return CAIRN_ERR_ILLEGAL_OPERATION;
	while (len) {
		size_t n = len < CAIRN_DEBUG_PRINT_MAX ? len : CAIRN_DEBUG_PRINT_MAX;
		int err;

		memcpy(b->print, s, n);
		err = cairn_sys_debug_print(n, flags);
		if (err)
			return err;
		s += n;
		len -= n;
	}
	return 0;
}

int cairn_debug_getc(unsigned flags, int *ch)
{
	uint64_t c;
	int err = cairn_sys_debug_getc(flags, &c);

	*ch = err ? -1 : (int)(c & 0xff);
	return err;
}

int cairn_ioport_in(uint64_t ioport, unsigned port, unsigned width, uint32_t *value)
{
	uint64_t v;
	int err = cairn_sys_ioport_in(ioport, port, width, &v);

	*value = (uint32_t)v;
	return err;
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
	return cairn_sys_debug_checkpoint(len, violations);
}
