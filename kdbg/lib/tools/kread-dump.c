/*
 * kread-dump - print a snapshot of a Cairn kernel as JSON (docs/schema.md),
 * read through kread from a core, a RAM file shared with QEMU, or QEMU's
 * address space. For debugging kread and for tests (tests/lib-kread/).
 *
 *   kread-dump cairn.elf --core vm.core
 *   kread-dump cairn.elf --ram /dev/shm/ram --region 0:0x80000000@0 ...
 *   kread-dump cairn.elf --pid QEMU_PID --region GPA:SIZE@HVA ...
 *
 * Exit: 0 snapshot printed, 1 error, 2 usage, 3 problems found (--strict).
 */
#define _GNU_SOURCE
#include "kread.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

static void usage(void)
{
	fprintf(stderr,
		"usage: kread-dump ELF (--core FILE | --ram FILE | --pid PID) [options]\n"
		"  --region GPA:SIZE[@WHERE]  RAM layout (--ram: file offset, --pid: host address);\n"
		"                             repeat for several regions\n"
		"  --log N        include the last N bytes of the kernel log\n"
		"  --no-caps      pools only, no per-slot caps\n"
		"  --seq/--no-seq check kernel_debug.seq (default: on for --ram/--pid)\n"
		"  --retries N    torn reads to retry (default 50)\n"
		"  --pretty       indented JSON\n"
		"  --bench N      take N snapshots; print timings to stderr\n"
		"  --quiet        print no JSON\n"
		"  --strict       exit 3 when the snapshot lists problems\n"
		"  --verify-stream  check kr_json_stream_line against kr_snapshot_to_json\n"
		"                 on this snapshot and on edited copies of its caps\n"
		"  --info         print the ELF's arch, bases and symbols to stderr\n");
	exit(2);
}

static uint64_t num(const char *s, const char *what)
{
	char *end;
	errno = 0;
	uint64_t v = strtoull(s, &end, 0);
	if (errno || end == s || *end) {
		fprintf(stderr, "kread-dump: bad %s '%s'\n", what, s);
		exit(2);
	}
	return v;
}

static void parse_region(const char *arg, struct kr_region *r)
{
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *colon = strchr(buf, ':');
	if (!colon)
		usage();
	*colon = 0;
	char *at = strchr(colon + 1, '@');
	if (at)
		*at = 0;
	r->gpa = num(buf, "region address");
	r->size = num(colon + 1, "region size");
	r->where = at ? num(at + 1, "region offset") : 0;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* One stream line against the full encoding of the same snapshot. */
static bool stream_matches(struct kr_json_stream *js, const struct kr_snapshot *s,
			   const char *what)
{
	size_t len;
	const char *line = kr_json_stream_line(js, s, NULL, &len);
	json_t *full = kr_snapshot_to_json(s);
	json_t *got = line ? json_loadb(line, len, 0, NULL) : NULL;
	bool same = got && full && json_equal(got, full) && line[len - 1] == '\n' &&
		    !memchr(line, '\n', len - 1);
	fprintf(stderr, "kread-dump: stream %s: %s\n", what, same ? "same" : "DIFFERENT");
	json_decref(got);
	json_decref(full);
	return same;
}

/* The stream keeps each cap's text while the cap is unchanged: edit caps
 * between lines and check every line still says what the full encoding
 * says. The edits touch only this process's copy. */
static int verify_stream(struct kr_snapshot *s)
{
	struct kr_json_stream *js = kr_json_stream_new();
	int ncaps = s->ncaps;
	bool ok = js && stream_matches(js, s, "first line") &&
		  stream_matches(js, s, "same snapshot again");
	if (ok && ncaps >= 2) {
		struct kr_cap first = s->caps[0];
		s->caps[0].rights ^= 1;
		s->caps[ncaps / 2].parent = s->caps[0].slot_addr;
		snprintf(s->caps[ncaps - 1].holder_label, sizeof(s->caps[0].holder_label), "edited");
		ok = stream_matches(js, s, "three caps edited");
		s->caps[0] = s->caps[ncaps - 1];
		s->caps[ncaps - 1] = first;
		ok = ok && stream_matches(js, s, "two caps swapped");
		s->ncaps = ncaps / 2;
		ok = ok && stream_matches(js, s, "half the caps gone");
		s->ncaps = ncaps;
		ok = ok && stream_matches(js, s, "caps back");
	}
	kr_json_stream_free(js);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	enum { O_CORE = 256, O_RAM, O_PID, O_REGION, O_LOG, O_NOCAPS, O_SEQ, O_NOSEQ,
	       O_RETRIES, O_PRETTY, O_BENCH, O_QUIET, O_STRICT, O_INFO, O_VERIFY };
	static const struct option opts[] = {
		{ "core", required_argument, 0, O_CORE }, { "ram", required_argument, 0, O_RAM },
		{ "pid", required_argument, 0, O_PID }, { "region", required_argument, 0, O_REGION },
		{ "log", required_argument, 0, O_LOG }, { "no-caps", no_argument, 0, O_NOCAPS },
		{ "seq", no_argument, 0, O_SEQ }, { "no-seq", no_argument, 0, O_NOSEQ },
		{ "retries", required_argument, 0, O_RETRIES },
		{ "pretty", no_argument, 0, O_PRETTY }, { "bench", required_argument, 0, O_BENCH },
		{ "quiet", no_argument, 0, O_QUIET }, { "strict", no_argument, 0, O_STRICT },
		{ "info", no_argument, 0, O_INFO }, { "verify-stream", no_argument, 0, O_VERIFY },
		{ "help", no_argument, 0, 'h' }, { 0 } };
	const char *core = NULL, *ram = NULL;
	long pid = 0;
	struct kr_region regions[16];
	int nregions = 0, seq = -1, retries = 50, bench = 0;
	bool pretty = false, quiet = false, strict = false, info = false, verify = false;
	struct kr_snapshot_opts so = { .caps = true };
	int c;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case O_CORE: core = optarg; break;
		case O_RAM: ram = optarg; break;
		case O_PID: pid = (long)num(optarg, "pid"); break;
		case O_REGION:
			if (nregions == 16)
				usage();
			parse_region(optarg, &regions[nregions++]);
			break;
		case O_LOG: so.log_max = num(optarg, "log size"); break;
		case O_NOCAPS: so.caps = false; break;
		case O_SEQ: seq = 1; break;
		case O_NOSEQ: seq = 0; break;
		case O_RETRIES: retries = (int)num(optarg, "retries"); break;
		case O_PRETTY: pretty = true; break;
		case O_BENCH: bench = (int)num(optarg, "count"); break;
		case O_QUIET: quiet = true; break;
		case O_STRICT: strict = true; break;
		case O_INFO: info = true; break;
		case O_VERIFY: verify = true; break;
		default: usage();
		}
	}
	if (optind != argc - 1 || (!!core + !!ram + !!pid) != 1)
		usage();
	so.check_seq = seq < 0 ? !core : seq;

	char err[512];
	struct kr_elf *elf;
	if (kr_elf_open(argv[optind], &elf, err, sizeof(err))) {
		fprintf(stderr, "kread-dump: %s\n", err);
		return 1;
	}
	if (info)
		fprintf(stderr, "arch %s direct_map_base %#lx kernel_vbase %#lx object_lists %#lx\n",
			kr_elf_arch(elf), (unsigned long)kr_elf_direct_map_base(elf),
			(unsigned long)kr_elf_kernel_vbase(elf),
			(unsigned long)kr_elf_symbol(elf, "object_lists"));
	struct kr_mem *mem;
	int rc;
	if (core)
		rc = kr_mem_open_core(core, &mem, err, sizeof(err));
	else if (ram)
		rc = kr_mem_open_file(ram, regions, nregions, &mem, err, sizeof(err));
	else
		rc = kr_mem_open_process((pid_t)pid, regions, nregions, &mem, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "kread-dump: %s\n", err);
		kr_elf_close(elf);
		return 1;
	}
	struct kr_reader *r;
	if (kr_reader_new(elf, mem, &r)) {
		fprintf(stderr, "kread-dump: out of memory\n");
		return 1;
	}
	if (info && kr_reader_note(r)[0])
		fprintf(stderr, "note: %s\n", kr_reader_note(r));

	int runs = bench > 0 ? bench : 1, torn = 0;
	double *times = calloc((size_t)runs, sizeof(double));
	struct kr_snapshot *s = NULL;
	rc = 0;
	for (int i = 0; i < runs && !rc; i++) {
		kr_snapshot_free(s);
		s = NULL;
		for (int attempt = 0;; attempt++) {
			double t0 = now_ms();
			rc = kr_snapshot_read(r, &so, &s);
			times[i] = now_ms() - t0;
			if (rc != KR_TORN || attempt >= retries)
				break;
			torn++;
			/* The kernel is inside (e.g. printing to a slow UART under
			 * TCG): give it a millisecond rather than spinning. */
			nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
		}
	}
	if (rc) {
		fprintf(stderr, "kread-dump: snapshot failed (%d): %s\n", rc, kr_error(r));
		rc = 1;
		goto out;
	}
	if (bench > 0) {
		qsort(times, (size_t)runs, sizeof(double), cmp_double);
		fprintf(stderr,
			"kread-dump: %d snapshots: median %.3f ms, min %.3f ms, max %.3f ms; "
			"%d tasks, %d caps, %d pools; %lu bytes in %lu reads; %d torn retries\n",
			runs, times[runs / 2], times[0], times[runs - 1], s->ntasks, s->ncaps,
			s->npools, (unsigned long)s->bytes_read, (unsigned long)s->read_calls, torn);
	}
	if (verify && verify_stream(s)) {
		rc = 1;
		goto out;
	}
	if (!quiet) {
		char *text = kr_snapshot_json_text(s, pretty);
		if (!text) {
			fprintf(stderr, "kread-dump: JSON encoding failed\n");
			rc = 1;
			goto out;
		}
		puts(text);
		free(text);
	}
	for (int i = 0; i < s->nproblems; i++)
		fprintf(stderr, "<corrupt: %s>\n", s->problems[i]);
	if (strict && s->nproblems)
		rc = 3;
out:
	free(times);
	kr_snapshot_free(s);
	kr_reader_free(r);
	kr_mem_close(mem);
	kr_elf_close(elf);
	return rc;
}
