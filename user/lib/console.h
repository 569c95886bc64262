/*
 * console.h - printf and friends to the kernel's debug console
 * (CAIRN_SYS_DEBUG_PRINT). Output is buffered per thread until a
 * newline (or UTHREAD_LINE_MAX bytes), so lines of two threads sharing
 * the console do not interleave mid-line.
 */
#ifndef ULIB_CONSOLE_H
#define ULIB_CONSOLE_H

#include <stdarg.h>
#include <stddef.h>
#include "format.h"

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int puts(const char *s); /* with a newline */
int putchar(int c);
void console_write(const char *s, size_t n);
void console_flush(void);

/* Ask the kernel to print this thread's lines with the
 * CAIRN_DEBUG_PRINT_TAG prefix (flag CAIRN_PRINT_TAGGED). */
void console_set_tagged(int tagged);

/* A format_sink that writes to the console (arg unused). */
void console_sink(void *arg, const char *s, size_t n);

#endif
