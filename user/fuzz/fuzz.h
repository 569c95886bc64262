/*
 * fuzz.h - what the guest fuzzer's coordinator (user/fuzz/main.c) and
 * its workers (user/fuzz/worker/) agree on.
 *
 * Each worker is its own program in its own VSpace, with its own root
 * CPool holding a random subset of the run's capabilities. Its state
 * lives in one page at FUZZ_SHARED_VADDR, so that the coordinator can
 * restart it at its entry point at any time (after it blocked, was
 * suspended, reconfigured or sent into the weeds by another worker)
 * and it carries on with the next call; the coordinator reads the page
 * at the end of a round by unmapping it from the worker and mapping it
 * in its own VSpace (a Page is mapped at one place at a time).
 */
#ifndef FUZZ_FUZZ_H
#define FUZZ_FUZZ_H

#include <stdint.h>

/* Below the spawner's stack (0x300000) and above the task buffer
 * (0x201000): the page table that maps the buffer covers it too. */
#define FUZZ_SHARED_VADDR UINT64_C(0x280000)
/* Radix of each worker's root CPool (that of spawn_elf's pools). */
#define FUZZ_POOL_BITS 6
#define FUZZ_POOL_SLOTS (1u << FUZZ_POOL_BITS)
/* The worker, done with its budget, faults with this in arg0. */
#define FUZZ_DONE_MAGIC UINT64_C(0xd0e5f0221d0e)
#define FUZZ_SHARED_MAGIC UINT64_C(0x66757a7a73686172) /* "fuzzshar" */

#define FUZZ_NR_SLOTS 40
/* A worker identifies every slot of its pool every this many calls. */
#define FUZZ_RESCAN_EVERY 1024

struct fuzz_shared {
	uint64_t magic;    /* FUZZ_SHARED_MAGIC */
	uint64_t id;       /* worker number */
	uint64_t workers;  /* how many there are */
	uint64_t rng;      /* the worker's generator, carried across restarts */
	uint64_t budget;   /* calls to make */
	uint64_t calls;    /* made so far (counted before each call) */
	uint64_t weird;    /* answers that are no error code */
	uint64_t ok;       /* answers CAIRN_ERR_OK */
	uint64_t codes;    /* bit per error code answered */
	uint64_t entries;  /* times main() was entered */
	uint64_t last_nr;  /* the call in flight, for a report */
	uint64_t last_args[6];
	/* what the worker last saw in its pool's slots (enum cairn_obj_type),
	 * and calls since it looked (kept here so a restart need not look) */
	uint8_t slot_type[FUZZ_POOL_SLOTS];
	uint64_t since_scan;
	uint64_t scans;    /* pool scans: FUZZ_POOL_SLOTS identify calls each */
	/* per call number (unknown numbers in the last): made, answered OK */
	uint32_t by_nr[FUZZ_NR_SLOTS], ok_by_nr[FUZZ_NR_SLOTS];
};

#endif
