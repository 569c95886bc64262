/*
 * fake_sys.c - the fake kernel (see fake_sys.h). It models just enough
 * for the shell: caps by type, retype/copy/move/delete, a channel with
 * a queue depth of 1, page mapping state. Calls arrive as the kernel
 * gets them, argument words by name (fake_syscalls.c, generated from the
 * ABI, decodes them and logs every call not modelled here), through
 * user/lib's real stubs and task-buffer marshalling.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "fake_sys.h"
#include "uthread.h"

struct cairn_cap_info fake_caps[FAKE_SLOTS];
char fake_log[8192];
struct cairn_msg fake_last_msg;
int fake_queued;

static char fail_name[32];
static int fail_err;

/* The one thread's task buffer, where user/lib marshals. */
static struct task_buffer fake_tb;
static struct uthread fake_thread = { .tb = &fake_tb };

struct uthread *uthread_current(void)
{
	return &fake_thread;
}

static void put(unsigned slot, unsigned type)
{
	memset(&fake_caps[slot], 0, sizeof(fake_caps[slot]));
	fake_caps[slot].type = (uint8_t)type;
	fake_caps[slot].rights = CAIRN_RIGHTS_ALL;
	fake_caps[slot].object = 0x1000 + slot;
}

void fake_reset(void)
{
	memset(fake_caps, 0, sizeof(fake_caps));
	memset(&fake_tb, 0, sizeof(fake_tb));
	put(0, CAIRN_OBJ_CPOOL);
	fake_caps[0].summary[0] = 8;
	put(1, CAIRN_OBJ_TASK);
	strcpy(fake_caps[1].name, "rinit");
	fake_caps[1].summary[0] = CAIRN_TASK_RUNNING;
	put(2, CAIRN_OBJ_UNTYPED);
	fake_caps[2].size_bits = 24;
	fake_caps[2].paddr = 0x1000000;
	put(3, CAIRN_OBJ_VSPACE);
	put(250, CAIRN_OBJ_PAGE);
	put(255, CAIRN_OBJ_CHANNEL);
	fake_log[0] = '\0';
	fail_name[0] = '\0';
	fake_queued = 0;
	memset(&fake_last_msg, 0, sizeof(fake_last_msg));
}

void fake_fail(const char *name, int err)
{
	snprintf(fail_name, sizeof(fail_name), "%s", name);
	fail_err = err;
}

__attribute__((format(printf, 2, 3))) int fake_call(const char *name, const char *fmt, ...)
{
	size_t len = strlen(fake_log);
	va_list ap;

	snprintf(fake_log + len, sizeof(fake_log) - len, "%s(", name);
	len = strlen(fake_log);
	va_start(ap, fmt);
	vsnprintf(fake_log + len, sizeof(fake_log) - len, fmt, ap);
	va_end(ap);
	len = strlen(fake_log);
	snprintf(fake_log + len, sizeof(fake_log) - len, ")\n");
	return fake_injected(name);
}

int fake_injected(const char *name)
{
	if (fail_name[0] && strcmp(fail_name, name) == 0) {
		fail_name[0] = '\0';
		return fail_err;
	}
	return 0;
}

/* Validate a plain slot argument like the kernel's one-level lookup. */
static int slot_ok(uint64_t s)
{
	return s < FAKE_SLOTS;
}

typedef unsigned long long ull;

int fake_cap_copy(const struct cairn_sys_cap_copy_args *arg, uint64_t r[6])
{
	int err = fake_call("cap_copy", "%llu, %llu, %llu", (ull)arg->dest, (ull)arg->src,
			    (ull)arg->rights);

	(void)r;
	if (err) return err;
	if (!slot_ok(arg->dest) || !slot_ok(arg->src)) return CAIRN_ERR_RANGE;
	if (fake_caps[arg->dest].type) return CAIRN_ERR_SLOT_OCCUPIED;
	if (!fake_caps[arg->src].type) return CAIRN_ERR_SLOT_EMPTY;
	fake_caps[arg->dest] = fake_caps[arg->src];
	fake_caps[arg->dest].rights &= (uint8_t)arg->rights;
	return 0;
}

int fake_cap_mint(const struct cairn_sys_cap_mint_args *arg, uint64_t r[6])
{
	int err = fake_call("cap_mint", "%llu, %llu, %llu, %llu", (ull)arg->dest, (ull)arg->src,
			    (ull)arg->rights, (ull)arg->data);

	(void)r;
	if (err) return err;
	if (!slot_ok(arg->dest) || !slot_ok(arg->src)) return CAIRN_ERR_RANGE;
	if (fake_caps[arg->dest].type) return CAIRN_ERR_SLOT_OCCUPIED;
	if (!fake_caps[arg->src].type) return CAIRN_ERR_SLOT_EMPTY;
	fake_caps[arg->dest] = fake_caps[arg->src];
	fake_caps[arg->dest].rights &= (uint8_t)arg->rights;
	fake_caps[arg->dest].badge = arg->data;
	fake_caps[arg->dest].flags |= arg->data ? CAIRN_CAPINFO_BADGED : 0;
	return 0;
}

int fake_cap_move(const struct cairn_sys_cap_move_args *arg, uint64_t r[6])
{
	int err = fake_call("cap_move", "%llu, %llu", (ull)arg->dest, (ull)arg->src);

	(void)r;
	if (err) return err;
	if (!slot_ok(arg->dest) || !slot_ok(arg->src)) return CAIRN_ERR_RANGE;
	if (fake_caps[arg->dest].type) return CAIRN_ERR_SLOT_OCCUPIED;
	if (!fake_caps[arg->src].type) return CAIRN_ERR_SLOT_EMPTY;
	fake_caps[arg->dest] = fake_caps[arg->src];
	memset(&fake_caps[arg->src], 0, sizeof(fake_caps[arg->src]));
	return 0;
}

int fake_cap_delete(const struct cairn_sys_cap_delete_args *arg, uint64_t r[6])
{
	int err = fake_call("cap_delete", "%llu", (ull)arg->slot);

	(void)r;
	if (err) return err;
	if (!slot_ok(arg->slot)) return CAIRN_ERR_RANGE;
	if (!fake_caps[arg->slot].type) return CAIRN_ERR_SLOT_EMPTY;
	memset(&fake_caps[arg->slot], 0, sizeof(fake_caps[arg->slot]));
	return 0;
}

int fake_cap_revoke(const struct cairn_sys_cap_revoke_args *arg, uint64_t r[6])
{
	int err = fake_call("cap_revoke", "%llu", (ull)arg->slot);

	(void)r;
	if (err) return err;
	return slot_ok(arg->slot) ? 0 : CAIRN_ERR_RANGE;
}

int fake_cap_identify(const struct cairn_sys_cap_identify_args *arg, uint64_t r[6])
{
	/* Not logged: list and argument checks call it for every slot. */
	int err = fake_injected("cap_identify");

	(void)r;
	if (err) return err;
	if (!slot_ok(arg->slot)) return CAIRN_ERR_RANGE;
	fake_tb.info.cap = fake_caps[arg->slot];
	return 0;
}

int fake_untyped_retype(const struct cairn_sys_untyped_retype_args *arg, uint64_t r[6])
{
	int err = fake_call("untyped_retype", "%llu, %llu, %llu, %llu, %llu, %llu", (ull)arg->ut,
			    (ull)arg->type, (ull)arg->size_bits, (ull)arg->dest_pool,
			    (ull)arg->dest_index, (ull)arg->count);

	(void)r;
	if (err) return err;
	if (!slot_ok(arg->ut) || !slot_ok(arg->dest_index)) return CAIRN_ERR_RANGE;
	if (fake_caps[arg->ut].type != CAIRN_OBJ_UNTYPED) return CAIRN_ERR_INVALID_CAP;
	if (fake_caps[arg->dest_index].type) return CAIRN_ERR_SLOT_OCCUPIED;
	put((unsigned)arg->dest_index, (unsigned)arg->type);
	return 0;
}

int fake_set_name(const struct cairn_sys_set_name_args *arg, uint64_t r[6])
{
	char name[17] = { 0 };

	(void)r;
	for (unsigned i = 0; i < 16; i++)
		name[i] = (char)(arg->name[i / 8] >> (8 * (i % 8)));
	return fake_call("set_name", "%llu, %s", (ull)arg->cap, name);
}

int fake_task_read_state(const struct cairn_sys_task_read_state_args *arg, uint64_t r[6])
{
	struct cairn_task_info *out = &fake_tb.info.task;

	(void)r;
	memset(out, 0, sizeof(*out));
	if (!slot_ok(arg->task) || fake_caps[arg->task].type != CAIRN_OBJ_TASK)
		return CAIRN_ERR_INVALID_CAP;
	out->state = (uint8_t)fake_caps[arg->task].summary[0];
	memcpy(out->name, fake_caps[arg->task].name, sizeof(out->name));
	return 0;
}

/* ---- channels: slot 255's queue holds one message ----------------------- */

static int send(const char *name, uint64_t chan, uint64_t info, const uint64_t *w)
{
	struct cairn_msg m = { .info = info, .cap = CAIRN_NO_SLOT };
	unsigned len = CAIRN_MSGINFO_LEN(info);

	for (unsigned i = 0; i < CAIRN_MSG_INLINE_WORDS; i++)
		m.words[i] = w[i];
	for (unsigned i = CAIRN_MSG_INLINE_WORDS; i < len && i < CAIRN_MSG_MAX_WORDS; i++)
		m.words[i] = fake_tb.msg[i - CAIRN_MSG_INLINE_WORDS];
	if (info & CAIRN_MSG_CAP)
		m.cap = fake_tb.send_cap;
	int err = fake_call(name, "%llu, info 0x%llx, %llu %llu %llu %llu, cap %llu", (ull)chan,
			    (ull)info, (ull)w[0], (ull)w[1], (ull)w[2], (ull)w[3], (ull)m.cap);

	if (err) return err;
	if (fake_queued) return CAIRN_ERR_WOULD_BLOCK;
	fake_last_msg = m;
	fake_queued = 1;
	return 0;
}

int fake_chan_send(const struct cairn_sys_chan_send_args *arg, uint64_t r[6])
{
	(void)r;
	return send("chan_send", arg->chan, arg->info, arg->w);
}

int fake_chan_try_send(const struct cairn_sys_chan_try_send_args *arg, uint64_t r[6])
{
	(void)r;
	return send("chan_try_send", arg->chan, arg->info, arg->w);
}

/* The queued message into the result registers and the task buffer. */
static int recv(const char *name, uint64_t chan, uint64_t r[6])
{
	uint64_t recv_slot = fake_tb.recv_slot;
	int err = fake_call(name, "%llu, %llu", (ull)chan, (ull)recv_slot);

	if (err) return err;
	if (!fake_queued) return CAIRN_ERR_WOULD_BLOCK;
	fake_queued = 0;
	r[0] = fake_last_msg.badge;
	r[1] = fake_last_msg.info;
	for (unsigned i = 0; i < CAIRN_MSG_INLINE_WORDS; i++)
		r[2 + i] = fake_last_msg.words[i];
	for (unsigned i = CAIRN_MSG_INLINE_WORDS; i < CAIRN_MSG_MAX_WORDS; i++)
		fake_tb.msg[i - CAIRN_MSG_INLINE_WORDS] = fake_last_msg.words[i];
	if ((fake_last_msg.info & CAIRN_MSG_CAP) && slot_ok(recv_slot) &&
	    slot_ok(fake_last_msg.cap))
		fake_caps[recv_slot] = fake_caps[fake_last_msg.cap];
	return 0;
}

int fake_chan_recv(const struct cairn_sys_chan_recv_args *arg, uint64_t r[6])
{
	return recv("chan_recv", arg->chan, r);
}

int fake_chan_try_recv(const struct cairn_sys_chan_try_recv_args *arg, uint64_t r[6])
{
	return recv("chan_try_recv", arg->chan, r);
}

int fake_chan_call(const struct cairn_sys_chan_call_args *arg, uint64_t r[6])
{
	(void)r;
	return fake_call("chan_call", "%llu, %llu", (ull)arg->chan, (ull)fake_tb.recv_slot) ? :
		CAIRN_ERR_ILLEGAL_OPERATION;
}

int fake_chan_reply(const struct cairn_sys_chan_reply_args *arg, uint64_t r[6])
{
	(void)arg;
	(void)r;
	return fake_call("chan_reply", "%s", "") ? : CAIRN_ERR_ILLEGAL_OPERATION;
}

int fake_chan_reply_recv(const struct cairn_sys_chan_reply_recv_args *arg, uint64_t r[6])
{
	(void)r;
	return fake_call("chan_reply_recv", "%llu, %llu", (ull)arg->chan,
			 (ull)fake_tb.recv_slot) ? : CAIRN_ERR_ILLEGAL_OPERATION;
}

/* ---- notifications, memory, debug --------------------------------------- */

int fake_ntfn_poll(const struct cairn_sys_ntfn_poll_args *arg, uint64_t r[6])
{
	r[0] = 0x5;
	return fake_call("ntfn_poll", "%llu", (ull)arg->ntfn);
}

int fake_page_map(const struct cairn_sys_page_map_args *arg, uint64_t r[6])
{
	int err = fake_call("page_map", "%llu, %llu, 0x%llx, %llu", (ull)arg->page,
			    (ull)arg->vspace, (ull)arg->vaddr, (ull)arg->attrs);

	(void)r;
	if (err) return err;
	if (!slot_ok(arg->page) || fake_caps[arg->page].type != CAIRN_OBJ_PAGE)
		return CAIRN_ERR_INVALID_CAP;
	if (fake_caps[arg->page].flags & CAIRN_CAPINFO_MAPPED) return CAIRN_ERR_SLOT_OCCUPIED;
	fake_caps[arg->page].flags |= CAIRN_CAPINFO_MAPPED;
	fake_caps[arg->page].summary[0] = arg->vaddr;
	return 0;
}

int fake_page_unmap(const struct cairn_sys_page_unmap_args *arg, uint64_t r[6])
{
	int err = fake_call("page_unmap", "%llu", (ull)arg->page);

	(void)r;
	if (!err && slot_ok(arg->page))
		fake_caps[arg->page].flags &= (uint8_t)~CAIRN_CAPINFO_MAPPED;
	return err;
}

int fake_debug_print(const struct cairn_sys_debug_print_args *arg, uint64_t r[6])
{
	(void)r;
	if (arg->len > CAIRN_DEBUG_PRINT_MAX) return CAIRN_ERR_RANGE;
	return fake_call("debug_print", "%.*s, %llu", (int)arg->len, fake_tb.print,
			 (ull)arg->flags);
}

int fake_debug_getc(const struct cairn_sys_debug_getc_args *arg, uint64_t r[6])
{
	(void)r;
	return fake_call("debug_getc", "%llu", (ull)arg->flags) ? : CAIRN_ERR_WOULD_BLOCK;
}

int fake_debug_shutdown(const struct cairn_sys_debug_shutdown_args *arg, uint64_t r[6])
{
	(void)r;
	return fake_call("debug_shutdown", "%d", (int)arg->status) ? :
		CAIRN_ERR_ILLEGAL_OPERATION;
}

int fake_debug_checkpoint(const struct cairn_sys_debug_checkpoint_args *arg, uint64_t r[6])
{
	(void)r;
	if (arg->len > CAIRN_DEBUG_PRINT_MAX) return CAIRN_ERR_RANGE;
	return fake_call("debug_checkpoint", "%.*s", (int)arg->len, fake_tb.print);
}
