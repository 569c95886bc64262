/*
 * capcheck.h - invariant checker for the capability core. Walks every
 * live object and slot; reports each violation and never follows a
 * pointer it has not first checked to lie in live object memory.
 */
#ifndef CAIRN_CAPCHECK_H
#define CAIRN_CAPCHECK_H

#include "kernel.h"

struct capcheck {
	/* in: called once per violation (may be NULL) */
	void (*report)(void *arg, const char *msg);
	void *arg;
	/* out */
	unsigned violations;
	uint64_t slots_used;   /* non-empty slots seen */
	uint64_t objects;      /* live objects seen */
	char first[160];       /* first violation's message */
};

/* Run every check; returns the number of violations (also in c). */
unsigned capcheck_run(struct capcheck *c);

#endif
