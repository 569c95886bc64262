/*
 * cairn/fault.h - why a task faulted. The kernel reports these on the
 * console and, when the task has a fault channel, sends them as a fault
 * message: word 0 = kind, 1 = faulting ip, 2 = address (page faults),
 * 3 = arch error code.
 */
#ifndef CAIRN_UAPI_FAULT_H
#define CAIRN_UAPI_FAULT_H

#define CAIRN_FAULT_KINDS(X)                              \
	X(NONE,              0, "no fault")                 \
	X(PAGE_FAULT,        1, "page fault")               \
	X(PROTECTION,        2, "general protection fault") \
	X(INVALID_OPCODE,    3, "invalid opcode")           \
	X(DIVIDE,            4, "divide error")             \
	X(BREAKPOINT,        5, "breakpoint")               \
	X(BAD_SYSCALL_BUFFER, 6, "bad syscall buffer")      \
	X(BAD_CONTEXT,       7, "bad register state")       \
	X(OTHER,             8, "processor exception")

enum cairn_fault_kind {
#define CAIRN_FAULT_ENUM_(name, value, msg) CAIRN_FAULT_##name = value,
	CAIRN_FAULT_KINDS(CAIRN_FAULT_ENUM_)
#undef CAIRN_FAULT_ENUM_
};

static inline const char *cairn_fault_name(int kind)
{
	switch (kind) {
#define CAIRN_FAULT_CASE_(name, value, msg) case value: return msg;
		CAIRN_FAULT_KINDS(CAIRN_FAULT_CASE_)
#undef CAIRN_FAULT_CASE_
	}
	return "unknown fault";
}

#endif
