/*
 * test_seq.c - kread's seqlock and readiness logic on a real core: a
 * callback memory source serves the core and rewrites kernel_debug.seq /
 * .ready on the way, as a running kernel would between two reads.
 *
 *   test-seq cairn.elf phys.core      (TAP; skips if the kernel has no
 *                                      struct kernel_debug yet)
 *
 * Uses kread's private layout (internal.h) to find the fields: the test
 * checks the library, so it may look inside it.
 */
#include "../lib/tap.h"
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

enum mode { NORMAL, ODD, CHANGE, NOT_READY };

struct ctx {
	struct kr_mem *core;
	enum mode mode;
	uint64_t seq_pa, ready_pa;
	unsigned seq_size, ready_size;
	int seq_reads;
};

/* Overwrite the bytes of [fpa, fpa+fsize) that fall in [gpa, gpa+len). */
static void patch(uint8_t *buf, uint64_t gpa, size_t len, uint64_t fpa, unsigned fsize,
		  uint64_t value)
{
	for (unsigned i = 0; i < fsize; i++) {
		uint64_t a = fpa + i;
		if (a >= gpa && a < gpa + len)
			buf[a - gpa] = (uint8_t)(value >> (8 * i));
	}
}

static int read_cb(void *p, uint64_t gpa, void *buf, size_t len)
{
	struct ctx *c = p;
	int rc = kr_mem_read_phys(c->core, gpa, buf, len);
	if (rc)
		return rc;
	bool has_seq = c->seq_pa + c->seq_size > gpa && c->seq_pa < gpa + len;
	if (has_seq) {
		c->seq_reads++;
		uint64_t seq = 1000;
		if (c->mode == ODD)
			seq = 1001;
		else if (c->mode == CHANGE && c->seq_reads > 1)
			seq = 1002;  /* the kernel went in and out between the reads */
		patch(buf, gpa, len, c->seq_pa, c->seq_size, seq);
	}
	/* ready: 1, or 0 for NOT_READY (a kernel still booting) */
	patch(buf, gpa, len, c->ready_pa, c->ready_size, c->mode == NOT_READY ? 0 : 1);
	return 0;
}

/* One check; kread's error (if any) says why it failed. */
static void check(bool ok, const char *what, const char *detail)
{
	if (!tap_ok(ok, "%s", what) && *detail)
		tap_diag("%s", detail);
}

int main(int argc, char **argv)
{
	char err[256];
	struct kr_elf *elf;
	struct kr_mem *core, *cb;
	if (argc != 3) {
		fprintf(stderr, "usage: test-seq cairn.elf phys.core\n");
		return 2;
	}
	if (kr_elf_open(argv[1], &elf, err, sizeof(err)) ||
	    kr_mem_open_core(argv[2], &core, err, sizeof(err))) {
		tap_ok(false, "open: %s", err);
		return tap_done();
	}
	const struct kr_layout *L = &elf->L;
	if (!L->dbg.present || !L->dbg.seq.ok || !L->dbg.ready.ok) {
		tap_ok(true, "seqlock # SKIP the kernel has no struct kernel_debug (seq, ready) yet");
		return tap_done();
	}
	struct ctx c = { .core = core };
	struct kr_reader *r;
	kr_mem_open_callback(read_cb, &c, "test", &cb);
	kr_reader_new(elf, cb, &r);
	uint64_t va = elf->sym_kernel_debug;
	kr_virt_to_phys(r, va + (uint64_t)L->dbg.seq.off, &c.seq_pa);
	kr_virt_to_phys(r, va + (uint64_t)L->dbg.ready.off, &c.ready_pa);
	c.seq_size = L->dbg.seq.size;
	c.ready_size = L->dbg.ready.size;

	struct kr_snapshot_opts o = { .caps = true, .check_seq = true, .log_max = 256 };
	struct kr_snapshot *s = NULL;
	int rc;

	c.mode = NORMAL;
	rc = kr_snapshot_read(r, &o, &s);
	check(rc == KR_OK && s && s->seq == 1000 && s->ntasks > 0, "even, unchanged seq: snapshot",
	      kr_error(r));
	check(c.seq_reads >= 2, "seq is read before and after", "");
	kr_snapshot_free(s);
	s = NULL;

	c.mode = ODD;
	c.seq_reads = 0;
	rc = kr_snapshot_read(r, &o, &s);
	check(rc == KR_TORN && !s, "odd seq (kernel inside): KR_TORN, nothing returned", kr_error(r));

	c.mode = CHANGE;
	c.seq_reads = 0;
	rc = kr_snapshot_read(r, &o, &s);
	check(rc == KR_TORN && !s, "seq changed during the read: KR_TORN", kr_error(r));

	c.mode = CHANGE;
	c.seq_reads = 0;
	o.check_seq = false;
	rc = kr_snapshot_read(r, &o, &s);
	check(rc == KR_OK && s, "check_seq off (stopped VM, core): the same read succeeds",
	      kr_error(r));
	kr_snapshot_free(s);
	s = NULL;
	o.check_seq = true;

	c.mode = NOT_READY;
	rc = kr_snapshot_read(r, &o, &s);
	check(rc == KR_ENOTREADY && !s && strstr(kr_error(r), "not initialised"),
	      "ready == 0: KR_ENOTREADY", kr_error(r));

	uint64_t seq;
	c.mode = ODD;
	check(kr_read_seq(r, &seq) == 0 && seq == 1001, "kr_read_seq", "");

	kr_reader_free(r);
	kr_mem_close(cb);
	kr_mem_close(core);
	kr_elf_close(elf);
	return tap_done();
}
