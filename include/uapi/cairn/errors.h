/*
 * cairn/errors.h - error codes returned by every Cairn system call.
 *
 * One list, CAIRN_ERRORS(X), is the single source of truth: the enum,
 * cairn_strerror() and tools (kdbg parses the X(...) lines) all derive
 * from it. 0 is success; every failure is a distinct positive code.
 * Freestanding C: usable from the kernel, user space and the host tests.
 */
#ifndef CAIRN_UAPI_ERRORS_H
#define CAIRN_UAPI_ERRORS_H

/*  X(NAME,               value, "message") */
#define CAIRN_ERRORS(X)                                                      \
	X(OK,                   0, "success")                                \
	X(INVALID_ARGUMENT,     1, "invalid argument")                       \
	X(INVALID_CAP,          2, "invalid capability or wrong type")       \
	X(INSUFFICIENT_RIGHTS,  3, "insufficient rights")                    \
	X(SLOT_OCCUPIED,        4, "destination slot occupied")              \
	X(SLOT_EMPTY,           5, "slot empty")                             \
	X(RANGE,                6, "value out of range")                     \
	X(ALIGNMENT,            7, "misaligned address or size")             \
	X(NO_MEMORY,            8, "not enough memory")                      \
	X(INVALID_ROOT,         9, "invalid root: not a CPool")              \
	X(MISSING_CAP,         10, "missing capability on the path")         \
	X(DEPTH_MISMATCH,      11, "address depth mismatch")                 \
	X(GUARD_MISMATCH,      12, "CPool guard mismatch")                   \
	X(REVOKE_FIRST,        13, "revoke the capability's children first") \
	X(ILLEGAL_OPERATION,   14, "operation not allowed on this object")   \
	X(FANOUT_LIMIT,        15, "too many objects in one retype")         \
	X(WOULD_BLOCK,         16, "operation would block")                  \
	X(TRUNCATED,           17, "message truncated")                      \
	X(OBJECT_DESTROYED,    18, "object destroyed while waiting")

enum cairn_error {
#define CAIRN_ERROR_ENUM_(name, value, msg) CAIRN_ERR_##name = value,
	CAIRN_ERRORS(CAIRN_ERROR_ENUM_)
#undef CAIRN_ERROR_ENUM_
	CAIRN_ERR_COUNT
};

/* Message for an error code; never NULL, also for unknown codes. */
static inline const char *cairn_strerror(int err)
{
	switch (err) {
#define CAIRN_ERROR_CASE_(name, value, msg) case value: return msg;
		CAIRN_ERRORS(CAIRN_ERROR_CASE_)
#undef CAIRN_ERROR_CASE_
	}
	return "unknown error";
}

/* The code's name without prefix ("SLOT_EMPTY"), for logs and tools. */
static inline const char *cairn_error_name(int err)
{
	switch (err) {
#define CAIRN_ERROR_NAME_(name, value, msg) case value: return #name;
		CAIRN_ERRORS(CAIRN_ERROR_NAME_)
#undef CAIRN_ERROR_NAME_
	}
	return "UNKNOWN";
}

#endif
