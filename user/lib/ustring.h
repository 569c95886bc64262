/*
 * ustring.h - the string and memory functions of user/lib, with the
 * standard names and prototypes (the compiler may emit calls to
 * memcpy/memset itself). Host tests use the C library's instead.
 */
#ifndef ULIB_USTRING_H
#define ULIB_USTRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);

/* Copy at most size-1 bytes and NUL-terminate; returns strlen(src). */
size_t ustrlcpy(char *dst, const char *src, size_t size);

#endif
