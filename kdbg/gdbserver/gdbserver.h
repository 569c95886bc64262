/*
 * gdbserver.h - kdbg-gdbserver: a GDB remote-protocol server between a
 * debugger (GDB, GDB/MI front ends, DAP adapters) and QEMU's gdbstub that
 * shows Cairn's tasks as threads and its objects as `info os` tables.
 *
 *   debugger <-RSP-> [ server.c: packets   threads.c: tasks as threads ]
 *                    [ osdata.c: tables    regs.c: saved registers      ]
 *                    [ upstream.c: QEMU's gdbstub, physical reads       ] <-RSP-> QEMU
 *
 * Everything the server does not understand passes through unchanged.
 * It reads kernel state with kdbg/lib (kread) through the gdbstub itself
 * (QEMU's physical-memory mode), only while the target is stopped, and
 * takes a new snapshot at every stop. Thread 1 is the vCPU itself when no
 * task is current (idle, or the kernel is not readable yet); tasks get
 * ids from 2 up, kept for their lifetime.
 */
#ifndef GDBSERVER_H
#define GDBSERVER_H

#include "kread.h"
#include "rsp.h"

#include <stdbool.h>
#include <stdint.h>

#define PACKET_MAX (1u << 20)   /* larger packets from either side are refused */
#define OUR_PACKET 0x20000      /* the PacketSize offered to debuggers: big
				   qXfer pieces (QEMU's 4 KiB made `info os
				   caps` 140 round trips); m/M/X are split */
#define CPU_TID 1               /* the vCPU pseudo-thread */
#define QEMU_TIMEOUT_MS 5000    /* a stopped QEMU answers in well under this */

struct peer {
	int fd;
	struct rsp_decoder dec;
	bool noack;                /* QStartNoAckMode agreed */
	struct buf last;           /* last frame sent, for a '-' */
	const char *name;          /* "debugger", "QEMU" in messages */
	unsigned char rx[65536];   /* bytes read, not yet decoded */
	size_t rxpos, rxlen;
	bool eof;
};

/* peer.c: one side's byte stream, decoded. */
void peer_init(struct peer *p, int fd, const char *name);
void peer_close(struct peer *p);
/* Read what is there (non-blocking): >0 bytes, 0 nothing, -1 closed/error. */
int peer_fill(struct peer *p);
/* The next event in what was read, RSP_NONE when it is used up. */
enum rsp_event peer_next(struct peer *p);
/* Wait up to timeout_ms for an event: 1 got one (*ev), 0 timeout, -1 closed. */
int peer_wait(struct peer *p, int timeout_ms, enum rsp_event *ev);
/* Send a packet (framed; kept for a '-'), an ack, raw bytes: 0 or -1. */
int peer_send(struct peer *p, const char *payload, size_t len);
int peer_send_str(struct peer *p, const char *payload);
int peer_ack(struct peer *p, char ack);
int peer_write(struct peer *p, const void *bytes, size_t len);
long long now_ms(void);            /* CLOCK_MONOTONIC, for deadlines */

struct tid_entry {
	uint64_t task;             /* task object address */
	int tid;
	bool seen;                 /* in the latest snapshot */
};

struct page {
	uint64_t gpa;              /* page-aligned; ~0 empty */
	unsigned char data[4096];
};

struct server {
	struct peer dbg, qemu;
	const char *target;        /* QEMU's gdbstub address, for messages */
	bool verbose;

	/* The kernel. */
	struct kr_elf *elf;
	struct kr_mem *mem;        /* physical reads through upstream.c */
	struct kr_mem *ram;        /* or guest RAM itself (--qmp), NULL if not */
	char ram_mode[600];        /* how ram reads, for messages */
	struct kr_reader *reader;
	struct kr_snapshot *snap;  /* tasks etc. at this stop, NULL if unreadable */
	struct kr_snapshot *full;  /* the same with every cap, taken on demand */
	char snap_error[256];      /* why snap is NULL */
	bool snap_valid;           /* snap (or snap_error) is for this stop */
	bool full_valid;

	/* Tasks as threads. */
	struct tid_entry *tids;
	int ntids, captids, next_tid;
	int sel_g;                 /* thread chosen by Hg (0: any, i.e. current) */
	struct buf xfer;           /* qXfer document being read in pieces */
	char xfer_name[64];        /* "threads" or "osdata:caps" */

	/* User ELFs announced as libraries (qXfer:libraries:read), so GDB
	 * loads their symbols and a blocked task's bt resolves. */
	struct buf libraries;

	/* Upstream state. */
	bool running;              /* resumed: a stop reply will come */
	bool phys_mode;            /* QEMU's memory accesses are physical */
	bool qemu_gone;
	bool saw_stop_notice;      /* QEMU announced a stop nobody asked for */
	bool vm_was_running;       /* ... on connecting: it stopped the VM */
	char qemu_error[256];
	struct buf vcpu_g;         /* the vCPU's `g` reply at this stop (a task's
				    * registers are patched into a copy) */
	struct page *cache;        /* physical pages read at this stop */
	int ncache;
	unsigned mem_packet;       /* bytes per `m` read */
	size_t qemu_packet;        /* QEMU's PacketSize: longer packets are split */
};

/* upstream.c */
int upstream_connect(struct server *s, const char *addr, char *err, size_t errlen);
/* Let go of QEMU between debuggers: a VM that our connecting stopped runs
 * on (QEMU stops the VM for every new gdbstub client and keeps it
 * stopped when one goes, whatever it was doing before). */
void upstream_release(struct server *s);
/* D for QEMU, also when an earlier client left its stub in multiprocess
 * mode (it never leaves it: plain D is then E22). Returns the reply's
 * first byte ('O' for OK), or -1 if QEMU is gone. */
int upstream_detach(struct server *s);
/* Send a packet to QEMU and wait for its reply (the target is stopped).
 * Returns 0 and the reply in s->qemu.dec.buf/len (valid until the next
 * call), or -1 with s->qemu_error set (QEMU gone or silent). */
int upstream_exchange(struct server *s, const char *payload, size_t len);
int upstream_send(struct server *s, const char *payload, size_t len);
void upstream_send_raw(struct server *s, const char *bytes, size_t len);
/* Back to virtual addresses (what the debugger's m/M mean). */
int upstream_virtual_mode(struct server *s);
void upstream_invalidate(struct server *s);   /* the target ran or was written */
int upstream_read_phys(void *ctx, uint64_t gpa, void *buf, size_t len);

/* threads.c */
void threads_invalidate(struct server *s);        /* new stop: snapshot again */
const struct kr_snapshot *threads_snapshot(struct server *s);
const struct kr_snapshot *threads_full_snapshot(struct server *s);
int threads_current_tid(struct server *s);
/* The task of a thread id, NULL for the vCPU or an unknown id. */
const struct kr_task *threads_task(struct server *s, int tid);
bool threads_alive(struct server *s, int tid);
void threads_list(struct server *s, struct buf *out);      /* "m2,3,4" */
void threads_xml(struct server *s, struct buf *out);       /* qXfer:threads */
void threads_extra_info(struct server *s, int tid, struct buf *out);  /* text */
/* Rewrite a stop reply ("T05thread:01;...", "S05") for the current task. */
void threads_stop_reply(struct server *s, const char *reply, size_t len, struct buf *out);

/* fastmem.c: guest RAM read directly (the RAM file QEMU shares, or QEMU's
 * address space), found through a QMP socket used for a moment only. */
int fastmem_open(struct server *s, const char *qmp_addr, char *err, size_t errlen);

/* server.c */
/* Serve one debugger connection until it goes; returns 0, or -1 if QEMU
 * went away (no point in serving another). */
int serve(struct server *s, int dbg_fd);

#endif
