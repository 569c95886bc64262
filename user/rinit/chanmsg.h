/*
 * chanmsg.h - describing a received channel message in one line, as
 * the child and the `recv` command print it.
 */
#ifndef RINIT_CHANMSG_H
#define RINIT_CHANMSG_H

#include <stddef.h>
#include "syscall.h"

/*
 * "5", "1 2 3", "cap cpool (rwgG) in slot 254", "(empty message)",
 * with ", badge N" if badged and notes for a dropped cap. `cap` is the
 * identified received cap (NULL if none or not identifiable).
 */
void chanmsg_describe(const struct cairn_msg *m, const struct cairn_cap_info *cap, char *buf,
		      size_t size);

#endif
