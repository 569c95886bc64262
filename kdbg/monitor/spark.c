/*
 * spark.c - a minute of history per task and channel, and the sparklines
 * and bars that draw it.
 *
 * Series are few (tasks + 2 per channel + totals) and sampled twice a
 * second, so a linear search is cheaper than any index to keep current.
 */
#include "monitor.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Eight levels; index 0 (nothing) is a space so an idle series reads as idle. */
static const char *const spark_utf8[9] = {
	" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█",
};
static const char spark_ascii[9] = { ' ', '.', '.', '_', '-', '=', '+', '*', '#' };

static struct series *find(const struct history *h, enum hist_kind kind, uint64_t addr)
{
	for (int i = 0; i < h->n; i++)
		if (h->s[i].kind == kind && h->s[i].addr == addr)
			return &h->s[i];
	return NULL;
}

void hist_push(struct history *h, enum hist_kind kind, uint64_t addr, double v, double now)
{
	struct series *s = find(h, kind, addr);

	if (!s) {
		if (h->n == h->cap) {
			int cap = h->cap ? h->cap * 2 : 32;
			struct series *ns = realloc(h->s, cap * sizeof(*ns));

			if (!ns)
				return;   /* no history is better than no monitor */
			h->s = ns;
			h->cap = cap;
		}
		s = &h->s[h->n++];
		memset(s, 0, sizeof(*s));
		s->kind = kind;
		s->addr = addr;
	}
	s->v[s->head] = (float)v;
	s->head = (s->head + 1) % HIST_LEN;
	if (s->n < HIST_LEN)
		s->n++;
	s->last_seen = now;
}

const struct series *hist_get(const struct history *h, enum hist_kind kind, uint64_t addr)
{
	return find(h, kind, addr);
}

/* Objects that went away (deleted channels, exited tasks, a reset guest). */
void hist_prune(struct history *h, double now)
{
	int j = 0;

	for (int i = 0; i < h->n; i++)
		if (now - h->s[i].last_seen < 60.0)
			h->s[j++] = h->s[i];
	h->n = j;
}

void hist_free(struct history *h)
{
	free(h->s);
	memset(h, 0, sizeof(*h));
}

static float at(const struct series *s, int i)   /* i-th oldest */
{
	return s->v[(s->head - s->n + i + HIST_LEN) % HIST_LEN];
}

int spark_render(const struct series *s, int width, double max, bool utf8,
		 char *out, size_t outlen)
{
	size_t used = 0;
	int cols, n = s ? s->n : 0;

	out[0] = '\0';
	if (width <= 0)
		return 0;
	if (max <= 0) {
		for (int i = 0; i < n; i++)
			if (at(s, i) > max)
				max = at(s, i);
		if (max <= 0)
			max = 1;
	}
	/* A minute may not fit: each column takes the largest of its bucket
	 * (spikes are what a sparkline is for); a short series is right-aligned. */
	cols = n < width ? n : width;
	for (int c = 0; c < width - cols; c++)
		if (used + 2 < outlen)
			out[used++] = ' ';
	for (int c = 0; c < cols; c++) {
		int lo = (int)((long)c * n / cols), hi = (int)((long)(c + 1) * n / cols);
		float v = 0;

		for (int i = lo; i < hi; i++)
			if (at(s, i) > v)
				v = at(s, i);
		int level = (int)(v / max * 8 + 0.5);
		if (level > 8)
			level = 8;
		if (level < 1 && v > 0)
			level = 1;   /* anything at all shows */
		if (utf8) {
			size_t l = strlen(spark_utf8[level]);

			if (used + l + 1 >= outlen)
				break;
			memcpy(out + used, spark_utf8[level], l);
			used += l;
		} else if (used + 2 < outlen) {
			out[used++] = spark_ascii[level];
		}
	}
	out[used] = '\0';
	return width;
}

void bar_render(double frac, int width, bool utf8, char *out, size_t outlen)
{
	/* Eighths of a cell on UTF-8 terminals, whole cells otherwise. */
	static const char *const eighths[8] = { "", "▏", "▎", "▍", "▌", "▋", "▊", "▉" };
	size_t used = 0;
	int units, full, part;

	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	units = (int)(frac * width * 8 + 0.5);
	full = units / 8;
	part = utf8 ? units % 8 : 0;
	for (int c = 0; c < width; c++) {
		const char *g;

		if (c < full)
			g = utf8 ? "█" : "#";
		else if (c == full && part)
			g = eighths[part];
		else
			g = utf8 ? "·" : ".";
		size_t l = strlen(g);
		if (used + l + 1 >= outlen)
			break;
		memcpy(out + used, g, l);
		used += l;
	}
	out[used] = '\0';
}
