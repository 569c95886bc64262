/*
 * dwarf.c - the kernel's struct layouts from its DWARF (elfutils libdw).
 *
 * One pass over the compile units' top-level DIEs collects the first
 * complete definition of every struct and enum kread needs; members are
 * then found by name, descending into anonymous unions/structs (struct
 * cap's obj/paddr) and nested members ("fault.kind", "ctx.rip"), with
 * bit-fields (struct object.type : 8) decoded from DW_AT_data_bit_offset
 * (DWARF 4+) or DW_AT_bit_offset (older). This runs once per ELF: libdw
 * is far too slow to consult per snapshot.
 */
#include "internal.h"

#include <cairn/objects.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdio.h>
#include <string.h>

enum {
	T_OBJECT, T_OBJECT_LIST, T_SLOT, T_CPOOL, T_TASK, T_CHANNEL, T_CHANNEL_MSG,
	T_NOTIFICATION, T_IRQ_HANDLER, T_IRQ_CONTROL, T_IO_PORT, T_KERNEL_LOG,
	T_SCHEDULER, T_CONSOLE_INPUT, T_KERNEL_DEBUG, T_ENUM_OBJECT_STATE,
	V_OBJECT_LISTS, T_ARCH_CONTEXT, T_ENUM_TASK_SLOT, T_COUNT
};

static const struct {
	int tag;
	const char *name;
	bool required;
} wanted[T_COUNT] = {
	[T_OBJECT] = { DW_TAG_structure_type, "object", true },
	[T_OBJECT_LIST] = { DW_TAG_structure_type, "object_list", true },
	[T_SLOT] = { DW_TAG_structure_type, "slot", true },
	[T_CPOOL] = { DW_TAG_structure_type, "cpool", true },
	[T_TASK] = { DW_TAG_structure_type, "task", true },
	[T_CHANNEL] = { DW_TAG_structure_type, "channel", true },
	[T_CHANNEL_MSG] = { DW_TAG_structure_type, "channel_msg", true },
	[T_NOTIFICATION] = { DW_TAG_structure_type, "notification", true },
	[T_IRQ_HANDLER] = { DW_TAG_structure_type, "irq_handler", true },
	[T_IRQ_CONTROL] = { DW_TAG_structure_type, "irq_control", false },
	[T_IO_PORT] = { DW_TAG_structure_type, "io_port", false },
	[T_KERNEL_LOG] = { DW_TAG_structure_type, "kernel_log", true },
	[T_SCHEDULER] = { DW_TAG_structure_type, "scheduler", true },
	[T_CONSOLE_INPUT] = { DW_TAG_structure_type, "console_input", false },
	[T_KERNEL_DEBUG] = { DW_TAG_structure_type, "kernel_debug", false },
	[T_ENUM_OBJECT_STATE] = { DW_TAG_enumeration_type, "object_state", false },
	[V_OBJECT_LISTS] = { DW_TAG_variable, "object_lists", false },
	[T_ARCH_CONTEXT] = { DW_TAG_structure_type, "arch_context", false },
	[T_ENUM_TASK_SLOT] = { DW_TAG_enumeration_type, "task_slot_index", false },
};

struct ctx {
	Dwarf_Die die[T_COUNT];
	bool have[T_COUNT];
	char *err;
	size_t errlen;
	bool failed;
};

static void fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct ctx *c, const char *fmt, ...)
{
	if (c->failed)
		return;   /* keep the first reason: it is the useful one */
	va_list ap;
	va_start(ap, fmt);
	if (c->err && c->errlen)
		vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	c->failed = true;
}

/* Follow typedefs and qualifiers to the real type. */
static bool peel(Dwarf_Die *t)
{
	for (int guard = 0; guard < 64; guard++) {
		int tag = dwarf_tag(t);
		if (tag != DW_TAG_typedef && tag != DW_TAG_const_type &&
		    tag != DW_TAG_volatile_type && tag != DW_TAG_restrict_type &&
		    tag != DW_TAG_atomic_type)
			return true;
		Dwarf_Attribute a;
		if (!dwarf_attr(t, DW_AT_type, &a) || !dwarf_formref_die(&a, t))
			return false;
	}
	return false;
}

static bool type_of(Dwarf_Die *d, Dwarf_Die *out)
{
	Dwarf_Attribute a;
	return dwarf_attr(d, DW_AT_type, &a) && dwarf_formref_die(&a, out) && peel(out);
}

static bool udata(Dwarf_Die *d, unsigned at, Dwarf_Word *v)
{
	Dwarf_Attribute a;
	return dwarf_attr(d, at, &a) && dwarf_formudata(&a, v) == 0;
}

/* Byte size of a (peeled) type; arrays multiply out. 0 if unknown. */
static uint64_t type_size(Dwarf_Die *t)
{
	Dwarf_Die tt = *t;
	if (!peel(&tt))
		return 0;
	if (dwarf_tag(&tt) == DW_TAG_array_type) {
		Dwarf_Die elem, sub;
		if (!type_of(&tt, &elem))
			return 0;
		uint64_t n = 1, es = type_size(&elem);
		if (dwarf_child(&tt, &sub) != 0)
			return 0;
		do {
			if (dwarf_tag(&sub) != DW_TAG_subrange_type)
				continue;
			Dwarf_Word cnt, ub;
			if (udata(&sub, DW_AT_count, &cnt))
				n *= cnt;
			else if (udata(&sub, DW_AT_upper_bound, &ub))
				n *= ub + 1;
			else
				n = 0;
		} while (dwarf_siblingof(&sub, &sub) == 0);
		return n * es;
	}
	Dwarf_Word sz;
	return udata(&tt, DW_AT_byte_size, &sz) ? sz : 0;
}

/*
 * Find member `name` in struct/union `st`; anonymous struct/union members
 * are searched too (their offset adds up). On success *mem is the member
 * DIE and *off its byte offset from the start of `st`.
 */
static bool find_member(Dwarf_Die *st, const char *name, Dwarf_Die *mem, int64_t *off)
{
	Dwarf_Die child;
	if (dwarf_child(st, &child) != 0)
		return false;
	do {
		if (dwarf_tag(&child) != DW_TAG_member)
			continue;
		Dwarf_Word loc = 0;
		udata(&child, DW_AT_data_member_location, &loc);
		const char *n = dwarf_diename(&child);
		if (n && strcmp(n, name) == 0) {
			*mem = child;
			*off = (int64_t)loc;
			return true;
		}
		if (!n) {
			Dwarf_Die sub;
			int64_t suboff;
			if (type_of(&child, &sub) &&
			    (dwarf_tag(&sub) == DW_TAG_union_type ||
			     dwarf_tag(&sub) == DW_TAG_structure_type) &&
			    find_member(&sub, name, mem, &suboff)) {
				*off = (int64_t)loc + suboff;
				return true;
			}
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return false;
}

/* Resolve "a.b.c" in struct `st`: the last member's DIE and offset. */
static bool find_path(Dwarf_Die *st, const char *path, Dwarf_Die *mem, int64_t *off)
{
	char part[64];
	Dwarf_Die cur = *st;
	int64_t total = 0;
	const char *p = path;
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (n >= sizeof(part))
			return false;
		memcpy(part, p, n);
		part[n] = 0;
		int64_t o;
		if (!find_member(&cur, part, mem, &o))
			return false;
		total += o;
		if (!dot)
			break;
		if (!type_of(mem, &cur))
			return false;
		p = dot + 1;
	}
	*off = total;
	return true;
}

static struct kr_fld field(struct ctx *c, int t, const char *path, bool required)
{
	struct kr_fld f = { 0 };
	Dwarf_Die mem, ty;
	int64_t off;
	if (!c->have[t] || !find_path(&c->die[t], path, &mem, &off)) {
		if (required)
			fail(c, "DWARF: struct %s has no member %s", wanted[t].name, path);
		return f;
	}
	if (!type_of(&mem, &ty)) {
		fail(c, "DWARF: struct %s.%s has no type", wanted[t].name, path);
		return f;
	}
	uint64_t sz = type_size(&ty);
	Dwarf_Word bits, dbo, bo, bsz;
	if (udata(&mem, DW_AT_bit_size, &bits)) {
		/* A bit-field: position in bits from the start of the member's
		 * containing struct, counted from the least significant bit. */
		uint64_t pos;
		if (udata(&mem, DW_AT_data_bit_offset, &dbo)) {
			pos = dbo;
		} else if (udata(&mem, DW_AT_bit_offset, &bo)) {
			/* DWARF 2/3: counted from the storage unit's MSB. */
			uint64_t storage = udata(&mem, DW_AT_byte_size, &bsz) ? bsz : sz;
			pos = storage * 8 - bo - bits;
		} else {
			pos = 0;
		}
		f.off = off + (int64_t)(pos / 8);
		f.shift = pos % 8;
		f.bits = (uint8_t)bits;
		f.size = (uint32_t)((f.shift + bits + 7) / 8);
	} else {
		f.off = off;
		f.size = (uint32_t)sz;
	}
	if (f.size == 0 || f.size > 8) {
		fail(c, "DWARF: struct %s.%s is %u bytes, not a scalar", wanted[t].name, path,
		     f.size);
		return (struct kr_fld){ 0 };
	}
	f.ok = true;
	return f;
}

/* First of several member names that exists ("rip" on x86_64, "pc" on AArch64). */
static struct kr_fld field_any(struct ctx *c, int t, const char *const *paths)
{
	for (int i = 0; paths[i]; i++) {
		struct kr_fld f = field(c, t, paths[i], false);
		if (f.ok)
			return f;
	}
	fail(c, "DWARF: struct %s has none of %s...", wanted[t].name, paths[0]);
	return (struct kr_fld){ 0 };
}

static struct kr_arr array(struct ctx *c, int t, const char *path, bool required)
{
	struct kr_arr a = { 0 };
	Dwarf_Die mem, ty, elem, sub;
	int64_t off;
	if (!c->have[t] || !find_path(&c->die[t], path, &mem, &off) || !type_of(&mem, &ty) ||
	    dwarf_tag(&ty) != DW_TAG_array_type || !type_of(&ty, &elem)) {
		if (required)
			fail(c, "DWARF: struct %s has no array member %s", wanted[t].name, path);
		return a;
	}
	a.off = off;
	a.elem = type_size(&elem);
	a.count = 0; /* flexible array: no bound */
	if (dwarf_child(&ty, &sub) == 0 && dwarf_tag(&sub) == DW_TAG_subrange_type) {
		Dwarf_Word cnt, ub;
		if (udata(&sub, DW_AT_count, &cnt))
			a.count = cnt;
		else if (udata(&sub, DW_AT_upper_bound, &ub))
			a.count = ub + 1;
	}
	a.ok = a.elem != 0;
	if (!a.ok && required)
		fail(c, "DWARF: struct %s.%s has elements of unknown size", wanted[t].name, path);
	return a;
}

static int64_t offset_of(struct ctx *c, int t, const char *path, bool required)
{
	Dwarf_Die mem;
	int64_t off;
	if (c->have[t] && find_path(&c->die[t], path, &mem, &off))
		return off;
	if (required)
		fail(c, "DWARF: struct %s has no member %s", wanted[t].name, path);
	return -1;
}

static uint64_t size_of(struct ctx *c, int t, bool required)
{
	uint64_t s = c->have[t] ? type_size(&c->die[t]) : 0;
	if (!s && required)
		fail(c, "DWARF: no complete struct %s", wanted[t].name);
	return s;
}

static bool enum_value(struct ctx *c, int t, const char *name, int64_t *v)
{
	Dwarf_Die e;
	if (!c->have[t] || dwarf_child(&c->die[t], &e) != 0)
		return false;
	do {
		const char *n = dwarf_diename(&e);
		Dwarf_Attribute a;
		Dwarf_Sword sv;
		if (dwarf_tag(&e) == DW_TAG_enumerator && n && strcmp(n, name) == 0 &&
		    dwarf_attr(&e, DW_AT_const_value, &a) && dwarf_formsdata(&a, &sv) == 0) {
			*v = sv;
			return true;
		}
	} while (dwarf_siblingof(&e, &e) == 0);
	return false;
}

/*
 * Every scalar member of struct arch_context by name, for a task's saved
 * registers: uint64_t x[31] becomes "x0".."x30". Members that are neither
 * scalars nor arrays of scalars are skipped.
 */
static void ctx_members(struct ctx *c, struct kr_layout *L)
{
	Dwarf_Die m, ty, elem;
	if (!c->have[T_ARCH_CONTEXT] || dwarf_child(&c->die[T_ARCH_CONTEXT], &m) != 0)
		return;
	L->ctx.size = type_size(&c->die[T_ARCH_CONTEXT]);
	do {
		const char *n = dwarf_diename(&m);
		Dwarf_Word loc = 0;
		if (dwarf_tag(&m) != DW_TAG_member || !n || !type_of(&m, &ty) ||
		    !udata(&m, DW_AT_data_member_location, &loc))
			continue;
		uint64_t count = 1, es = type_size(&ty);
		bool is_array = dwarf_tag(&ty) == DW_TAG_array_type;
		if (is_array) {
			if (!type_of(&ty, &elem) || !(es = type_size(&elem)))
				continue;
			count = type_size(&ty) / es;
		}
		if (es == 0 || es > 8)
			continue;
		for (uint64_t i = 0; i < count && L->ctx.n < KR_CONTEXT_MAX; i++) {
			struct kr_ctx_reg *r = &L->ctx.reg[L->ctx.n++];
			if (is_array)
				snprintf(r->name, sizeof(r->name), "%.10s%u", n, (unsigned)(i & 0xffff));
			else
				snprintf(r->name, sizeof(r->name), "%.15s", n);
			r->off = (int64_t)(loc + i * es);
			r->size = (uint32_t)es;
		}
	} while (dwarf_siblingof(&m, &m) == 0);
}

/* Walk every CU's top level once, keeping the first complete definition. */
static void collect(Dwarf *dw, struct ctx *c)
{
	Dwarf_Off off = 0, next;
	size_t hsize;
	int left = T_COUNT;
	while (left > 0 && dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu, d;
		if (dwarf_offdie(dw, off + hsize, &cu) && dwarf_child(&cu, &d) == 0) {
			do {
				int tag = dwarf_tag(&d);
				if (tag != DW_TAG_structure_type && tag != DW_TAG_enumeration_type &&
				    tag != DW_TAG_variable)
					continue;
				const char *n = dwarf_diename(&d);
				if (!n || dwarf_hasattr(&d, DW_AT_declaration))
					continue;
				for (int i = 0; i < T_COUNT; i++) {
					if (c->have[i] || wanted[i].tag != tag ||
					    strcmp(wanted[i].name, n) != 0)
						continue;
					c->die[i] = d;
					c->have[i] = true;
					left--;
				}
			} while (dwarf_siblingof(&d, &d) == 0);
		}
		off = next;
	}
	for (int i = 0; i < T_COUNT; i++)
		if (wanted[i].required && !c->have[i])
			fail(c, "DWARF: no definition of struct %s (is cairn.elf built with -g?)",
			     wanted[i].name);
}

int kr_dwarf_layout(const char *path, int fd, struct kr_layout *L, char *err, size_t errlen)
{
	struct ctx c = { .err = err, .errlen = errlen };
	Dwarf *dw = dwarf_begin(fd, DWARF_C_READ);
	if (!dw) {
		snprintf(err, errlen, "%s: no DWARF debug information (%s)", path,
			 dwarf_errmsg(-1));
		return KR_EELF;
	}
	memset(L, 0, sizeof(*L));
	collect(dw, &c);
	if (c.failed)
		goto out;

	L->obj.size = size_of(&c, T_OBJECT, true);
	L->obj.type = field(&c, T_OBJECT, "type", true);
	L->obj.state = field(&c, T_OBJECT, "state", true);
	L->obj.flags = field(&c, T_OBJECT, "flags", true);
	L->obj.cap_count = field(&c, T_OBJECT, "cap_count", true);
	L->obj.next = field(&c, T_OBJECT, "next", true);
	L->obj.prev = field(&c, T_OBJECT, "prev", true);
	L->obj.name = array(&c, T_OBJECT, "name", true);

	L->olist.size = size_of(&c, T_OBJECT_LIST, true);
	L->olist.head = field(&c, T_OBJECT_LIST, "head", true);
	L->olist.tail = field(&c, T_OBJECT_LIST, "tail", true);
	L->olist.count = field(&c, T_OBJECT_LIST, "count", true);
	if (c.have[V_OBJECT_LISTS] && L->olist.size)
		L->olist_count = type_size(&c.die[V_OBJECT_LISTS]) / L->olist.size;
	if (!L->olist_count)
		L->olist_count = CAIRN_OBJ_TYPE_COUNT; /* the ABI's count when DWARF omits it */

	L->slot.size = size_of(&c, T_SLOT, true);
	L->slot.type = field(&c, T_SLOT, "cap.type", true);
	L->slot.rights = field(&c, T_SLOT, "cap.rights", true);
	L->slot.bits = field(&c, T_SLOT, "cap.bits", true);
	L->slot.flags = field(&c, T_SLOT, "cap.flags", true);
	L->slot.spare = field(&c, T_SLOT, "cap.spare", false);
	L->slot.obj = field(&c, T_SLOT, "cap.obj", true);
	L->slot.data = field(&c, T_SLOT, "cap.data", true);
	L->slot.parent = field(&c, T_SLOT, "parent", true);
	L->slot.first_child = field(&c, T_SLOT, "first_child", true);
	L->slot.next_sibling = field(&c, T_SLOT, "next_sibling", true);
	L->slot.prev_sibling = field(&c, T_SLOT, "prev_sibling", true);

	L->cpool.radix = field(&c, T_CPOOL, "radix_bits", true);
	L->cpool.slots = array(&c, T_CPOOL, "slots", true);

	static const char *const ips[] = { "ctx.rip", "ctx.pc", "ctx.elr", NULL };
	static const char *const sps[] = { "ctx.rsp", "ctx.sp", "ctx.sp_el0", NULL };
	L->task.size = size_of(&c, T_TASK, true);
	L->task.state = field(&c, T_TASK, "state", true);
	L->task.priority = field(&c, T_TASK, "priority", true);
	L->task.queue_next = field(&c, T_TASK, "queue_next", true);
	L->task.queue_prev = field(&c, T_TASK, "queue_prev", true);
	L->task.queue = field(&c, T_TASK, "queue", true);
	L->task.blocked_on = field(&c, T_TASK, "blocked_on", true);
	L->task.reply_from = field(&c, T_TASK, "reply_from", true);
	L->task.reply_to = field(&c, T_TASK, "reply_to", false);
	L->task.fault_kind = field(&c, T_TASK, "fault.kind", true);
	L->task.fault_ip = field(&c, T_TASK, "fault.ip", true);
	L->task.fault_addr = field(&c, T_TASK, "fault.addr", true);
	L->task.ip = field_any(&c, T_TASK, ips);
	L->task.sp = field_any(&c, T_TASK, sps);
	L->task.run_ticks = field(&c, T_TASK, "run_ticks", false);
	L->task.ipc_sent = field(&c, T_TASK, "ipc_sent", false);
	L->task.slots = array(&c, T_TASK, "slots", true);
	L->task.ctx_off = offset_of(&c, T_TASK, "ctx", false);
	int64_t vs;
	L->task.slot_vspace = enum_value(&c, T_ENUM_TASK_SLOT, "TASK_SLOT_VSPACE", &vs) ?
		(uint64_t)vs : UINT64_MAX; /* absent: context.c says so */
	ctx_members(&c, L);

	L->chan.size = size_of(&c, T_CHANNEL, true);
	L->chan.head = field(&c, T_CHANNEL, "head", true);
	L->chan.count = field(&c, T_CHANNEL, "count", true);
	L->chan.sent = field(&c, T_CHANNEL, "sent", false);
	L->chan.s_head = field(&c, T_CHANNEL, "senders.head", true);
	L->chan.r_head = field(&c, T_CHANNEL, "receivers.head", true);
	L->chan.senders_off = offset_of(&c, T_CHANNEL, "senders", true);
	L->chan.receivers_off = offset_of(&c, T_CHANNEL, "receivers", true);
	L->chan.ring = array(&c, T_CHANNEL, "ring", true);

	L->msg.badge = field(&c, T_CHANNEL_MSG, "badge", true);
	L->msg.info = field(&c, T_CHANNEL_MSG, "info", true);
	L->msg.caller = field(&c, T_CHANNEL_MSG, "caller", true);
	L->msg.words = array(&c, T_CHANNEL_MSG, "words", true);
	L->msg.cap_off = offset_of(&c, T_CHANNEL_MSG, "cap", true);

	L->ntfn.size = size_of(&c, T_NOTIFICATION, true);
	L->ntfn.word = field(&c, T_NOTIFICATION, "word", true);
	L->ntfn.w_head = field(&c, T_NOTIFICATION, "waiters.head", true);
	L->ntfn.waiters_off = offset_of(&c, T_NOTIFICATION, "waiters", true);

	L->irqh.size = size_of(&c, T_IRQ_HANDLER, true);
	L->irqh.irq = field(&c, T_IRQ_HANDLER, "irq", true);
	L->irqh.slot_off = offset_of(&c, T_IRQ_HANDLER, "notification", true);
	L->irq_control_size = size_of(&c, T_IRQ_CONTROL, false);
	if (!L->irq_control_size)
		L->irq_control_size = L->obj.size;

	L->ioport.size = size_of(&c, T_IO_PORT, false);
	L->ioport.first = field(&c, T_IO_PORT, "first", false);
	L->ioport.last = field(&c, T_IO_PORT, "last", false);

	L->log.head = field(&c, T_KERNEL_LOG, "head", true);
	L->log.size = field(&c, T_KERNEL_LOG, "size", true);
	L->log.buf_off = offset_of(&c, T_KERNEL_LOG, "buf", true);

	L->sched.size = size_of(&c, T_SCHEDULER, true);
	L->sched.current = field(&c, T_SCHEDULER, "current", true);
	L->sched.switches = field(&c, T_SCHEDULER, "switches", true);

	L->console_waiters_off = offset_of(&c, T_CONSOLE_INPUT, "waiters", false);

	/* struct kernel_debug is optional until every kernel has it. */
	if (c.have[T_KERNEL_DEBUG]) {
		L->dbg.present = true;
		L->dbg.size = size_of(&c, T_KERNEL_DEBUG, true);
		L->dbg.seq = field(&c, T_KERNEL_DEBUG, "seq", true);
		L->dbg.ticks = field(&c, T_KERNEL_DEBUG, "ticks", false);
		L->dbg.idle_ticks = field(&c, T_KERNEL_DEBUG, "idle_ticks", false);
		L->dbg.direct_map_base = field(&c, T_KERNEL_DEBUG, "direct_map_base", false);
		L->dbg.kernel_vbase = field(&c, T_KERNEL_DEBUG, "kernel_vbase", false);
		L->dbg.ready = field(&c, T_KERNEL_DEBUG, "ready", false);
		L->dbg.panicked = field(&c, T_KERNEL_DEBUG, "panicked", false);
		L->dbg.panic_msg = array(&c, T_KERNEL_DEBUG, "panic_msg", false);
	}

	int64_t live;
	L->object_live = enum_value(&c, T_ENUM_OBJECT_STATE, "OBJECT_LIVE", &live) ? (uint64_t)live : 1;

	/* Sanity: the sizes the decoder relies on must be consistent. */
	if (!c.failed && (L->task.slots.elem != L->slot.size || L->cpool.slots.elem != L->slot.size))
		fail(&c, "DWARF: slot arrays (%lu, %lu bytes) disagree with struct slot (%lu)",
		     (unsigned long)L->task.slots.elem, (unsigned long)L->cpool.slots.elem,
		     (unsigned long)L->slot.size);
	if (!c.failed && (L->chan.ring.count == 0 || L->msg.words.count == 0))
		fail(&c, "DWARF: channel ring or message words have no length");
out:
	dwarf_end(dw);
	return c.failed ? KR_EELF : 0;
}
