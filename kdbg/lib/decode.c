/*
 * decode.c - from the copies snapshot.c made to struct kr_snapshot:
 * tasks (and what each waits on), pools, every used slot of every
 * holder, channels, notifications and untyped regions.
 *
 * Follows kdbg's Python decoder (kdbg/python/kdbg: model.py, tasks.py,
 * fmt.py, chan.py, untyped.py) for labels and summaries, so that the
 * two agree on the same VM. Cross references (a cap's object, a queue's
 * tasks, a CDT parent) are looked up in hash maps built from the copies,
 * never by reading memory again.
 */
#include "snap.h"

#include <cairn/fault.h>
#include <cairn/syscalls.h>
#include <stdio.h>
#include <stdlib.h>

/* Per-object output index (into tasks[], pools[] ...), -1 if not emitted. */
struct dec {
	struct snap_ctx *c;
	int *out;                 /* by objs[] index */
	struct kr_vec caps;       /* struct kr_cap */
	struct kr_map pool_owner; /* root pool address -> task index */
};

static const char *obj_label(char *buf, size_t len, const struct obj_rec *o)
{
	if (o->name[0])
		kr_fmt(buf, len, "'%s'", o->name);
	else
		kr_fmt(buf, len, "%#lx", (unsigned long)o->addr);
	return buf;
}

static const char *task_name(struct snap_ctx *c, char *buf, size_t len, uint64_t addr)
{
	const struct obj_rec *o = snap_obj(c, addr, CAIRN_OBJ_TASK);
	if (o && o->name[0])
		kr_fmt(buf, len, "%s", o->name);
	else if (o)
		kr_fmt(buf, len, "%#lx", (unsigned long)addr);
	else
		kr_fmt(buf, len, "<corrupt task %#lx>", (unsigned long)addr);
	return buf;
}

/*
 * Tasks on a queue from `head`, checking each is a live task whose
 * queue_prev and queue fields agree. Returns the count; *out (malloc'd,
 * may be NULL when empty) gets their addresses in order.
 */
static int walk_queue(struct dec *d, uint64_t head, uint64_t expect_queue, const char *what,
		      uint64_t **out)
{
	struct snap_ctx *c = d->c;
	const struct kr_layout *L = c->L;
	int ntasks = c->count[CAIRN_OBJ_TASK];
	uint64_t *list = NULL;
	int n = 0;
	uint64_t a = head, prev = 0;
	unsigned epoch = ++c->epoch;
	*out = NULL;
	while (a) {
		const struct obj_rec *o = snap_obj(c, a, CAIRN_OBJ_TASK);
		if (!o) {
			snap_problem(c, "%s queue: %#lx is not a live task", what, (unsigned long)a);
			break;
		}
		int ti = (int)(o - c->objs) - c->first[CAIRN_OBJ_TASK];
		if (c->task_mark[ti] == epoch) {
			snap_problem(c, "%s queue: cycle at task %#lx", what, (unsigned long)a);
			break;
		}
		c->task_mark[ti] = epoch;
		uint64_t qp = kr_get(o->buf, &L->task.queue_prev);
		uint64_t q = kr_get(o->buf, &L->task.queue);
		if (qp != prev) {
			snap_problem(c, "%s queue: task %#lx has queue_prev %#lx, expected %#lx", what,
				     (unsigned long)a, (unsigned long)qp, (unsigned long)prev);
			break;
		}
		if (expect_queue && q != expect_queue) {
			snap_problem(c, "%s queue: task %#lx says it is on queue %#lx", what,
				     (unsigned long)a, (unsigned long)q);
			break;
		}
		if (!list && !(list = malloc(sizeof(*list) * (size_t)ntasks))) {
			c->rc = KR_ENOMEM;
			break;
		}
		list[n++] = a;
		prev = a;
		a = kr_get(o->buf, &L->task.queue_next);
	}
	*out = list;
	return n;
}

static int decode_tasks(struct dec *d)
{
	struct snap_ctx *c = d->c;
	const struct kr_layout *L = c->L;
	struct kr_snapshot *s = c->s;
	int first = c->first[CAIRN_OBJ_TASK], n = c->count[CAIRN_OBJ_TASK];
	s->tasks = calloc((size_t)n + 1, sizeof(*s->tasks));
	c->task_mark = calloc((size_t)n + 1, sizeof(*c->task_mark));
	if (!s->tasks || !c->task_mark || kr_map_init(&d->pool_owner, (size_t)n))
		return KR_ENOMEM;
	for (int i = first; i < first + n; i++) {
		const struct obj_rec *o = &c->objs[i];
		if (o->bad)
			continue;
		struct kr_task *t = &s->tasks[s->ntasks];
		d->out[i] = s->ntasks++;
		const uint8_t *b = o->buf;
		t->addr = o->addr;
		memcpy(t->name, o->name, sizeof(t->name));
		t->state = (int)kr_get(b, &L->task.state);
		t->state_name = cairn_task_state_name(t->state);
		if (t->state < 0 || t->state >= CAIRN_TASK_STATE_COUNT)
			snap_problem(c, "task %#lx: state %d", (unsigned long)o->addr, t->state);
		t->priority = (unsigned)kr_get(b, &L->task.priority);
		t->ip = kr_get(b, &L->task.ip);
		t->sp = kr_get(b, &L->task.sp);
		t->current = o->addr == s->current;
		t->cpu_ticks = kr_get(b, &L->task.run_ticks);
		t->ipc_sent = kr_get(b, &L->task.ipc_sent);
		t->fault_kind = (uint32_t)kr_get(b, &L->task.fault_kind);
		t->fault_ip = kr_get(b, &L->task.fault_ip);
		t->fault_addr = kr_get(b, &L->task.fault_addr);
		/* Internal slot 0 is the root CPool (enum task_slot_index). */
		const uint8_t *s0 = b + L->task.slots.off;
		if (kr_get(s0, &L->slot.type) == CAIRN_OBJ_CPOOL) {
			t->cpool = kr_get(s0, &L->slot.obj);
			kr_map_put(&d->pool_owner, t->cpool, d->out[i]); /* first task wins */
		}
	}
	return 0;
}

/* What a task waits on, as tasks.py's blocked_on(), with the verb. */
static void task_waits(struct dec *d, struct kr_task *t, const struct obj_rec *o)
{
	struct snap_ctx *c = d->c;
	const struct kr_layout *L = c->L;
	uint64_t blocked = kr_get(o->buf, &L->task.blocked_on);
	uint64_t queue = kr_get(o->buf, &L->task.queue);
	uint64_t reply_from = kr_get(o->buf, &L->task.reply_from);
	char lab[KR_LABEL_LEN];

	if (t->state == CAIRN_TASK_FAULTED) {
		t->wait_kind = KR_WAIT_FAULT;
		kr_fmt(t->waits, sizeof(t->waits), "faulted: %s at %#lx",
		       cairn_fault_name((int)t->fault_kind), (unsigned long)t->fault_addr);
		return;
	}
	if (t->state == CAIRN_TASK_BLOCKED_REPLY && reply_from) {
		/* The server has the call: it owes the reply. */
		t->wait_kind = KR_WAIT_REPLY;
		t->waits_on = reply_from;
		task_name(c, t->waits_on_name, sizeof(t->waits_on_name), reply_from);
		kr_fmt(t->waits, sizeof(t->waits), "reply from '%s'", t->waits_on_name);
		return;
	}
	if (blocked) {
		int i = kr_map_get(&c->by_addr, blocked);
		const struct obj_rec *b = i >= 0 ? &c->objs[i] : NULL;
		if (!b) {
			snap_problem(c, "task '%s': blocked_on %#lx is not a live object", t->name,
				     (unsigned long)blocked);
			kr_fmt(t->waits, sizeof(t->waits), "<corrupt: blocked on %#lx>",
			       (unsigned long)blocked);
			return;
		}
		t->waits_on = blocked;
		obj_label(t->waits_on_name, sizeof(t->waits_on_name), b);
		const char *tn = cairn_obj_type_name(b->type);
		if (b->type == CAIRN_OBJ_NOTIFICATION) {
			t->wait_kind = KR_WAIT_NOTIFICATION;
			kr_fmt(t->waits, sizeof(t->waits), "notification %s", t->waits_on_name);
		} else if (t->state == CAIRN_TASK_BLOCKED_SEND) {
			t->wait_kind = KR_WAIT_SEND;
			kr_fmt(t->waits, sizeof(t->waits), "send on %s %s", tn, t->waits_on_name);
		} else if (t->state == CAIRN_TASK_BLOCKED_REPLY) {
			/* A call queued in the ring that no server has taken yet. */
			t->wait_kind = KR_WAIT_REPLY;
			kr_fmt(t->waits, sizeof(t->waits), "call on %s %s", tn, t->waits_on_name);
		} else {
			t->wait_kind = KR_WAIT_RECV;
			kr_fmt(t->waits, sizeof(t->waits), "recv on %s %s", tn, t->waits_on_name);
		}
		return;
	}
	if (queue && queue == c->console_queue) {
		t->wait_kind = KR_WAIT_CONSOLE;
		kr_fmt(t->waits_on_name, sizeof(t->waits_on_name), "console input");
		kr_fmt(t->waits, sizeof(t->waits), "console input");
		return;
	}
	if (reply_from) {
		t->wait_kind = KR_WAIT_REPLY;
		t->waits_on = reply_from;
		task_name(c, lab, sizeof(lab), reply_from);
		kr_fmt(t->waits_on_name, sizeof(t->waits_on_name), "%s", lab);
		kr_fmt(t->waits, sizeof(t->waits), "reply from '%s'", lab);
	}
}

static const char *pool_label(struct dec *d, char *buf, size_t len, const struct obj_rec *o)
{
	if (o->name[0]) {
		kr_fmt(buf, len, "%s", o->name);
		return buf;
	}
	int ti = kr_map_get(&d->pool_owner, o->addr);
	if (ti >= 0) {
		const struct kr_task *t = &d->c->s->tasks[ti];
		if (t->name[0])
			kr_fmt(buf, len, "%s:root", t->name);
		else
			kr_fmt(buf, len, "%#lx:root", (unsigned long)t->addr);
	} else {
		kr_fmt(buf, len, "cpool@%#lx", (unsigned long)o->addr);
	}
	return buf;
}

/* One slot: a cap appended to d->caps when used. */
static int add_slot(struct dec *d, const uint8_t *sb, uint64_t slot_addr, uint64_t holder,
		    const char *holder_label, unsigned index)
{
	struct snap_ctx *c = d->c;
	const struct kr_layout *L = c->L;
	int type = (int)kr_get(sb, &L->slot.type);
	if (type == CAIRN_OBJ_NULL) {
		for (uint64_t i = 0; i < L->slot.size; i++)
			if (sb[i]) {
				snap_problem(c, "%s[%u]: empty slot with nonzero bytes", holder_label,
					     index);
				break;
			}
		return 0;
	}
	struct kr_cap *k = kr_vec_push(&d->caps);
	if (!k)
		return KR_ENOMEM;
	k->slot_addr = slot_addr;
	k->holder = holder;
	kr_fmt(k->holder_label, sizeof(k->holder_label), "%s", holder_label);
	k->slot = index;
	k->type = type;
	k->type_name = cairn_obj_type_name(type);
	if (type >= CAIRN_OBJ_TYPE_COUNT)
		snap_problem(c, "%s[%u]: cap type %d", holder_label, index, type);
	k->rights = (unsigned)kr_get(sb, &L->slot.rights);
	k->bits = (unsigned)kr_get(sb, &L->slot.bits);
	unsigned flags = (unsigned)kr_get(sb, &L->slot.flags);
	k->flags = flags;
	k->object = kr_get(sb, &L->slot.obj);
	k->data = kr_get(sb, &L->slot.data);
	k->parent = kr_get(sb, &L->slot.parent);
	/* CAP_FLAG_BADGED (1) on a Channel/Notification cap: data is a badge;
	 * CAP_FLAG_DEVICE (2) marks device memory (kernel/include/cap.h). */
	k->badged = (type == CAIRN_OBJ_CHANNEL || type == CAIRN_OBJ_NOTIFICATION) && (flags & 1);
	k->badge = k->badged ? k->data : 0;
	return 0;
}

static int decode_pools(struct dec *d)
{
	struct snap_ctx *c = d->c;
	const struct kr_layout *L = c->L;
	struct kr_snapshot *s = c->s;
	int first = c->first[CAIRN_OBJ_CPOOL], n = c->count[CAIRN_OBJ_CPOOL];
	s->pools = calloc((size_t)n + 1, sizeof(*s->pools));
	if (!s->pools)
		return KR_ENOMEM;
	for (int i = first; i < first + n; i++) {
		const struct obj_rec *o = &c->objs[i];
		if (o->bad)
			continue;
		struct kr_pool *p = &s->pools[s->npools];
		d->out[i] = s->npools++;
		p->addr = o->addr;
		pool_label(d, p->label, sizeof(p->label), o);
		p->radix_bits = o->radix;
		p->first_cap = (int)d->caps.n;
		uint64_t nslots = 1ull << o->radix;
		for (uint64_t j = 0; j < nslots; j++) {
			uint64_t off = j * L->slot.size;
			if (add_slot(d, o->slots + off, o->addr + (uint64_t)L->cpool.slots.off + off,
				     o->addr, p->label, (unsigned)j))
				return KR_ENOMEM;
		}
		p->ncaps = (int)d->caps.n - p->first_cap;
		p->used = (unsigned)p->ncaps;
	}
	return 0;
}

static int decode_channels(struct dec *d)
{
	struct snap_ctx *c = d->c;
	const struct kr_layout *L = c->L;
	struct kr_snapshot *s = c->s;
	int first = c->first[CAIRN_OBJ_CHANNEL], n = c->count[CAIRN_OBJ_CHANNEL];
	unsigned depth = (unsigned)L->chan.ring.count;
	unsigned nwords = (unsigned)L->msg.words.count;
	s->channels = calloc((size_t)n + 1, sizeof(*s->channels));
	if (!s->channels)
		return KR_ENOMEM;
	for (int i = first; i < first + n; i++) {
		const struct obj_rec *o = &c->objs[i];
		if (o->bad)
			continue;
		struct kr_channel *ch = &s->channels[s->nchannels];
		d->out[i] = s->nchannels++;
		const uint8_t *b = o->buf;
		ch->addr = o->addr;
		obj_label(ch->label, sizeof(ch->label), o);
		ch->depth = depth;
		ch->sent = kr_get(b, &L->chan.sent);
		uint64_t head = kr_get(b, &L->chan.head), count = kr_get(b, &L->chan.count);
		if (count > depth || head >= depth) {
			snap_problem(c, "channel %s: head %lu count %lu for a ring of %u", ch->label,
				     (unsigned long)head, (unsigned long)count, depth);
			count = count > depth ? depth : count;
			head %= depth;
		}
		ch->count = (unsigned)count;
		ch->msgs = calloc(count + 1, sizeof(*ch->msgs));
		if (!ch->msgs)
			return KR_ENOMEM;
		for (unsigned m = 0; m < count; m++) {
			const uint8_t *mb = b + L->chan.ring.off + ((head + m) % depth) * L->chan.ring.elem;
			struct kr_msg *msg = &ch->msgs[m];
			msg->badge = kr_get(mb, &L->msg.badge);
			uint64_t info = kr_get(mb, &L->msg.info);
			msg->length = CAIRN_MSGINFO_LEN(info);
			unsigned nw = msg->length;
			if (nw > nwords || nw > sizeof(msg->words) / sizeof(msg->words[0])) {
				snap_problem(c, "channel %s: message of %u words", ch->label, nw);
				nw = nwords < 12 ? nwords : 12;
			}
			for (unsigned w = 0; w < nw; w++)
				msg->words[w] = kr_u64(mb + L->msg.words.off + 8 * w);
			msg->cap_type = (int)kr_get(mb + L->msg.cap_off, &L->slot.type);
			msg->caller = kr_get(mb, &L->msg.caller);
		}
		char what[96];
		kr_fmt(what, sizeof(what), "channel %s senders", ch->label);
		ch->nsenders = walk_queue(d, kr_get(b, &L->chan.s_head),
					  o->addr + (uint64_t)L->chan.senders_off, what, &ch->senders);
		kr_fmt(what, sizeof(what), "channel %s receivers", ch->label);
		ch->nreceivers = walk_queue(d, kr_get(b, &L->chan.r_head),
					    o->addr + (uint64_t)L->chan.receivers_off, what,
					    &ch->receivers);
		if (c->rc)
			return c->rc;
	}
	return 0;
}

static int decode_notifications(struct dec *d)
{
	struct snap_ctx *c = d->c;
	const struct kr_layout *L = c->L;
	struct kr_snapshot *s = c->s;
	int first = c->first[CAIRN_OBJ_NOTIFICATION], n = c->count[CAIRN_OBJ_NOTIFICATION];
	s->notifications = calloc((size_t)n + 1, sizeof(*s->notifications));
	if (!s->notifications)
		return KR_ENOMEM;
	for (int i = first; i < first + n; i++) {
		const struct obj_rec *o = &c->objs[i];
		if (o->bad)
			continue;
		struct kr_notification *nt = &s->notifications[s->nnotifications];
		d->out[i] = s->nnotifications++;
		nt->addr = o->addr;
		obj_label(nt->label, sizeof(nt->label), o);
		nt->word = kr_get(o->buf, &L->ntfn.word);
		char what[96];
		kr_fmt(what, sizeof(what), "notification %s waiters", nt->label);
		nt->nwaiters = walk_queue(d, kr_get(o->buf, &L->ntfn.w_head),
					  o->addr + (uint64_t)L->ntfn.waiters_off, what, &nt->waiters);
		if (c->rc)
			return c->rc;
	}
	return 0;
}

/* Tasks' internal slots, channel ring caps, IRQ handlers' notification. */
static int decode_other_slots(struct dec *d)
{
	struct snap_ctx *c = d->c;
	const struct kr_layout *L = c->L;
	char label[KR_LABEL_LEN];
	for (int i = c->first[CAIRN_OBJ_TASK]; i < c->first[CAIRN_OBJ_TASK] + c->count[CAIRN_OBJ_TASK]; i++) {
		const struct obj_rec *o = &c->objs[i];
		if (o->bad)
			continue;
		kr_fmt(label, sizeof(label), "task '%s'", o->name);
		for (uint64_t j = 0; j < L->task.slots.count; j++) {
			uint64_t off = (uint64_t)L->task.slots.off + j * L->slot.size;
			if (add_slot(d, o->buf + off, o->addr + off, o->addr, label, (unsigned)j))
				return KR_ENOMEM;
		}
	}
	for (int i = c->first[CAIRN_OBJ_CHANNEL]; i < c->first[CAIRN_OBJ_CHANNEL] + c->count[CAIRN_OBJ_CHANNEL]; i++) {
		const struct obj_rec *o = &c->objs[i];
		if (o->bad)
			continue;
		char ol[KR_LABEL_LEN];
		kr_fmt(label, sizeof(label), "channel %s", obj_label(ol, sizeof(ol), o));
		for (uint64_t j = 0; j < L->chan.ring.count; j++) {
			uint64_t off = (uint64_t)L->chan.ring.off + j * L->chan.ring.elem +
				       (uint64_t)L->msg.cap_off;
			if (add_slot(d, o->buf + off, o->addr + off, o->addr, label, (unsigned)j))
				return KR_ENOMEM;
		}
	}
	for (int i = c->first[CAIRN_OBJ_IRQ_HANDLER]; i < c->first[CAIRN_OBJ_IRQ_HANDLER] + c->count[CAIRN_OBJ_IRQ_HANDLER]; i++) {
		const struct obj_rec *o = &c->objs[i];
		if (o->bad)
			continue;
		kr_fmt(label, sizeof(label), "irqhandler %lu", (unsigned long)kr_get(o->buf, &L->irqh.irq));
		uint64_t off = (uint64_t)L->irqh.slot_off;
		if (add_slot(d, o->buf + off, o->addr + off, o->addr, label, 0))
			return KR_ENOMEM;
	}
	return 0;
}

/* fmt.size(): "4 KiB", "2 MiB", "2^64". */
static void size_text(char *buf, size_t len, unsigned bits)
{
	if (bits >= 64) {
		kr_fmt(buf, len, "2^%u", bits);
		return;
	}
	uint64_t n = 1ull << bits;
	static const struct { const char *unit; unsigned shift; } units[] = {
		{ "GiB", 30 }, { "MiB", 20 }, { "KiB", 10 } };
	for (size_t i = 0; i < 3; i++)
		if (n >= (1ull << units[i].shift) && n % (1ull << units[i].shift) == 0) {
			kr_fmt(buf, len, "%lu %s", (unsigned long)(n >> units[i].shift), units[i].unit);
			return;
		}
	kr_fmt(buf, len, "%lu B", (unsigned long)n);
}

/* The object a kernel-object cap names, or a problem. */
static int cap_target(struct dec *d, struct kr_cap *k)
{
	struct snap_ctx *c = d->c;
	const struct obj_rec *o = snap_obj(c, k->object, k->type);
	if (!o) {
		snap_problem(c, "%s[%u]: %s cap points at %#lx, not a live %s", k->holder_label,
			     k->slot, k->type_name, (unsigned long)k->object, k->type_name);
		kr_fmt(k->summary, sizeof(k->summary), "<corrupt: %#lx is not a live %s>",
		       (unsigned long)k->object, k->type_name);
		return -1;
	}
	return (int)(o - c->objs);
}

/* fmt._summary(): one line about the object a cap refers to. */
static void cap_summary(struct dec *d, struct kr_cap *k)
{
	struct snap_ctx *c = d->c;
	const struct kr_layout *L = c->L;
	struct kr_snapshot *s = c->s;
	bool device = (k->flags & 2) != 0;
	char sz[24];
	int i;
	switch (k->type) {
	case CAIRN_OBJ_UNTYPED:
		if (k->bits > 63) {
			snap_problem(c, "%s[%u]: untyped size 2^%u", k->holder_label, k->slot, k->bits);
			kr_fmt(k->summary, sizeof(k->summary), "<corrupt: untyped size 2^%u>", k->bits);
			break;
		}
		size_text(sz, sizeof(sz), k->bits);
		kr_fmt(k->summary, sizeof(k->summary), "%s at %#lx, watermark %#lx (%.0f%% used)%s",
		       sz, (unsigned long)k->object, (unsigned long)k->data,
		       100.0 * (double)k->data / (double)(1ull << k->bits), device ? " device" : "");
		break;
	case CAIRN_OBJ_CPOOL:
		if ((i = cap_target(d, k)) >= 0 && d->out[i] >= 0) {
			const struct kr_pool *p = &s->pools[d->out[i]];
			kr_fmt(k->summary, sizeof(k->summary), "%s: %lu slots, %u used", p->label,
			       1ul << p->radix_bits, p->used);
		}
		break;
	case CAIRN_OBJ_TASK:
		if ((i = cap_target(d, k)) >= 0 && d->out[i] >= 0) {
			const struct kr_task *t = &s->tasks[d->out[i]];
			kr_fmt(k->summary, sizeof(k->summary), "'%s' %s prio %u", t->name,
			       t->state_name, t->priority);
		}
		break;
	case CAIRN_OBJ_CHANNEL:
		if ((i = cap_target(d, k)) >= 0 && d->out[i] >= 0) {
			const struct kr_channel *ch = &s->channels[d->out[i]];
			kr_fmt(k->summary, sizeof(k->summary), "%s %u/%u queued, %d senders, %d receivers",
			       ch->label, ch->count, ch->depth, ch->nsenders, ch->nreceivers);
		}
		break;
	case CAIRN_OBJ_NOTIFICATION:
		if ((i = cap_target(d, k)) >= 0 && d->out[i] >= 0) {
			const struct kr_notification *n = &s->notifications[d->out[i]];
			kr_fmt(k->summary, sizeof(k->summary), "%s word %#lx, %d waiters", n->label,
			       (unsigned long)n->word, n->nwaiters);
		}
		break;
	case CAIRN_OBJ_PAGE:
	case CAIRN_OBJ_PAGE_TABLE:
		/* data = virtual address | CAP_MAPPING_LIVE (bit 0) when mapped. */
		if (k->data & 1)
			kr_fmt(k->summary, sizeof(k->summary), "frame %#lx, mapped at %#lx",
			       (unsigned long)k->object, (unsigned long)(k->data & ~0xfffull));
		else
			kr_fmt(k->summary, sizeof(k->summary), "frame %#lx, unmapped",
			       (unsigned long)k->object);
		break;
	case CAIRN_OBJ_VSPACE:
		kr_fmt(k->summary, sizeof(k->summary), "root table %#lx", (unsigned long)k->object);
		break;
	case CAIRN_OBJ_IRQ_HANDLER:
		if ((i = cap_target(d, k)) >= 0)
			kr_fmt(k->summary, sizeof(k->summary), "irq %lu",
			       (unsigned long)kr_get(c->objs[i].buf, &L->irqh.irq));
		break;
	case CAIRN_OBJ_IRQ_CONTROL:
		if (cap_target(d, k) >= 0)
			kr_fmt(k->summary, sizeof(k->summary), "irq control");
		break;
	case CAIRN_OBJ_IO_PORT:
		if ((i = cap_target(d, k)) >= 0) {
			const struct obj_rec *o = &c->objs[i];
			if (L->ioport.first.ok && L->ioport.last.ok)
				kr_fmt(k->summary, sizeof(k->summary), "ports %#lx-%#lx",
				       (unsigned long)kr_get(o->buf, &L->ioport.first),
				       (unsigned long)kr_get(o->buf, &L->ioport.last));
			else
				obj_label(k->summary, sizeof(k->summary), o);
		}
		break;
	default:
		kr_fmt(k->summary, sizeof(k->summary), "<corrupt: type %d>", k->type);
		break;
	}
}

static int cmp_u64_idx(const void *a, const void *b)
{
	const struct kr_idx *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int cmp_untyped(const void *a, const void *b)
{
	const struct kr_untyped *x = a, *y = b;
	if (x->base != y->base)
		return x->base < y->base ? -1 : 1;
	return x->slot_addr < y->slot_addr ? -1 : x->slot_addr > y->slot_addr;
}

/* Summaries, CDT parents that point at real slots, untyped regions. */
static int finish_caps(struct dec *d)
{
	struct snap_ctx *c = d->c;
	struct kr_snapshot *s = c->s;
	struct kr_cap *caps = d->caps.data;
	int n = (int)d->caps.n;
	int nut = 0;
	for (int i = 0; i < n; i++) {
		cap_summary(d, &caps[i]);
		nut += caps[i].type == CAIRN_OBJ_UNTYPED;
	}
	/* Parents: every CDT link must name a slot we know (sorted + bsearch). */
	struct kr_idx *idx = malloc(sizeof(*idx) * (size_t)(n + 1));
	if (!idx)
		return KR_ENOMEM;
	for (int i = 0; i < n; i++)
		idx[i] = (struct kr_idx){ caps[i].slot_addr, i };
	qsort(idx, (size_t)n, sizeof(*idx), cmp_u64_idx);
	for (int i = 0; i < n; i++) {
		uint64_t p = caps[i].parent;
		if (!p)
			continue;
		struct kr_idx key = { p, 0 };
		if (!bsearch(&key, idx, (size_t)n, sizeof(*idx), cmp_u64_idx))
			snap_problem(c, "%s[%u]: CDT parent %#lx is not a used slot",
				     caps[i].holder_label, caps[i].slot, (unsigned long)p);
	}
	free(idx);

	s->untyped = calloc((size_t)nut + 1, sizeof(*s->untyped));
	if (!s->untyped)
		return KR_ENOMEM;
	for (int i = 0; i < n; i++) {
		const struct kr_cap *k = &caps[i];
		if (k->type != CAIRN_OBJ_UNTYPED)
			continue;
		struct kr_untyped *u = &s->untyped[s->nuntyped++];
		u->slot_addr = k->slot_addr;
		kr_fmt(u->holder_label, sizeof(u->holder_label), "%s", k->holder_label);
		u->slot = k->slot;
		u->base = k->object;
		u->size_bits = k->bits;
		u->watermark = k->data;
		u->device = (k->flags & 2) != 0;
		if (k->bits <= 63 && k->data > (1ull << k->bits))
			snap_problem(c, "%s[%u]: untyped watermark %#lx past its size 2^%u",
				     k->holder_label, k->slot, (unsigned long)k->data, k->bits);
	}
	qsort(s->untyped, (size_t)s->nuntyped, sizeof(*s->untyped), cmp_untyped);

	if (c->opts.caps) {
		s->caps = d->caps.data;
		s->ncaps = n;
		d->caps.data = NULL;
	} else {
		for (int i = 0; i < s->npools; i++)
			s->pools[i].first_cap = -1;
	}
	return 0;
}

int snap_decode(struct snap_ctx *c)
{
	struct dec d = { .c = c, .caps = { .elem = sizeof(struct kr_cap) } };
	d.out = malloc(sizeof(int) * (size_t)(c->nobjs + 1));
	if (!d.out)
		return KR_ENOMEM;
	for (int i = 0; i < c->nobjs; i++)
		d.out[i] = -1;
	int rc;
	if ((rc = decode_tasks(&d)) || (rc = decode_pools(&d)) || (rc = decode_channels(&d)) ||
	    (rc = decode_notifications(&d)) || (rc = decode_other_slots(&d)) ||
	    (rc = finish_caps(&d)))
		goto out;
	for (int i = c->first[CAIRN_OBJ_TASK]; i < c->first[CAIRN_OBJ_TASK] + c->count[CAIRN_OBJ_TASK]; i++)
		if (d.out[i] >= 0)
			task_waits(&d, &c->s->tasks[d.out[i]], &c->objs[i]);
	if (c->s->current && !snap_obj(c, c->s->current, CAIRN_OBJ_TASK))
		snap_problem(c, "sched.current %#lx is not a live task", (unsigned long)c->s->current);
	rc = c->rc;
out:
	kr_vec_free(&d.caps);
	kr_map_free(&d.pool_owner);
	free(d.out);
	return rc;
}
