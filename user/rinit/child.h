/*
 * child.h - rinit's child mode: the same image, entered at child_main
 * on its own static stack, sharing rinit's VSpace and CPool.
 */
#ifndef RINIT_CHILD_H
#define RINIT_CHILD_H

#include <stdint.h>

void child_main(void) __attribute__((noreturn));

/* Bytes of the one static child stack (a uthread_stack; checked in child.c). */
#define RINIT_CHILD_STACK_SIZE (1u << 14)

/* The stack pointer to start child_main with. */
uintptr_t child_stack_pointer(void);

#endif
