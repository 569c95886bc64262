/*
 * fake_sys.c - the fake kernel (see fake_sys.h). It models just enough
 * for the shell: caps by type, retype/copy/move/delete, a channel with
 * a queue depth of 1, page mapping state, task registers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "fake_sys.h"

struct cairn_cap_info fake_caps[FAKE_SLOTS];
char fake_log[8192];
struct cairn_msg fake_last_msg;
int fake_queued;

static char fail_name[32];
static int fail_err;

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

__attribute__((format(printf, 2, 3))) static int call(const char *name, const char *fmt, ...)
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

int cairn_null(void) { return call("null", "%s", ""); }

int cairn_cap_copy(uint64_t dest, uint64_t src, unsigned rights)
{
	int err = call("cap_copy", "%llu, %llu, %u", (ull)dest, (ull)src, rights);

	if (err) return err;
	if (!slot_ok(dest) || !slot_ok(src)) return CAIRN_ERR_RANGE;
	if (fake_caps[dest].type) return CAIRN_ERR_SLOT_OCCUPIED;
	if (!fake_caps[src].type) return CAIRN_ERR_SLOT_EMPTY;
	fake_caps[dest] = fake_caps[src];
	fake_caps[dest].rights &= (uint8_t)rights;
	return 0;
}

int cairn_cap_mint(uint64_t dest, uint64_t src, unsigned rights, uint64_t data)
{
	int err = call("cap_mint", "%llu, %llu, %u, %llu", (ull)dest, (ull)src, rights, (ull)data);

	if (err) return err;
	if (!slot_ok(dest) || !slot_ok(src)) return CAIRN_ERR_RANGE;
	if (fake_caps[dest].type) return CAIRN_ERR_SLOT_OCCUPIED;
	if (!fake_caps[src].type) return CAIRN_ERR_SLOT_EMPTY;
	fake_caps[dest] = fake_caps[src];
	fake_caps[dest].rights &= (uint8_t)rights;
	fake_caps[dest].badge = data;
	fake_caps[dest].flags |= data ? CAIRN_CAPINFO_BADGED : 0;
	return 0;
}

int cairn_cap_move(uint64_t dest, uint64_t src)
{
	int err = call("cap_move", "%llu, %llu", (ull)dest, (ull)src);

	if (err) return err;
	if (!slot_ok(dest) || !slot_ok(src)) return CAIRN_ERR_RANGE;
	if (fake_caps[dest].type) return CAIRN_ERR_SLOT_OCCUPIED;
	if (!fake_caps[src].type) return CAIRN_ERR_SLOT_EMPTY;
	fake_caps[dest] = fake_caps[src];
	memset(&fake_caps[src], 0, sizeof(fake_caps[src]));
	return 0;
}

int cairn_cap_delete(uint64_t slot)
{
	int err = call("cap_delete", "%llu", (ull)slot);

	if (err) return err;
	if (!slot_ok(slot)) return CAIRN_ERR_RANGE;
	if (!fake_caps[slot].type) return CAIRN_ERR_SLOT_EMPTY;
	memset(&fake_caps[slot], 0, sizeof(fake_caps[slot]));
	return 0;
}

int cairn_cap_revoke(uint64_t slot)
{
	int err = call("cap_revoke", "%llu", (ull)slot);

	if (err) return err;
	return slot_ok(slot) ? 0 : CAIRN_ERR_RANGE;
}

int cairn_cap_identify(uint64_t slot, struct cairn_cap_info *out)
{
	/* Not logged: list and argument checks call it for every slot. */
	if (fail_name[0] && strcmp(fail_name, "cap_identify") == 0) {
		fail_name[0] = '\0';
		return fail_err;
	}
	if (!slot_ok(slot)) return CAIRN_ERR_RANGE;
	*out = fake_caps[slot];
	return 0;
}

int cairn_untyped_retype(uint64_t ut, unsigned type, unsigned size_bits, uint64_t dest_pool,
			 uint64_t dest_index, uint64_t count)
{
	int err = call("retype", "%llu, %u, %u, %llu, %llu, %llu", (ull)ut, type, size_bits,
		       (ull)dest_pool, (ull)dest_index, (ull)count);

	if (err) return err;
	if (!slot_ok(ut) || !slot_ok(dest_index)) return CAIRN_ERR_RANGE;
	if (fake_caps[ut].type != CAIRN_OBJ_UNTYPED) return CAIRN_ERR_INVALID_CAP;
	if (fake_caps[dest_index].type) return CAIRN_ERR_SLOT_OCCUPIED;
	put((unsigned)dest_index, type);
	return 0;
}

int cairn_task_configure(uint64_t task, unsigned field, uint64_t cap, uint64_t vaddr)
{
	return call("task_configure", "%llu, %u, %llu, 0x%llx", (ull)task, field, (ull)cap,
		    (ull)vaddr);
}

int cairn_task_set_regs(uint64_t task, unsigned mask, uint64_t ip, uint64_t sp, uint64_t arg0,
			uint64_t arg1)
{
	return call("task_set_regs", "%llu, %u, 0x%llx, 0x%llx, %llu, %llu", (ull)task, mask,
		    (ull)ip, (ull)sp, (ull)arg0, (ull)arg1);
}

int cairn_task_resume(uint64_t task) { return call("task_resume", "%llu", (ull)task); }
int cairn_task_suspend(uint64_t task) { return call("task_suspend", "%llu", (ull)task); }

int cairn_task_set_priority(uint64_t task, unsigned priority)
{
	return call("task_set_priority", "%llu, %u", (ull)task, priority);
}

int cairn_set_name(uint64_t cap, const char *name)
{
	return call("set_name", "%llu, %s", (ull)cap, name);
}

int cairn_task_read_state(uint64_t task, struct cairn_task_info *out)
{
	memset(out, 0, sizeof(*out));
	if (!slot_ok(task) || fake_caps[task].type != CAIRN_OBJ_TASK) return CAIRN_ERR_INVALID_CAP;
	out->state = (uint8_t)fake_caps[task].summary[0];
	memcpy(out->name, fake_caps[task].name, sizeof(out->name));
	return 0;
}

static int send(const char *name, uint64_t chan, const struct cairn_msg *m)
{
	int err = call(name, "%llu, info 0x%llx, %llu %llu %llu %llu, cap %llu", (ull)chan,
		       (ull)m->info, (ull)m->words[0], (ull)m->words[1], (ull)m->words[2],
		       (ull)m->words[3], (ull)m->cap);

	if (err) return err;
	if (fake_queued) return CAIRN_ERR_WOULD_BLOCK;
	fake_last_msg = *m;
	fake_queued = 1;
	return 0;
}

int cairn_chan_send(uint64_t c, const struct cairn_msg *m) { return send("chan_send", c, m); }
int cairn_chan_try_send(uint64_t c, const struct cairn_msg *m) { return send("chan_try_send", c, m); }

static int recv(const char *name, uint64_t chan, uint64_t recv_slot, struct cairn_msg *out)
{
	int err = call(name, "%llu, %llu", (ull)chan, (ull)recv_slot);

	if (err) return err;
	if (!fake_queued) return CAIRN_ERR_WOULD_BLOCK;
	*out = fake_last_msg;
	fake_queued = 0;
	if (out->info & CAIRN_MSG_CAP) {
		fake_caps[recv_slot] = fake_caps[fake_last_msg.cap];
		out->cap = recv_slot;
	}
	return 0;
}

int cairn_chan_recv(uint64_t c, uint64_t s, struct cairn_msg *o) { return recv("chan_recv", c, s, o); }
int cairn_chan_try_recv(uint64_t c, uint64_t s, struct cairn_msg *o) { return recv("chan_try_recv", c, s, o); }

int cairn_chan_call(uint64_t chan, const struct cairn_msg *msg, uint64_t recv_slot,
		    struct cairn_msg *reply)
{
	(void)msg; (void)reply;
	return call("chan_call", "%llu, %llu", (ull)chan, (ull)recv_slot) ? : CAIRN_ERR_ILLEGAL_OPERATION;
}

int cairn_chan_reply(const struct cairn_msg *msg)
{
	(void)msg;
	return call("chan_reply", "%s", "") ? : CAIRN_ERR_ILLEGAL_OPERATION;
}

int cairn_chan_reply_recv(uint64_t chan, const struct cairn_msg *reply, uint64_t recv_slot,
			  struct cairn_msg *out)
{
	(void)reply; (void)out;
	return call("chan_reply_recv", "%llu, %llu", (ull)chan, (ull)recv_slot) ? : CAIRN_ERR_ILLEGAL_OPERATION;
}

int cairn_ntfn_signal(uint64_t n) { return call("ntfn_signal", "%llu", (ull)n); }

int cairn_ntfn_wait(uint64_t n, uint64_t *bits)
{
	*bits = 0;
	return call("ntfn_wait", "%llu", (ull)n);
}

int cairn_ntfn_poll(uint64_t n, uint64_t *bits)
{
	*bits = 0x5;
	return call("ntfn_poll", "%llu", (ull)n);
}

int cairn_page_map(uint64_t page, uint64_t vspace, uint64_t vaddr, unsigned attrs)
{
	int err = call("page_map", "%llu, %llu, 0x%llx, %u", (ull)page, (ull)vspace, (ull)vaddr, attrs);

	if (err) return err;
	if (!slot_ok(page) || fake_caps[page].type != CAIRN_OBJ_PAGE) return CAIRN_ERR_INVALID_CAP;
	if (fake_caps[page].flags & CAIRN_CAPINFO_MAPPED) return CAIRN_ERR_SLOT_OCCUPIED;
	fake_caps[page].flags |= CAIRN_CAPINFO_MAPPED;
	fake_caps[page].summary[0] = vaddr;
	return 0;
}

int cairn_page_unmap(uint64_t page)
{
	int err = call("page_unmap", "%llu", (ull)page);

	if (!err && slot_ok(page))
		fake_caps[page].flags &= (uint8_t)~CAIRN_CAPINFO_MAPPED;
	return err;
}

int cairn_pt_map(uint64_t pt, uint64_t vspace, uint64_t vaddr)
{
	return call("pt_map", "%llu, %llu, 0x%llx", (ull)pt, (ull)vspace, (ull)vaddr);
}

int cairn_pt_unmap(uint64_t pt) { return call("pt_unmap", "%llu", (ull)pt); }

int cairn_irq_claim(uint64_t ctl, unsigned irq, uint64_t dest, uint64_t ntfn)
{
	return call("irq_claim", "%llu, %u, %llu, %llu", (ull)ctl, irq, (ull)dest, (ull)ntfn);
}

int cairn_irq_ack(uint64_t h) { return call("irq_ack", "%llu", (ull)h); }
int cairn_yield(void) { return call("yield", "%s", ""); }

int cairn_debug_print(const char *s, size_t len, unsigned flags)
{
	return call("debug_print", "%.*s, %u", (int)len, s, flags);
}

int cairn_debug_getc(unsigned flags, int *ch)
{
	*ch = -1;
	return call("debug_getc", "%u", flags) ? : CAIRN_ERR_WOULD_BLOCK;
}

int cairn_debug_shutdown(int status)
{
	return call("debug_shutdown", "%d", status) ? : CAIRN_ERR_ILLEGAL_OPERATION;
}

int cairn_debug_checkpoint(const char *name, uint64_t *violations)
{
	if (violations)
		*violations = 0;
	return call("debug_checkpoint", "%s", name);
}

int cairn_ioport_in(uint64_t ioport, unsigned port, unsigned width, uint32_t *value)
{
	*value = 0;
	return call("ioport_in", "%llu %u %u", (unsigned long long)ioport, port, width);
}

int cairn_ioport_out(uint64_t ioport, unsigned port, unsigned width, uint32_t value)
{
	return call("ioport_out", "%llu %u %u %u", (unsigned long long)ioport, port, width, value);
}
