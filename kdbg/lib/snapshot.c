/*
 * snapshot.c - take a consistent copy of kernel state.
 *
 * Order: kernel_debug (seq, ready) first; then the globals (sched,
 * object_lists, the log); then every object on every list, each with one
 * read (a CPool: its header, then its whole slot table in one more);
 * then seq is read again, and decode.c turns the copies into the snapshot.
 * A changed or odd seq throws everything away as KR_TORN, so half-done
 * kernel updates are never reported as corruption.
 *
 * Every pointer followed is checked (8-aligned, a kernel address, inside
 * RAM for the whole object) and every list walk is bounded by its count
 * and by a visited set; what does not make sense becomes a problem
 * string, never a crash.
 */
#include "snap.h"

#include <stdio.h>
#include <stdlib.h>

void snap_problem(struct snap_ctx *c, const char *fmt, ...)
{
	if (c->problems.n >= KR_MAX_PROBLEMS)
		return;
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	char **slot = kr_vec_push(&c->problems);
	if (!slot || !(*slot = strdup(buf))) {
		if (slot)
			c->problems.n--;
		c->rc = KR_ENOMEM;
	}
}

void snap_name(char *dst, size_t dstlen, const uint8_t *src, size_t srclen)
{
	size_t n = 0;
	for (; n + 1 < dstlen && n < srclen && src[n]; n++)
		dst[n] = (src[n] >= 0x20 && src[n] < 0x7f) ? (char)src[n] : '?';
	dst[n] = 0;
}

const struct obj_rec *snap_obj(const struct snap_ctx *c, uint64_t addr, int type)
{
	int i = kr_map_get(&c->by_addr, addr);
	if (i < 0 || c->objs[i].type != type || c->objs[i].bad)
		return NULL;
	return &c->objs[i];
}

/* Copy [va, va+len) of kernel memory into scratch; NULL with a problem
 * (bad pointer) or c->rc set (the source failed). */
static const uint8_t *copy_al(struct snap_ctx *c, uint64_t va, uint64_t len, const char *what,
			      uint64_t align)
{
	uint64_t pa;
	if (va % align) {
		snap_problem(c, "%s pointer %#lx misaligned", what, (unsigned long)va);
		return NULL;
	}
	if (!kr_virt_to_phys(c->r, va, &pa) || !kr_mem_contains(c->r->mem, pa, len)) {
		snap_problem(c, "%s pointer %#lx is outside RAM", what, (unsigned long)va);
		return NULL;
	}
	uint8_t *buf = kr_scratch(c->r, len);
	if (!buf) {
		c->rc = KR_ENOMEM;
		return NULL;
	}
	int rc = kr_mem_read_phys(c->r->mem, pa, buf, len);
	if (rc) {
		kr_seterr(c->r, "reading %s at %#lx: %s", what, (unsigned long)va,
			  kr_mem_error(c->r->mem));
		c->rc = rc;
		return NULL;
	}
	return buf;
}

/* Structures are 8-aligned: a pointer that is not is corrupt. */
static const uint8_t *copy(struct snap_ctx *c, uint64_t va, uint64_t len, const char *what)
{
	return copy_al(c, va, len, what, 8);
}

/* Bytes to copy for an object found on list `type`. */
static uint64_t object_bytes(const struct kr_layout *L, int type)
{
	switch (type) {
	case CAIRN_OBJ_CPOOL: return (uint64_t)L->cpool.slots.off;
	case CAIRN_OBJ_TASK: return L->task.size;
	case CAIRN_OBJ_CHANNEL: return L->chan.size;
	case CAIRN_OBJ_NOTIFICATION: return L->ntfn.size;
	case CAIRN_OBJ_IRQ_HANDLER: return L->irqh.size;
	case CAIRN_OBJ_IRQ_CONTROL: return L->irq_control_size;
	case CAIRN_OBJ_IO_PORT: return L->ioport.size ? L->ioport.size : L->obj.size;
	default: return L->obj.size;
	}
}

static struct obj_rec *new_rec(struct snap_ctx *c)
{
	if (c->nobjs == c->objs_cap) {
		int cap = c->objs_cap ? c->objs_cap * 2 : 64;
		struct obj_rec *p = realloc(c->objs, sizeof(*p) * (size_t)cap);
		if (!p) {
			c->rc = KR_ENOMEM;
			return NULL;
		}
		c->objs = p;
		c->objs_cap = cap;
	}
	struct obj_rec *o = &c->objs[c->nobjs];
	memset(o, 0, sizeof(*o));
	return o;
}

/* A CPool's slot table, after its header: radix checked, one read. */
static void read_pool_slots(struct snap_ctx *c, struct obj_rec *o)
{
	const struct kr_layout *L = c->L;
	uint64_t radix = kr_get(o->buf, &L->cpool.radix);
	if (radix > KR_MAX_RADIX) {
		snap_problem(c, "cpool %#lx: radix %lu (at most %d)", (unsigned long)o->addr,
			     (unsigned long)radix, KR_MAX_RADIX);
		o->bad = true;
		return;
	}
	o->radix = (unsigned)radix;
	o->slots = copy(c, o->addr + (uint64_t)L->cpool.slots.off,
			(L->slot.size << radix), "cpool slots");
	if (!o->slots)
		o->bad = true;
}

/* Walk object_lists[type], copying each object once. */
static void walk_list(struct snap_ctx *c, int type)
{
	const struct kr_layout *L = c->L;
	const uint8_t *ol = c->olists + (uint64_t)type * L->olist.size;
	uint64_t head = kr_get(ol, &L->olist.head), tail = kr_get(ol, &L->olist.tail);
	uint64_t count = kr_get(ol, &L->olist.count);
	uint64_t limit = count < KR_MAX_OBJECTS ? count : KR_MAX_OBJECTS;
	uint64_t bytes = object_bytes(L, type);
	const char *tn = cairn_obj_type_name(type);
	uint64_t a = head, prev = 0, n = 0;
	int nprob = (int)c->problems.n;

	c->first[type] = c->nobjs;
	while (a && !c->rc) {
		if (n >= limit) {
			snap_problem(c, "list %s: walk passes its count %lu", tn, (unsigned long)count);
			break;
		}
		int seen = kr_map_get(&c->by_addr, a);
		if (seen >= 0) {
			snap_problem(c, "list %s: cycle at %#lx%s", tn, (unsigned long)a,
				     c->objs[seen].type != type ? " (an object of another list)" : "");
			break;
		}
		char what[40];
		kr_fmt(what, sizeof(what), "list %s: object", tn);
		const uint8_t *buf = copy(c, a, bytes, what);
		if (!buf)
			break;
		struct obj_rec *o = new_rec(c);
		if (!o)
			break;
		o->addr = a;
		o->type = type;
		o->buf = buf;
		snap_name(o->name, sizeof(o->name), buf + L->obj.name.off, L->obj.name.count);
		uint64_t t = kr_get(buf, &L->obj.type), st = kr_get(buf, &L->obj.state);
		uint64_t p = kr_get(buf, &L->obj.prev);
		if (p != prev)
			snap_problem(c, "list %s: object %#lx has prev %#lx, expected %#lx", tn,
				     (unsigned long)a, (unsigned long)p, (unsigned long)prev);
		if (t != (uint64_t)type || st != L->object_live) {
			snap_problem(c, "list %s: object %#lx has type %lu state %lu", tn,
				     (unsigned long)a, (unsigned long)t, (unsigned long)st);
			/* Do not decode a body of another layout as this type. */
			o->bad = t != (uint64_t)type;
		}
		if (kr_map_put(&c->by_addr, a, c->nobjs) < 0) {
			c->rc = KR_ENOMEM;
			break;
		}
		c->nobjs++;
		if (type == CAIRN_OBJ_CPOOL && !o->bad)
			read_pool_slots(c, o);
		n++;
		prev = a;
		a = kr_get(buf, &L->obj.next);
	}
	c->count[type] = c->nobjs - c->first[type];
	if ((int)c->problems.n == nprob && !c->rc && (n != count || tail != prev))
		snap_problem(c, "list %s: %lu objects linked, count %lu, tail %s", tn,
			     (unsigned long)n, (unsigned long)count, tail == prev ? "ok" : "wrong");
}

static void read_log(struct snap_ctx *c)
{
	const struct kr_layout *L = c->L;
	uint64_t base = c->r->elf->sym_kernel_log;
	const uint8_t *h = copy(c, base, (uint64_t)L->log.buf_off, "kernel_log");
	if (!h)
		return;
	uint64_t head = kr_get(h, &L->log.head), size = kr_get(h, &L->log.size);
	if (!size || (size & (size - 1)) || size > (1u << 26)) {
		snap_problem(c, "kernel_log.size %lu is not a power of two", (unsigned long)size);
		return;
	}
	uint64_t n = head < size ? head : size;
	if (n > c->opts.log_max)
		n = c->opts.log_max;
	char *out = malloc(n + 1);
	if (!out) {
		c->rc = KR_ENOMEM;
		return;
	}
	/* At most two reads: the ring's tail part and its wrapped start. */
	uint64_t start = (head - n) % size, got = 0;
	while (got < n) {
		uint64_t chunk = size - start < n - got ? size - start : n - got;
		const uint8_t *p = copy_al(c, base + (uint64_t)L->log.buf_off + start, chunk,
					   "kernel_log.buf", 1);
		if (!p) {
			free(out);
			return;
		}
		for (uint64_t i = 0; i < chunk; i++) {
			uint8_t ch = p[i];
			out[got + i] = (ch == '\n' || ch == '\t' || (ch >= 0x20 && ch < 0x7f)) ? (char)ch : '?';
		}
		got += chunk;
		start = 0;
	}
	out[n] = 0;
	c->s->log = out;
	c->s->log_len = n;
}

static int cmp_idx(const void *a, const void *b)
{
	const struct kr_idx *x = a, *y = b;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/* Read kernel_debug in one go; sets seq and the kernel fields. */
static int read_debug(struct snap_ctx *c, uint64_t *seq)
{
	const struct kr_layout *L = c->L;
	struct kr_snapshot *s = c->s;
	*seq = 0;
	if (!L->dbg.present || !c->r->elf->sym_kernel_debug)
		return 0;
	const uint8_t *d = copy(c, c->r->elf->sym_kernel_debug, L->dbg.size, "kernel_debug");
	if (!d)
		return c->rc ? c->rc : KR_EIO;
	*seq = kr_get(d, &L->dbg.seq);
	if (c->opts.check_seq && (*seq & 1)) {
		kr_seterr(c->r, "kernel busy (seq %lu odd)", (unsigned long)*seq);
		return KR_TORN;
	}
	if (L->dbg.ready.ok && !kr_get(d, &L->dbg.ready)) {
		kr_seterr(c->r, "kernel not initialised yet");
		return KR_ENOTREADY;
	}
	s->seq = *seq;
	s->ticks = kr_get(d, &L->dbg.ticks);
	s->idle_ticks = kr_get(d, &L->dbg.idle_ticks);
	s->panicked = kr_get(d, &L->dbg.panicked) != 0;
	if (L->dbg.panic_msg.ok)
		snap_name(s->panic_msg, sizeof(s->panic_msg), d + L->dbg.panic_msg.off,
			  L->dbg.panic_msg.count);
	return 0;
}

static void ctx_free(struct snap_ctx *c)
{
	free(c->objs);
	free(c->task_mark);
	kr_map_free(&c->by_addr);
	for (size_t i = 0; i < c->problems.n; i++)
		free(((char **)c->problems.data)[i]);
	kr_vec_free(&c->problems);
}

int kr_snapshot_read(struct kr_reader *r, const struct kr_snapshot_opts *opts,
		     struct kr_snapshot **out)
{
	*out = NULL;
	if (!r->mem) {
		kr_seterr(r, "no memory source");
		return KR_EINVAL;
	}
	struct snap_ctx c = { .r = r, .L = &r->elf->L };
	c.opts = opts ? *opts : (struct kr_snapshot_opts){ .caps = true, .check_seq = true };
	c.problems.elem = sizeof(char *);
	uint64_t bytes0, calls0;
	kr_mem_stats(r->mem, &bytes0, &calls0);
	kr_scratch_reset(r);
	r->err[0] = 0;

	c.sp = calloc(1, sizeof(*c.sp));
	if (!c.sp || kr_map_init(&c.by_addr, 256)) {
		free(c.sp);
		return KR_ENOMEM;
	}
	c.s = &c.sp->pub;
	c.s->arch = r->elf->arch;

	uint64_t seq0, seq1;
	int rc = read_debug(&c, &seq0);
	if (rc)
		goto fail;

	const struct kr_layout *L = c.L;
	c.sched = copy(&c, r->elf->sym_sched, L->sched.size, "sched");
	c.olists = copy(&c, r->elf->sym_object_lists, L->olist.size * L->olist_count,
			"object_lists");
	if (!c.sched || !c.olists) {
		rc = c.rc ? c.rc : KR_EIO;
		goto fail;
	}
	c.s->switches = kr_get(c.sched, &L->sched.switches);
	c.s->current = kr_get(c.sched, &L->sched.current);
	if (r->elf->sym_console_input && L->console_waiters_off >= 0)
		c.console_queue = r->elf->sym_console_input + (uint64_t)L->console_waiters_off;

	int ntypes = L->olist_count < CAIRN_OBJ_TYPE_COUNT ? (int)L->olist_count
							   : CAIRN_OBJ_TYPE_COUNT;
	for (int t = 0; t < ntypes && !c.rc; t++)
		walk_list(&c, t);
	if (c.opts.log_max && !c.rc)
		read_log(&c);
	if (c.rc) {
		rc = c.rc;
		goto fail;
	}

	/* The seqlock's second half, as soon as the last copy is taken (decode
	 * reads only the copies, so the window the kernel must stay out of is
	 * the copying alone): anything the kernel changed meanwhile invalidates
	 * the whole copy (and any "problem" found in it). */
	if (c.opts.check_seq && L->dbg.present) {
		if ((rc = kr_read_seq(r, &seq1)))
			goto fail;
		if (seq1 != seq0) {
			kr_seterr(r, "kernel changed state during the read (seq %lu -> %lu)",
				  (unsigned long)seq0, (unsigned long)seq1);
			rc = KR_TORN;
			goto fail;
		}
	}
	if ((rc = snap_decode(&c)))
		goto fail;

	c.s->problems = c.problems.data;
	c.s->nproblems = (int)c.problems.n;
	c.problems.data = NULL;
	c.problems.n = 0;
	uint64_t bytes1, calls1;
	kr_mem_stats(r->mem, &bytes1, &calls1);
	c.s->bytes_read = bytes1 - bytes0;
	c.s->read_calls = calls1 - calls0;

	/* Sorted indexes for the kr_snap_* lookups. */
	struct kr_snap_priv *sp = c.sp;
	sp->task_idx = malloc(sizeof(struct kr_idx) * (size_t)(c.s->ntasks + 1));
	sp->chan_idx = malloc(sizeof(struct kr_idx) * (size_t)(c.s->nchannels + 1));
	sp->cap_idx = malloc(sizeof(struct kr_idx) * (size_t)(c.s->ncaps + 1));
	if (!sp->task_idx || !sp->chan_idx || !sp->cap_idx) {
		rc = KR_ENOMEM;
		goto fail;
	}
	for (int i = 0; i < c.s->ntasks; i++)
		sp->task_idx[i] = (struct kr_idx){ c.s->tasks[i].addr, i };
	for (int i = 0; i < c.s->nchannels; i++)
		sp->chan_idx[i] = (struct kr_idx){ c.s->channels[i].addr, i };
	for (int i = 0; i < c.s->ncaps; i++)
		sp->cap_idx[i] = (struct kr_idx){ c.s->caps[i].slot_addr, i };
	sp->ntask_idx = c.s->ntasks;
	sp->nchan_idx = c.s->nchannels;
	sp->ncap_idx = c.s->ncaps;
	qsort(sp->task_idx, (size_t)sp->ntask_idx, sizeof(struct kr_idx), cmp_idx);
	qsort(sp->chan_idx, (size_t)sp->nchan_idx, sizeof(struct kr_idx), cmp_idx);
	qsort(sp->cap_idx, (size_t)sp->ncap_idx, sizeof(struct kr_idx), cmp_idx);

	ctx_free(&c);
	*out = c.s;
	return KR_OK;
fail:
	if (rc == KR_ENOMEM && !r->err[0])
		kr_seterr(r, "out of memory");
	if (rc == KR_EIO && !r->err[0])
		kr_seterr(r, "%s", kr_mem_error(r->mem));
	ctx_free(&c);
	kr_snapshot_free(c.s);
	return rc;
}

void kr_snapshot_free(struct kr_snapshot *s)
{
	if (!s)
		return;
	struct kr_snap_priv *sp = (struct kr_snap_priv *)s;
	for (int i = 0; i < s->nchannels; i++) {
		free(s->channels[i].msgs);
		free(s->channels[i].senders);
		free(s->channels[i].receivers);
	}
	for (int i = 0; i < s->nnotifications; i++)
		free(s->notifications[i].waiters);
	for (int i = 0; i < s->nproblems; i++)
		free(s->problems[i]);
	free(s->problems);
	free(s->tasks);
	free(s->pools);
	free(s->caps);
	free(s->channels);
	free(s->notifications);
	free(s->untyped);
	free(s->log);
	free(sp->task_idx);
	free(sp->chan_idx);
	free(sp->cap_idx);
	free(sp);
}

static int find_idx(const struct kr_idx *idx, int n, uint64_t addr)
{
	int lo = 0, hi = n;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (idx[mid].addr < addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && idx[lo].addr == addr ? idx[lo].i : -1;
}

const struct kr_task *kr_snap_task(const struct kr_snapshot *s, uint64_t addr)
{
	const struct kr_snap_priv *sp = (const struct kr_snap_priv *)s;
	int i = find_idx(sp->task_idx, sp->ntask_idx, addr);
	return i < 0 ? NULL : &s->tasks[i];
}

const struct kr_task *kr_snap_task_named(const struct kr_snapshot *s, const char *name)
{
	for (int i = 0; i < s->ntasks; i++)
		if (strcmp(s->tasks[i].name, name) == 0)
			return &s->tasks[i];
	return NULL;
}

const struct kr_channel *kr_snap_channel(const struct kr_snapshot *s, uint64_t addr)
{
	const struct kr_snap_priv *sp = (const struct kr_snap_priv *)s;
	int i = find_idx(sp->chan_idx, sp->nchan_idx, addr);
	return i < 0 ? NULL : &s->channels[i];
}

const struct kr_cap *kr_snap_cap_at(const struct kr_snapshot *s, uint64_t slot_addr)
{
	const struct kr_snap_priv *sp = (const struct kr_snap_priv *)s;
	int i = find_idx(sp->cap_idx, sp->ncap_idx, slot_addr);
	return i < 0 ? NULL : &s->caps[i];
}

void kr_rights_string(unsigned rights, char out[8])
{
	static const char letters[] = "rwgG";
	for (int i = 0; i < 4; i++)
		out[i] = (rights & (1u << i)) ? letters[i] : '-';
	out[4] = 0;
}
