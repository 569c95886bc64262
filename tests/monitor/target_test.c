/*
 * target_test.c - kdbg-top's target.c against fake and real QMP peers,
 * one TAP line per check.
 *
 *   target_test fake FAKE_QMP_PY ELF DIR    every misbehaviour of tests/monitor/fake_qmp.py
 *   target_test real SPEC ELF MODE          a real QEMU: MODE shared|process|qmp must be
 *                                           found and read the kernel; prints timings;
 *                                           noshared: a VM without shared RAM
 *   target_test restart SPEC ELF CMD        QEMU hangs, is killed, CMD starts it again
 *
 * What matters is that every failure is a clear message, never a crash or
 * a hang: each call is timed against the QMP timeout plus slack.
 */
#define _GNU_SOURCE
#include "../lib/tap.h"
#include "memmap.h"
#include "qmp.h"
#include "target.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define REGS_GAP_MS 300   /* target_registers caches for 250 ms */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* ---- the fake peer ---------------------------------------------------------- */

static const char *fake_py, *elf_path, *dir;
static char sock[512];
static pid_t fake_pid;

static void stop_fake(void)
{
	if (fake_pid > 0) {
		kill(fake_pid, SIGKILL);
		waitpid(fake_pid, NULL, 0);
		fake_pid = 0;
	}
}

static bool start_fake(const char *mode, const char *extra)
{
	stop_fake();
	unlink(sock);
	fake_pid = fork();
	if (fake_pid == 0) {
		freopen("/dev/null", "w", stdout);
		if (extra)
			execl("/usr/bin/python3", "python3", fake_py, "--socket", sock, "--mode", mode,
			      "--after", extra, (char *)NULL);
		else
			execl("/usr/bin/python3", "python3", fake_py, "--socket", sock, "--mode", mode,
			      (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100; i++) {
		struct stat st;
		if (stat(sock, &st) == 0)
			return true;
		sleep_ms(20);
	}
	return false;
}

static struct target *new_target(const char *spec, int timeout_ms, enum target_mem_pref mem)
{
	char err[512];
	struct target_opts o = { .spec = spec, .elf_path = elf_path, .mem = mem,
				 .qmp_timeout_ms = timeout_ms, .core_dir = dir };
	struct target *t = target_new(&o, err, sizeof err);
	if (!t)
		printf("# target_new: %s\n", err);
	return t;
}

/* Poll until connected or the deadline; the time taken in *took. */
static bool connect_within(struct target *t, double secs, double *took)
{
	double t0 = now_s();
	bool c = false;
	while (!(c = target_poll(t)) && now_s() - t0 < secs)
		sleep_ms(20);
	if (took)
		*took = now_s() - t0;
	return c;
}

static bool has(const char *hay, const char *needle)
{
	return hay && strcasestr(hay, needle);
}

static void test_good(void)
{
	struct target *t;
	struct target_reg regs[64];
	const struct target_event *ev;
	double took = 0;
	int n;

	start_fake("chatty", NULL);
	t = new_target(sock, 1000, PREF_AUTO);
	tap_ok(t && connect_within(t, 3, &took), "good peer: connects (%.0f ms)", took * 1000);
	if (!t)
		return;
	tap_ok(!strcmp(target_run_state(t), "running"), "good peer: run state running (%s)",
	      target_run_state(t));
	tap_ok(!strcmp(target_accel(t), "tcg"), "good peer: accelerator tcg (%s)", target_accel(t));
	tap_ok(target_mem_mode(t) == MEM_QMP, "good peer: no shared RAM, no gpa2hva -> QMP reads (%s; %s)",
	      target_mem_mode_name(t), target_message(t));
	tap_ok(!strcmp(target_mem_mode_name(t), "QMP pmemsave"), "good peer: pmemsave reaches our file");

	/* Reads: the fake's guest byte at A is A & 0xff, across chunk edges. */
	unsigned char buf[200000];
	bool ok = target_mem(t) && kr_mem_read_phys(target_mem(t), 0x10fff0, buf, sizeof buf) == 0;
	for (size_t i = 0; ok && i < sizeof buf; i++)
		ok = buf[i] == ((0x10fff0 + i) & 0xff);
	tap_ok(ok, "good peer: QMP read of 200000 bytes across chunks is exact");
	ok = target_mem(t) && kr_mem_read_phys(target_mem(t), 0x1003, buf, 13) == 0;
	for (size_t i = 0; ok && i < 13; i++)
		ok = buf[i] == ((0x1003 + i) & 0xff);
	tap_ok(ok, "good peer: small unaligned QMP read is exact");

	n = target_registers(t, regs, 64);
	tap_ok(n >= 20 && !strcmp(regs[0].name, "RIP") && regs[0].value == 0xffffffff8020ab72ull &&
	      !strcmp(regs[1].name, "RSP"), "good peer: registers parsed (%d, first %s)", n,
	      n ? regs[0].name : "-");
	bool r8 = false;
	for (int i = 0; i < n; i++)
		r8 |= !strcmp(regs[i].name, "R8") && regs[i].value == 8;
	tap_ok(r8, "good peer: 'R8 =' parsed");

	tap_ok(target_pause(t) == 0 && !strcmp(target_run_state(t), "paused"), "good peer: pause");
	tap_ok(target_continue(t) == 0 && !strcmp(target_run_state(t), "running"), "good peer: continue");
	tap_ok(target_reset(t) == 0, "good peer: reset");
	sleep_ms(50);
	target_poll(t);
	n = target_events(t, &ev);
	bool stop = false, reset = false, tick = false;
	for (int i = 0; i < n; i++) {
		stop |= !strcmp(ev[i].name, "STOP");
		reset |= !strcmp(ev[i].name, "RESET") && has(ev[i].detail, "host-qmp-system-reset");
		tick |= !strcmp(ev[i].name, "FAKE_TICK");
	}
	tap_ok(stop && reset && tick, "good peer: events recorded, interleaved ones too (%d)", n);

	/* A snapshot of memory that is not a kernel: an error, not a crash. */
	struct kr_snapshot_opts so = { .log_max = 4096, .caps = true, .check_seq = true };
	struct kr_snapshot *s = NULL;
	double t0 = now_s();
	int rc = target_snapshot(t, &so, &s);
	tap_ok(rc != KR_OK || s, "good peer: snapshot of garbage memory returns (%d in %.0f ms: %s)", rc,
	      (now_s() - t0) * 1000, target_message(t));
	kr_snapshot_free(s);
	target_free(t);
}

/* A peer that misbehaves after the handshake: the first command that meets
 * it must fail in time with a message naming the problem. */
static void test_bad_after_handshake(const char *mode, const char *extra, const char *want,
				     int timeout_ms)
{
	struct target *t;
	struct target_reg regs[8];
	double t0, took = 0;
	bool connected;

	start_fake(mode, extra);
	t = new_target(sock, timeout_ms, PREF_QMP);
	if (!t) {
		tap_ok(false, "%s: target_new", mode);
		return;
	}
	/* The handshake itself runs commands (status, discovery): the problem
	 * may show while connecting already. */
	t0 = now_s();
	connected = target_poll(t);
	took = now_s() - t0;
	if (connected) {
		for (int i = 0; i < 20 && target_connected(t); i++) {
			t0 = now_s();
			target_registers(t, regs, 8);
			target_poll(t);
			took = now_s() - t0;
			sleep_ms(REGS_GAP_MS);
		}
	}
	tap_ok(!target_connected(t) && has(target_message(t), want),
	      "%s: disconnected with a clear message ('%s')", mode, target_message(t));
	tap_ok(took < timeout_ms / 1000.0 * 4 + 0.5, "%s: the failing call returned in %.0f ms "
	      "(timeout %d ms)", mode, took * 1000, timeout_ms);
	tap_ok(!strcmp(target_run_state(t), "disconnected"), "%s: run state disconnected", mode);
	target_free(t);
}

static void test_bad_handshake(const char *mode, const char *want, int timeout_ms)
{
	struct target *t;
	double took = 0;

	start_fake(mode, NULL);
	t = new_target(sock, timeout_ms, PREF_AUTO);
	if (!t) {
		tap_ok(false, "%s: target_new", mode);
		return;
	}
	double t0 = now_s();
	bool c = target_poll(t);
	took = now_s() - t0;
	tap_ok(!c && has(target_message(t), want), "%s: refused with a clear message ('%s')", mode,
	      target_message(t));
	tap_ok(took < timeout_ms / 1000.0 + 0.5, "%s: returned in %.0f ms (timeout %d ms)", mode,
	      took * 1000, timeout_ms);
	target_free(t);
}

static void test_wrongtypes(void)
{
	struct target *t;
	struct target_reg regs[8];

	start_fake("wrongtypes", NULL);
	t = new_target(sock, 1000, PREF_AUTO);
	bool c = t && target_poll(t);
	tap_ok(c, "wrongtypes: still connected (replies are well-formed JSON)");
	if (!t)
		return;
	tap_ok(!strcmp(target_run_state(t), "unknown"), "wrongtypes: run state unknown (%s)",
	      target_run_state(t));
	tap_ok(target_mem_mode(t) == MEM_NONE || target_mem_mode(t) == MEM_QMP,
	      "wrongtypes: memory %s: %s", target_mem_mode_name(t), target_message(t));
	tap_ok(target_registers(t, regs, 8) == 0, "wrongtypes: registers none");
	tap_ok(target_pause(t) == 0, "wrongtypes: stop's odd return is ignored");
	target_free(t);
}

static void test_forced_modes(void)
{
	struct target *t;

	start_fake("good", NULL);
	t = new_target(sock, 1000, PREF_SHARED);
	tap_ok(t && target_poll(t) && target_mem_mode(t) == MEM_NONE &&
	      has(target_message(t), "no shared RAM") && has(target_message(t), "share=on"),
	      "--mem shared without shared RAM: '%s'", t ? target_message(t) : "");
	struct kr_snapshot_opts so = { .log_max = 0 };
	struct kr_snapshot *s;
	tap_ok(t && target_snapshot(t, &so, &s) == KR_EIO, "--mem shared: snapshot is KR_EIO");
	target_free(t);
	t = new_target(sock, 1000, PREF_PROCESS);
	tap_ok(t && target_poll(t) && target_mem_mode(t) == MEM_NONE &&
	      has(target_message(t), "gpa2hva"), "--mem process on a fake: '%s'",
	      t ? target_message(t) : "");
	target_free(t);
}

static void test_reconnect(void)
{
	struct target *t;
	double took = 0;

	start_fake("good", NULL);
	t = new_target(sock, 1000, PREF_AUTO);
	tap_ok(t && connect_within(t, 3, NULL), "reconnect: first connection");
	if (!t)
		return;
	stop_fake();     /* the VM exits */
	double t0 = now_s();
	while (target_poll(t) && now_s() - t0 < 3)
		sleep_ms(20);
	tap_ok(!target_connected(t) && has(target_message(t), "closed") &&
	      !strcmp(target_run_state(t), "disconnected") && !target_mem(t),
	      "reconnect: peer gone -> '%s', memory source freed", target_message(t));
	/* Polling a missing socket is cheap and never hangs. */
	t0 = now_s();
	for (int i = 0; i < 10; i++)
		target_poll(t);
	tap_ok(now_s() - t0 < 0.2, "reconnect: polling while away takes %.1f ms for 10 polls",
	      (now_s() - t0) * 1000);
	start_fake("good", NULL);
	tap_ok(connect_within(t, 3, &took) && !strcmp(target_message(t), "reconnected") &&
	      target_mem(t), "reconnect: back after %.0f ms, message '%s', memory rediscovered",
	      took * 1000, target_message(t));
	target_free(t);
}

static void test_specs(void)
{
	struct target *t;
	char spec[600], tree[600], kdbg[700];
	FILE *f;

	start_fake("good", NULL);
	snprintf(spec, sizeof spec, "unix:%s", sock);
	t = new_target(spec, 1000, PREF_AUTO);
	bool c = t && connect_within(t, 3, NULL);
	tap_ok(c && target_qemu_pid(t) == fake_pid, "unix:PATH connects; SO_PEERCRED pid %d (fake %d)",
	      c ? (int)target_qemu_pid(t) : 0, (int)fake_pid);
	target_free(t);

	/* libvirt:DOMAIN through a stand-in kdbg/bin/kdbg under KDBG_TREE. */
	snprintf(tree, sizeof tree, "%s/tree", dir);
	snprintf(kdbg, sizeof kdbg, "mkdir -p %s/kdbg/bin", tree);
	if (system(kdbg) != 0)
		return;
	snprintf(kdbg, sizeof kdbg, "%s/kdbg/bin/kdbg", tree);
	f = fopen(kdbg, "w");
	fprintf(f, "#!/bin/sh\n[ \"$1\" = libvirt-qmp ] || exit 2\n"
		"[ \"$2\" = cairn-test ] || { echo \"domain '$2' not found\" >&2; exit 1; }\n"
		"echo unix:%s\n", sock);
	fclose(f);
	chmod(kdbg, 0755);
	setenv("KDBG_TREE", tree, 1);
	t = new_target("libvirt:cairn-test", 1000, PREF_AUTO);
	tap_ok(t && connect_within(t, 3, NULL), "libvirt:DOMAIN resolved through kdbg libvirt-qmp (%s)",
	      t ? target_message(t) : "");
	target_free(t);
	t = new_target("libvirt:nosuch", 1000, PREF_AUTO);
	tap_ok(t && !target_poll(t) && has(target_message(t), "domain 'nosuch' not found"),
	      "libvirt: unknown domain: '%s'", t ? target_message(t) : "");
	target_free(t);
	unsetenv("KDBG_TREE");

	t = new_target("127.0.0.1:1", 500, PREF_AUTO);
	tap_ok(t && !target_poll(t) && has(target_message(t), "refused"),
	      "HOST:PORT with nobody listening: '%s'", t ? target_message(t) : "");
	target_free(t);
	t = new_target("/nonexistent/qmp.sock", 500, PREF_AUTO);
	tap_ok(t && !target_poll(t) && has(target_message(t), "No such file"),
	      "missing socket: '%s'", t ? target_message(t) : "");
	target_free(t);
}

static int run_fake(void)
{
	snprintf(sock, sizeof sock, "%s/fake.qmp", dir);
	test_good();
	test_bad_handshake("silent-greeting", "no QMP greeting", 500);
	test_bad_handshake("garbage-greeting", "garbage from QMP", 1000);
	test_bad_handshake("notqmp", "not a QMP socket", 1000);
	test_bad_after_handshake("garbage", NULL, "garbage from QMP", 1000);
	test_bad_after_handshake("truncated", NULL, "closed in the middle", 1000);
	test_bad_after_handshake("silent", NULL, "QMP command query-status timed out after 500 ms", 500);
	test_bad_after_handshake("disconnect", "4", "QMP connection closed (VM exited?)", 1000);
	test_bad_after_handshake("oversized", NULL, "longer than", 2000);
	test_wrongtypes();
	test_forced_modes();
	test_reconnect();
	test_specs();
	stop_fake();
	unlink(sock);
	return 0;
}

/* ---- a real QEMU ---------------------------------------------------------------- */

static uint64_t measure_base;   /* a guest-physical address in the kernel image */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* pmemsave vs xp for 64 KiB, median of 7 each (one QMP connection of our own). */
static void measure_qmp_reads(const char *spec)
{
	char err[256], addr[600];
	struct qmp *q;
	static unsigned char buf[65536];
	uint64_t base;

	snprintf(addr, sizeof addr, "%s%s", strncmp(spec, "unix:", 5) ? "unix:" : "", spec);
	q = qmp_connect(addr, 2000, NULL, NULL, err, sizeof err);
	if (!q) {
		printf("# measure: %s\n", err);
		return;
	}
	base = measure_base;
	for (int m = 0; m < 2; m++) {
		struct qmpread *r = qmpread_new(q, 5000);
		double ms[7];
		int ok = 0;
		for (int i = 0; i < 7; i++) {
			double t0 = now_s();
			ok += qmpread_raw(r, base, buf, sizeof buf, m == 1) == 0;
			ms[i] = (now_s() - t0) * 1000;
		}
		qsort(ms, 7, sizeof ms[0], cmp_double);
		printf("# qmp: 64 KiB by %s: median %.2f ms (%.1f MiB/s), %d/7 ok\n",
		       m ? "xp" : "pmemsave", ms[3], 0.0625 / (ms[3] / 1000), ok);
		qmpread_free(r);
	}
	qmp_close(q);
}

static int run_real(const char *spec, const char *mode)
{
	enum target_mem_pref pref = !strcmp(mode, "shared") ? PREF_SHARED :
				    !strcmp(mode, "process") ? PREF_PROCESS : PREF_QMP;
	enum target_mem_mode want = pref == PREF_SHARED ? MEM_SHARED :
				    pref == PREF_PROCESS ? MEM_PROCESS : MEM_QMP;
	struct target *t = new_target(spec, 2000, pref);
	struct kr_reader *r = NULL;
	double took = 0;

	if (!t) {
		tap_ok(false, "%s: target_new", mode);
		return 1;
	}
	tap_ok(connect_within(t, 10, &took), "%s: connected in %.0f ms (%s)", mode, took * 1000,
	      target_message(t));
	tap_ok(target_mem_mode(t) == want, "%s: memory mode %s from %s (%s)", mode,
	      target_mem_mode_name(t), target_mem_source(t), target_message(t));
	if (!target_mem(t))
		goto out;
	/* The kernel log through the kernel's own address translation. */
	if (kr_reader_new((struct kr_elf *)target_elf(t), target_mem(t), &r) == 0) {
		uint64_t va = kr_elf_symbol(target_elf(t), "kernel_log"), pa = 0;
		char text[256];
		int printable = 0;
		bool rd = va && kr_virt_to_phys(r, va, &pa) &&
			  kr_read_virt(r, va, text, sizeof text) == 0;
		for (size_t i = 0; rd && i < sizeof text; i++)
			printable += isprint((unsigned char)text[i]) || text[i] == '\n';
		/* Show the first run of text (the log may start with a header). */
		char *c = text;
		while (c < text + sizeof text - 16 && !(isprint((unsigned char)c[0]) &&
		       isprint((unsigned char)c[1]) && isprint((unsigned char)c[2])))
			c++;
		text[sizeof text - 1] = 0;
		for (char *d = c; *d; d++)
			if (!isprint((unsigned char)*d))
				*d = '|';
		tap_ok(rd && printable > 200, "%s: kernel_log (va 0x%llx, pa 0x%llx) reads as text: "
		      "'%.60s'", mode, (unsigned long long)va, (unsigned long long)pa, c);

		/* 64 KiB read time, median of 9, from the kernel image. */
		double ms[9];
		static unsigned char buf[65536];
		for (int i = 0; i < 9; i++) {
			double t0 = now_s();
			kr_mem_read_phys(target_mem(t), pa & ~0xffffull, buf, sizeof buf);
			ms[i] = (now_s() - t0) * 1000;
			/* QMP mode caches for one snapshot: measure uncached. */
			sleep_ms(target_mem_mode(t) == MEM_QMP ? 260 : 0);
		}
		qsort(ms, 9, sizeof ms[0], cmp_double);
		measure_base = pa & ~0xffffull;
		printf("# %s: 64 KiB read: median %.3f ms (%.1f MiB/s), min %.3f, max %.3f\n", mode,
		       ms[4], 0.0625 / (ms[4] / 1000), ms[0], ms[8]);
		kr_reader_free(r);
	}
	/* A snapshot, as the screen takes it. */
	struct kr_snapshot_opts so = { .log_max = 4096, .caps = true, .check_seq = true };
	struct kr_snapshot *s = NULL;
	double t0 = now_s();
	int rc = target_snapshot(t, &so, &s);
	tap_ok(rc == KR_OK || rc == KR_ENOTREADY, "%s: snapshot: %d in %.1f ms, %d tasks (%s)", mode, rc,
	      (now_s() - t0) * 1000, s ? s->ntasks : 0, target_message(t));
	kr_snapshot_free(s);
	struct target_stats st;
	for (int i = 0; i < 20; i++) {
		s = NULL;
		if (target_snapshot(t, &so, &s) == KR_OK)
			kr_snapshot_free(s);
		target_poll(t);
	}
	target_stats(t, &st);
	printf("# %s: %llu snapshots, %.1f ms each, %llu retries, %llu pauses\n", mode,
	       (unsigned long long)st.snapshots, st.snapshot_ms, (unsigned long long)st.retries,
	       (unsigned long long)st.pauses);

	struct target_reg regs[64];
	int n = target_registers(t, regs, 64);
	tap_ok(n >= 10, "%s: %d registers, %s=0x%llx", mode, n, n ? regs[0].name : "-",
	      n ? (unsigned long long)regs[0].value : 0ull);
	tap_ok(target_pause(t) == 0 && !strcmp(target_run_state(t), "paused") &&
	      target_continue(t) == 0 && !strcmp(target_run_state(t), "running"),
	      "%s: pause and continue", mode);
	if (want == MEM_SHARED) {
		/* --pause: every snapshot stops and continues the VM; our own
		 * STOP/RESUME events stay out of the timeline. */
		struct target_opts po = { .spec = spec, .elf_path = elf_path, .mem = PREF_SHARED,
					  .always_pause = true };
		char perr[256];
		struct target *pt = target_new(&po, perr, sizeof perr);
		const struct target_event *ev;
		int ok = 0, nev0 = 0, nev;
		target_free(t);   /* QMP takes one client per socket */
		t = NULL;
		if (pt && connect_within(pt, 5, NULL)) {
			nev0 = target_events(pt, &ev);
			for (int i = 0; i < 5; i++) {
				s = NULL;
				ok += target_snapshot(pt, &so, &s) == KR_OK;
				kr_snapshot_free(s);
			}
			sleep_ms(50);
			target_poll(pt);
			target_stats(pt, &st);
		}
		nev = pt ? target_events(pt, &ev) : 0;
		tap_ok(pt && ok == 5 && st.pauses == 5 && nev == nev0 &&
		      !strcmp(target_run_state(pt), "running"),
		      "%s: --pause: %d/5 snapshots, %llu pauses, %d new events, state %s", mode, ok,
		      (unsigned long long)st.pauses, nev - nev0, pt ? target_run_state(pt) : "-");
		target_free(pt);
		t = new_target(spec, 2000, pref);
		connect_within(t, 5, NULL);
	}
	if (want == MEM_SHARED) {
		char path[600];
		unsigned char magic[4] = { 0 };
		double t0 = now_s();
		int rc = target_dump(t, path, sizeof path);
		FILE *f = rc == 0 ? fopen(path, "rb") : NULL;
		if (f) {
			if (fread(magic, 1, 4, f) != 4)
				magic[0] = 0;
			fclose(f);
		}
		tap_ok(rc == 0 && !memcmp(magic, "\177ELF", 4) && !strcmp(target_run_state(t), "running"),
		      "%s: target_dump wrote an ELF core in %.0f ms (%s), VM still running",
		      mode, (now_s() - t0) * 1000, rc == 0 ? path : target_message(t));
		if (rc == 0)
			unlink(path);
	}
out:
	target_free(t);
	if (want == MEM_QMP)
		measure_qmp_reads(spec);
	return 0;
}

/* A VM without shared RAM: --mem shared says how to get it; auto finds
 * QEMU's own RAM block (pc.ram / mach-virt.ram) for process_vm_readv. */
static int run_noshared(const char *spec)
{
	struct target *t = new_target(spec, 2000, PREF_SHARED);
	bool c = t && connect_within(t, 10, NULL);
	tap_ok(c && target_mem_mode(t) == MEM_NONE && has(target_message(t), "no shared RAM") &&
	      has(target_message(t), "share=on"), "noshared: --mem shared refused: '%s'",
	      t ? target_message(t) : "");
	target_free(t);
	t = new_target(spec, 2000, PREF_AUTO);
	c = t && connect_within(t, 10, NULL);
	tap_ok(c && target_mem_mode(t) == MEM_PROCESS, "noshared: auto picks %s from RAM block %s",
	      t ? target_mem_mode_name(t) : "-", t ? target_mem_source(t) : "-");
	struct kr_snapshot_opts so = { .log_max = 4096, .caps = true, .check_seq = true };
	struct kr_snapshot *s = NULL;
	int rc = c ? target_snapshot(t, &so, &s) : KR_EIO;
	tap_ok(rc == KR_OK, "noshared: snapshot through process_vm_readv: %d, %d tasks", rc,
	      s ? s->ntasks : 0);
	kr_snapshot_free(s);
	target_free(t);
	return 0;
}

/* The VM hangs (SIGSTOP), then dies (SIGKILL), then comes back. */
static int run_restart(const char *spec, const char *restart_cmd)
{
	struct target *t = new_target(spec, 1000, PREF_AUTO);
	struct target_reg regs[8];
	struct kr_snapshot_opts so = { .log_max = 4096, .caps = true, .check_seq = true };
	struct kr_snapshot *s = NULL;
	double t0, took = 0;
	pid_t pid;

	if (!t || !connect_within(t, 10, NULL)) {
		tap_ok(false, "restart: connect (%s)", t ? target_message(t) : "");
		return 1;
	}
	pid = target_qemu_pid(t);
	tap_ok(pid > 0, "restart: QEMU pid %d from SO_PEERCRED", (int)pid);
	if (pid <= 0)
		return 1;
	kill(pid, SIGSTOP);
	t0 = now_s();
	int n = target_registers(t, regs, 8);
	took = now_s() - t0;
	tap_ok(n == 0 && has(target_message(t), "timed out") && took < 1.5,
	      "restart: a hung QEMU: '%s' after %.0f ms (timeout 1000)", target_message(t), took * 1000);
	kill(pid, SIGKILL);
	kill(pid, SIGCONT);
	t0 = now_s();
	while (target_poll(t) && now_s() - t0 < 3)
		sleep_ms(20);
	took = now_s() - t0;
	t0 = now_s();
	int rc = target_snapshot(t, &so, &s);
	tap_ok(!target_connected(t) && rc == KR_EIO && now_s() - t0 < 0.1 && !target_mem(t),
	      "restart: killed QEMU -> disconnected (%s), snapshot %d at once", target_message(t), rc);
	if (system(restart_cmd) != 0) {
		tap_ok(false, "restart: %s", restart_cmd);
		return 1;
	}
	bool c = connect_within(t, 20, &took);
	tap_ok(c && !strcmp(target_message(t), "reconnected") && target_mem_mode(t) == MEM_SHARED &&
	      target_qemu_pid(t) != pid, "restart: reconnected after %.0f ms, fresh discovery: %s, pid %d",
	      took * 1000, target_mem_mode_name(t), (int)target_qemu_pid(t));
	/* The new kernel may still be booting: wait for a snapshot. */
	t0 = now_s();
	do {
		s = NULL;
		rc = target_snapshot(t, &so, &s);
		if (rc != KR_OK)
			sleep_ms(100);
		target_poll(t);
	} while (rc != KR_OK && now_s() - t0 < 10);
	tap_ok(rc == KR_OK, "restart: snapshot of the new VM: %d tasks", s ? s->ntasks : 0);
	kr_snapshot_free(s);
	target_free(t);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 5 && !strcmp(argv[1], "fake")) {
		fake_py = argv[2];
		elf_path = argv[3];
		dir = argv[4];
		run_fake();
	} else if (argc == 5 && !strcmp(argv[1], "real")) {
		elf_path = argv[3];
		dir = "/tmp";
		if (!strcmp(argv[4], "noshared"))
			run_noshared(argv[2]);
		else
			run_real(argv[2], argv[4]);
	} else if (argc == 5 && !strcmp(argv[1], "restart")) {
		elf_path = argv[3];
		dir = "/tmp";
		run_restart(argv[2], argv[4]);
	} else {
		fprintf(stderr, "usage: target_test fake FAKE_QMP_PY ELF DIR | real SPEC ELF "
			"shared|process|qmp|noshared | restart SPEC ELF RESTART_CMD\n");
		return 2;
	}
	return tap_done();
}
