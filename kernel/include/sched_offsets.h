/*
 * sched_offsets.h - where the system-call entry assembly finds
 * struct scheduler's fields (sched.h; sched.c checks these offsets).
 */
#ifndef CAIRN_SCHED_OFFSETS_H
#define CAIRN_SCHED_OFFSETS_H

#define SCHED_CURRENT 0 /* struct task *current */
/* bool resched, then bool switched: while both are false a system call
 * leaves through the lean exit (one 16-bit load tests them both). */
#define SCHED_EXIT_FLAGS 8

#endif
