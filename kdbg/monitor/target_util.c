/*
 * target_util.c - spec resolution (plain, libvirt) and register parsing
 * for target.c; see target_util.h.
 */
#define _GNU_SOURCE
#include "target_util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LIBVIRT_TIMEOUT_MS 30000 /* libvirt's first connection probes QEMU (~16 s) */

/* ---- resolving the spec --------------------------------------------------- */

/* kdbg/bin/kdbg of this tree: $KDBG_TREE, else up from the executable. */
static bool find_kdbg(char *out, size_t outlen)
{
	const char *tree = getenv("KDBG_TREE");
	char dir[PATH_MAX];
	ssize_t n;

	if (tree && *tree) {
		snprintf(out, outlen, "%s/kdbg/bin/kdbg", tree);
		return access(out, X_OK) == 0;
	}
	n = readlink("/proc/self/exe", dir, sizeof dir - 1);
	if (n <= 0)
		return false;
	dir[n] = 0;
	for (char *slash; (slash = strrchr(dir, '/')) && slash != dir;) {
		*slash = 0;
		if (strlen(dir) + 15 > outlen)
			continue;
		snprintf(out, outlen, "%.*s/kdbg/bin/kdbg", (int)(outlen - 15), dir);
		if (access(out, X_OK) == 0)
			return true;
	}
	return false;
}

/* The one definition of now_s (monitor.h, target_util.h). */
double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int target_resolve_libvirt(const char *domain, char *addr, size_t addrlen,
			   char *err, size_t errlen)
{
	char kdbg[PATH_MAX], out[1024] = "", errbuf[512] = "";
	int po[2], pe[2], status = 0;
	size_t no = 0, ne = 0;
	pid_t pid;
	bool timed_out = false;
	double deadline = now_s() + LIBVIRT_TIMEOUT_MS / 1000.0;

	if (!find_kdbg(kdbg, sizeof kdbg)) {
		snprintf(err, errlen, "cannot find kdbg/bin/kdbg to resolve libvirt:%s (set "
			 "KDBG_TREE to the Cairn tree)", domain);
		return -1;
	}
	if (pipe2(po, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	if (pipe2(pe, O_CLOEXEC) < 0) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		close(po[0]);
		close(po[1]);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		if (devnull >= 0)
			dup2(devnull, 0);
		execl(kdbg, kdbg, "libvirt-qmp", domain, (char *)NULL);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(po[0]);
		close(pe[0]);
		return -1;
	}
	/* Both pipes until EOF (or the deadline): stdout has the answer,
	 * stderr the reason when there is none. */
	struct pollfd p[2] = { { .fd = po[0], .events = POLLIN }, { .fd = pe[0], .events = POLLIN } };
	while (p[0].fd >= 0 || p[1].fd >= 0) {
		int left = (int)((deadline - now_s()) * 1000);
		if (left <= 0 || poll(p, 2, left) == 0) {
			kill(pid, SIGKILL);
			timed_out = true;
			break;
		}
		for (int i = 0; i < 2; i++) {
			char *b = i ? errbuf : out;
			size_t *len = i ? &ne : &no, cap = i ? sizeof errbuf : sizeof out;
			if (p[i].fd < 0 || !p[i].revents)
				continue;
			ssize_t r = read(p[i].fd, b + *len, cap - 1 - *len);
			if (r <= 0) {
				close(p[i].fd);
				p[i].fd = -1;
			} else {
				*len += r;
				b[*len] = 0;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (p[i].fd >= 0)
			close(p[i].fd);
	waitpid(pid, &status, 0);
	out[strcspn(out, "\r\n")] = 0;
	errbuf[strcspn(errbuf, "\n")] = 0;
	if (timed_out) {
		snprintf(err, errlen, "kdbg libvirt-qmp %s did not answer within %d s", domain,
			 LIBVIRT_TIMEOUT_MS / 1000);
		return -1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) || strncmp(out, "unix:", 5)) {
		snprintf(err, errlen, "cannot find the QMP socket of libvirt domain %s: %s", domain,
			 errbuf[0] ? errbuf : out[0] ? out : "kdbg libvirt-qmp failed");
		return -1;
	}
	snprintf(addr, addrlen, "%s", out);
	return 0;
}

/* "unix:PATH", "HOST:PORT" (digits after the last colon, no slash), else a path. */
void target_resolve_plain(const char *s, char *addr, size_t addrlen)
{
	const char *colon = strrchr(s, ':');
	bool tcp = colon && colon[1] && !strchr(s, '/') &&
		   strspn(colon + 1, "0123456789") == strlen(colon + 1);
	if (!strncmp(s, "unix:", 5) || tcp)
		snprintf(addr, addrlen, "%s", s);
	else
		snprintf(addr, addrlen, "unix:%s", s);
}

/* ---- registers ---------------------------------------------------------- */

/* The registers worth a line on the overview, in display order. */
static const char *const x86_regs[] = {
	"RIP", "RSP", "RBP", "RAX", "RBX", "RCX", "RDX", "RSI", "RDI", "R8", "R9", "R10",
	"R11", "R12", "R13", "R14", "R15", "RFL", "CR3", "CR2", "CR0", "CR4", "EFER", "CPL", NULL
};
static const char *const a64_regs[] = {
	"PC", "SP", "PSTATE", "X00", "X01", "X02", "X03", "X04", "X05", "X06", "X07", "X08",
	"X09", "X10", "X11", "X12", "X13", "X14", "X15", "X16", "X17", "X18", "X19", "X20",
	"X21", "X22", "X23", "X24", "X25", "X26", "X27", "X28", "X29", "X30", NULL
};

/*
 * HMP `info registers` prints NAME=HEX pairs, several a line, differently
 * per arch (x86: "RAX=0000... RBX=...", "R8 =..."; AArch64: " PC=ffff...
 * X00=..."). Collect every pair of the first CPU, then keep the listed ones.
 */
int target_parse_regs(const char *text, struct target_reg *out, int max)
{
	const char *const *want = strstr(text, "RIP=") ? x86_regs : a64_regs;
	struct target_reg all[160];
	int n = 0, k = 0;
	const char *p = text, *cpu2 = strstr(text, "CPU#");

	if (cpu2)
		cpu2 = strstr(cpu2 + 4, "CPU#");   /* stop at the second CPU */
	for (; *p && (!cpu2 || p < cpu2) && n < 160; p++) {
		const char *name = p, *q;
		if (!(*p >= 'A' && *p <= 'Z') || (p > text && ((p[-1] >= 'A' && p[-1] <= 'Z') ||
		    (p[-1] >= '0' && p[-1] <= '9') || p[-1] == '_')))
			continue;
		q = p;
		while ((*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_')
			q++;
		size_t len = q - name;
		while (*q == ' ')
			q++;
		if (*q != '=' || len >= sizeof all[0].name)
			continue;
		char *end;
		unsigned long long v = strtoull(q + 1, &end, 16);
		if (end == q + 1)
			continue;
		memcpy(all[n].name, name, len);
		all[n].name[len] = 0;
		all[n].value = v;
		n++;
		p = end - 1;
	}
	for (int w = 0; want[w] && k < max; w++)
		for (int i = 0; i < n; i++)
			if (!strcmp(all[i].name, want[w])) {
				out[k++] = all[i];
				break;
			}
	return k;
}
