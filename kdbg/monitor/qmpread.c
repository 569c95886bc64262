/*
 * qmpread.c - guest-physical reads through QMP, the mode of last resort
 * (no shared RAM, no pid): every read is a QMP round trip.
 *
 * Measured on QEMU 7.2 TCG (this host): `pmemsave` of 64 KiB costs about
 * 2.5-3.5 ms whatever the size up to 64 KiB (1 MiB: 4-10 ms); HMP
 * `xp /512xg` costs 1.5-3 ms per 4 KiB and must be parsed, so 64 KiB
 * takes 20-50 ms. pmemsave is used whenever QEMU can write our temp file;
 * xp when it cannot (QEMU on another host or under another user). The
 * kernel reader makes many small reads, so whole 64 KiB chunks are read
 * and cached for one snapshot.
 */
#define _GNU_SOURCE
#include "memmap.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CHUNK     (64u * 1024)   /* pmemsave costs the same up to here */
#define NCHUNKS   32             /* 2 MiB of cache */
#define XP_WORDS  512            /* 8-byte words per `xp` (~15 KiB of text) */
#define CACHE_MS  250            /* a cached chunk outlives no snapshot by more */

struct chunk {
	uint64_t gpa;                /* CHUNK-aligned */
	unsigned gen;
	long long when_ms;
	bool valid;
	unsigned char data[CHUNK];
};

struct qmpread {
	struct qmp *q;
	int timeout_ms;
	char path[64];               /* our pmemsave file */
	int fd;
	bool use_xp;                 /* pmemsave did not reach our file */
	unsigned gen;
	uint64_t nocache_gpa, nocache_len;
	struct chunk *chunks;
	unsigned next_victim;
};

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct qmpread *qmpread_new(struct qmp *q, int timeout_ms)
{
	struct qmpread *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->chunks = calloc(NCHUNKS, sizeof *r->chunks);
	if (!r->chunks) {
		free(r);
		return NULL;
	}
	r->q = q;
	r->timeout_ms = timeout_ms;
	/* /dev/shm: no disk; world-writable so QEMU running as another user
	 * could write it (it opens with O_TRUNC and keeps our inode). */
	snprintf(r->path, sizeof r->path, "%s/kdbg-top-pmem.XXXXXX",
		 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	r->fd = mkstemp(r->path);
	if (r->fd < 0)
		r->use_xp = true;
	else
		fchmod(r->fd, 0666);
	return r;
}

void qmpread_free(struct qmpread *r)
{
	if (!r)
		return;
	if (r->fd >= 0) {
		close(r->fd);
		unlink(r->path);
	}
	free(r->chunks);
	free(r);
}

const char *qmpread_method(const struct qmpread *r) { return r->use_xp ? "xp" : "pmemsave"; }
void qmpread_invalidate(struct qmpread *r) { r->gen++; }
void qmpread_nocache(struct qmpread *r, uint64_t gpa, uint64_t len)
{
	r->nocache_gpa = gpa;
	r->nocache_len = len;
}

/* pmemsave into our file and read it back; 0, KR_EIO, or 1: file untouched. */
static int read_pmemsave(struct qmpread *r, uint64_t gpa, void *buf, size_t len)
{
	char err[256];
	json_t *ret;
	ssize_t n;

	/* Empty first: a QEMU that cannot write here (another host, no
	 * permission) must not leave the last read's bytes looking fresh. */
	if (ftruncate(r->fd, 0) < 0)
		return 1;
	ret = qmp_command(r->q, "pmemsave",
			  json_pack("{s:I, s:I, s:s}", "val", (json_int_t)gpa, "size", (json_int_t)len,
				    "filename", r->path), r->timeout_ms, err, sizeof err);
	if (!ret)
		return qmp_broken(r->q) ? KR_EIO : 1;
	json_decref(ret);
	n = pread(r->fd, buf, len, 0);
	return n == (ssize_t)len ? 0 : 1;
}

/* HMP `xp /Nxg` of whole words covering [gpa, gpa+len). */
static int read_xp(struct qmpread *r, uint64_t gpa, void *buf, size_t len)
{
	uint64_t a0 = gpa & ~7ull, a1 = (gpa + len + 7) & ~7ull;
	unsigned char tmp[XP_WORDS * 8];

	for (uint64_t a = a0; a < a1; a += XP_WORDS * 8) {
		unsigned words = (a1 - a) / 8 > XP_WORDS ? XP_WORDS : (a1 - a) / 8, got = 0;
		char cmd[64], err[256], *text, *line;
		snprintf(cmd, sizeof cmd, "xp /%uxg 0x%" PRIx64, words, a);
		text = qmp_hmp(r->q, cmd, r->timeout_ms, err, sizeof err);
		if (!text)
			return KR_EIO;
		/* "0000000000100000: 0x4f464e49424e5243 0x000004e800000001" */
		for (line = text; line && *line && got < words; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
			uint64_t addr, v;
			int n = 0;
			/* sscanf counts the address alone: without the ':' n stays unset. */
			if (sscanf(line, "%" SCNx64 ":%n", &addr, &n) != 1 || !n || addr != a + got * 8ull)
				continue;
			const char *p = line + n;
			while (got < words && sscanf(p, " 0x%" SCNx64 "%n", &v, &n) == 1) {
				for (int b = 0; b < 8; b++)   /* the guest is little-endian */
					tmp[got * 8 + b] = v >> (8 * b);
				got++;
				p += n;
			}
		}
		free(text);
		if (got != words)
			return KR_EIO;
		/* Copy the part of this batch that was asked for. */
		uint64_t lo = a > gpa ? a : gpa, hi = a + words * 8ull;
		if (hi > gpa + len)
			hi = gpa + len;
		memcpy((unsigned char *)buf + (lo - gpa), tmp + (lo - a), hi - lo);
	}
	return 0;
}

int qmpread_raw(struct qmpread *r, uint64_t gpa, void *buf, size_t len, bool force_xp)
{
	if (qmp_broken(r->q))
		return KR_EIO;
	if (!force_xp && !r->use_xp) {
		int rc = 0;
		for (size_t off = 0; off < len && rc == 0; off += 1u << 20) {
			size_t n = len - off > (1u << 20) ? 1u << 20 : len - off;
			rc = read_pmemsave(r, gpa + off, (char *)buf + off, n);
		}
		if (rc <= 0)
			return rc;
		r->use_xp = true;   /* pmemsave cannot reach us: stay with xp */
	}
	return read_xp(r, gpa, buf, len);
}

static struct chunk *get_chunk(struct qmpread *r, uint64_t base)
{
	long long now = now_ms();
	struct chunk *c;
	for (int i = 0; i < NCHUNKS; i++) {
		c = &r->chunks[i];
		if (c->valid && c->gpa == base && c->gen == r->gen && now - c->when_ms < CACHE_MS)
			return c;
	}
	c = &r->chunks[r->next_victim++ % NCHUNKS];
	c->valid = false;
	if (qmpread_raw(r, base, c->data, CHUNK, false) < 0)
		return NULL;
	c->gpa = base;
	c->gen = r->gen;
	c->when_ms = now;
	c->valid = true;
	return c;
}

static int read_cb(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	struct qmpread *r = ctx;
	if (r->nocache_len && gpa < r->nocache_gpa + r->nocache_len && gpa + len > r->nocache_gpa)
		return qmpread_raw(r, gpa, buf, len, false);
	if (len > 4 * CHUNK)   /* big reads: straight through */
		return qmpread_raw(r, gpa, buf, len, false);
	while (len) {
		uint64_t base = gpa & ~(uint64_t)(CHUNK - 1), off = gpa - base;
		size_t n = CHUNK - off < len ? CHUNK - off : len;
		struct chunk *c = get_chunk(r, base);
		if (!c)
			return KR_EIO;
		memcpy(buf, c->data + off, n);
		buf = (char *)buf + n;
		gpa += n;
		len -= n;
	}
	return 0;
}

int qmpread_open(struct qmpread *r, struct kr_mem **out)
{
	return kr_mem_open_callback(read_cb, r, "QMP", out);
}
