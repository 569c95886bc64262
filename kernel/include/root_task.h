/* root_task.h - creating and starting rinit (kernel/boot_root.c). */
#ifndef CAIRN_ROOT_TASK_H
#define CAIRN_ROOT_TASK_H

#include "kernel.h"

/* Is a root task image carried in this kernel? */
bool root_task_available(void);
/* rinit's Task once root_task_start() made it (NULL before). */
extern struct task *root_task;
/* Build rinit's objects and run it; does not return. */
__attribute__((noreturn)) void root_task_start(void);

#endif
