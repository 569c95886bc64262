/*
 * lib.c - the C string functions the kernel (and the compiler, which may
 * emit calls to memset/memcpy) needs. Plain loops, a word at a time
 * where both ends allow it; whole pages of zeros through the arch's
 * fastest clear.
 */
#include "kernel.h"
#include "arch.h"
#include "mem.h"

/* The real functions, not kernel.h's builtin wrappers. */
#undef memset
#undef memcpy
#undef memmove
#undef memcmp

static bool word_aligned(const void *a, const void *b)
{
	return (((uintptr_t)a | (uintptr_t)b) & 7) == 0;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if (word_aligned(d, s))
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)(void *)d = *(const uint64_t *)(const void *)s;
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	/* Whole pages of zeros (a retype's new objects, page tables), in
	 * RAM as everything the kernel clears is: the arch's fastest clear.
	 * (A tail call: this stays a leaf for the rest.) */
	if (n >= PAGE_SIZE && c == 0 && IS_ALIGNED((uintptr_t)dst | n, PAGE_SIZE))
		return arch_clear_pages(dst, n);
	if (word_aligned(d, d)) {
		uint64_t w = 0x0101010101010101ull * (unsigned char)c;
		for (; n >= 32; n -= 32, d += 32) { /* AArch64: two STPs */
			uint64_t *q = (uint64_t *)(void *)d;
			q[0] = w;
			q[1] = w;
			q[2] = w;
			q[3] = w;
		}
		for (; n >= 8; n -= 8, d += 8)
			*(uint64_t *)(void *)d = w;
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		while (n--)
			d[n] = s[n];
	}
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;
	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			return 0;
	}
	return 0;
}
