/*
 * ui_cdt.c - view 4: the capability derivation tree below one cap,
 * drawn with ├─ └─. A cap's children are the caps whose parent is its
 * slot address; the lines come from one sort of the caps by parent, so
 * 1,000 caps cost a qsort, not a scan per node.
 */
#include "ui.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 24
#define PREFIX_LEN (MAX_DEPTH * 6 + 8)

struct line {
	int cap;                 /* index in snap->caps */
	char prefix[PREFIX_LEN]; /* tree glyphs */
};

struct tree {
	const struct kr_snapshot *s;
	int *by_parent;          /* cap indices sorted by parent */
	struct line *lines;
	int n, max;
	char *seen;              /* a corrupt CDT could loop */
};

static const struct kr_snapshot *cmp_snap;

static int cmp_parent(const void *x, const void *y)
{
	const struct kr_cap *p = &cmp_snap->caps[*(const int *)x], *q = &cmp_snap->caps[*(const int *)y];

	if (p->parent != q->parent)
		return p->parent < q->parent ? -1 : 1;
	return p->slot_addr < q->slot_addr ? -1 : p->slot_addr > q->slot_addr;
}

/* First index in by_parent whose cap has this parent. */
static int first_child(const struct tree *t, uint64_t parent)
{
	int lo = 0, hi = t->s->ncaps;

	while (lo < hi) {
		int mid = (lo + hi) / 2;

		if (t->s->caps[t->by_parent[mid]].parent < parent)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void walk(const struct app *a, struct tree *t, int cap, const char *prefix, bool last,
		 int depth)
{
	struct line *l;
	char child_prefix[PREFIX_LEN];
	int first, end;

	if (t->n >= t->max || t->seen[cap])
		return;
	t->seen[cap] = 1;
	l = &t->lines[t->n++];
	l->cap = cap;
	if (depth == 0)
		l->prefix[0] = '\0';
	else
		snprintf(l->prefix, sizeof(l->prefix), "%s%s", prefix,
			 last ? glyph_elbow(a) : glyph_tee(a));
	if (depth >= MAX_DEPTH)
		return;
	snprintf(child_prefix, sizeof(child_prefix), "%s%s", prefix,
		 depth == 0 ? "" : last ? "   " : glyph_pipe(a));
	first = first_child(t, t->s->caps[cap].slot_addr);
	for (end = first; end < t->s->ncaps &&
	     t->s->caps[t->by_parent[end]].parent == t->s->caps[cap].slot_addr; end++)
		;
	for (int i = first; i < end; i++)
		walk(a, t, t->by_parent[i], child_prefix, i == end - 1, depth + 1);
}

/* The lines of the tree below the root (empty if the root is gone). */
static int build(struct app *a, struct tree *t)
{
	const struct kr_snapshot *s = a->snap;
	const struct kr_cap *root = kr_snap_cap_at(s, a->ui.cdt_root);

	memset(t, 0, sizeof(*t));
	t->s = s;
	if (!root || !s->ncaps)
		return 0;
	t->by_parent = malloc(s->ncaps * sizeof(int));
	t->lines = malloc(s->ncaps * sizeof(struct line));
	t->seen = calloc(s->ncaps, 1);
	if (!t->by_parent || !t->lines || !t->seen)
		return 0;
	for (int i = 0; i < s->ncaps; i++)
		t->by_parent[i] = i;
	cmp_snap = s;
	qsort(t->by_parent, s->ncaps, sizeof(int), cmp_parent);
	t->max = s->ncaps;
	walk(a, t, (int)(root - s->caps), "", true, 0);
	return t->n;
}

static void tree_free(struct tree *t)
{
	free(t->by_parent);
	free(t->lines);
	free(t->seen);
}

static int items(struct app *a, uint64_t **keys)
{
	struct tree t;
	int n = build(a, &t);

	*keys = malloc((n ? n : 1) * sizeof(uint64_t));
	if (!*keys)
		n = 0;
	for (int i = 0; i < n; i++)
		(*keys)[i] = a->snap->caps[t.lines[i].cap].slot_addr;
	tree_free(&t);
	return n;
}

static void draw(struct app *a, int y, int h, int w)
{
	const struct kr_snapshot *s = a->snap;
	struct tree t;
	int n = build(a, &t), rows = h - 2, sel, depth = 0;
	uint64_t *keys = malloc((n ? n : 1) * sizeof(uint64_t));
	const struct kr_cap *root = kr_snap_cap_at(s, a->ui.cdt_root), *up;
	char path[512] = "";

	if (!keys || !n) {
		ui_title(a, y, w, "cdt");
		ui_put(y + 2, 2, w - 2, ui_attr(a, C_DIM), "%s",
		       a->ui.cdt_root ? "the cap is gone (deleted or revoked)"
				      : "choose a cap in the cpool view (3) and press Enter");
		free(keys);
		tree_free(&t);
		return;
	}
	for (int i = 0; i < n; i++)
		keys[i] = s->caps[t.lines[i].cap].slot_addr;
	/* Where the root came from, nearest first. */
	for (up = root->parent ? kr_snap_cap_at(s, root->parent) : NULL; up && depth < 8;
	     up = up->parent ? kr_snap_cap_at(s, up->parent) : NULL, depth++) {
		size_t l = strlen(path);

		snprintf(path + l, sizeof(path) - l, " < %s:%u", up->holder_label, up->slot);
	}
	ui_title(a, y, w, "cdt below %s:%u (%d caps)   Enter: re-root  u: up   from%s", root->holder_label,
		 root->slot, n, path[0] ? path : " nothing (original)");
	if (rows < 1)
		rows = 1;
	sel = ui_list_pos(a, VIEW_CDT, keys, n, rows);
	for (int r = 0; r < rows && a->ui.top[VIEW_CDT] + r < n; r++) {
		int k = a->ui.top[VIEW_CDT] + r, ry = y + 1 + r;
		const struct kr_cap *c = &s->caps[t.lines[k].cap];
		char rights[8], holder[80];

		kr_rights_string(c->rights, rights);
		snprintf(holder, sizeof(holder), "%s:%u", c->holder_label, c->slot);
		ui_put(ry, 0, w, A_NORMAL, " %s%s %s %s %#llx  %s", t.lines[k].prefix, holder,
		       c->type_name ? c->type_name : "?", rights, (unsigned long long)c->object,
		       c->summary);
		if (k == sel)
			ui_select_row(a, ry, w);
	}
	ui_put(y + h - 1, 0, w, ui_attr(a, C_DIM), " holder:slot type rights object summary");
	free(keys);
	tree_free(&t);
}

static bool key(struct app *a, int ch)
{
	const struct kr_cap *c;

	switch (ch) {
	case '\n': case '\r': case KEY_ENTER:
		if (kr_snap_cap_at(a->snap, a->ui.sel[VIEW_CDT]))
			a->ui.cdt_root = a->ui.sel[VIEW_CDT];
		a->ui.top[VIEW_CDT] = 0;
		return true;
	case 'u':
		c = kr_snap_cap_at(a->snap, a->ui.cdt_root);
		if (c && c->parent && kr_snap_cap_at(a->snap, c->parent)) {
			a->ui.sel[VIEW_CDT] = a->ui.cdt_root;
			a->ui.cdt_root = c->parent;
		} else {
			ui_note(a, "this cap is an original: no parent");
		}
		return true;
	}
	return false;
}

const struct view view_cdt = { .name = "cdt", .items = items, .draw = draw, .key = key };
