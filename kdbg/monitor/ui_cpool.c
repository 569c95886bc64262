/*
 * ui_cpool.c - view 3: one CPool slot by slot (the selected task's root
 * pool, or any pool chosen with [ and ]): type, rights, badge, object and
 * a one-line summary. Enter shows the derivation tree below a cap.
 */
#include "ui.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DETAIL_ROWS 3

/* The pool shown: the one chosen, else the selected task's, else the first. */
static const struct kr_pool *current_pool(struct app *a)
{
	const struct kr_snapshot *s = a->snap;
	int ti;

	for (int p = 0; p < s->npools; p++)
		if (a->ui.pool && s->pools[p].addr == a->ui.pool)
			return &s->pools[p];
	ti = task_index(a, a->ui.sel[VIEW_TASKS]);
	if (ti < 0 && s->ntasks)
		ti = 0;
	for (int p = 0; ti >= 0 && p < s->npools; p++)
		if (s->pools[p].addr == s->tasks[ti].cpool)
			return &s->pools[p];
	return s->npools ? &s->pools[0] : NULL;
}

static bool cap_matches(const struct app *a, const struct kr_cap *c)
{
	const char *f = a->ui.filter[VIEW_CPOOL];

	return name_matches(f, c->type_name ? c->type_name : "") || name_matches(f, c->summary);
}

static int caps_of(struct app *a, const struct kr_pool *p, int **out)
{
	const struct kr_snapshot *s = a->snap;
	int n = 0, *idx = malloc((p && p->ncaps ? p->ncaps : 1) * sizeof(int));

	*out = idx;
	if (!idx || !p)
		return 0;
	for (int c = p->first_cap; c < p->first_cap + p->ncaps && c < s->ncaps; c++)
		if (cap_matches(a, &s->caps[c]))
			idx[n++] = c;
	return n;
}

static int items(struct app *a, uint64_t **keys)
{
	int *idx, n = caps_of(a, current_pool(a), &idx);

	*keys = malloc((n ? n : 1) * sizeof(uint64_t));
	if (!*keys)
		n = 0;
	for (int i = 0; i < n; i++)
		(*keys)[i] = a->snap->caps[idx[i]].slot_addr;
	free(idx);
	return n;
}

static int children(const struct kr_snapshot *s, uint64_t slot)
{
	int n = 0;

	for (int c = 0; c < s->ncaps; c++)
		n += s->caps[c].parent == slot;
	return n;
}

static void draw(struct app *a, int y, int h, int w)
{
	const struct kr_snapshot *s = a->snap;
	const struct kr_pool *p = current_pool(a);
	int *idx, n = caps_of(a, p, &idx), rows = h - 2 - DETAIL_ROWS, sel;
	uint64_t *keys = malloc((n ? n : 1) * sizeof(uint64_t));

	if (!idx || !keys) {
		free(idx);
		free(keys);
		return;
	}
	if (!p) {
		ui_put(y + 1, 2, w - 2, ui_attr(a, C_DIM), "no CPools in this snapshot");
		free(idx);
		free(keys);
		return;
	}
	for (int i = 0; i < n; i++)
		keys[i] = s->caps[idx[i]].slot_addr;
	if (rows < 1)
		rows = 1;
	sel = ui_list_pos(a, VIEW_CPOOL, keys, n, rows);
	ui_title(a, y, w, "cpool %s  %u/%u used   [ ] other pool   filter: %s (/)   Enter: CDT",
		 p->label, p->used, 1u << p->radix_bits,
		 a->ui.filter[VIEW_CPOOL][0] ? a->ui.filter[VIEW_CPOOL] : "-");
	ui_put(y + 1, 0, w, ui_attr(a, C_DIM), " %5s %-14s %-4s %-10s %-18s %s", "SLOT", "TYPE",
	       "RGHT", "BADGE", "OBJECT", "SUMMARY");
	for (int r = 0; r < rows && a->ui.top[VIEW_CPOOL] + r < n; r++) {
		int k = a->ui.top[VIEW_CPOOL] + r, ry = y + 2 + r;
		const struct kr_cap *c = &s->caps[idx[k]];
		char rights[8], badge[24] = "-";

		kr_rights_string(c->rights, rights);
		if (c->badged)
			snprintf(badge, sizeof(badge), "%#llx", (unsigned long long)c->badge);
		ui_put(ry, 0, w, A_NORMAL, " %5u %-14.14s %-4s %-10.10s %#-18llx %s", c->slot,
		       c->type_name ? c->type_name : "?", rights, badge,
		       (unsigned long long)c->object, c->summary);
		if (k == sel)
			ui_select_row(a, ry, w);
	}
	if (sel >= 0) {
		const struct kr_cap *c = &s->caps[idx[sel]];
		const struct kr_cap *parent = c->parent ? kr_snap_cap_at(s, c->parent) : NULL;
		int yd = y + h - DETAIL_ROWS;

		ui_title(a, yd, w, "%s:%u  slot %#llx", c->holder_label, c->slot,
			 (unsigned long long)c->slot_addr);
		if (parent)
			ui_put(yd + 1, 0, w, A_NORMAL, " derived from %s:%u (%s)   %d children",
			       parent->holder_label, parent->slot,
			       parent->type_name ? parent->type_name : "?", children(s, c->slot_addr));
		else
			ui_put(yd + 1, 0, w, A_NORMAL, " %s   %d children",
			       c->parent ? "parent not in the snapshot" : "original (no CDT parent)",
			       children(s, c->slot_addr));
		ui_put(yd + 2, 0, w, ui_attr(a, C_DIM), " data %#llx  bits %u", (unsigned long long)c->data,
		       c->bits);
	} else {
		ui_put(y + 3, 2, w - 2, ui_attr(a, C_DIM), "%s",
		       p->ncaps ? "no cap matches the filter" : "empty pool");
	}
	free(idx);
	free(keys);
}

static bool key(struct app *a, int ch)
{
	const struct kr_snapshot *s = a->snap;
	const struct kr_pool *p = current_pool(a);

	switch (ch) {
	case '[': case ']': {
		int i = p ? (int)(p - s->pools) : 0;

		if (!s->npools)
			return true;
		i = (i + (ch == ']' ? 1 : s->npools - 1)) % s->npools;
		a->ui.pool = s->pools[i].addr;
		a->ui.top[VIEW_CPOOL] = 0;
		a->ui.sel[VIEW_CPOOL] = 0;
		return true;
	}
	case '\n': case '\r': case KEY_ENTER:
		if (!kr_snap_cap_at(s, a->ui.sel[VIEW_CPOOL]))
			return true;
		a->ui.cdt_root = a->ui.sel[VIEW_CPOOL];
		a->ui.sel[VIEW_CDT] = a->ui.cdt_root;
		a->ui.top[VIEW_CDT] = 0;
		ui_push_view(a, VIEW_CDT);
		return true;
	}
	return false;
}

const struct view view_cpool = { .name = "cpool", .items = items, .draw = draw, .key = key };
