/*
 * test_user_shell.c - rinit's shell against the fake kernel
 * (fake_sys.c): the walkthrough's commands reach the right system
 * calls, and every kind of bad input prints a reason and fails.
 */
#include <stdint.h>
#include <string.h>
#include "chanmsg.h"
#include "fake_sys.h"
#include "shell.h"
#include "../../lib/tap.h"

static char out[16384];
static struct shell sh;
static struct slot_alloc slots;
static struct ut_alloc ua;
static union {
	struct cairn_bootinfo bi;
	unsigned char page[CAIRN_BOOTINFO_SIZE];
} boot;

static void sink(void *arg, const char *s, size_t n)
{
	size_t len = strlen(out);

	(void)arg;
	if (len + n < sizeof(out))
		strncat(out, s, n);
}

static void setup(void)
{
	static const struct cairn_bootinfo_slot init[] = {
		{ 0, CAIRN_OBJ_CPOOL, 8, 0, 0 },       { 1, CAIRN_OBJ_TASK, 0, 0, 0 },
		{ 2, CAIRN_OBJ_UNTYPED, 24, 0, 0x1000000 }, { 3, CAIRN_OBJ_VSPACE, 12, 0, 0x5000 },
		{ 250, CAIRN_OBJ_PAGE, 12, 0, 0x7000 }, { 255, CAIRN_OBJ_CHANNEL, 0, 0, 0 },
	};

	memset(&boot, 0, sizeof(boot));
	boot.bi.magic = CAIRN_BOOTINFO_MAGIC;
	boot.bi.version = CAIRN_BOOTINFO_VERSION;
	boot.bi.root_cpool_bits = 8;
	boot.bi.first_free_slot = 4;
	boot.bi.slot_count = 6;
	boot.bi.size = (uint32_t)(sizeof(boot.bi) + sizeof(init));
	memcpy(boot.bi.slots, init, sizeof(init));
	fake_reset();
	slot_alloc_init_bootinfo(&slots, &boot.bi);
	slot_alloc_set(&slots, RINIT_CHILD_TASK_SLOT, true);
	ut_alloc_init_bootinfo(&ua, &slots, &boot.bi);
	shell_init(&sh, sink, NULL, &boot.bi, &slots, &ua);
	sh.child_entry = 0x400570;
	sh.child_sp = 0x41bff8;
}

/* Run a line; returns the shell's result, output in `out`. */
static int run(const char *line)
{
	char buf[256];

	out[0] = '\0';
	fake_log[0] = '\0';
	strcpy(buf, line);
	return shell_execute(&sh, buf);
}

/* The line fails and prints `msg`. */
static void fails(const char *line, const char *msg)
{
	int r = run(line);

	tap_ok(r == -1, "'%s' fails", line);
	tap_contains(out, msg, line);
}

static void test_errors(void)
{
	setup();
	fails("frobnicate", "frobnicate: unknown command");
	fails("retype", "retype: missing arguments\nusage: retype TYPE SRC DST");
	fails("delete 1 2", "delete: too many arguments");
	fails("delete abc", "delete: slot 'abc' is not a number");
	fails("delete 256", "delete: slot '256' is too large (at most 255)");
	fails("delete 99999999999999999999999", "is too large");
	fails("delete 0x", "not a number");
	fails("delete 1", "refusing");
	fails("delete 7", "delete: slot empty (SLOT_EMPTY)");
	fails("echo \"open", "error: unterminated quote");
	fails("retype bogus 2 10", "retype: 'bogus' is not a type");
	fails("retype irqcontrol 2 10", "is not a type retype can make");
	fails("retype untyped 2 10", "untyped needs SIZE_BITS");
	fails("retype cpool 2 10 40", "size bits 40 not valid");
	fails("retype task 2 10 3", "size bits 3 not valid for task");
	fails("retype task 3 10", "retype: invalid capability or wrong type (INVALID_CAP)");
	fails("set stack 7 0x1000", "set: slot 7 is empty");
	fails("set stack 255 0x1000", "set: slot 255 holds a channel cap, not a task");
	fails("set stack 1 -5", "value '-5' is not a number");
	fails("set speed 1 5", "set: unknown property 'speed'");
	fails("set active 1 2", "active takes 0 or 1");
	fails("set priority 1 256", "priority 256 is above 255");
	fails("set cpool 1 3", "set: slot 3 holds a vspace cap, not a cpool");
	fails("send", "send: missing arguments");
	fails("send raw", "send: raw takes 1 to 4 numbers");
	fails("send raw x", "word 'x' is not a number");
	fails("send cap", "send: cap takes one slot");
	fails("send cap 9", "send: slot 9 is empty");
	fails("send bytes 5", "send: say 'send raw N...'");
	fails("copy 255 9 rwx", "use letters r w g G");
	fails("mint 255 9 rw zz", "badge 'zz' is not a number");
	fails("name 1 averyveryverylongname", "longer than 15 characters");
	fails("start parent", "only 'start child");
	fails("help nope", "help: no command 'nope'");
	fails("shutdown 300", "too large");
	fails("signal 255", "holds a channel cap, not a notification");
	fake_fail("cap_identify", CAIRN_ERR_MISSING_CAP);
	fails("list", "list: missing capability on the path (MISSING_CAP)");
}

static void test_walkthrough(void)
{
	char want[128];

	setup();
	tap_ok(run("") == 0 && out[0] == '\0', "empty line does nothing");
	tap_ok(run("echo hello   world") == 0 && !strcmp(out, "hello world\n"), "echo");
	tap_ok(run("echo \"a  b\"") == 0 && !strcmp(out, "a  b\n"), "echo quoted");
	tap_ok(run("retype task 2 249") == 0, "retype task 2 249");
	tap_streq(fake_log, "untyped_retype(2, 3, 0, 0, 249, 1)\n", "retype reaches the kernel");
	tap_ok(run("set stack 249 4308984") == 0, "set stack");
	tap_streq(fake_log, "task_set_regs(249, 2, 0x0, 0x41bff8, 0, 0)\n", "stack register");
	tap_ok(run("set instruction 249 0x400570") == 0, "set instruction");
	tap_streq(fake_log, "task_set_regs(249, 1, 0x400570, 0x0, 0, 0)\n", "ip register");
	tap_ok(run("set cpool 249 0") == 0, "set cpool");
	tap_streq(fake_log, "task_configure(249, 0, 0, 0x0)\n", "cpool field");
	tap_ok(run("set table 249 3") == 0, "set table");
	tap_streq(fake_log, "task_configure(249, 1, 3, 0x0)\n", "vspace field");
	tap_ok(run("set buffer 249 250") == 0, "set buffer");
	tap_streq(fake_log, "page_map(250, 3, 0x202000, 3)\ntask_configure(249, 2, 250, 0x202000)\n",
		  "buffer page mapped in the shared vspace, then configured");
	tap_ok(rinit_child_boot.buffer_vaddr == 0x202000, "child learns its buffer address");
	tap_ok(run("set buffer 249 250") == 0 && strstr(fake_log, "page_map") == NULL,
	       "an already mapped page is not mapped again");
	tap_ok(run("set active 249 1") == 0, "set active");
	tap_streq(fake_log, "task_resume(249)\n", "resume");
	tap_ok(run("send raw 5") == 0, "send raw 5");
	tap_ok(fake_last_msg.info == CAIRN_MSGINFO(1, 0) && fake_last_msg.words[0] == 5,
	       "one word, 5");
	fails("send raw 6", "channel 255 is full");
	tap_ok(run("recv") == 0, "recv");
	tap_streq(out, "recv: 5\n", "recv prints the message");
	tap_ok(run("recv") == 0 && strstr(out, "no message"), "recv on an empty channel");
	tap_ok(run("send cap 0") == 0 && fake_last_msg.info == CAIRN_MSGINFO(0, CAIRN_MSG_CAP) &&
		       fake_last_msg.cap == 0, "send cap 0 carries the root CPool");
	tap_ok(run("recv") == 0, "recv cap");
	tap_contains(out, "recv: cap cpool (rwgG) in slot ", "received cap identified");
	tap_ok(run("list") == 0, "list");
	tap_contains(out, " 249  task         rwgG", "list shows the new task");
	tap_contains(out, "   2  untyped      rwgG  2^24 bytes at 0x1000000", "list shows untyped");
	tap_contains(out, " 255  channel", "list shows the channel");
	tap_contains(out, "8 of 256 slots used", "list counts slots");
	tap_ok(run("tasks") == 0, "tasks");
	tap_contains(out, "rinit            Running", "tasks shows rinit");
	tap_contains(out, "2 tasks", "tasks counts");
	tap_ok(run("copy 255 10 rw") == 0 && fake_caps[10].rights == 3, "copy with rights rw");
	tap_ok(run("mint 255 11 r 7") == 0 && fake_caps[11].badge == 7 && fake_caps[11].rights == 1,
	       "mint with badge");
	tap_ok(run("move 11 12") == 0 && !fake_caps[11].type && fake_caps[12].type, "move");
	tap_ok(run("delete 12") == 0 && !fake_caps[12].type && !slot_alloc_is_used(&slots, 12),
	       "delete frees the slot");
	tap_ok(run("caps 10") == 0, "caps SLOT");
	tap_contains(out, "slot 10: channel cap, rights rw--", "caps SLOT details");
	tap_ok(run("help") == 0 && strstr(out, "start    child [TASK_SLOT]"), "help lists commands");
	tap_ok(run("help send") == 0 && strstr(out, "usage: send raw N... | cap SLOT"), "help CMD");

	/* start child: the same steps in one command, on a fresh pool. */
	setup();
	tap_ok(run("start child") == 0, "start child");
	fmt_snprintf(want, sizeof(want), "task_set_regs(249, 2, 0x0, 0x%llx, 0, 0)",
		     (unsigned long long)sh.child_sp);
	tap_contains(fake_log, want, "start child sets the printed stack pointer");
	tap_contains(fake_log, "task_set_regs(249, 1, 0x400570,", "start child sets the entry");
	tap_contains(fake_log, "task_resume(249)", "start child resumes");
	tap_contains(out, "start: child running in slot 249", "start child reports");
	fails("start child", "start: stopped at 'retype task 2 249'");
	tap_contains(out, "destination slot occupied", "second start child says why");
	setup();
	fake_fail("task_resume", CAIRN_ERR_ILLEGAL_OPERATION);
	fails("start child", "stopped at 'set active 249 1'");
}

static void test_chanmsg(void)
{
	struct cairn_msg m = { .info = CAIRN_MSGINFO(1, 0), .words = { 5 } };
	struct cairn_cap_info c = { .type = CAIRN_OBJ_CPOOL, .rights = CAIRN_RIGHTS_ALL };
	char line[160];

	chanmsg_describe(&m, NULL, line, sizeof(line));
	tap_streq(line, "5", "one word");
	m.info = CAIRN_MSGINFO(3, 0);
	m.words[1] = 6;
	m.words[2] = 7;
	chanmsg_describe(&m, NULL, line, sizeof(line));
	tap_streq(line, "5 6 7", "three words");
	m.info = CAIRN_MSGINFO(0, CAIRN_MSG_CAP);
	m.cap = 254;
	chanmsg_describe(&m, &c, line, sizeof(line));
	tap_streq(line, "cap cpool (rwgG) in slot 254", "a cap");
	m.info = CAIRN_MSGINFO(0, 0);
	m.badge = 9;
	chanmsg_describe(&m, NULL, line, sizeof(line));
	tap_streq(line, "(empty message), badge 9", "empty, badged");
	m.info = CAIRN_MSGINFO(0xf, CAIRN_MSG_CAP_DROPPED);
	m.badge = 0;
	chanmsg_describe(&m, NULL, line, 8);
	tap_ok(strlen(line) == 7, "bad length clamped, output truncated safely");
}

int main(void)
{
	test_errors();
	test_walkthrough();
	test_chanmsg();
	return tap_done();
}
