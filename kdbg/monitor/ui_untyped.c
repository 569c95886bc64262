/*
 * ui_untyped.c - view 6: every untyped cap (holder:slot, physical base,
 * size) with a bar of how much of it has been retyped (the watermark).
 */
#include "ui.h"
#include <stdio.h>
#include <stdlib.h>

static int items(struct app *a, uint64_t **keys)
{
	int n = a->snap->nuntyped;

	*keys = malloc((n ? n : 1) * sizeof(uint64_t));
	if (!*keys)
		return 0;
	for (int i = 0; i < n; i++)
		(*keys)[i] = a->snap->untyped[i].slot_addr;
	return n;
}

static void draw(struct app *a, int y, int h, int w)
{
	const struct kr_snapshot *s = a->snap;
	uint64_t *keys = NULL, total = 0, used = 0;
	int n = items(a, &keys), rows = h - 3, sel, barw = w - 66;

	if (!keys)
		return;
	for (int i = 0; i < n; i++) {
		total += 1ull << s->untyped[i].size_bits;
		used += s->untyped[i].watermark;
	}
	if (rows < 1)
		rows = 1;
	if (barw < 6)
		barw = 6;
	sel = ui_list_pos(a, VIEW_UNTYPED, keys, n, rows);
	ui_title(a, y, w, "untyped %d   %.1f MiB retyped of %.1f MiB", n, used / 1048576.0,
		 total / 1048576.0);
	ui_put(y + 1, 0, w, ui_attr(a, C_DIM), " %-24s %-14s %6s %9s %5s  %s", "HOLDER:SLOT", "BASE",
	       "SIZE", "USED", "%", "WATERMARK");
	for (int r = 0; r < rows && a->ui.top[VIEW_UNTYPED] + r < n; r++) {
		int k = a->ui.top[VIEW_UNTYPED] + r, ry = y + 2 + r;
		const struct kr_untyped *u = &s->untyped[k];
		uint64_t size = 1ull << u->size_bits;
		double frac = size ? (double)u->watermark / size : 0;
		char where[96], sz[16], wm[16], bar[512];

		snprintf(where, sizeof(where), "%s:%u", u->holder_label, u->slot);
		bar_render(frac, barw, a->utf8, bar, sizeof(bar));
		ui_put(ry, 0, w, A_NORMAL, " %-24.24s %#-14llx %6s %9s %4.0f%%", where,
		       (unsigned long long)u->base, fmt_size(size, sz, sizeof(sz)),
		       fmt_size(u->watermark, wm, sizeof(wm)), frac * 100);
		ui_put(ry, 65, barw, u->device ? ui_attr(a, C_DIM) : ui_attr(a, C_SPARK), "%s", bar);
		if (u->device && 65 + barw + 1 < w)
			ui_put(ry, 66 + barw, w - 66 - barw, ui_attr(a, C_DIM), "dev");
		if (k == sel)
			ui_select_row(a, ry, w);
	}
	if (!n)
		ui_put(y + 3, 2, w - 2, ui_attr(a, C_DIM), "no untyped caps");
	ui_put(y + h - 1, 0, w, ui_attr(a, C_DIM), " bar: bytes retyped from the base (the watermark)");
	free(keys);
}

const struct view view_untyped = { .name = "untyped", .items = items, .draw = draw };
