/*
 * ui.c - the interactive screen: the main loop, the frame around the
 * views (header, message line, footer, help overlay), keys common to all
 * views, and --bench.
 *
 * The loop waits in getch() for at most the time left until the next
 * refresh, so keys are handled as they come and the snapshot rate does
 * not depend on typing. A failed snapshot never blanks the screen: the
 * last good one stays, marked stale with the reason.
 */
#include "ui.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

static const struct view *const views[NVIEWS] = {
	[VIEW_OVERVIEW] = &view_overview, [VIEW_TASKS] = &view_tasks,
	[VIEW_CPOOL] = &view_cpool,       [VIEW_CDT] = &view_cdt,
	[VIEW_CHANNELS] = &view_channels, [VIEW_UNTYPED] = &view_untyped,
	[VIEW_LOG] = &view_log,
};

/* Refresh intervals offered by + and - (ms). */
static const int intervals[] = { 1, 2, 5, 10, 16, 33, 50, 100, 200, 500, 1000, 2000, 5000,
				 10000, 30000, 60000 };
#define NINTERVALS ((int)(sizeof(intervals) / sizeof(intervals[0])))

/* ---- drawing helpers ---------------------------------------------------------- */

attr_t ui_attr(const struct app *a, enum ui_color c)
{
	static const attr_t mono[] = {
		[C_NORMAL] = A_NORMAL, [C_HEADER] = A_REVERSE, [C_TITLE] = A_BOLD,
		[C_WARN] = A_BOLD, [C_ERROR] = A_BOLD | A_REVERSE, [C_GOOD] = A_NORMAL,
		[C_DIM] = A_DIM, [C_SPARK] = A_NORMAL,
	};

	if (!a->color || !has_colors())
		return mono[c];
	switch (c) {
	case C_NORMAL: return A_NORMAL;
	case C_HEADER: return COLOR_PAIR(1);
	case C_TITLE: return A_BOLD;
	case C_WARN: return COLOR_PAIR(2) | A_BOLD;
	case C_ERROR: return COLOR_PAIR(3) | A_BOLD;
	case C_GOOD: return COLOR_PAIR(4);
	case C_DIM: return A_DIM;
	case C_SPARK: return COLOR_PAIR(5);
	}
	return A_NORMAL;
}

void ui_put(int y, int x, int w, attr_t attr, const char *fmt, ...)
{
	char buf[1024];
	wchar_t wbuf[1024];
	va_list ap;
	size_t n;
	int cols = 0, i;

	if (w <= 0 || y < 0 || y >= LINES || x >= COLS)
		return;
	if (x + w > COLS)
		w = COLS - x;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* Kernel names and the log come from guest memory: never let them
	 * move the cursor or switch the terminal's mode. */
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = *p == '\t' ? ' ' : '?';
	n = mbstowcs(wbuf, buf, sizeof(wbuf) / sizeof(wbuf[0]) - 1);
	if (n == (size_t)-1) {   /* not valid in this locale: bytes as ASCII */
		for (n = 0; buf[n] && n < sizeof(wbuf) / sizeof(wbuf[0]) - 1; n++)
			wbuf[n] = (unsigned char)buf[n] < 0x80 ? (wchar_t)buf[n] : L'?';
	}
	wbuf[n] = L'\0';
	for (i = 0; wbuf[i]; i++) {
		int cw = wcwidth(wbuf[i]);

		if (cw < 0) {
			wbuf[i] = L'?';
			cw = 1;
		}
		if (cols + cw > w)
			break;
		cols += cw;
	}
	attron(attr);
	mvaddnwstr(y, x, wbuf, i);
	attroff(attr);
}

void ui_select_row(const struct app *a, int y, int w)
{
	mvchgat(y, 0, w, A_REVERSE, a->color && has_colors() ? 6 : 0, NULL);
}

void ui_title(const struct app *a, int y, int w, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ui_put(y, 0, w, ui_attr(a, C_TITLE), "%s", buf);
}

void ui_note(struct app *a, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->ui.note, sizeof(a->ui.note), fmt, ap);
	va_end(ap);
	a->ui.note_until = now_s() + 3.0;
}

void ui_push_view(struct app *a, enum view_id v)
{
	if (a->ui.nback == (int)(sizeof(a->ui.back) / sizeof(a->ui.back[0]))) {
		memmove(a->ui.back, a->ui.back + 1, sizeof(a->ui.back) - sizeof(a->ui.back[0]));
		a->ui.nback--;
	}
	a->ui.back[a->ui.nback++] = a->ui.view;
	a->ui.view = v;
}

int ui_list_pos(struct app *a, enum view_id v, const uint64_t *keys, int n, int rows)
{
	int i, *top = &a->ui.top[v];

	if (n <= 0)
		return -1;
	for (i = 0; i < n && keys[i] != a->ui.sel[v]; i++)
		;
	if (i == n) {   /* gone (or never chosen): keep the position, else the first */
		i = *top < n ? *top : n - 1;
		a->ui.sel[v] = keys[i];
	}
	if (rows < 1)
		rows = 1;
	if (i < *top)
		*top = i;
	if (i >= *top + rows)
		*top = i - rows + 1;
	if (*top > n - rows)
		*top = n - rows > 0 ? n - rows : 0;
	return i;
}

const char *fmt_rate(double v, char *buf, size_t len)
{
	if (v < 0)
		snprintf(buf, len, "-");
	else if (v >= 99950)
		snprintf(buf, len, "%.0fk", v / 1000);
	else if (v >= 10000)
		snprintf(buf, len, "%.1fk", v / 1000);
	else if (v >= 10 || v == 0)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.1f", v);
	return buf;
}

const char *fmt_size(uint64_t b, char *buf, size_t len)
{
	static const char units[] = "BKMGTPE";
	int u = 0;

	while (b >= 1024 && !(b & 1023) && u < 6) {
		b >>= 10;
		u++;
	}
	snprintf(buf, len, "%llu%c", (unsigned long long)b, units[u]);
	return buf;
}

/* Kernel addresses get a symbol; user addresses (the ELF knows nothing
 * of them) stay hex. */
const char *fmt_ip(const struct app *a, uint64_t ip, char *buf, size_t len)
{
	const struct kr_elf *elf = target_elf(a->t);
	uint64_t off = 0;
	const char *sym = elf ? kr_elf_symbolize(elf, ip, &off) : NULL;

	if (sym)
		snprintf(buf, len, "%#llx <%s+%#llx>", (unsigned long long)ip, sym,
			 (unsigned long long)off);
	else
		snprintf(buf, len, "%#llx", (unsigned long long)ip);
	return buf;
}

bool name_matches(const char *filter, const char *name)
{
	size_t fl = strlen(filter);

	if (!fl)
		return true;
	for (const char *p = name; *p; p++)
		if (!strncasecmp(p, filter, fl))
			return true;
	return false;
}

const char *glyph_tee(const struct app *a) { return a->utf8 ? "├─ " : "|- "; }
const char *glyph_elbow(const struct app *a) { return a->utf8 ? "└─ " : "`- "; }
const char *glyph_pipe(const struct app *a) { return a->utf8 ? "│  " : "|  "; }

/* ---- the frame ------------------------------------------------------------------ */

static const char *mem_short(const struct app *a)
{
	switch (target_mem_mode(a->t)) {
	case MEM_SHARED: return "shm";
	case MEM_PROCESS: return "pvr";
	case MEM_QMP: return "qmp";
	default: return "none";
	}
}

static void draw_header(struct app *a, int w)
{
	struct target_stats st;
	char line[512], seq[32] = "-";
	const char *state = target_run_state(a->t);

	target_stats(a->t, &st);
	if (a->snap)
		snprintf(seq, sizeof(seq), "%llu", (unsigned long long)a->snap->seq);
	attron(ui_attr(a, C_HEADER));
	mvhline(0, 0, ' ', w);
	attroff(ui_attr(a, C_HEADER));
	/* Full words when they fit, the short form on 80 columns. */
	snprintf(line, sizeof(line),
		 " %s │ %s %s %s │ memory: %s │ %.0f/s snapshot %.2f ms │ retries %.1f/s pauses %.1f/s │ seq %s",
		 target_name(a->t), target_arch(a->t), state, target_accel(a->t),
		 target_mem_mode_name(a->t), refresh_rate(a), st.snapshot_ms, st.retries_per_s,
		 st.pauses_per_s, seq);
	if ((int)strlen(line) - 12 > w)
		snprintf(line, sizeof(line), " %s │ %s %s %s │ %s │ %.0f/s %.2fms │ r%.0f p%.0f/s │ seq %s",
			 target_name(a->t), target_arch(a->t), state, target_accel(a->t),
			 mem_short(a), refresh_rate(a), st.snapshot_ms, st.retries_per_s,
			 st.pauses_per_s, seq);
	if (!a->utf8)
		for (char *p; (p = strstr(line, "│"));) {
			*p = '|';
			memmove(p + 1, p + 3, strlen(p + 3) + 1);
		}
	ui_put(0, 0, w, ui_attr(a, C_HEADER), "%s", line);
}

/* The message line(s): the most important thing wins. Returns rows used. */
static int draw_messages(struct app *a, int y, int w)
{
	const char *msg = target_message(a->t);
	int rows = 1;

	if (a->panic_seen || (a->snap && a->snap->panicked)) {
		const char *why = a->snap && a->snap->panicked ? a->snap->panic_msg : "GUEST_PANICKED";

		ui_put(y, 0, w, ui_attr(a, C_ERROR), " kernel panicked: %s ", why);
		if (a->core_msg[0]) {
			const char *m = a->core_msg, *open = strstr(m, "open with: ");

			/* Narrow: the command alone still names the core. */
			if ((int)strlen(m) + 1 > w && open)
				m = open;
			ui_put(y + 1, 0, w, ui_attr(a, C_WARN), " %s", m);
			rows = 2;
		}
		return rows;
	}
	if (a->ui.confirm_reset) {
		ui_put(y, 0, w, ui_attr(a, C_WARN), " reset the VM? y/n");
	} else if (a->ui.editing_filter) {
		ui_put(y, 0, w, ui_attr(a, C_WARN), " filter %s: %s_   (Enter keeps, Esc clears)",
		       view_names[a->ui.view], a->ui.filter[a->ui.view]);
	} else if (!a->connected && a->ever_connected) {
		ui_put(y, 0, w, ui_attr(a, C_ERROR), " VM gone (QMP closed): reconnecting… %s",
		       msg);
	} else if (!a->connected) {
		ui_put(y, 0, w, ui_attr(a, C_WARN), " connecting to %s… %s", a->spec, msg);
	} else if (a->not_ready) {
		ui_put(y, 0, w, ui_attr(a, C_WARN), " kernel not initialised yet%s",
		       a->snap ? " (showing the last snapshot)" : "");
	} else if (a->stale) {
		ui_put(y, 0, w, ui_attr(a, C_WARN), " stale (%.1f s old): %s",
		       now_s() - a->snap_time, a->stale_why);
	} else if (a->ui.note[0] && now_s() < a->ui.note_until) {
		ui_put(y, 0, w, ui_attr(a, C_GOOD), " %s", a->ui.note);
	} else if (msg[0]) {
		ui_put(y, 0, w, ui_attr(a, C_NORMAL), " %s", msg);
	} else if (a->snap && a->snap->nproblems && (a->snap->seq & 1)) {
		/* Read from a VM stopped inside the kernel: not corruption. */
		ui_put(y, 0, w, ui_attr(a, C_WARN), " VM stopped mid-update in the kernel: %d half-done "
		       "change(s): %s", a->snap->nproblems, a->snap->problems[0]);
	} else if (a->snap && a->snap->nproblems) {
		ui_put(y, 0, w, ui_attr(a, C_WARN), " %d problem(s) in kernel memory: %s",
		       a->snap->nproblems, a->snap->problems[0]);
	}
	return rows;
}

static void draw_footer(struct app *a, int y, int w)
{
	int x = 0;

	mvhline(y, 0, ' ', w);
	for (int v = 0; v < NVIEWS && x < w; v++) {
		char item[32];

		snprintf(item, sizeof(item), "%d %s", v + 1, view_names[v]);
		ui_put(y, x, w - x, v == (int)a->ui.view ? ui_attr(a, C_HEADER) : A_NORMAL, "%s", item);
		x += strlen(item) + 1;
	}
	ui_put(y, x, w - x, ui_attr(a, C_DIM), "? help q quit");
}

static const char *const help_lines[] = {
	"kdbg-top keys",
	"",
	"1-7, Tab, S-Tab   views: overview tasks cpool cdt channels untyped log",
	"arrows, j k       move the selection (log: scroll)",
	"PgUp PgDn Home End",
	"Enter             drill in: task -> its CPool, cap -> its CDT",
	"Backspace, Esc    back",
	"[ ]               cpool view: previous / next CPool",
	"/                 filter by name (tasks, cpool, channels)",
	"s                 sort tasks: name, state, cpu, prio",
	"p                 pause / continue the VM",
	"r                 reset the VM (asks y/n)",
	"+ -               refresh interval longer / shorter",
	"?                 this help (any key closes)",
	"q                 quit",
	"",
	"The guest is never stopped to read it: torn reads are retried, and",
	"only after repeated retries is it paused for a moment (header: p/s).",
};

static void draw_help(struct app *a)
{
	int n = sizeof(help_lines) / sizeof(help_lines[0]);
	int h = n + 2 < LINES ? n + 2 : LINES, w = COLS < 76 ? COLS : 76;
	int y0 = (LINES - h) / 2, x0 = (COLS - w) / 2;

	for (int r = 0; r < h; r++) {
		attron(ui_attr(a, C_HEADER));
		mvhline(y0 + r, x0, ' ', w);
		attroff(ui_attr(a, C_HEADER));
		if (r >= 1 && r - 1 < n)
			ui_put(y0 + r, x0 + 2, w - 4, ui_attr(a, C_HEADER), "%s", help_lines[r - 1]);
	}
}

static double draw(struct app *a)
{
	double t0 = now_s();
	int w = COLS, rows, vy;

	erase();
	if (LINES < 8 || COLS < 40) {
		ui_put(0, 0, COLS, A_BOLD, "too small (%dx%d)", COLS, LINES);
	} else {
		draw_header(a, w);
		rows = draw_messages(a, 1, w);
		vy = 1 + rows;
		if (a->snap || a->ui.view == VIEW_OVERVIEW)
			views[a->ui.view]->draw(a, vy, LINES - 1 - vy, w);
		else
			ui_put(vy + 1, 2, w - 2, ui_attr(a, C_DIM), "no snapshot yet");
		draw_footer(a, LINES - 1, w);
		if (a->ui.help)
			draw_help(a);
	}
	wnoutrefresh(stdscr);
	doupdate();
	return (now_s() - t0) * 1000;
}

/* ---- keys ------------------------------------------------------------------------ */

static void move_sel(struct app *a, int delta, bool absolute)
{
	const struct view *v = views[a->ui.view];
	uint64_t *keys = NULL;
	int n, i;

	if (a->ui.view == VIEW_LOG) {
		a->ui.log_scroll = absolute ? (delta < 0 ? 1 << 30 : 0) : a->ui.log_scroll - delta;
		if (a->ui.log_scroll < 0)
			a->ui.log_scroll = 0;
		return;   /* the view clamps the top */
	}
	if (!v->items || !a->snap)
		return;
	n = v->items(a, &keys);
	if (n > 0) {
		i = ui_list_pos(a, a->ui.view, keys, n, 1 << 30);
		i = absolute ? (delta < 0 ? 0 : n - 1) : i + delta;
		if (i < 0)
			i = 0;
		if (i >= n)
			i = n - 1;
		a->ui.sel[a->ui.view] = keys[i];
	}
	free(keys);
}

static void toggle_run(struct app *a)
{
	/* Only a running VM is stopped; paused, prelaunch (-S), debug ... continue. */
	bool paused = strcmp(target_run_state(a->t), "running") != 0;
	int rc = paused ? target_continue(a->t) : target_pause(a->t);

	if (rc)
		ui_note(a, "%s failed: %s", paused ? "continue" : "pause", target_message(a->t));
	else
		ui_note(a, "%s", paused ? "continued" : "paused");
}

static void change_interval(struct app *a, int dir)
{
	int i;

	for (i = 0; i < NINTERVALS - 1 && intervals[i] < a->interval_ms; i++)
		;
	if (dir > 0 && intervals[i] <= a->interval_ms && i < NINTERVALS - 1)
		i++;
	else if (dir < 0 && i > 0)
		i--;
	a->interval_ms = intervals[i];
	ui_note(a, "refresh every %d ms (%.1f/s asked)", a->interval_ms, 1000.0 / a->interval_ms);
}

/* Returns false to quit. */
static bool handle_key(struct app *a, int ch)
{
	struct ui_state *u = &a->ui;
	int page = LINES - 6 > 1 ? LINES - 6 : 1;

	if (u->help) {
		u->help = false;
		return true;
	}
	if (u->confirm_reset) {
		u->confirm_reset = false;
		if (ch == 'y' || ch == 'Y') {
			if (target_reset(a->t))
				ui_note(a, "reset failed: %s", target_message(a->t));
			else
				ui_note(a, "reset sent");
		} else {
			ui_note(a, "reset cancelled");
		}
		return true;
	}
	if (u->editing_filter) {
		char *f = u->filter[u->view];
		size_t l = strlen(f);

		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			u->editing_filter = false;
		} else if (ch == 27) {
			f[0] = '\0';
			u->editing_filter = false;
		} else if ((ch == KEY_BACKSPACE || ch == 127 || ch == 8) && l) {
			f[l - 1] = '\0';
		} else if (ch >= 0x20 && ch < 0x7f && l + 1 < sizeof(u->filter[0])) {
			f[l] = (char)ch;
			f[l + 1] = '\0';
		}
		return true;
	}
	switch (ch) {
	case 'q': case 'Q':
		return false;
	case '1': case '2': case '3': case '4': case '5': case '6': case '7':
		u->view = ch - '1';
		break;
	case '\t':
		u->view = (u->view + 1) % NVIEWS;
		break;
	case KEY_BTAB:
		u->view = (u->view + NVIEWS - 1) % NVIEWS;
		break;
	case 'p': case ' ':
		toggle_run(a);
		break;
	case 'r':
		u->confirm_reset = true;
		break;
	case '+': case '=':
		change_interval(a, +1);
		break;
	case '-': case '_':
		change_interval(a, -1);
		break;
	case '?': case 'h': case KEY_F(1):
		u->help = true;
		break;
	case '/':
		if (u->view == VIEW_TASKS || u->view == VIEW_CPOOL || u->view == VIEW_CHANNELS)
			u->editing_filter = true;
		else
			ui_note(a, "no filter in the %s view (tasks, cpool, channels have one)",
				view_names[u->view]);
		break;
	case KEY_UP: case 'k': move_sel(a, -1, false); break;
	case KEY_DOWN: case 'j': move_sel(a, +1, false); break;
	case KEY_PPAGE: move_sel(a, -page, false); break;
	case KEY_NPAGE: move_sel(a, +page, false); break;
	case KEY_HOME: case 'g': move_sel(a, -1, true); break;
	case KEY_END: case 'G': move_sel(a, +1, true); break;
	case KEY_BACKSPACE: case 127: case 8: case 27:
		if (u->nback)
			u->view = u->back[--u->nback];
		break;
	case KEY_RESIZE:
		break;   /* the next draw uses the new LINES/COLS */
	default:
		if (a->snap && views[u->view]->key)
			views[u->view]->key(a, ch);
		break;
	}
	return true;
}

/* ---- the loop --------------------------------------------------------------------- */

static void colors(void)
{
	if (!has_colors())
		return;
	start_color();
	use_default_colors();
	init_pair(1, COLOR_BLACK, COLOR_CYAN);    /* header, footer tab */
	init_pair(2, COLOR_YELLOW, -1);           /* warnings, stale */
	init_pair(3, COLOR_WHITE, COLOR_RED);     /* VM gone, panic */
	init_pair(4, COLOR_GREEN, -1);            /* notes */
	init_pair(5, COLOR_CYAN, -1);             /* sparklines, bars */
	init_pair(6, COLOR_BLACK, COLOR_WHITE);   /* selection */
}

static void maybe_fetch_registers(struct app *a)
{
	double t = now_s();

	/* A QMP round trip: only for the view that shows them, 4 times a second. */
	if (a->ui.view != VIEW_OVERVIEW || !a->connected || t - a->regs_time < 0.25)
		return;
	a->regs_time = t;
	int n = target_registers(a->t, a->regs, sizeof(a->regs) / sizeof(a->regs[0]));
	a->nregs = n > 0 ? n : 0;
}

static int cmp_double(const void *x, const void *y)
{
	double p = *(const double *)x, q = *(const double *)y;

	return p < q ? -1 : p > q;
}

static int bench(struct app *a, int cycles, SCREEN *scr)
{
	double *snap_ms = calloc(cycles, sizeof(double)), *draw_ms = calloc(cycles, sizeof(double));
	double t0, total;
	int ok = 0, fails = 0;
	struct target_stats st;
	int cols = COLS, lines = LINES;

	if (!snap_ms || !draw_ms)
		return 1;
	t0 = now_s();
	for (int i = 0; i < cycles; i++) {
		double s0 = now_s();
		int rc;

		a->last_poll = -1e9;
		rc = model_refresh(a);
		snap_ms[i] = (now_s() - s0) * 1000;
		fails += rc != KR_OK;
		refresh_mark(a, now_s());
		maybe_fetch_registers(a);
		draw_ms[i] = draw(a);
		ok++;
	}
	total = now_s() - t0;
	target_stats(a->t, &st);
	endwin();
	if (scr)
		delscreen(scr);
	qsort(snap_ms, ok, sizeof(double), cmp_double);
	qsort(draw_ms, ok, sizeof(double), cmp_double);
	printf("kdbg-top --bench %d: view %s, %dx%d, memory %s\n", cycles,
	       view_names[a->ui.view], cols, lines, target_mem_mode_name(a->t));
	printf("  snapshot  median %.3f ms  p90 %.3f ms  (target: %.3f ms mean, %d failed)\n",
	       snap_ms[ok / 2], snap_ms[ok * 9 / 10], st.snapshot_ms, fails);
	printf("  redraw    median %.3f ms  p90 %.3f ms\n", draw_ms[ok / 2], draw_ms[ok * 9 / 10]);
	printf("  refreshes %.1f/s  (snapshot + redraw, back to back)\n", ok / total);
	printf("  retries %llu  pauses %llu  (over %llu snapshots)\n",
	       (unsigned long long)st.retries, (unsigned long long)st.pauses,
	       (unsigned long long)st.snapshots);
	if (a->snap)
		printf("  kernel: %d tasks, %d caps, %d channels\n", a->snap->ntasks, a->snap->ncaps,
		       a->snap->nchannels);
	free(snap_ms);
	free(draw_ms);
	return fails == cycles;
}

int ui_run(struct app *a, int bench_cycles)
{
	SCREEN *scr = NULL;
	double next;
	bool dirty = true;

	if (bench_cycles) {
		char why[400];

		/* Measure a connected monitor, not the connection. */
		if (model_wait_snapshot(a, 5.0, why, sizeof(why)) != KR_OK) {
			fprintf(stderr, "kdbg-top: %s\n", why);
			return 1;
		}
	}
	if (bench_cycles && !isatty(STDOUT_FILENO)) {
		/* Headless: the same drawing, into a terminal nobody watches. */
		FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
		const char *term = getenv("TERM");

		scr = out && in ? newterm(term && *term && strcmp(term, "dumb") ? term : "xterm-256color",
					  out, in) : NULL;
		if (!scr) {
			fprintf(stderr, "kdbg-top: cannot start a headless terminal for --bench\n");
			return 1;
		}
		set_term(scr);
	} else {
		if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
			fprintf(stderr, "kdbg-top: the screen needs a terminal (use --batch or --json)\n");
			return 1;
		}
		initscr();
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	set_escdelay(25);
	if (a->color)
		colors();
	if (bench_cycles)
		return bench(a, bench_cycles, scr);

	next = now_s();
	for (;;) {
		double t = now_s();
		int ch, wait_ms;

		if (t >= next) {
			if (model_refresh(a) == KR_OK)   /* the rate shown is of fresh snapshots */
				refresh_mark(a, t);
			maybe_fetch_registers(a);
			next += a->interval_ms / 1000.0;
			if (next < t)   /* fell behind (slow VM, suspended terminal): don't race */
				next = t + a->interval_ms / 1000.0;
			dirty = true;
		}
		if (dirty) {
			draw(a);
			dirty = false;
		}
		wait_ms = (int)((next - now_s()) * 1000);
		timeout(wait_ms > 0 ? wait_ms : 0);
		ch = getch();
		if (ch == ERR)
			continue;
		/* Take every key already typed before drawing again. */
		do {
			if (!handle_key(a, ch)) {
				endwin();
				return 0;
			}
			timeout(0);
		} while ((ch = getch()) != ERR);
		dirty = true;
	}
}
