/*
 * kernel.h - what every kernel file needs: fixed-width types, the
 * generated Kconfig values, kprintf, panic and assertions.
 *
 * The capability core (cap*.c, cdt.c, cpool.c, untyped.c, object.c) uses
 * only this header and include/uapi, so it also compiles for the host,
 * where tests/host provides kprintf/panic.
 */
#ifndef CAIRN_KERNEL_H
#define CAIRN_KERNEL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <generated/autoconf.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((typeof(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((typeof(x))(a) - 1))
#define IS_ALIGNED(x, a) (((x) & ((typeof(x))(a) - 1)) == 0)
#define BIT(n) (1ull << (n))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define container_of(ptr, type, member) \
	((type *)((char *)(ptr) - offsetof(type, member)))

typedef uint64_t paddr_t;
typedef uint64_t vaddr_t;

int kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kvprintf(const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);
/* Print the call chain from a frame pointer (panic.c). */
void backtrace(uint64_t frame_pointer, int max_frames);

#define kassert(cond)                                                        \
	do {                                                                 \
		if (unlikely(!(cond)))                                       \
			panic("assertion failed: %s (%s:%d)", #cond,         \
			      __FILE__, __LINE__);                           \
	} while (0)

/* Checked only when CONFIG_DEBUG_ASSERTS is on; costs nothing otherwise. */
#ifdef CONFIG_DEBUG_ASSERTS
#define dassert(cond) kassert(cond)
#else
#define dassert(cond) ((void)sizeof(cond))
#endif

/* Kernel string helpers (kernel/lib.c); the host build uses libc's. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/*
 * -ffreestanding turns off GCC's built-in knowledge of these; ask for it
 * back so that small fixed-size copies and clears become a few moves
 * (the out-of-line versions in lib.c still serve the rest). The host
 * build of the capability core uses libc's.
 */
#if defined(__STDC_HOSTED__) && !__STDC_HOSTED__
#define memset(d, c, n) __builtin_memset((d), (c), (n))
#define memcpy(d, s, n) __builtin_memcpy((d), (s), (n))
#define memmove(d, s, n) __builtin_memmove((d), (s), (n))
#define memcmp(a, b, n) __builtin_memcmp((a), (b), (n))
#endif

#endif
