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

extern struct uthread_stack __ulib_main_stack;

#endif
