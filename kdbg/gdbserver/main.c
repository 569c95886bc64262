/*
 * main.c - kdbg-gdbserver: listen for debuggers and serve each one in
 * turn against QEMU's gdbstub (see gdbserver.h). Usually started by
 * `kdbg gdbserver` or `kdbg run --ide`, which find the ELF and the stub.
 */
#define _GNU_SOURCE
#include "gdbserver.h"

#include <errno.h>
#include <gelf.h>
#include <getopt.h>
#include <libelf.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char usage[] =
	"usage: kdbg-gdbserver --elf CAIRN_ELF --target HOST:PORT|unix:PATH\n"
	"                      [--listen HOST:PORT] [--qmp unix:PATH|HOST:PORT]\n"
	"                      [--user-elf FILE]... [--once] [--verbose]\n"
	"A GDB remote-protocol server in front of QEMU's gdbstub (--target) that\n"
	"shows Cairn's tasks as threads (with names, states, saved registers and\n"
	"their address spaces) and its objects as `info os tasks|caps|channels|untyped`.\n"
	"--listen    where debuggers connect (default 127.0.0.1:1235; port 0: any,\n"
	"            printed on stdout as \"listening on HOST:PORT\")\n"
	"--user-elf  a user-space ELF (rinit's, the test suite's) that GDB loads\n"
	"            symbols from, so a task's backtrace resolves\n"
	"--qmp       a QMP socket of the same QEMU, used at start only: read guest\n"
	"            RAM directly (its shared RAM file, or process_vm_readv) instead\n"
	"            of through the gdbstub (2 KiB a packet); much faster\n"
	"--once      serve one debugger, then exit\n";

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "kdbg-gdbserver: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage);
	return 2;
}

/* The lowest PT_LOAD address: where GDB should put the file's sections
 * (user ELFs are linked where they run, so no offset). */
static int elf_load_base(const char *path, uint64_t *base, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	Elf *e;
	size_t n;
	bool found = false;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	elf_version(EV_CURRENT);
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || elf_getphdrnum(e, &n) < 0) {
		snprintf(err, errlen, "%s: not an ELF file", path);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD &&
		    (!found || ph.p_vaddr < *base)) {
			*base = ph.p_vaddr;
			found = true;
		}
	}
	if (!found)
		snprintf(err, errlen, "%s: no loadable segment", path);
out:
	if (e)
		elf_end(e);
	close(fd);
	return found ? 0 : -1;
}

static int listen_on(const char *addr, char *err, size_t errlen)
{
	char host[256];
	const char *colon = strrchr(addr, ':');
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE }, *res;
	int fd, rc, one = 1;

	if (!colon || (size_t)(colon - addr) >= sizeof host || !colon[1]) {
		snprintf(err, errlen, "--listen %s: expected HOST:PORT", addr);
		return -1;
	}
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = 0;
	rc = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res);
	if (rc) {
		snprintf(err, errlen, "--listen %s: %s", addr, gai_strerror(rc));
		return -1;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 1) < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", addr, strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static void print_listening(int fd)
{
	struct sockaddr_storage sa;
	socklen_t len = sizeof sa;
	char host[NI_MAXHOST], port[NI_MAXSERV];

	if (getsockname(fd, (struct sockaddr *)&sa, &len) == 0 &&
	    getnameinfo((struct sockaddr *)&sa, len, host, sizeof host, port, sizeof port,
			NI_NUMERICHOST | NI_NUMERICSERV) == 0)
		printf("listening on %s:%s\n", host, port);
	fflush(stdout);
}

/* HOST:PORT (a numeric port) or unix:PATH: the shapes --target and
 * --listen take, checked before anything is opened so that a mistyped
 * address is a usage error (exit 2), not a failed connection. */
static bool address_shape_ok(const char *addr, bool unix_ok)
{
	const char *colon = strrchr(addr, ':');

	if (unix_ok && strncmp(addr, "unix:", 5) == 0)
		return addr[5] != 0;
	if (!colon || colon == addr || !colon[1])
		return false;
	return strspn(colon + 1, "0123456789") == strlen(colon + 1);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "elf", required_argument, NULL, 'e' },
		{ "target", required_argument, NULL, 't' },
		{ "listen", required_argument, NULL, 'l' },
		{ "user-elf", required_argument, NULL, 'u' },
		{ "once", no_argument, NULL, 'o' },
		{ "qmp", required_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct server s;
	const char *elf_path = NULL, *target = NULL, *listen_addr = "127.0.0.1:1235", *qmp = NULL;
	bool once = false;
	char err[512];
	int c, lfd;

	signal(SIGPIPE, SIG_IGN);
	buf_str(&s.libraries, "<library-list>\n");
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		uint64_t base = 0;
		switch (c) {
		case 'e': elf_path = optarg; break;
		case 't': target = optarg; break;
		case 'l': listen_addr = optarg; break;
		case 'o': once = true; break;
		case 'q': qmp = optarg; break;
		case 'v': s.verbose = true; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'u':
			if (elf_load_base(optarg, &base, err, sizeof err) < 0) {
				fprintf(stderr, "kdbg-gdbserver: --user-elf %s\n", err);
				return 2;
			}
			buf_str(&s.libraries, "<library name=\"");
			buf_xml(&s.libraries, optarg);
			buf_printf(&s.libraries, "\"><segment address=\"0x%llx\"/></library>\n",
				   (unsigned long long)base);
			s.next_tid = 1;   /* marks that a library was given */
			break;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument '%s'", argv[optind]);
	if (!elf_path)
		return usage_error("%s", "--elf is required (the kernel ELF, cairn.elf)");
	if (!target)
		return usage_error("%s", "--target is required (QEMU's gdbstub, HOST:PORT or unix:PATH)");
	if (!address_shape_ok(target, true))
		return usage_error("--target %s: expected HOST:PORT or unix:PATH", target);
	if (!address_shape_ok(listen_addr, false))
		return usage_error("--listen %s: expected HOST:PORT", listen_addr);
	buf_str(&s.libraries, "</library-list>\n");
	if (!s.next_tid)
		buf_free(&s.libraries);   /* no user ELF: no libraries feature */
	s.next_tid = CPU_TID + 1;

	if (kr_elf_open(elf_path, &s.elf, err, sizeof err) < 0) {
		fprintf(stderr, "kdbg-gdbserver: %s\n", err);
		return 1;
	}
	/* QEMU first: a server with nothing behind it would answer nothing. */
	if (upstream_connect(&s, target, err, sizeof err) < 0) {
		fprintf(stderr, "kdbg-gdbserver: %s\n", err);
		return 1;
	}
	if (qmp && fastmem_open(&s, qmp, err, sizeof err) < 0)
		fprintf(stderr, "kdbg-gdbserver: --qmp %s: %s; reading through the gdbstub\n",
			qmp, err);
	else if (qmp && s.verbose)
		fprintf(stderr, "kdbg-gdbserver: reading guest RAM from %s\n", s.ram_mode);
	lfd = listen_on(listen_addr, err, sizeof err);
	if (lfd < 0) {
		fprintf(stderr, "kdbg-gdbserver: %s\n", err);
		return 1;
	}
	/* Checked; now let the VM run on until a debugger comes (connecting
	 * stopped it), and tell nobody it was stopped for a moment. */
	upstream_release(&s);
	print_listening(lfd);
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC), one = 1;
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			fprintf(stderr, "kdbg-gdbserver: accept: %s\n", strerror(errno));
			return 1;
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (upstream_connect(&s, target, err, sizeof err) < 0) {
			fprintf(stderr, "kdbg-gdbserver: %s\n", err);
			close(fd);
			return 1;
		}
		if (serve(&s, fd) < 0) {
			fprintf(stderr, "kdbg-gdbserver: QEMU is gone; exiting\n");
			return 1;
		}
		/* A debugger that left without detaching leaves the VM stopped,
		 * as with QEMU's own stub; the next one gets a new connection. */
		s.vm_was_running = false;
		upstream_release(&s);
		if (once)
			return 0;
	}
}
