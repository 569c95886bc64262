/*
 * ui_log.c - view 7: the tail of the kernel log as the snapshot copied it,
 * newest at the bottom; arrows and PgUp/PgDn scroll back.
 */
#include "ui.h"
#include <stdlib.h>
#include <string.h>

static void draw(struct app *a, int y, int h, int w)
{
	const struct kr_snapshot *s = a->snap;
	const char *log = s->log ? s->log : "";
	size_t len = s->log ? s->log_len : 0;
	int nlines = 0, rows = h - 1, first, k = 0;
	const char **starts;

	/* The copy is a tail: its first line may be cut, its last may not
	 * end with a newline yet. */
	while (len && log[len - 1] == '\n')
		len--;
	for (size_t i = 0; i < len; i++)
		nlines += log[i] == '\n';
	nlines += len > 0;
	starts = malloc((nlines ? nlines : 1) * sizeof(*starts));
	if (!starts)
		return;
	if (len) {
		starts[k++] = log;
		for (size_t i = 0; i + 1 < len; i++)
			if (log[i] == '\n')
				starts[k++] = log + i + 1;
	}
	if (rows < 1)
		rows = 1;
	if (a->ui.log_scroll > nlines - rows)
		a->ui.log_scroll = nlines - rows > 0 ? nlines - rows : 0;
	first = nlines - rows - a->ui.log_scroll;
	if (first < 0)
		first = 0;
	ui_title(a, y, w, "kernel log  %d lines (tail)%s", nlines,
		 a->ui.log_scroll ? "   scrolled back: End for the newest" : "");
	for (int r = 0; r < rows && first + r < nlines; r++) {
		const char *p = starts[first + r];
		const char *e = memchr(p, '\n', log + len - p);
		int l = (int)((e ? e : log + len) - p);

		ui_put(y + 1 + r, 0, w, A_NORMAL, "%.*s", l, p);
	}
	if (!nlines)
		ui_put(y + 2, 2, w - 2, ui_attr(a, C_DIM), "(the log is empty)");
	free(starts);
}

const struct view view_log = { .name = "log", .draw = draw };
