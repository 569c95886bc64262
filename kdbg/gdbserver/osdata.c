/*
 * osdata.c - `info os` tables from a kread snapshot (see osdata.h).
 *
 * One growing buffer a document (rsp.h's: doubling, so 1,000 caps cost
 * O(n)), every string through buf_xml() (valid XML whatever guest memory
 * holds).
 */
#include "osdata.h"
#include "rsp.h"

#include <cairn/objects.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- items and columns ------------------------------------------------------ */

static void item_begin(struct buf *b)
{
	buf_str(b, "<item>\n");
}

static void item_end(struct buf *b)
{
	buf_str(b, "</item>\n");
}

static void col(struct buf *b, const char *name, const char *value)
{
	buf_str(b, "<column name=\"");
	buf_xml(b, name);
	buf_str(b, "\">");
	buf_xml(b, value);
	buf_str(b, "</column>\n");
}

static void colf(struct buf *b, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void colf(struct buf *b, const char *name, const char *fmt, ...)
{
	char v[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	col(b, name, v);
}

static void col_addr(struct buf *b, const char *name, uint64_t a)
{
	colf(b, name, "0x%llx", (unsigned long long)a);
}

/* An address, or empty for 0 (the schema's null). */
static void col_addr0(struct buf *b, const char *name, uint64_t a)
{
	if (a)
		col_addr(b, name, a);
	else
		col(b, name, "");
}

static void col_u(struct buf *b, const char *name, uint64_t v)
{
	colf(b, name, "%llu", (unsigned long long)v);
}

/* A task's name for lists (senders, waiters): its name, else its address. */
static void put_task_name(struct buf *b, const struct kr_snapshot *s, uint64_t addr)
{
	const struct kr_task *t = kr_snap_task(s, addr);
	char a[24];
	if (t && t->name[0]) {
		buf_xml(b, t->name);
	} else {
		snprintf(a, sizeof(a), "0x%llx", (unsigned long long)addr);
		buf_str(b, a);
	}
}

/* A column holding task names separated by ", ". */
static void col_tasks(struct buf *b, const struct kr_snapshot *s, const char *name,
		      const uint64_t *tasks, int n)
{
	buf_str(b, "<column name=\"");
	buf_xml(b, name);
	buf_str(b, "\">");
	for (int i = 0; i < n; i++) {
		if (i)
			buf_str(b, ", ");
		put_task_name(b, s, tasks[i]);
	}
	buf_str(b, "</column>\n");
}

/* ---- the tables --------------------------------------------------------------- */

static void tasks(struct buf *b, const struct kr_snapshot *s)
{
	for (int i = 0; i < s->ntasks; i++) {
		const struct kr_task *t = &s->tasks[i];
		item_begin(b);
		col(b, "name", t->name);
		col_addr(b, "addr", t->addr);
		col(b, "state", t->state_name ? t->state_name : "?");
		col_u(b, "priority", t->priority);
		col(b, "waits", t->waits);
		col_addr(b, "ip", t->ip);
		col_addr(b, "sp", t->sp);
		col(b, "current", t->current ? "yes" : "no");
		col_addr0(b, "cpool", t->cpool);
		col_u(b, "cpu_ticks", t->cpu_ticks);
		col_u(b, "ipc_sent", t->ipc_sent);
		item_end(b);
	}
}

static void pools(struct buf *b, const struct kr_snapshot *s)
{
	for (int i = 0; i < s->npools; i++) {
		const struct kr_pool *p = &s->pools[i];
		item_begin(b);
		col_addr(b, "addr", p->addr);
		col(b, "label", p->label);
		col_u(b, "slots", 1ull << (p->radix_bits < 63 ? p->radix_bits : 63));
		col_u(b, "used", p->used);
		item_end(b);
	}
}

/*
 * Capabilities. GDB spends about 4 us on each column element it reads,
 * so this table keeps the seven columns a reader needs (1,192 caps: 7
 * columns ~35 ms, 10 ~60 ms; the one-line summary is in kdbg's views and
 * the JSON): parent is the parent cap's row, HOLDER:SLOT, rather than
 * the slot address the JSON gives.
 */
static void caps(struct buf *b, const struct kr_snapshot *s)
{
	for (int i = 0; i < s->ncaps; i++) {
		const struct kr_cap *k = &s->caps[i];
		const struct kr_cap *parent = k->parent ? kr_snap_cap_at(s, k->parent) : NULL;
		char rights[8];
		kr_rights_string(k->rights, rights);
		item_begin(b);
		col(b, "holder", k->holder_label);
		col_u(b, "slot", k->slot);
		col(b, "type", k->type_name ? k->type_name : "?");
		col(b, "rights", rights);
		if (k->badged)
			col_u(b, "badge", k->badge);
		else
			col(b, "badge", "");
		col_addr(b, "object", k->object);
		if (parent)
			colf(b, "parent", "%s:%u", parent->holder_label, parent->slot);
		else
			col_addr0(b, "parent", k->parent);   /* outside the snapshot */
		item_end(b);
	}
}

/* Queued messages in one column: "badge 5: 0x1 0x2 +cap channel (call from
 * 'client')", oldest first, separated by "; ". */
static void col_messages(struct buf *b, const struct kr_snapshot *s, const struct kr_channel *c)
{
	char tmp[64];
	buf_str(b, "<column name=\"messages\">");
	for (unsigned m = 0; m < c->count && c->msgs; m++) {
		const struct kr_msg *g = &c->msgs[m];
		if (m)
			buf_str(b, "; ");
		snprintf(tmp, sizeof(tmp), "badge %llu:", (unsigned long long)g->badge);
		buf_str(b, tmp);
		for (unsigned w = 0; w < g->length && w < 12; w++) {
			snprintf(tmp, sizeof(tmp), " 0x%llx", (unsigned long long)g->words[w]);
			buf_str(b, tmp);
		}
		if (g->cap_type) {
			buf_str(b, " +cap ");
			buf_str(b, cairn_obj_type_name(g->cap_type));
		}
		if (g->caller) {
			buf_str(b, " (call from ");
			put_task_name(b, s, g->caller);
			buf_str(b, ")");
		}
	}
	buf_str(b, "</column>\n");
}

static void channels(struct buf *b, const struct kr_snapshot *s)
{
	for (int i = 0; i < s->nchannels; i++) {
		const struct kr_channel *c = &s->channels[i];
		item_begin(b);
		col_addr(b, "addr", c->addr);
		col(b, "label", c->label);
		col_u(b, "depth", c->depth);
		col_u(b, "count", c->count);
		col_messages(b, s, c);
		col_u(b, "sent", c->sent);
		col_tasks(b, s, "senders", c->senders, c->nsenders);
		col_tasks(b, s, "receivers", c->receivers, c->nreceivers);
		item_end(b);
	}
}

static void notifications(struct buf *b, const struct kr_snapshot *s)
{
	for (int i = 0; i < s->nnotifications; i++) {
		const struct kr_notification *n = &s->notifications[i];
		item_begin(b);
		col_addr(b, "addr", n->addr);
		col(b, "label", n->label);
		col_addr(b, "word", n->word);
		col_tasks(b, s, "waiters", n->waiters, n->nwaiters);
		item_end(b);
	}
}

static void untyped(struct buf *b, const struct kr_snapshot *s)
{
	for (int i = 0; i < s->nuntyped; i++) {
		const struct kr_untyped *u = &s->untyped[i];
		item_begin(b);
		col(b, "holder", u->holder_label);
		col_u(b, "slot", u->slot);
		col_addr(b, "slot_addr", u->slot_addr);
		col_addr(b, "base", u->base);
		col_u(b, "size", u->size_bits < 64 ? 1ull << u->size_bits : 0);
		col_u(b, "watermark", u->watermark);
		col(b, "device", u->device ? "yes" : "no");
		item_end(b);
	}
}

static const struct table {
	const char *name, *title, *description;
	void (*fill)(struct buf *, const struct kr_snapshot *);
} tables[] = {
	{ "tasks", "Tasks", "Cairn tasks: state, priority, what they wait on", tasks },
	{ "pools", "CPools", "Capability pools (CNodes)", pools },
	{ "caps", "Capabilities", "Every capability: holder, slot, type, rights, CDT parent",
	  caps },
	{ "channels", "Channels", "IPC channels: queued messages, blocked senders and receivers",
	  channels },
	{ "notifications", "Notifications", "Notifications: pending bits and waiters",
	  notifications },
	{ "untyped", "Untyped", "Untyped memory: base, size, watermark", untyped },
};

static void types(struct buf *b, const struct kr_snapshot *s)
{
	(void)s;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		item_begin(b);
		col(b, "Type", tables[i].name);
		col(b, "Description", tables[i].description);
		col(b, "Title", tables[i].title);
		item_end(b);
	}
}

char *osdata_xml(const struct kr_snapshot *s, const char *table)
{
	void (*fill)(struct buf *, const struct kr_snapshot *) = NULL;
	const char *type = "types";
	if (!table || !*table) {
		fill = types;
	} else {
		for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
			if (strcmp(table, tables[i].name) == 0) {
				fill = tables[i].fill;
				type = tables[i].name;
			}
	}
	if (!fill)
		return NULL;
	struct buf b = { 0 };
	buf_str(&b, "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"osdata.dtd\">\n"
		  "<osdata type=\"");
	buf_str(&b, type);
	buf_str(&b, "\">\n");
	fill(&b, s);
	buf_str(&b, "</osdata>\n");
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	return b.p;
}
