/*
 * main.c - kdbg-top's command line: which VM, which ELF, which mode
 * (the screen, --batch, --json, --bench), and the exit status:
 * 0 ok, 1 the target or a snapshot failed, 2 bad usage.
 */
#include "monitor.h"
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_text[] =
	"usage: kdbg-top [options] [TARGET]\n"
	"\n"
	"Live monitor of a running Cairn guest: tasks, CPools, the CDT, channels,\n"
	"untyped and the kernel log, read from guest memory without stopping it.\n"
	"\n"
	"TARGET: unix:PATH | PATH | HOST:PORT | libvirt:DOMAIN   (a QMP socket)\n"
	"        default: the newest `kdbg run` (its monitor.qmp and cairn.elf)\n"
	"\n"
	"options:\n"
	"  --elf FILE        the kernel ELF (default: the run's cairn.elf, else build/cairn.elf)\n"
	"  --mem MODE        auto|shared|process|qmp: how guest memory is read (default auto)\n"
	"  --pause           pause the VM for every snapshot\n"
	"  --interval MS     refresh period, 1..60000 (default 33: ~30 refreshes a second)\n"
	"  --batch           print one snapshot as text and exit\n"
	"  --json            print one snapshot as JSON (docs/schema.md) and exit\n"
	"  --count N         with --json: N snapshots, one JSON line every --interval\n"
	"  --view NAME       first view: overview tasks cpool cdt channels untyped log (or 1-7)\n"
	"  --no-color        monochrome screen\n"
	"  -h, --help        this text\n"
	"  --bench N         measure: N refreshes as fast as possible, then print median\n"
	"                    snapshot and redraw ms and refreshes/s (draws to /dev/null\n"
	"                    when stdout is not a terminal)\n"
	"\n"
	"keys: 1-7/Tab views, arrows/j/k PgUp/PgDn move, Enter drill in, Backspace/Esc back,\n"
	"      / filter, s sort, [ ] other CPool, p pause/continue, r reset, + - interval,\n"
	"      ? help, q quit\n"
	"\n"
	"exit status: 0 ok, 1 target or snapshot failure, 2 usage\n";

static void usage_exit(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void usage_exit(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "kdbg-top: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n\n");
	va_end(ap);
	fputs(usage_text, stderr);
	exit(2);
}

static long number(const char *opt, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end || !*s)
		usage_exit("%s: '%s' is not a number", opt, s);
	if (errno == ERANGE || v < lo || v > hi)
		usage_exit("%s: %s is out of range (%ld..%ld)", opt, s, lo, hi);
	return v;
}

static bool exists(const char *path, mode_t type)
{
	struct stat st;

	return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == type;
}

/* The directory `kdbg run` keeps its newest VM's files in. */
static void run_dir(char *out, size_t len)
{
	const char *rt = getenv("XDG_RUNTIME_DIR");

	snprintf(out, len, "%s/kdbg-%u/latest", rt && *rt ? rt : "/tmp", (unsigned)getuid());
}

/* --elf's default: next to the QMP socket (a run dir), next to this
 * binary ($(BUILD)/kdbg-top sits beside $(BUILD)/cairn.elf), else
 * build/cairn.elf under the current directory. */
static const char *default_elf(const char *spec, char *buf, size_t len)
{
	char exe[PATH_MAX];
	ssize_t n;
	const char *path = !strncmp(spec, "unix:", 5) ? spec + 5 : spec;
	const char *slash = strrchr(path, '/');

	if (slash && strchr(spec, '/') && strncmp(spec, "libvirt:", 8)) {
		snprintf(buf, len, "%.*s/cairn.elf", (int)(slash - path), path);
		if (exists(buf, S_IFREG))
			return buf;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		snprintf(buf, len, "%.*s/cairn.elf", (int)(slash - exe), exe);
		if (exists(buf, S_IFREG))
			return buf;
	}
	snprintf(buf, len, "build/cairn.elf");
	return buf;
}

enum { OPT_ELF = 256, OPT_MEM, OPT_PAUSE, OPT_INTERVAL, OPT_BATCH, OPT_JSON, OPT_COUNT,
       OPT_VIEW, OPT_NOCOLOR, OPT_BENCH };

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "elf", required_argument, NULL, OPT_ELF },
		{ "mem", required_argument, NULL, OPT_MEM },
		{ "pause", no_argument, NULL, OPT_PAUSE },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "batch", no_argument, NULL, OPT_BATCH },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "count", required_argument, NULL, OPT_COUNT },
		{ "view", required_argument, NULL, OPT_VIEW },
		{ "no-color", no_argument, NULL, OPT_NOCOLOR },
		{ "bench", required_argument, NULL, OPT_BENCH },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char *const mems[] = { "auto", "shared", "process", "qmp" };
	struct target_opts to = { .max_retries = 8, .qmp_timeout_ms = 2000 };
	struct app a = { .interval_ms = 33, .color = true };
	bool batch = false, json = false, count_given = false;
	long count = 1, bench = 0;
	int view = VIEW_OVERVIEW, mem = PREF_AUTO, c, rc;
	char elfbuf[PATH_MAX], specbuf[PATH_MAX + 8], dir[PATH_MAX - 32], err[400];
	const char *cp;

	setlocale(LC_ALL, "");
	/* Wide glyphs only where the terminal's locale can show them. */
	cp = nl_langinfo(CODESET);
	a.utf8 = cp && !strcmp(cp, "UTF-8");

	opterr = 0;   /* our own messages: precise, and followed by the usage */
	while ((c = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ELF: to.elf_path = optarg; break;
		case OPT_MEM:
			mem = -1;
			for (int i = 0; i < 4; i++)
				if (!strcmp(optarg, mems[i]))
					mem = i;   /* enum target_mem_pref order */
			if (mem < 0)
				usage_exit("--mem: '%s' is not one of auto, shared, process, qmp", optarg);
			break;
		case OPT_PAUSE: to.always_pause = true; break;
		case OPT_INTERVAL: a.interval_ms = number("--interval", optarg, 1, 60000); break;
		case OPT_BATCH: batch = true; break;
		case OPT_JSON: json = true; break;
		case OPT_COUNT: count = number("--count", optarg, 1, 100000000); count_given = true; break;
		case OPT_VIEW:
			view = view_by_name(optarg);
			if (view < 0)
				usage_exit("--view: '%s' is not one of overview, tasks, cpool, cdt, "
					   "channels, untyped, log (or 1-7)", optarg);
			break;
		case OPT_NOCOLOR: a.color = false; break;
		case OPT_BENCH: bench = number("--bench", optarg, 1, 10000000); break;
		case 'h': fputs(usage_text, stdout); return 0;
		case ':':
			usage_exit("option '%s' needs a value", argv[optind - 1]);
			break;
		default:
			if (optopt)
				usage_exit("unknown option '-%c'", optopt);
			usage_exit("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc - 1)
		usage_exit("too many arguments: '%s' (one TARGET at most)", argv[optind + 1]);
	if (batch && json)
		usage_exit("--batch and --json: choose one");
	if (count_given && !json)
		usage_exit("--count works with --json only");
	if (bench && (batch || json))
		usage_exit("--bench cannot be combined with --batch or --json");

	to.mem = (enum target_mem_pref)mem;
	if (optind < argc) {
		to.spec = argv[optind];
	} else {
		run_dir(dir, sizeof(dir));
		snprintf(specbuf, sizeof(specbuf), "%s/monitor.qmp", dir);
		if (!exists(specbuf, S_IFSOCK)) {
			fprintf(stderr, "kdbg-top: no target given and no kdbg run found (start one "
					"with kdbg run, or give TARGET)\n\n");
			fputs(usage_text, stderr);
			return 2;
		}
		snprintf(specbuf, sizeof(specbuf), "unix:%s/monitor.qmp", dir);
		to.spec = specbuf;
		if (!to.elf_path) {
			snprintf(elfbuf, sizeof(elfbuf), "%s/cairn.elf", dir);
			if (exists(elfbuf, S_IFREG))
				to.elf_path = elfbuf;
		}
	}
	if (!to.elf_path)
		to.elf_path = default_elf(to.spec, elfbuf, sizeof(elfbuf));

	err[0] = '\0';
	a.t = target_new(&to, err, sizeof(err));
	if (!a.t) {
		fprintf(stderr, "kdbg-top: %s\n", err[0] ? err : "cannot set up the target");
		return 1;
	}
	a.spec = to.spec;
	a.ui.view = view;
	model_init(&a);
	if (json)
		rc = output_json(&a, count);
	else if (batch)
		rc = output_batch(&a);
	else
		rc = ui_run(&a, bench);
	model_free(&a);
	target_free(a.t);
	return rc;
}
