/*
 * fastmem.c - guest RAM for the server's snapshots without the gdbstub:
 * the RAM file QEMU shares (-object memory-backend-file,share=on, as
 * `kdbg run` and the tests boot), else QEMU's address space through
 * process_vm_readv. Both are found the way kdbg-top finds them
 * (kdbg/monitor/memmap.c, `info mtree -f` over QMP); the QMP socket is
 * held only while looking, so `kdbg dump` and kdbg-top can use it after.
 * The server reads only while the VM is stopped, so RAM holds still.
 */
#include "gdbserver.h"
#include "memmap.h"
#include "qmp.h"

#include <stdio.h>

#define QMP_TIMEOUT_MS 3000

int fastmem_open(struct server *s, const char *qmp_addr, char *err, size_t errlen)
{
	struct memmap_info info;
	char why_shared[256], why_process[256];
	struct qmp *q = qmp_connect(qmp_addr, QMP_TIMEOUT_MS, NULL, NULL, err, errlen);
	int rc = -1;

	if (!q)
		return -1;
	pid_t pid = qmp_peer_pid(q);
	if (memmap_open_shared(q, pid, QMP_TIMEOUT_MS, &s->ram, &info, why_shared,
			       sizeof why_shared) == 0) {
		snprintf(s->ram_mode, sizeof s->ram_mode, "shared RAM file %s", info.path);
		rc = 0;
	} else if (memmap_open_process(q, pid, QMP_TIMEOUT_MS, &s->ram, &info, why_process,
				       sizeof why_process) == 0) {
		snprintf(s->ram_mode, sizeof s->ram_mode, "QEMU's memory (process_vm_readv, pid %d)",
			 (int)pid);
		rc = 0;
	} else {
		snprintf(err, errlen, "no direct way to guest RAM (%s; %s)", why_shared, why_process);
	}
	qmp_close(q);
	return rc;
}
