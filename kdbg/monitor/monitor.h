/*
 * monitor.h - kdbg-top's own state, shared by main.c, model.c (taking
 * snapshots and turning counters into rates), spark.c (history),
 * output.c (--batch, --json) and the screen (ui.c, ui_*.c).
 *
 * Kernel data comes only from kread snapshots (kread.h) and the VM only
 * through target.h; nothing here knows a kernel struct layout.
 * No ncurses here, so that --batch and --json never touch the terminal.
 */
#ifndef KDBG_TOP_MONITOR_H
#define KDBG_TOP_MONITOR_H

#include "kread.h"
#include "target.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- history (spark.c) ----------------------------------------------------- */
/* 60 s of history at one sample every 0.5 s. */
#define HIST_LEN 120
#define HIST_PERIOD 0.5

enum hist_kind {
	H_MSG_RATE,      /* messages/s through all channels */
	H_BUSY,          /* CPU busy share (1 - idle), 0..1 */
	H_TASK_CPU,      /* a task's CPU share, 0..1 */
	H_CHAN_DEPTH,    /* a channel's queued messages */
	H_CHAN_RATE,     /* a channel's messages/s */
};

struct series {
	enum hist_kind kind;
	uint64_t addr;           /* the task or channel; 0 for totals */
	float v[HIST_LEN];       /* ring, oldest at (head - n) */
	int n, head;
	double last_seen;        /* pruned when its object is gone for a minute */
};

struct history {
	struct series *s;
	int n, cap;
	double last_sample;
};

void hist_push(struct history *h, enum hist_kind kind, uint64_t addr, double v, double now);
const struct series *hist_get(const struct history *h, enum hist_kind kind, uint64_t addr);
void hist_prune(struct history *h, double now);
void hist_free(struct history *h);
/*
 * The whole series squeezed (or not stretched) into at most `width`
 * columns of ▁..█ (ASCII levels when !utf8), scaled to max (or to the
 * series' own maximum when max <= 0). Returns the columns written.
 */
int spark_render(const struct series *s, int width, double max, bool utf8,
		 char *out, size_t outlen);
/* A bar of `width` columns filled to frac (0..1): "████▌   " or "####    ". */
void bar_render(double frac, int width, bool utf8, char *out, size_t outlen);

/* ---- rates over a sliding window (model.c) ---------------------------------- */
/* Counters of one snapshot, kept so that later snapshots can be compared
 * with the one about a second older (CPU% from ticks is noisy otherwise). */
struct counter { uint64_t addr, a, b; };   /* sorted by addr */
struct sample {
	double time;
	uint64_t ticks, idle;
	struct counter *tasks; int ntasks;     /* a = cpu_ticks, b = ipc_sent */
	struct counter *chans; int nchans;     /* a = sent */
};
#define RATE_RING 64
#define RATE_WINDOW 1.0      /* seconds */
#define RATE_SAMPLE_GAP 0.05 /* push at most one sample every 50 ms */

/* ---- the screen's state (plain data; ui.c owns its meaning) ------------------- */
enum view_id {
	VIEW_OVERVIEW, VIEW_TASKS, VIEW_CPOOL, VIEW_CDT, VIEW_CHANNELS,
	VIEW_UNTYPED, VIEW_LOG, NVIEWS
};
extern const char *const view_names[NVIEWS];
int view_by_name(const char *name);   /* -1 if unknown; accepts "1".."7" */

enum task_sort { SORT_NAME, SORT_STATE, SORT_CPU, SORT_PRIO, NSORTS };

struct ui_state {
	enum view_id view;
	enum view_id back[16]; int nback;   /* Enter pushes, Backspace/Esc pops */
	uint64_t sel[NVIEWS];               /* selected item's key (address) per view */
	int top[NVIEWS];                    /* first row shown per view */
	uint64_t pool;                      /* CPool shown in the cpool view (0: the task's) */
	uint64_t cdt_root;                  /* slot at the root of the cdt view */
	int log_scroll;                     /* lines above the bottom */
	enum task_sort sort;
	char filter[NVIEWS][32];            /* name substring per view */
	bool editing_filter;
	bool help;
	bool confirm_reset;
	char note[160]; double note_until;  /* a transient message ("interval 50 ms") */
};

/* ---- the application --------------------------------------------------------- */
struct app {
	struct target *t;
	const char *spec;
	int interval_ms;
	bool color, utf8;

	/* The last good snapshot and how it was taken. */
	struct kr_snapshot *snap;
	double snap_time;
	bool stale;               /* the newest attempt failed: showing an older one */
	char stale_why[200];
	bool not_ready;           /* KR_ENOTREADY: the kernel is still booting */
	bool ever_connected, connected;
	double last_poll;

	/* Rates for snap (indexed like snap->tasks / snap->channels; < 0: unknown). */
	double *task_cpu, *task_ipc, *chan_rate;
	double busy, msg_rate;    /* < 0: unknown */
	struct sample ring[RATE_RING]; int ring_n, ring_head;

	struct history hist;

	/* Refreshes achieved over the last second. */
	double refresh_t[128]; int refresh_n, refresh_head;

	/* vCPU registers, fetched only for the overview, a few times a second. */
	struct target_reg regs[64]; int nregs; double regs_time;

	/* Post-mortem. */
	bool panic_seen;
	char core_msg[1100];       /* "core written to PATH — open with: kdbg attach core:PATH" */

	struct ui_state ui;
};

double now_s(void);             /* monotonic seconds */
double wall_s(void);            /* unix seconds */
const char *kr_status_name(int rc);

/* model.c */
void model_init(struct app *a);
void model_free(struct app *a);
/* One refresh: poll the target, take a snapshot, update rates, history
 * and the post-mortem state. Never blocks for long; returns a kr_status
 * (KR_OK when a new snapshot was taken). */
int model_refresh(struct app *a);
/* For --batch/--json: wait (up to timeout_s) for a connection and a
 * snapshot; returns a kr_status, *why filled on failure. */
int model_wait_snapshot(struct app *a, double timeout_s, char *why, size_t whylen);
double refresh_rate(const struct app *a);
void refresh_mark(struct app *a, double now);

/* Lookups in snap by address (index, -1 if absent). */
int task_index(const struct app *a, uint64_t addr);
const char *task_label(const struct app *a, uint64_t addr, char *buf, size_t len);

/* output.c */
int output_batch(struct app *a);
int output_json(struct app *a, int count);

/* ui.c */
int ui_run(struct app *a, int bench_cycles);

#endif
