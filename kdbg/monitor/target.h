/*
 * target.h - kdbg-top's connection to one VM: its QMP socket (jansson),
 * how guest memory is read (shared RAM file, QEMU's address space, or
 * QMP reads), consistent snapshots (seqlock retries, then a short pause),
 * QMP events, run control, and cores. The screen and the command line
 * (main.c, ui_*.c) use only this and kdbg/lib/kread.h.
 *
 * Changes since the first draft (additive only): target_qemu_pid(),
 * target_mem_source() and target_mem(); target_dump() leaves normalisation to
 * `kdbg attach core:PATH`, which does it on open.
 *
 * Nothing here blocks for long: every QMP command has a timeout, a reply
 * that is garbage, truncated or late is an error with a message, and a
 * VM that goes away leaves the target disconnected, to be reconnected by
 * target_poll() when the socket comes back.
 */
#ifndef KDBG_TOP_TARGET_H
#define KDBG_TOP_TARGET_H

#include "kread.h"
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* How guest memory is read, fastest first (the screen names it). */
enum target_mem_mode {
	MEM_NONE = 0,
	MEM_SHARED,    /* the RAM file QEMU maps shared, mmap'd here */
	MEM_PROCESS,   /* process_vm_readv into QEMU after gpa2hva */
	MEM_QMP,       /* HMP xp / pmemsave through QMP: slow */
};

/* What the user asked for with --mem (default: best available). */
enum target_mem_pref { PREF_AUTO = 0, PREF_SHARED, PREF_PROCESS, PREF_QMP };

#define TARGET_EVENTS 64     /* events kept for the timeline */

struct target_event {
	double time;             /* unix seconds */
	char name[32];           /* "STOP", "RESUME", "RESET", "SHUTDOWN", "GUEST_PANICKED" ... */
	char detail[96];         /* e.g. "reason: guest-shutdown" */
};

struct target_opts {
	const char *spec;        /* "unix:PATH", "HOST:PORT", "libvirt:DOMAIN", or a bare path */
	const char *elf_path;    /* cairn.elf */
	enum target_mem_pref mem;
	bool always_pause;       /* --pause: stop the VM for every snapshot */
	int max_retries;         /* torn reads before pausing (default 8) */
	int qmp_timeout_ms;      /* per QMP command (default 2000) */
	const char *core_dir;    /* where post-mortem cores go (default: the run dir or /tmp) */
};

/* Statistics for the status line (per second, over the last second). */
struct target_stats {
	double snapshots_per_s, retries_per_s, pauses_per_s;
	double snapshot_ms;      /* mean time per snapshot over the last second */
	uint64_t snapshots, retries, pauses;  /* totals */
};

struct target;

/* Create (does not connect yet); NULL and *err on bad options or ELF. */
struct target *target_new(const struct target_opts *o, char *err, size_t errlen);
void target_free(struct target *t);

/*
 * Connect if not connected (QMP greeting, qmp_capabilities, status, the
 * RAM layout from `info mtree -f`, the memory mode), then read pending
 * events. Call it every refresh; cheap when connected. Returns true when
 * connected. A failure leaves a message in target_message().
 */
bool target_poll(struct target *t);
bool target_connected(const struct target *t);
/* The last problem or state change in words: "QMP socket closed: VM exited?",
 * "reconnected", "garbage from QMP: ..." ("" if none). */
const char *target_message(const struct target *t);

/* VM facts, refreshed by target_poll. */
const char *target_run_state(const struct target *t);   /* "running", "paused", "shutdown", "disconnected" ... */
const char *target_accel(const struct target *t);       /* "tcg", "kvm" */
const char *target_arch(const struct target *t);        /* from the ELF */
const char *target_name(const struct target *t);        /* the spec shown on screen */
enum target_mem_mode target_mem_mode(const struct target *t);
const char *target_mem_mode_name(const struct target *t); /* "shared memory", "process_vm_readv", "QMP xp", "none" */
const struct kr_elf *target_elf(const struct target *t);
/* QEMU's pid (SO_PEERCRED on a unix socket), 0 if unknown or disconnected. */
pid_t target_qemu_pid(const struct target *t);
/* Where RAM is read from: the shared RAM file, else the RAM block's name
 * ("pc.ram"), "" before discovery. */
const char *target_mem_source(const struct target *t);
/* The memory source itself (NULL while disconnected or without one);
 * valid until the next target_poll(). For tests and measurements. */
struct kr_mem *target_mem(const struct target *t);

/* The vCPU's registers (QMP/HMP `info registers`), as name/value pairs. */
struct target_reg { char name[8]; uint64_t value; };
int target_registers(struct target *t, struct target_reg *regs, int max);

/* Events seen so far, oldest first; returns how many (at most TARGET_EVENTS). */
int target_events(const struct target *t, const struct target_event **events);

/*
 * A consistent snapshot: read; on KR_TORN retry up to max_retries, then
 * pause the VM, read, continue it (never leaves it paused unless it was).
 * With always_pause, pause every time. On success *out is the snapshot
 * (kr_snapshot_free it). Returns a kr_status.
 */
int target_snapshot(struct target *t, const struct kr_snapshot_opts *o,
		    struct kr_snapshot **out);
void target_stats(const struct target *t, struct target_stats *s);

/* Run control through QMP: stop, cont, system_reset. 0 or -1 (message set). */
int target_pause(struct target *t);
int target_continue(struct target *t);
int target_reset(struct target *t);

/*
 * Post-mortem: true once the guest panicked (GUEST_PANICKED event, or the
 * kernel's panic flag in a snapshot). target_dump() writes a core with
 * dump-guest-memory paging=true (waiting up to 60 s) to
 * core_dir/kdbg-top-panic-TIME.core (core_dir defaults to the QMP
 * socket's directory, else /tmp) and returns its path; `kdbg attach
 * core:PATH` normalises it on open, as for `kdbg dump`.
 */
bool target_panicked(const struct target *t);
int target_dump(struct target *t, char *path, size_t pathlen);

#endif
