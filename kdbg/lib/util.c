/*
 * util.c - small containers for the decoder: an open-addressing hash map
 * (slot address -> cap, object address -> record: the lookups a snapshot
 * makes thousands of times must be O(1), never a scan) and growable arrays.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>

void kr_fmt(char *dst, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(dst, len, fmt, ap);
	va_end(ap);
}

static size_t hash(uint64_t k)
{
	/* Kernel addresses differ in the middle bits: mix them all down. */
	k ^= k >> 33;
	k *= 0xff51afd7ed558ccdull;
	k ^= k >> 33;
	return (size_t)k;
}

int kr_map_init(struct kr_map *m, size_t expect)
{
	size_t cap = 16;
	while (cap < expect * 2)
		cap <<= 1;
	m->keys = calloc(cap, sizeof(*m->keys));
	m->vals = malloc(cap * sizeof(*m->vals));
	m->cap = cap;
	m->n = 0;
	if (!m->keys || !m->vals) {
		kr_map_free(m);
		return KR_ENOMEM;
	}
	return 0;
}

void kr_map_free(struct kr_map *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->cap = m->n = 0;
}

static int grow(struct kr_map *m)
{
	struct kr_map bigger;
	if (kr_map_init(&bigger, m->cap))
		return KR_ENOMEM;
	for (size_t i = 0; i < m->cap; i++)
		if (m->keys[i])
			kr_map_put(&bigger, m->keys[i], m->vals[i]);
	kr_map_free(m);
	*m = bigger;
	return 0;
}

int kr_map_put(struct kr_map *m, uint64_t key, int val)
{
	if (!key)
		return 1;   /* 0 marks an empty bucket: never a valid address */
	if ((m->n + 1) * 2 > m->cap && grow(m))
		return KR_ENOMEM;
	size_t mask = m->cap - 1;
	for (size_t i = hash(key) & mask;; i = (i + 1) & mask) {
		if (m->keys[i] == key)
			return 1;
		if (!m->keys[i]) {
			m->keys[i] = key;
			m->vals[i] = val;
			m->n++;
			return 0;
		}
	}
}

int kr_map_get(const struct kr_map *m, uint64_t key)
{
	if (!key || !m->cap)
		return -1;
	size_t mask = m->cap - 1;
	for (size_t i = hash(key) & mask;; i = (i + 1) & mask) {
		if (m->keys[i] == key)
			return m->vals[i];
		if (!m->keys[i])
			return -1;
	}
}

void *kr_vec_push(struct kr_vec *v)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		void *p = realloc(v->data, cap * v->elem);
		if (!p)
			return NULL;
		v->data = p;
		v->cap = cap;
	}
	void *e = (uint8_t *)v->data + v->n++ * v->elem;
	memset(e, 0, v->elem);
	return e;
}

void kr_vec_free(struct kr_vec *v)
{
	free(v->data);
	v->data = NULL;
	v->n = v->cap = 0;
}
