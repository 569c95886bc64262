/* log.c - the kernel log ring (see log.h). */
#include "log.h"
#include "arch.h"

struct kernel_log kernel_log = { .size = LOG_BUF_SIZE };
static bool console_on = true;

void log_putc(char c)
{
	kernel_log.buf[kernel_log.head % LOG_BUF_SIZE] = c;
	kernel_log.head++;
	if (console_on)
		arch_console_putc(c);
}

size_t log_tail(char *dst, size_t len)
{
	uint64_t avail = kernel_log.head < LOG_BUF_SIZE ? kernel_log.head
						       : LOG_BUF_SIZE;
	if (len > avail)
		len = avail;
	for (size_t i = 0; i < len; i++)
		dst[i] = kernel_log.buf[(kernel_log.head - len + i) %
					LOG_BUF_SIZE];
	return len;
}

void log_set_console(bool on)
{
	console_on = on;
}
