/*
 * start.h - the program entry contract of user/lib.
 *
 * crt0 enters main(arg) on the main thread, with arg the first argument
 * register the task was started with (for rinit: the boot-info page).
 * The second argument register is this thread's task buffer, recorded
 * before main runs; a program that learns it otherwise (rinit, from
 * boot info) sets uthread_current()->tb itself.
 */
#ifndef ULIB_START_H
#define ULIB_START_H

#include "uthread.h"

/* Exit status when a thread's state is found smashed. */
#define UTHREAD_CORRUPT_STATUS 125

int main(void *arg);

struct cairn_bootinfo;
/*
 * A root task's first step: take the boot info the kernel passed as arg
 * and, when it is one, use its task buffer for this thread. Returns
 * bootinfo_check()'s verdict: NULL when it is sound, else what is wrong.
 */
const char *bootinfo_adopt(const struct cairn_bootinfo *bi);

extern struct uthread_stack __ulib_main_stack;

#endif
