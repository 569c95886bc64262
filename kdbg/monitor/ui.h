/*
 * ui.h - the screen: the frame (header, message line, footer, help) in
 * ui.c, one view per ui_*.c, and the drawing helpers they share.
 *
 * Views draw every frame from the current snapshot; ncurses sends only
 * the cells that changed, which keeps a 30/s redraw cheap. Selections are
 * kept by object address, so a row stays selected while the kernel's
 * lists reorder under it.
 */
#ifndef KDBG_TOP_UI_H
#define KDBG_TOP_UI_H

#define NCURSES_WIDECHAR 1
#include "monitor.h"
#include <curses.h>

struct view {
	const char *name;
	/* The selectable items' keys (addresses) in display order, malloc'd
	 * into *keys; NULL items: the view has no selectable list. */
	int (*items)(struct app *a, uint64_t **keys);
	void (*draw)(struct app *a, int y, int h, int w);
	/* A key the frame did not take (Enter, [, ], s ...); true if used. */
	bool (*key)(struct app *a, int ch);
};

extern const struct view view_overview, view_tasks, view_cpool, view_cdt,
	view_channels, view_untyped, view_log;

enum ui_color { C_NORMAL, C_HEADER, C_TITLE, C_WARN, C_ERROR, C_GOOD, C_DIM, C_SPARK };
attr_t ui_attr(const struct app *a, enum ui_color c);

/* printf at (y, x), clipped to w columns; control characters shown as '?'. */
void ui_put(int y, int x, int w, attr_t attr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Highlight row y (the selection). */
void ui_select_row(const struct app *a, int y, int w);
/* The selected index in keys (by ui.sel[view]), fixed up to an existing
 * item, with ui.top[view] adjusted so it is visible in `rows` rows. */
int ui_list_pos(struct app *a, enum view_id v, const uint64_t *keys, int n, int rows);
/* The view title line: bold name and a right part (counts, keys). */
void ui_title(const struct app *a, int y, int w, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A transient note on the message line. */
void ui_note(struct app *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Go to a view, remembering where we came from (Backspace returns). */
void ui_push_view(struct app *a, enum view_id v);

/* Formatting shared by views. */
const char *fmt_rate(double v, char *buf, size_t len);     /* "12", "3.4k", "-" */
const char *fmt_size(uint64_t bytes, char *buf, size_t len); /* "4K", "2M" */
const char *fmt_ip(const struct app *a, uint64_t ip, char *buf, size_t len);
bool name_matches(const char *filter, const char *name);   /* substring, case-insensitive */
const char *glyph_tee(const struct app *a);     /* "├─ " or "|- " */
const char *glyph_elbow(const struct app *a);   /* "└─ " or "`- " */
const char *glyph_pipe(const struct app *a);    /* "│  " or "|  " */

#endif
