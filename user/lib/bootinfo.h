/*
 * bootinfo.h (user/lib) - checking and reading the boot-info page.
 */
#ifndef ULIB_BOOTINFO_H
#define ULIB_BOOTINFO_H

#include <cairn/bootinfo.h>

/*
 * NULL if `bi` is well formed: magic, version, size, slot count and
 * every entry's slot and type in range, entries sorted by slot with no
 * duplicates. Otherwise what is wrong, for the root task to print.
 */
const char *bootinfo_check(const struct cairn_bootinfo *bi);

/* The entry for `slot`, or NULL. */
const struct cairn_bootinfo_slot *bootinfo_find(const struct cairn_bootinfo *bi, uint64_t slot);

#endif
