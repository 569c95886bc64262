/*
 * cairn/objects.h - kernel object types, rights, object sizes, CAddrs
 * and task states: the part of the capability ABI every user of the
 * kernel needs. Closed value sets are enums so debuggers see them in
 * DWARF; X-macro lists give tools the names.
 */
#ifndef CAIRN_UAPI_OBJECTS_H
#define CAIRN_UAPI_OBJECTS_H

#include <stdint.h>

#define CAIRN_OBJ_TYPES(X)                    \
	X(NULL,         0, "null")            \
	X(UNTYPED,      1, "untyped")         \
	X(CPOOL,        2, "cpool")           \
	X(TASK,         3, "task")            \
	X(CHANNEL,      4, "channel")         \
	X(NOTIFICATION, 5, "notification")    \
	X(VSPACE,       6, "vspace")          \
	X(PAGE_TABLE,   7, "pagetable")       \
	X(PAGE,         8, "page")            \
	X(IRQ_CONTROL,  9, "irqcontrol")      \
	X(IRQ_HANDLER, 10, "irqhandler")      \
	X(IO_PORT,     11, "ioport")

enum cairn_obj_type {
#define CAIRN_OBJ_ENUM_(name, value, str) CAIRN_OBJ_##name = value,
	CAIRN_OBJ_TYPES(CAIRN_OBJ_ENUM_)
#undef CAIRN_OBJ_ENUM_
	CAIRN_OBJ_TYPE_COUNT
};

static inline const char *cairn_obj_type_name(int type)
{
	switch (type) {
#define CAIRN_OBJ_NAME_(name, value, str) case value: return str;
		CAIRN_OBJ_TYPES(CAIRN_OBJ_NAME_)
#undef CAIRN_OBJ_NAME_
	}
	return "?";
}

/* Rights on a capability. Copy and mint can only take rights away. */
enum cairn_rights {
	CAIRN_RIGHT_READ = 1u << 0,
	CAIRN_RIGHT_WRITE = 1u << 1,
	CAIRN_RIGHT_GRANT = 1u << 2,       /* may transfer caps over a channel */
	CAIRN_RIGHT_GRANT_REPLY = 1u << 3, /* may transfer caps in a reply */
	CAIRN_RIGHTS_ALL = 0xf,
};

/* Task states; kdbg prints these names. */
#define CAIRN_TASK_STATES(X)                         \
	X(INACTIVE,             0, "Inactive")       \
	X(READY,                1, "Ready")          \
	X(RUNNING,              2, "Running")        \
	X(BLOCKED_SEND,         3, "BlockedSend")    \
	X(BLOCKED_RECV,         4, "BlockedRecv")    \
	X(BLOCKED_REPLY,        5, "BlockedReply")   \
	X(BLOCKED_NOTIFICATION, 6, "BlockedNotification") \
	X(FAULTED,              7, "Faulted")

enum cairn_task_state {
#define CAIRN_TASK_STATE_ENUM_(name, value, str) CAIRN_TASK_##name = value,
	CAIRN_TASK_STATES(CAIRN_TASK_STATE_ENUM_)
#undef CAIRN_TASK_STATE_ENUM_
	CAIRN_TASK_STATE_COUNT
};

static inline const char *cairn_task_state_name(int state)
{
	switch (state) {
#define CAIRN_TASK_STATE_NAME_(name, value, str) case value: return str;
		CAIRN_TASK_STATES(CAIRN_TASK_STATE_NAME_)
#undef CAIRN_TASK_STATE_NAME_
	}
	return "?";
}

/*
 * Capability addresses. A CAddr names a slot by resolving the low
 * `depth` bits of the address, most significant first, from a task's
 * root CPool: at each CPool the cap's guard bits must match, then
 * radix bits index the pool; a slot holding a CPool continues the walk.
 */
typedef uint64_t cairn_caddr_t;
#define CAIRN_CADDR_BITS 64 /* largest depth */

/*
 * A CPool cap's guard, as passed to mint: guard size in the low 6 bits,
 * guard value above. guard_bits + the pool's radix must not exceed 64.
 */
#define CAIRN_GUARD_DATA(guard, guard_bits) \
	(((uint64_t)(guard) << 6) | ((uint64_t)(guard_bits) & 63))
#define CAIRN_GUARD_DATA_BITS(data) ((unsigned)((data) & 63))
#define CAIRN_GUARD_DATA_VALUE(data) ((uint64_t)(data) >> 6)

/* Debug names of tasks, channels and pools (with the NUL). */
#define CAIRN_NAME_LEN 16

/* Payload words a channel message carries in registers, and in all
 * (the rest travel in the task buffer's msg[]). */
#define CAIRN_MSG_INLINE_WORDS 4
#define CAIRN_MSG_MAX_WORDS 12

/*
 * Object sizes, log2 bytes. Retype takes a user size argument only for
 * CPool (log2 of the slot count) and Untyped (log2 of bytes); for the
 * other types it must be 0. The kernel checks its structures fit.
 */
#define CAIRN_PAGE_BITS 12
#define CAIRN_PAGE_TABLE_BITS 12
#define CAIRN_VSPACE_BITS 12
#define CAIRN_TASK_BITS 11
#define CAIRN_CHANNEL_BITS 14 /* room for 64 queued 12-word messages */
#define CAIRN_NOTIFICATION_BITS 8
#define CAIRN_SLOT_BITS 6     /* a slot takes at most 64 bytes */
#define CAIRN_CPOOL_MIN_SLOT_BITS 1
#define CAIRN_CPOOL_MAX_SLOT_BITS 20
#define CAIRN_CPOOL_MIN_BITS 9 /* a pool's header needs the room */
#define CAIRN_UNTYPED_MIN_BITS 4
#define CAIRN_UNTYPED_MAX_BITS 47

/*
 * Size in log2 bytes of one object of `type` created with user size
 * argument `user_bits`, or -1 when the type cannot be retyped or the
 * argument is out of range. IRQControl, IRQHandler and IOPort are not
 * made from memory (the kernel creates them), so they have no size.
 */
static inline int cairn_object_size_bits(int type, unsigned user_bits)
{
	switch (type) {
	case CAIRN_OBJ_UNTYPED:
		if (user_bits < CAIRN_UNTYPED_MIN_BITS || user_bits > CAIRN_UNTYPED_MAX_BITS)
			return -1;
		return (int)user_bits;
	case CAIRN_OBJ_CPOOL:
		if (user_bits < CAIRN_CPOOL_MIN_SLOT_BITS || user_bits > CAIRN_CPOOL_MAX_SLOT_BITS)
			return -1;
		return user_bits + CAIRN_SLOT_BITS < CAIRN_CPOOL_MIN_BITS
			       ? CAIRN_CPOOL_MIN_BITS
			       : (int)(user_bits + CAIRN_SLOT_BITS);
	case CAIRN_OBJ_TASK: return user_bits ? -1 : CAIRN_TASK_BITS;
	case CAIRN_OBJ_CHANNEL: return user_bits ? -1 : CAIRN_CHANNEL_BITS;
	case CAIRN_OBJ_NOTIFICATION: return user_bits ? -1 : CAIRN_NOTIFICATION_BITS;
	case CAIRN_OBJ_VSPACE: return user_bits ? -1 : CAIRN_VSPACE_BITS;
	case CAIRN_OBJ_PAGE_TABLE: return user_bits ? -1 : CAIRN_PAGE_TABLE_BITS;
	case CAIRN_OBJ_PAGE: return user_bits ? -1 : CAIRN_PAGE_BITS;
	default: return -1;
	}
}

#endif
