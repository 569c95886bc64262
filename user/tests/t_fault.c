/*
 * t_fault.c - user faults: a child that dereferences NULL, executes an
 * undefined instruction, divides by zero (x86_64; AArch64 does not trap
 * on it, so there a BRK instead) or touches an unmapped page is stopped
 * as Faulted, its state readable, a fault message on its fault channel.
 */
#include "child.h"
#include <cairn/fault.h>
#include "test_arch.h"
#include "harness.h"

/* Labels on the faulting instructions, so the reported ip can be checked. */
extern const char fault_null_ip[], fault_undefined_ip[], fault_div_ip[], fault_brk_ip[];
extern const char fault_float_ip[], fault_simd_ip[];

static void do_null(struct child *c)
{
	uint64_t v;

	__asm__ volatile(FAULT_LOAD_NULL_ASM("fault_null_ip") : "=r"(v) : : "memory");
	c->out[0] = v; /* never reached */
}

static void do_undefined(struct child *c)
{
	(void)c;
	__asm__ volatile(".globl fault_undefined_ip\nfault_undefined_ip: " FAULT_UNDEFINED_ASM ::: "memory");
}

#if defined(__x86_64__)
static void do_div(struct child *c)
{
	uint64_t zero = c->arg[1];

	__asm__ volatile("xor %%edx, %%edx\n\tmov $7, %%eax\n"
			 ".globl fault_div_ip\nfault_div_ip: divq %0"
			 : : "r"(zero) : "rax", "rdx", "cc");
}
#elif defined(__aarch64__)
static void do_brk(struct child *c)
{
	(void)c;
	__asm__ volatile(".globl fault_brk_ip\nfault_brk_ip: brk #0x7" ::: "memory");
}
#endif

static void do_float(struct child *c)
{
	(void)c;
	__asm__ volatile(".globl fault_float_ip\nfault_float_ip: " FAULT_X87_ASM ::: "memory");
}

static void do_simd(struct child *c)
{
	(void)c;
	__asm__ volatile(".globl fault_simd_ip\nfault_simd_ip: " FAULT_SIMD_ASM ::: "memory");
}

static void do_write(struct child *c)
{
	*(volatile uint64_t *)(uintptr_t)c->arg[1] = 1;
}

/* Run fn in a child with a fault channel; check state and message. */
static void fault_case(void (*fn)(struct child *), uint64_t arg1, unsigned kind,
		       uint64_t ip, uint64_t addr, bool (*code_ok)(uint64_t))
{
	static struct child c;
	uint64_t ch = new_obj(CAIRN_OBJ_CHANNEL, 0), fb = new_slot();
	struct cairn_task_info ti;
	struct cairn_msg m;

	CHECK_OK(cairn_cap_mint(fb, ch, CAIRN_RIGHT_WRITE, 0xfa));
	CHECK_OK(child_create(&c, fn, 100));
	c.arg[1] = arg1;
	CHECK_OK(cairn_task_configure(c.task, CAIRN_TASK_FIELD_FAULT, fb, 0));
	CHECK_OK(cairn_task_resume(c.task));
	settle();
	CHECK(c.started && !c.finished);
	CHECK_OK(cairn_task_read_state(c.task, &ti));
	CHECK_EQ(ti.state, CAIRN_TASK_FAULTED);
	CHECK_EQ(ti.ip, ip);
	CHECK_EQ(ti.fault_addr, addr);
	CHECK_OK(cairn_chan_try_recv(ch, CAIRN_NO_SLOT, &m));
	CHECK_EQ(m.badge, 0xfa);
	CHECK_EQ(CAIRN_MSGINFO_LEN(m.info), 4);
	CHECK_EQ(m.words[0], kind);
	CHECK_EQ(m.words[1], ip);
	CHECK_EQ(m.words[2], addr);
	CHECK(code_ok(m.words[3]));
	CHECK_ERR(cairn_chan_try_recv(ch, CAIRN_NO_SLOT, &m), CAIRN_ERR_WOULD_BLOCK);
}

static bool null_code_ok(uint64_t code)
{
	return FAULT_NULL_CODE_OK(code);
}

static bool undefined_code_ok(uint64_t code)
{
	return FAULT_UNDEFINED_CODE_OK(code);
}

static void null_deref(void)
{
	fault_case(do_null, 0, CAIRN_FAULT_PAGE_FAULT, (uintptr_t)fault_null_ip, 0,
		   null_code_ok);
}

static void invalid_opcode(void)
{
	fault_case(do_undefined, 0, CAIRN_FAULT_INVALID_OPCODE, (uintptr_t)fault_undefined_ip, 0,
		   undefined_code_ok);
}

static bool any_code(uint64_t code)
{
	(void)code;
	return true;
}

/* Tasks have no floating-point or SIMD state the kernel would switch, so
 * using either stops the task rather than sharing registers with others. */
static void floating_point_faults(void)
{
	fault_case(do_float, 0, CAIRN_FAULT_INVALID_OPCODE, (uintptr_t)fault_float_ip, 0,
		   any_code);
	fault_case(do_simd, 0, CAIRN_FAULT_INVALID_OPCODE, (uintptr_t)fault_simd_ip, 0,
		   any_code);
}

#if defined(__x86_64__)
static bool no_code(uint64_t code)
{
	return code == 0;
}

static void divide_by_zero(void)
{
	fault_case(do_div, 0, CAIRN_FAULT_DIVIDE, (uintptr_t)fault_div_ip, 0, no_code);
}
#elif defined(__aarch64__)
static bool brk_code_ok(uint64_t code)
{
	return ESR_EC(code) == 0x3c && (code & 0xffff) == 7; /* BRK #7 */
}

static void breakpoint(void)
{
	fault_case(do_brk, 0, CAIRN_FAULT_BREAKPOINT, (uintptr_t)fault_brk_ip, 0, brk_code_ok);
}
#endif

static void write_to_read_only_image(void)
{
	static struct child c;
	struct cairn_task_info ti;
	uint64_t text = boot_info->image_start; /* read-only, executable */

	CHECK_OK(child_start(&c, do_write, 100));
	c.arg[1] = text;
	settle();
	CHECK_OK(cairn_task_read_state(c.task, &ti));
	CHECK_EQ(ti.state, CAIRN_TASK_FAULTED);
	CHECK_EQ(ti.fault_addr, text);
}

static void fault_code_is_exception_number(void)
{
	static struct child c;
	struct cairn_task_info ti;

	/* syscalls.h: fault_code is "the faulting arch exception number" */
	CHECK_OK(child_start(&c, do_undefined, 100));
	settle();
	CHECK_OK(cairn_task_read_state(c.task, &ti));
	CHECK_EQ(ti.state, CAIRN_TASK_FAULTED);
	CHECK_EQ(ti.fault_code, FAULT_UNDEFINED_EXCEPTION);
}

static void fixed(struct child *c)
{
	c->out[0] = 0xf1;
}

static void resume_after_fault(void)
{
	static struct child c;
	struct cairn_task_info ti;

	CHECK_OK(child_start(&c, do_null, 100));
	settle();
	CHECK_OK(cairn_task_read_state(c.task, &ti));
	CHECK_EQ(ti.state, CAIRN_TASK_FAULTED);
	/* a faulted task can be reconfigured and restarted */
	CHECK_OK(cairn_task_configure(c.task, CAIRN_TASK_FIELD_FAULT, CAIRN_NO_SLOT, 0));
	c.fn = fixed;
	CHECK_OK(cairn_task_set_regs(c.task, CAIRN_REG_ALL, child_entry_ip(), child_entry_sp(&c),
				     (uintptr_t)&c, (uintptr_t)c.tb));
	CHECK_OK(cairn_task_resume(c.task));
	settle();
	CHECK(c.finished);
	CHECK_EQ(c.out[0], 0xf1);
	CHECK_OK(cairn_task_read_state(c.task, &ti));
	CHECK_EQ(ti.fault_addr, 0); /* cleared on resume */
}

static void no_fault_channel(void)
{
	static struct child c, d;

	/* without a fault channel the task just stops; others carry on */
	CHECK_OK(child_start(&c, do_undefined, 100));
	CHECK_OK(child_start(&d, fixed, 90));
	settle();
	CHECK(!c.finished);
	CHECK(d.finished);
	CHECK_EQ(d.out[0], 0xf1);
}

const struct test tests_fault[] = {
	{ "fault: NULL dereference -> Faulted, message (kind, ip, addr)", null_deref },
	{ "fault: undefined instruction -> Faulted, INVALID_OPCODE at its ip", invalid_opcode },
#if defined(__x86_64__)
	{ "fault: divide by zero -> Faulted, DIVIDE at its ip", divide_by_zero },
#elif defined(__aarch64__)
	{ "fault: brk -> Faulted, BREAKPOINT at its ip with its immediate", breakpoint },
#endif
	{ "fault: write to a read-only page, address reported", write_to_read_only_image },
	{ "fault: floating point and SIMD stop the task (no FP state)", floating_point_faults },
	{ "fault: TASK_READ_STATE fault_code is the exception number",
	  fault_code_is_exception_number },
	{ "fault: a faulted task restarts after set regs + resume", resume_after_fault },
	{ "fault: without a fault channel, only the task stops", no_fault_channel },
	{ 0, 0 },
};
