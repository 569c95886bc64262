/*
 * target_internal.h - struct target and the helpers target.c (connecting,
 * events, registers) shares with target_snapshot.c (snapshots, their
 * statistics, cores). Internal to kdbg/monitor.
 */
#ifndef KDBG_TOP_TARGET_INTERNAL_H
#define KDBG_TOP_TARGET_INTERNAL_H

#include "target.h"
#include "memmap.h"
#include "qmp.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define RECONNECT_MS    500     /* at most two connection attempts a second */
#define PAUSE_TRIES     6       /* stops that find the kernel mid-update, then take it */
#define HUNG_RETRY_MS   4500    /* plus RECONNECT_MS: 5 s between attempts on a hung QEMU */
#define REGS_MS         250     /* `info registers` at most four times a second */
#define DUMP_TIMEOUT_MS 60000   /* dump-guest-memory of a few hundred MiB */
#define NREGS           64
#define HIST            512     /* snapshots remembered for the per-second stats */

struct snap_rec {
	double t, ms;
	int retries;
	bool paused;
};

struct target {
	char *spec, *elf_path, *core_dir;
	struct target_opts o;
	char addr[600];              /* the spec resolved: "unix:PATH" or "HOST:PORT" */
	bool libvirt;
	struct kr_elf *elf;
	struct kr_reader *reader;

	struct qmp *q;
	pid_t pid;
	bool connected, ever_connected;
	double last_attempt;
	char run_state[32], accel[16], message[512];

	struct kr_mem *mem;
	struct qmpread *qr;
	enum target_mem_mode mode;
	char mode_name[48];
	struct memmap_info mi;

	struct target_event events[TARGET_EVENTS];
	int nevents;
	int own_stops, own_resumes;  /* STOP/RESUME events our own pauses will echo */
	bool panicked;

	struct target_reg regs[NREGS];
	int nregs;
	double regs_time;

	struct snap_rec hist[HIST];
	int hist_head, hist_n;
	uint64_t snapshots, retries, pauses;
	bool message_from_snapshot;  /* message[] says why a snapshot failed */
};

/* message[] := the formatted text (what the UI shows under the header). */
void target_msg(struct target *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Drop the QMP connection and the memory source together, saying why. */
void target_disconnect(struct target *t, const char *why);

/* run_state[] from query-status. */
void target_query_status(struct target *t);

/* A QMP command whose answer is only success: 0, or -1 (message set;
 * a broken connection is dropped). */
int target_simple_command(struct target *t, const char *cmd, json_t *args, int timeout_ms);

#endif
