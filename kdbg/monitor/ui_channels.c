/*
 * ui_channels.c - view 5: every channel with a depth bar, its message
 * rate and who is blocked on it; below, the selected channel's queued
 * messages, its blocked senders and receivers by name, and a minute of
 * queue depth and message rate as sparklines.
 */
#include "ui.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int order(struct app *a, int **out)
{
	const struct kr_snapshot *s = a->snap;
	int n = 0, *idx = malloc((s->nchannels ? s->nchannels : 1) * sizeof(int));

	*out = idx;
	if (!idx)
		return 0;
	for (int i = 0; i < s->nchannels; i++)
		if (name_matches(a->ui.filter[VIEW_CHANNELS], s->channels[i].label))
			idx[n++] = i;
	return n;
}

static int items(struct app *a, uint64_t **keys)
{
	int *idx, n = order(a, &idx);

	*keys = malloc((n ? n : 1) * sizeof(uint64_t));
	if (!*keys)
		n = 0;
	for (int i = 0; i < n; i++)
		(*keys)[i] = a->snap->channels[idx[i]].addr;
	free(idx);
	return n;
}

/* "name name name" of blocked tasks, as many as fit. */
static void names(struct app *a, const uint64_t *tasks, int n, char *out, size_t len)
{
	size_t used = 0;

	out[0] = '\0';
	for (int k = 0; k < n && used + 1 < len; k++) {
		char name[64];

		used += snprintf(out + used, len - used, "%s%s", k ? " " : "",
				 task_label(a, tasks[k], name, sizeof(name)));
	}
	if (!n)
		snprintf(out, len, "-");
}

static void draw_detail(struct app *a, int y, int h, int w, const struct kr_channel *c, int ci)
{
	char who[512], rate[16], spark[1024];
	int row = y, sw = (w - 36) > 8 ? w - 36 : 0;

	if (sw > HIST_LEN)
		sw = HIST_LEN;   /* no wider than a minute of samples */

	ui_title(a, row++, w, "channel %s  %#llx  %u/%u queued  sent %llu", c->label,
		 (unsigned long long)c->addr, c->count, c->depth, (unsigned long long)c->sent);
	names(a, c->senders, c->nsenders, who, sizeof(who));
	ui_put(row++, 0, w, A_NORMAL, " senders   %s", who);
	names(a, c->receivers, c->nreceivers, who, sizeof(who));
	ui_put(row++, 0, w, A_NORMAL, " receivers %s", who);
	if (sw) {
		const struct series *d = hist_get(&a->hist, H_CHAN_DEPTH, c->addr);

		spark_render(d, sw, c->depth ? c->depth : 0, a->utf8, spark, sizeof(spark));
		ui_put(row, 0, w, A_NORMAL, " depth     %6u", c->count);
		ui_put(row, 18, sw, ui_attr(a, C_SPARK), "%s", spark);
		ui_put(row++, 19 + sw, 16, ui_attr(a, C_DIM), "60s, max %u", c->depth);
		spark_render(hist_get(&a->hist, H_CHAN_RATE, c->addr), sw, 0, a->utf8, spark,
			     sizeof(spark));
		ui_put(row, 0, w, A_NORMAL, " msgs/s    %6s",
		       fmt_rate(a->chan_rate ? a->chan_rate[ci] : -1, rate, sizeof(rate)));
		ui_put(row, 18, sw, ui_attr(a, C_SPARK), "%s", spark);
		ui_put(row++, 19 + sw, 16, ui_attr(a, C_DIM), "60s");
	}
	for (unsigned m = 0; m < c->count && c->msgs && row < y + h; m++, row++) {
		const struct kr_msg *msg = &c->msgs[m];
		char words[256] = "", caller[64] = "";
		size_t used = 0;

		for (unsigned k = 0; k < msg->length && k < 12 && used + 1 < sizeof(words); k++)
			used += snprintf(words + used, sizeof(words) - used, " %#llx",
					 (unsigned long long)msg->words[k]);
		if (msg->caller)
			task_label(a, msg->caller, caller, sizeof(caller));
		ui_put(row, 0, w, A_NORMAL, " #%-2u badge %#-6llx len %u%s%s%s:%s", m,
		       (unsigned long long)msg->badge, msg->length, msg->cap_type ? " +cap" : "",
		       caller[0] ? " call from " : "", caller, words);
	}
	if (!c->count && row < y + h)
		ui_put(row, 1, w - 1, ui_attr(a, C_DIM), "(no messages queued)");
}

static void draw(struct app *a, int y, int h, int w)
{
	const struct kr_snapshot *s = a->snap;
	int *idx, n = order(a, &idx), sel, list_rows;
	uint64_t *keys = malloc((n ? n : 1) * sizeof(uint64_t));

	if (!idx || !keys) {
		free(idx);
		free(keys);
		return;
	}
	for (int i = 0; i < n; i++)
		keys[i] = s->channels[idx[i]].addr;
	/* The list gets up to half the view; the details the rest. */
	list_rows = n < (h - 2) / 2 ? n : (h - 2) / 2;
	if (list_rows < 1)
		list_rows = 1;
	sel = ui_list_pos(a, VIEW_CHANNELS, keys, n, list_rows);
	ui_title(a, y, w, "channels %d/%d   filter: %s (/)", n, s->nchannels,
		 a->ui.filter[VIEW_CHANNELS][0] ? a->ui.filter[VIEW_CHANNELS] : "-");
	ui_put(y + 1, 0, w, ui_attr(a, C_DIM), " %-20s %-10s %7s %6s %5s %5s  %s", "LABEL", "QUEUE",
	       "DEPTH", "MSGS/s", "SEND", "RECV", "RECEIVERS");
	for (int r = 0; r < list_rows && a->ui.top[VIEW_CHANNELS] + r < n; r++) {
		int k = a->ui.top[VIEW_CHANNELS] + r, i = idx[k], ry = y + 2 + r;
		const struct kr_channel *c = &s->channels[i];
		char bar[128], depth[16], rate[16], who[256];

		bar_render(c->depth ? (double)c->count / c->depth : 0, 10, a->utf8, bar, sizeof(bar));
		snprintf(depth, sizeof(depth), "%u/%u", c->count, c->depth);
		names(a, c->receivers, c->nreceivers, who, sizeof(who));
		ui_put(ry, 0, w, A_NORMAL, " %-20.20s", c->label);
		ui_put(ry, 22, 10, c->count == c->depth && c->depth ? ui_attr(a, C_WARN)
								      : ui_attr(a, C_SPARK), "%s", bar);
		ui_put(ry, 32, w - 32, A_NORMAL, " %7s %6s %5d %5d  %s", depth,
		       fmt_rate(a->chan_rate ? a->chan_rate[i] : -1, rate, sizeof(rate)), c->nsenders,
		       c->nreceivers, who);
		if (k == sel)
			ui_select_row(a, ry, w);
	}
	if (sel >= 0)
		draw_detail(a, y + 2 + list_rows + 1, h - 3 - list_rows, w, &s->channels[idx[sel]],
			    idx[sel]);
	else
		ui_put(y + 3, 2, w - 2, ui_attr(a, C_DIM), "%s",
		       s->nchannels ? "no channel matches the filter" : "no channels");
	free(idx);
	free(keys);
}

const struct view view_channels = { .name = "channels", .items = items, .draw = draw };
