/*
 * osdata.h - Cairn's objects as GDB's `info os` tables: the documents
 * qXfer:osdata:read serves (gdb/features/osdata.dtd; `info os NAME`,
 * MI -info-os). Column names and values follow docs/schema.md; a value
 * the schema gives as null is an empty column here.
 */
#ifndef GDBSERVER_OSDATA_H
#define GDBSERVER_OSDATA_H

#include "kread.h"

/*
 * The XML document for table `table` of snapshot s: "" is the list of
 * tables (columns Type, Description, Title, as GDB's own gdbserver);
 * then "tasks", "pools", "caps", "channels", "notifications", "untyped".
 * Returns malloc'd, NUL-terminated XML (valid UTF-8 whatever the guest's
 * names hold), or NULL for an unknown table or when out of memory.
 */
char *osdata_xml(const struct kr_snapshot *s, const char *table);

#endif
