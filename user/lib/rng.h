/*
 * rng.h - xorshift64*: a small deterministic generator for the fuzzers
 * (user/tests/t_fuzz.c, user/fuzz/). The same seed gives the same
 * sequence on both arches, so a printed seed replays a run. The state
 * must not be zero.
 */
#ifndef USER_RNG_H
#define USER_RNG_H

#include <stdint.h>

static inline uint64_t rng_next(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545F4914F6CDD1Dull;
}

#endif
