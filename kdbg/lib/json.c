/*
 * json.c - a snapshot in docs/schema.md's vocabulary (schema 1), shared
 * with kdbg --json and the gdbserver's tables: addresses as "0x..."
 * strings (64-bit values do not survive every JSON reader as numbers),
 * ABI names for enumerations, null for what does not apply.
 */
#include "internal.h"

#include <cairn/fault.h>
#include <cairn/objects.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

static json_t *addr(uint64_t a)
{
	char buf[24];
	snprintf(buf, sizeof(buf), "0x%lx", (unsigned long)a);
	return json_string(buf);
}

static json_t *addr_or_null(uint64_t a)
{
	return a ? addr(a) : json_null();
}

/* Strings we build are ASCII already (names are made printable when
 * copied); json_string would return NULL on invalid UTF-8. */
static json_t *str(const char *s)
{
	json_t *j = json_string(s);
	return j ? j : json_string("?");
}

static json_t *num(uint64_t v)
{
	return json_integer((json_int_t)v);
}

/* A task's name for lists: its debug name, or its address. */
static json_t *task_ref(const struct kr_snapshot *s, uint64_t a)
{
	const struct kr_task *t = kr_snap_task(s, a);
	if (t && t->name[0])
		return str(t->name);
	return addr(a);
}

static json_t *task_list(const struct kr_snapshot *s, const uint64_t *v, int n)
{
	json_t *a = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(a, task_ref(s, v[i]));
	return a;
}

static const char *wait_kind_name(enum kr_wait_kind k)
{
	switch (k) {
	case KR_WAIT_SEND: return "send";
	case KR_WAIT_RECV: return "recv";
	case KR_WAIT_REPLY: return "reply";
	case KR_WAIT_NOTIFICATION: return "notification";
	case KR_WAIT_CONSOLE: return "console";
	case KR_WAIT_FAULT: return "fault";
	default: return NULL;
	}
}

static json_t *task_json(const struct kr_task *t)
{
	json_t *o = json_object();
	json_object_set_new(o, "addr", addr(t->addr));
	json_object_set_new(o, "name", str(t->name));
	json_object_set_new(o, "state", str(t->state_name));
	json_object_set_new(o, "priority", num(t->priority));
	const char *kind = wait_kind_name(t->wait_kind);
	if (kind) {
		json_t *w = json_object();
		json_object_set_new(w, "kind", str(kind));
		json_object_set_new(w, "addr", addr_or_null(t->waits_on));
		json_object_set_new(w, "name", t->waits_on_name[0] ? str(t->waits_on_name) : json_null());
		json_object_set_new(o, "waits_on", w);
	} else {
		json_object_set_new(o, "waits_on", json_null());
	}
	json_object_set_new(o, "waits", str(t->waits));
	json_object_set_new(o, "ip", addr(t->ip));
	json_object_set_new(o, "sp", addr(t->sp));
	json_object_set_new(o, "current", json_boolean(t->current));
	json_object_set_new(o, "cpool", addr_or_null(t->cpool));
	json_object_set_new(o, "cpu_ticks", num(t->cpu_ticks));
	json_object_set_new(o, "ipc_sent", num(t->ipc_sent));
	if (t->state == CAIRN_TASK_FAULTED) {
		json_t *f = json_object();
		json_object_set_new(f, "kind", str(cairn_fault_name((int)t->fault_kind)));
		json_object_set_new(f, "ip", addr(t->fault_ip));
		json_object_set_new(f, "addr", addr(t->fault_addr));
		json_object_set_new(o, "fault", f);
	} else {
		json_object_set_new(o, "fault", json_null());
	}
	return o;
}

/* Exactly what a cap's JSON says, zero-padded so that two views compare
 * with memcmp (the stream writer below keeps a cap's text while its view
 * is unchanged). */
struct cap_view {
	char holder[KR_LABEL_LEN];
	uint64_t holder_addr, slot_addr, badge, object, parent;
	unsigned slot, rights;
	bool badged;
	const char *type_name;
};

static void cap_view_of(const struct kr_cap *k, struct cap_view *v)
{
	memset(v, 0, sizeof(*v));
	memcpy(v->holder, k->holder_label, sizeof(v->holder));
	v->holder[sizeof(v->holder) - 1] = 0;
	v->holder_addr = k->holder;
	v->slot_addr = k->slot_addr;
	v->badge = k->badged ? k->badge : 0;
	v->object = k->object;
	v->parent = k->parent;
	v->slot = k->slot;
	v->rights = k->rights;
	v->badged = k->badged;
	v->type_name = k->type_name;
}

static json_t *cap_json(const struct cap_view *v)
{
	char rights[8];
	kr_rights_string(v->rights, rights);
	json_t *o = json_object();
	json_object_set_new(o, "holder", str(v->holder));
	json_object_set_new(o, "holder_addr", addr(v->holder_addr));
	json_object_set_new(o, "slot", num(v->slot));
	json_object_set_new(o, "slot_addr", addr(v->slot_addr));
	json_object_set_new(o, "type", str(v->type_name));
	json_object_set_new(o, "rights", str(rights));
	json_object_set_new(o, "badge", v->badged ? num(v->badge) : json_null());
	json_object_set_new(o, "object", addr(v->object));
	json_object_set_new(o, "parent", addr_or_null(v->parent));
	return o;
}

static json_t *channel_json(const struct kr_snapshot *s, const struct kr_channel *ch)
{
	json_t *o = json_object();
	json_object_set_new(o, "addr", addr(ch->addr));
	json_object_set_new(o, "label", str(ch->label));
	json_object_set_new(o, "depth", num(ch->depth));
	json_object_set_new(o, "count", num(ch->count));
	json_t *msgs = json_array();
	for (unsigned i = 0; i < ch->count; i++) {
		const struct kr_msg *m = &ch->msgs[i];
		json_t *mj = json_object();
		json_object_set_new(mj, "badge", num(m->badge));
		json_object_set_new(mj, "length", num(m->length));
		json_t *w = json_array();
		unsigned nw = m->length < 12 ? m->length : 12;
		for (unsigned j = 0; j < nw; j++)
			json_array_append_new(w, num(m->words[j]));
		json_object_set_new(mj, "words", w);
		json_object_set_new(mj, "cap", m->cap_type ? str(cairn_obj_type_name(m->cap_type))
							   : json_null());
		json_object_set_new(mj, "caller", m->caller ? task_ref(s, m->caller) : json_null());
		json_array_append_new(msgs, mj);
	}
	json_object_set_new(o, "messages", msgs);
	json_object_set_new(o, "sent", num(ch->sent));
	json_object_set_new(o, "senders", task_list(s, ch->senders, ch->nsenders));
	json_object_set_new(o, "receivers", task_list(s, ch->receivers, ch->nreceivers));
	return o;
}

static json_t *snapshot_json(const struct kr_snapshot *s, bool with_caps)
{
	json_t *root = json_object();
	if (!root)
		return NULL;
	json_object_set_new(root, "schema", json_integer(1));
	json_object_set_new(root, "arch", str(s->arch));

	json_t *k = json_object();
	json_object_set_new(k, "seq", num(s->seq));
	json_object_set_new(k, "ticks", num(s->ticks));
	json_object_set_new(k, "idle_ticks", num(s->idle_ticks));
	json_object_set_new(k, "switches", num(s->switches));
	json_object_set_new(k, "current", s->current ? task_ref(s, s->current) : json_null());
	json_object_set_new(k, "panicked", json_boolean(s->panicked));
	json_object_set_new(k, "panic", s->panicked ? str(s->panic_msg) : json_null());
	json_object_set_new(root, "kernel", k);

	json_t *a = json_array();
	for (int i = 0; i < s->ntasks; i++)
		json_array_append_new(a, task_json(&s->tasks[i]));
	json_object_set_new(root, "tasks", a);

	a = json_array();
	for (int i = 0; i < s->npools; i++) {
		const struct kr_pool *p = &s->pools[i];
		json_t *o = json_object();
		json_object_set_new(o, "addr", addr(p->addr));
		json_object_set_new(o, "label", str(p->label));
		json_object_set_new(o, "slots", num(1ull << p->radix_bits));
		json_object_set_new(o, "used", num(p->used));
		json_array_append_new(a, o);
	}
	json_object_set_new(root, "pools", a);

	if (with_caps) {
		a = json_array();
		for (int i = 0; i < s->ncaps; i++) {
			struct cap_view v;
			cap_view_of(&s->caps[i], &v);
			json_array_append_new(a, cap_json(&v));
		}
		json_object_set_new(root, "caps", a);
	}

	a = json_array();
	for (int i = 0; i < s->nchannels; i++)
		json_array_append_new(a, channel_json(s, &s->channels[i]));
	json_object_set_new(root, "channels", a);

	a = json_array();
	for (int i = 0; i < s->nnotifications; i++) {
		const struct kr_notification *n = &s->notifications[i];
		json_t *o = json_object();
		json_object_set_new(o, "addr", addr(n->addr));
		json_object_set_new(o, "label", str(n->label));
		json_object_set_new(o, "word", addr(n->word));
		json_object_set_new(o, "waiters", task_list(s, n->waiters, n->nwaiters));
		json_array_append_new(a, o);
	}
	json_object_set_new(root, "notifications", a);

	a = json_array();
	for (int i = 0; i < s->nuntyped; i++) {
		const struct kr_untyped *u = &s->untyped[i];
		json_t *o = json_object();
		json_object_set_new(o, "holder", str(u->holder_label));
		json_object_set_new(o, "slot", num(u->slot));
		json_object_set_new(o, "slot_addr", addr(u->slot_addr));
		json_object_set_new(o, "base", addr(u->base));
		json_object_set_new(o, "size", u->size_bits < 63 ? num(1ull << u->size_bits) : json_null());
		json_object_set_new(o, "watermark", num(u->watermark));
		json_object_set_new(o, "device", json_boolean(u->device));
		json_array_append_new(a, o);
	}
	json_object_set_new(root, "untyped", a);

	json_object_set_new(root, "log", s->log ? str(s->log) : json_null());
	a = json_array();
	for (int i = 0; i < s->nproblems; i++)
		json_array_append_new(a, str(s->problems[i]));
	json_object_set_new(root, "problems", a);
	return root;
}

void *kr_snapshot_to_json(const struct kr_snapshot *s)
{
	return snapshot_json(s, true);
}

char *kr_snapshot_json_text(const struct kr_snapshot *s, bool pretty)
{
	json_t *j = kr_snapshot_to_json(s);
	if (!j)
		return NULL;
	char *text = json_dumps(j, pretty ? JSON_INDENT(2) | JSON_PRESERVE_ORDER
					  : JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(j);
	return text;
}

/* ---- JSON lines, fast ------------------------------------------------------ */
/* Caps are most of a snapshot's JSON (1,000 caps: 238 of 266 KB) and
 * jansson encodes about 60 MB/s, so a stream that re-encoded every cap
 * could not sample 500 times a second. Few caps change between two
 * samples: the stream keeps each cap's text (jansson's output) while its
 * view is unchanged, and re-encodes only the rest. */
struct cap_frag {
	struct cap_view v;
	char *text;
	size_t len;
};

struct kr_json_stream {
	struct cap_frag *frags;
	int nfrags;
	struct kr_map by_slot;      /* slot_addr -> index in frags */
	char *buf;
	size_t len, cap;
};

struct kr_json_stream *kr_json_stream_new(void)
{
	return calloc(1, sizeof(struct kr_json_stream));
}

static void free_frags(struct cap_frag *f, int n)
{
	for (int i = 0; i < n; i++)
		free(f[i].text);
	free(f);
}

void kr_json_stream_free(struct kr_json_stream *js)
{
	if (!js)
		return;
	free_frags(js->frags, js->nfrags);
	kr_map_free(&js->by_slot);
	free(js->buf);
	free(js);
}

static int put(struct kr_json_stream *js, const char *p, size_t n)
{
	if (js->len + n + 1 > js->cap) {
		size_t cap = js->cap ? js->cap : 1 << 16;
		while (js->len + n + 1 > cap)
			cap *= 2;
		char *b = realloc(js->buf, cap);
		if (!b)
			return KR_ENOMEM;
		js->buf = b;
		js->cap = cap;
	}
	memcpy(js->buf + js->len, p, n);
	js->len += n;
	js->buf[js->len] = 0;
	return 0;
}

/* This snapshot's caps as fragments, reusing the last line's where the
 * view is the same. */
static int update_frags(struct kr_json_stream *js, const struct kr_snapshot *s)
{
	struct cap_frag *nf = calloc((size_t)s->ncaps + 1, sizeof(*nf));
	struct kr_map nm;
	if (!nf || kr_map_init(&nm, (size_t)s->ncaps + 1)) {
		free(nf);
		return KR_ENOMEM;
	}
	for (int i = 0; i < s->ncaps; i++) {
		struct cap_frag *f = &nf[i];
		cap_view_of(&s->caps[i], &f->v);
		int j = kr_map_get(&js->by_slot, f->v.slot_addr);
		if (j >= 0 && js->frags[j].text && !memcmp(&js->frags[j].v, &f->v, sizeof(f->v))) {
			f->text = js->frags[j].text;
			f->len = js->frags[j].len;
			js->frags[j].text = NULL;
		} else {
			json_t *o = cap_json(&f->v);
			f->text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
			json_decref(o);
			if (!f->text) {
				free_frags(nf, i);
				kr_map_free(&nm);
				return KR_ENOMEM;
			}
			f->len = strlen(f->text);
		}
		if (kr_map_put(&nm, f->v.slot_addr, i) < 0) {
			free_frags(nf, i + 1);
			kr_map_free(&nm);
			return KR_ENOMEM;
		}
	}
	free_frags(js->frags, js->nfrags);
	kr_map_free(&js->by_slot);
	js->frags = nf;
	js->nfrags = s->ncaps;
	js->by_slot = nm;
	return 0;
}

const char *kr_json_stream_line(struct kr_json_stream *js, const struct kr_snapshot *s,
				void *extra, size_t *len)
{
	json_t *root = snapshot_json(s, false);
	if (!root)
		return NULL;
	if (extra && json_object_update(root, extra)) {
		json_decref(root);
		return NULL;
	}
	char *head = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!head)
		return NULL;
	/* head is "{...}": the caps go in before its closing brace. */
	size_t hl = strlen(head);
	js->len = 0;
	int rc = update_frags(js, s) || put(js, head, hl - 1) || put(js, ",\"caps\":[", 9);
	free(head);
	for (int i = 0; i < js->nfrags && !rc; i++)
		rc = (i && put(js, ",", 1)) || put(js, js->frags[i].text, js->frags[i].len);
	if (rc || put(js, "]}\n", 3))
		return NULL;
	*len = js->len;
	return js->buf;
}
