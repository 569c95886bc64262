/*
 * t_sys.c - system call entry: numbers, unused argument words, the
 * debug calls and names.
 */
#include "harness.h"
#include "ustring.h"
#include "uthread.h"

static void null_call(void)
{
	CHECK_OK(cairn_null());
	CHECK_OK(raw_syscall(CAIRN_SYS_NULL, 0, 0, 0, 0, 0, 0, NULL));
}

static void unknown_numbers(void)
{
	CHECK_ERR(raw_syscall(CAIRN_SYS_COUNT, 0, 0, 0, 0, 0, 0, NULL),
		  CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_ERR(raw_syscall(1000, 0, 0, 0, 0, 0, 0, NULL), CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_ERR(raw_syscall(UINT64_MAX, 0, 0, 0, 0, 0, 0, NULL), CAIRN_ERR_INVALID_ARGUMENT);
	CHECK_ERR(raw_syscall(UINT64_C(1) << 32, 0, 0, 0, 0, 0, 0, NULL),
		  CAIRN_ERR_INVALID_ARGUMENT); /* not truncated to 0 (NULL) */
}

/* Words a call does not use are ignored (the ABI header says why): each
 * call below gets garbage in them and does what it does without. */
static void unused_words_are_ignored(void)
{
	const uint64_t junk = 0xdeadbeefcafef00dull;
	uint64_t s = new_obj(CAIRN_OBJ_NOTIFICATION, 0);
	uint64_t r[6];

	CHECK_OK(raw_syscall(CAIRN_SYS_NULL, 1, junk, 3, 4, 5, 6, NULL));
	CHECK_OK(raw_syscall(CAIRN_SYS_YIELD, 0, 0, 0, 0, 0, 7, NULL));
	CHECK_OK(raw_syscall(CAIRN_SYS_NTFN_SIGNAL, s, junk, 1, 0, 1, 0, NULL));
	CHECK_OK(raw_syscall(CAIRN_SYS_NTFN_POLL, s, junk, junk, junk, junk, junk, r));
	CHECK_EQ(r[0], 1); /* the signal arrived, and only it */
	uint64_t copy = new_slot();
	CHECK_OK(raw_syscall(CAIRN_SYS_CAP_COPY, copy, s, CAIRN_RIGHTS_ALL, junk, 1, 0, NULL));
	CHECK_EQ(ident(copy).type, CAIRN_OBJ_NOTIFICATION);
	CHECK_OK(raw_syscall(CAIRN_SYS_CAP_DELETE, copy, 1, junk, 0, 0, 0, NULL));
	CHECK_EQ(ident(copy).type, CAIRN_OBJ_NULL);
	CHECK_EQ(ident(s).type, CAIRN_OBJ_NOTIFICATION); /* the original stays */
	/* A used word is still checked: rights beyond CAIRN_RIGHTS_ALL. */
	CHECK_ERR(raw_syscall(CAIRN_SYS_CAP_COPY, new_slot(), s, junk, 0, 0, 0, NULL),
		  CAIRN_ERR_INVALID_ARGUMENT);
	/* No call to answer: the same error whatever the unused word holds. */
	CHECK_ERR(raw_syscall(CAIRN_SYS_CHAN_REPLY, 0, 0, 0, 0, 0, junk, NULL),
		  raw_syscall(CAIRN_SYS_CHAN_REPLY, 0, 0, 0, 0, 0, 0, NULL));
}

static void debug_print_checks(void)
{
	struct task_buffer *tb = uthread_current()->tb;

	memcpy(tb->print, "# debug print works\n", 20);
	CHECK_OK(raw_syscall(CAIRN_SYS_DEBUG_PRINT, 20, 0, 0, 0, 0, 0, NULL));
	CHECK_OK(raw_syscall(CAIRN_SYS_DEBUG_PRINT, 0, 0, 0, 0, 0, 0, NULL));
	CHECK_ERR(raw_syscall(CAIRN_SYS_DEBUG_PRINT, CAIRN_DEBUG_PRINT_MAX + 1, 0, 0, 0, 0, 0,
			      NULL), CAIRN_ERR_RANGE);
	CHECK_ERR(raw_syscall(CAIRN_SYS_DEBUG_PRINT, UINT64_MAX, 0, 0, 0, 0, 0, NULL),
		  CAIRN_ERR_RANGE);
	CHECK_ERR(raw_syscall(CAIRN_SYS_DEBUG_PRINT, 1, 2, 0, 0, 0, 0, NULL),
		  CAIRN_ERR_INVALID_ARGUMENT);
}

static void debug_getc_and_checkpoint(void)
{
	int ch;
	struct task_buffer *tb = uthread_current()->tb;

	CHECK_ERR(cairn_debug_getc(2, &ch), CAIRN_ERR_INVALID_ARGUMENT);
	/* The suite runs with no console input. */
	CHECK_ERR(cairn_debug_getc(CAIRN_GETC_NONBLOCK, &ch), CAIRN_ERR_WOULD_BLOCK);
	uint64_t violations = 1;
	CHECK_OK(cairn_debug_checkpoint("tests", &violations));
	CHECK_EQ(violations, 0); /* the kernel's checker: a sound state */
	CHECK_ERR(raw_syscall(CAIRN_SYS_DEBUG_CHECKPOINT, 0, 0, 0, 0, 0, 0, NULL), CAIRN_ERR_RANGE);
	CHECK_ERR(raw_syscall(CAIRN_SYS_DEBUG_CHECKPOINT, CAIRN_CHECKPOINT_NAME_MAX + 1, 0, 0, 0, 0,
			      0, NULL), CAIRN_ERR_RANGE);
	memcpy(tb->print, "a b", 3);
	CHECK_ERR(raw_syscall(CAIRN_SYS_DEBUG_CHECKPOINT, 3, 0, 0, 0, 0, 0, NULL),
		  CAIRN_ERR_INVALID_ARGUMENT);
}

static void set_name_rules(void)
{
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), pg = new_obj(CAIRN_OBJ_PAGE, 0);
	struct cairn_cap_info i;

	CHECK_OK(cairn_set_name(ch, "pipe-1"));
	i = ident(ch);
	CHECK(strcmp(i.name, "pipe-1") == 0);
	CHECK_OK(cairn_set_name(ch, "fifteen-chars-x"));
	CHECK(strcmp(ident(ch).name, "fifteen-chars-x") == 0);
	/* 16 bytes: the last byte of name1 must stay 0 */
	CHECK_ERR(raw_syscall(CAIRN_SYS_SET_NAME, ch, 0x4141414141414141, 0x4141414141414141, 0,
			      0, 0, NULL), CAIRN_ERR_RANGE);
	CHECK_ERR(raw_syscall(CAIRN_SYS_SET_NAME, ch, 0x0141, 0, 0, 0, 0, NULL),
		  CAIRN_ERR_INVALID_ARGUMENT); /* control character */
	CHECK_ERR(raw_syscall(CAIRN_SYS_SET_NAME, ch, 0x410041, 0, 0, 0, 0, NULL),
		  CAIRN_ERR_INVALID_ARGUMENT); /* bytes after the NUL */
	CHECK_ERR(cairn_set_name(pg, "page"), CAIRN_ERR_INVALID_CAP);
	CHECK_ERR(cairn_set_name(new_slot(), "x"), CAIRN_ERR_SLOT_EMPTY);
	CHECK(strcmp(ident(ch).name, "fifteen-chars-x") == 0); /* failures changed nothing */
}

const struct test tests_sys[] = {
	{ "syscall: NULL succeeds", null_call },
	{ "syscall: unknown numbers are INVALID_ARGUMENT", unknown_numbers },
	{ "syscall: unused argument words are ignored", unused_words_are_ignored },
	{ "debug print: success, length and flag checks", debug_print_checks },
	{ "debug getc and checkpoint argument checks", debug_getc_and_checkpoint },
	{ "set name: printable, <= 15 bytes, named object types only", set_name_rules },
	{ 0, 0 },
};
