/*
 * log.h - the kernel log: every byte the kernel prints is kept in a ring
 * of 2^CONFIG_LOG_BUF_SHIFT bytes (read by `kdbg log`) and sent to the
 * console.
 */
#ifndef CAIRN_LOG_H
#define CAIRN_LOG_H

#include "kernel.h"

#define LOG_BUF_SIZE (1u << CONFIG_LOG_BUF_SHIFT)

struct kernel_log {
	uint64_t head;  /* bytes ever written; the newest is at head - 1 */
	uint32_t size;  /* LOG_BUF_SIZE, so a debugger need not know it */
	char buf[LOG_BUF_SIZE];
};

extern struct kernel_log kernel_log;

void log_putc(char c);
/* Copy the last `len` bytes of the log (fewer if not written yet). */
size_t log_tail(char *dst, size_t len);
/* Stop echoing to the console (output still goes to the ring). */
void log_set_console(bool on);

#endif
