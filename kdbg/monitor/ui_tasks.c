/*
 * ui_tasks.c - view 2: every task with its state, priority, what it waits
 * on, CPU share over the last second, IPC rate and total, and (when the
 * screen is wide) its ip; the selected task's details and CPU sparkline
 * at the bottom. Enter shows its root CPool.
 */
#include "ui.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DETAIL_ROWS 4

/* qsort has no context argument in C11; the monitor is single-threaded. */
static const struct app *sort_app;

static double cpu_of(const struct app *a, int i)
{
	return a->task_cpu ? a->task_cpu[i] : -1;
}

static int cmp(const void *x, const void *y)
{
	const struct app *a = sort_app;
	int i = *(const int *)x, j = *(const int *)y, r = 0;
	const struct kr_task *p = &a->snap->tasks[i], *q = &a->snap->tasks[j];

	switch (a->ui.sort) {
	case SORT_STATE: r = p->state - q->state; break;
	case SORT_CPU: r = cpu_of(a, i) < cpu_of(a, j) ? 1 : cpu_of(a, i) > cpu_of(a, j) ? -1 : 0; break;
	case SORT_PRIO: r = (int)q->priority - (int)p->priority; break;
	default: break;
	}
	if (!r)
		r = strncmp(p->name, q->name, KR_NAME_LEN);
	return r ? r : i - j;   /* stable: ties keep the kernel's order */
}

/* Indices into snap->tasks, filtered and sorted; malloc'd. */
static int order(struct app *a, int **out)
{
	const struct kr_snapshot *s = a->snap;
	int n = 0, *idx = malloc((s->ntasks ? s->ntasks : 1) * sizeof(int));

	*out = idx;
	if (!idx)
		return 0;
	for (int i = 0; i < s->ntasks; i++) {
		char name[KR_NAME_LEN + 1];

		snprintf(name, sizeof(name), "%.*s", KR_NAME_LEN, s->tasks[i].name);
		if (name_matches(a->ui.filter[VIEW_TASKS], name))
			idx[n++] = i;
	}
	sort_app = a;
	qsort(idx, n, sizeof(int), cmp);
	return n;
}

static int items(struct app *a, uint64_t **keys)
{
	int *idx, n = order(a, &idx);

	*keys = malloc((n ? n : 1) * sizeof(uint64_t));
	if (!*keys)
		n = 0;
	for (int i = 0; i < n; i++)
		(*keys)[i] = a->snap->tasks[idx[i]].addr;
	free(idx);
	return n;
}

/* "BlockedNotification" does not fit 80 columns next to the waits text,
 * which says the same in words: "BlockedX" becomes "BlkX" when narrow. */
static void state_text(const struct kr_task *t, bool narrow, char *out, size_t len)
{
	const char *s = t->state_name ? t->state_name : "?";

	if (narrow && !strcmp(s, "BlockedNotification"))
		snprintf(out, len, "BlkNotify");
	else if (narrow && !strncmp(s, "Blocked", 7))
		snprintf(out, len, "Blk%s", s + 7);
	else
		snprintf(out, len, "%s", s);
}

static attr_t state_attr(const struct app *a, const struct kr_task *t)
{
	if (t->state_name && !strcmp(t->state_name, "Faulted"))
		return ui_attr(a, C_ERROR);
	if (t->current)
		return ui_attr(a, C_GOOD) | A_BOLD;
	if (t->state_name && !strcmp(t->state_name, "Inactive"))
		return ui_attr(a, C_DIM);
	return A_NORMAL;
}

static void draw_detail(struct app *a, int y, int w, const struct kr_task *t, int ti)
{
	char ip[200], sp[32], spark[1024], pct[16];
	const char *pool = "-";
	int sw;

	for (int p = 0; p < a->snap->npools; p++)
		if (a->snap->pools[p].addr == t->cpool)
			pool = a->snap->pools[p].label;
	ui_title(a, y, w, "%.*s  task %#llx%s", KR_NAME_LEN, t->name[0] ? t->name : "(unnamed)",
		 (unsigned long long)t->addr, t->current ? "  (running now)" : "");
	snprintf(sp, sizeof(sp), "%#llx", (unsigned long long)t->sp);
	ui_put(y + 1, 0, w, A_NORMAL, " ip %s  sp %s  cpool %s", fmt_ip(a, t->ip, ip, sizeof(ip)),
	       sp, pool);
	if (t->fault_kind || (t->state_name && !strcmp(t->state_name, "Faulted")))
		ui_put(y + 2, 0, w, ui_attr(a, C_ERROR), " %s (fault ip %#llx addr %#llx)",
		       t->waits[0] ? t->waits : "faulted", (unsigned long long)t->fault_ip,
		       (unsigned long long)t->fault_addr);
	else
		ui_put(y + 2, 0, w, A_NORMAL, " waits: %s   cpu_ticks %llu  ipc_sent %llu",
		       t->waits[0] ? t->waits : "(not waiting)", (unsigned long long)t->cpu_ticks,
		       (unsigned long long)t->ipc_sent);
	if (cpu_of(a, ti) >= 0)
		snprintf(pct, sizeof(pct), "%.0f%%", cpu_of(a, ti) * 100);
	else
		snprintf(pct, sizeof(pct), "-");
	ui_put(y + 3, 0, w, A_NORMAL, " cpu %5s", pct);
	sw = w - 16 < HIST_LEN ? w - 16 : HIST_LEN;
	if (sw > 4) {
		spark_render(hist_get(&a->hist, H_TASK_CPU, t->addr), sw, 1.0, a->utf8, spark,
			     sizeof(spark));
		ui_put(y + 3, 11, sw, ui_attr(a, C_SPARK), "%s", spark);
		ui_put(y + 3, 12 + sw, 4, ui_attr(a, C_DIM), "60s");
	}
}

static void draw(struct app *a, int y, int h, int w)
{
	static const char *const sorts[NSORTS] = { "name", "state", "cpu", "prio" };
	const struct kr_snapshot *s = a->snap;
	int *idx, n = order(a, &idx), rows = h - 2 - DETAIL_ROWS, sel;
	uint64_t *keys = malloc((n ? n : 1) * sizeof(uint64_t));
	bool wide = w >= 120;
	int sx = wide ? 8 : 0;   /* the state column is 8 wider on wide screens */
	int waits_x = wide ? 96 : 57;

	if (!keys || !idx) {
		free(keys);
		free(idx);
		return;
	}
	for (int i = 0; i < n; i++)
		keys[i] = s->tasks[idx[i]].addr;
	if (rows < 1)
		rows = 1;
	sel = ui_list_pos(a, VIEW_TASKS, keys, n, rows);
	ui_title(a, y, w, "tasks %d/%d   sort: %s (s)   filter: %s (/)   Enter: CPool", n, s->ntasks,
		 sorts[a->ui.sort], a->ui.filter[VIEW_TASKS][0] ? a->ui.filter[VIEW_TASKS] : "-");
	ui_put(y + 1, 0, w, ui_attr(a, C_DIM), "  %-14s %-*s %3s %5s %6s %8s%s", "NAME", 12 + sx,
	       "STATE", "PRI", "CPU%", "IPC/s", "SENT", wide ? "  IP" : "");
	ui_put(y + 1, waits_x, w - waits_x, ui_attr(a, C_DIM), "WAITS");
	for (int r = 0; r < rows && a->ui.top[VIEW_TASKS] + r < n; r++) {
		int k = a->ui.top[VIEW_TASKS] + r, i = idx[k], ry = y + 2 + r;
		const struct kr_task *t = &s->tasks[i];
		char cpu[16], ipc[16], ip[200], state[32];

		if (cpu_of(a, i) >= 0)
			snprintf(cpu, sizeof(cpu), "%.0f", cpu_of(a, i) * 100);
		else
			snprintf(cpu, sizeof(cpu), "-");
		ui_put(ry, 0, w, A_NORMAL, "%c %-14.14s", t->current ? '*' : ' ',
		       t->name[0] ? t->name : "(unnamed)");
		state_text(t, !wide, state, sizeof(state));
		ui_put(ry, 17, wide ? 20 : 12, state_attr(a, t), "%s", state);
		ui_put(ry, 29 + sx, w - 29 - sx, A_NORMAL, " %3u %5s %6s %8llu", t->priority, cpu,
		       fmt_rate(a->task_ipc ? a->task_ipc[i] : -1, ipc, sizeof(ipc)),
		       (unsigned long long)t->ipc_sent);
		if (wide)
			ui_put(ry, 57 + sx, 30, A_NORMAL, " %s", fmt_ip(a, t->ip, ip, sizeof(ip)));
		ui_put(ry, waits_x, w - waits_x, A_NORMAL, "%s", t->waits);
		if (k == sel)
			ui_select_row(a, ry, w);
	}
	if (sel >= 0)
		draw_detail(a, y + h - DETAIL_ROWS, w, &s->tasks[idx[sel]], idx[sel]);
	else
		ui_put(y + 3, 2, w - 2, ui_attr(a, C_DIM), "no task matches the filter");
	free(idx);
	free(keys);
}

static bool key(struct app *a, int ch)
{
	switch (ch) {
	case 's':
		a->ui.sort = (a->ui.sort + 1) % NSORTS;
		return true;
	case '\n': case '\r': case KEY_ENTER: {
		int i = task_index(a, a->ui.sel[VIEW_TASKS]);

		if (i < 0 || !a->snap->tasks[i].cpool) {
			ui_note(a, "this task has no CPool");
			return true;
		}
		a->ui.pool = a->snap->tasks[i].cpool;
		a->ui.top[VIEW_CPOOL] = 0;
		ui_push_view(a, VIEW_CPOOL);
		return true;
	}
	}
	return false;
}

const struct view view_tasks = { .name = "tasks", .items = items, .draw = draw, .key = key };
