/*
 * t_ntfn.c - notifications (signal ORs badges, wait blocks and wakes,
 * poll) and IRQ claiming.
 */
#include "child.h"
#include "harness.h"
#include "test_arch.h"

static void signal_ors_badges(void)
{
	uint64_t n = new_obj(CAIRN_OBJ_NOTIFICATION, 0), a = new_slot(), b = new_slot();
	uint64_t bits;

	CHECK_OK(cairn_cap_mint(a, n, CAIRN_RIGHT_WRITE, 0x1));
	CHECK_OK(cairn_cap_mint(b, n, CAIRN_RIGHT_WRITE, 0x4));
	CHECK_OK(cairn_ntfn_poll(n, &bits));
	CHECK_EQ(bits, 0);
	CHECK_OK(cairn_ntfn_signal(a));
	CHECK_OK(cairn_ntfn_signal(b));
	CHECK_OK(cairn_ntfn_signal(a));
	CHECK_EQ(ident(n).summary[0], 5);
	CHECK_OK(cairn_ntfn_poll(n, &bits));
	CHECK_EQ(bits, 5);
	CHECK_OK(cairn_ntfn_poll(n, &bits)); /* poll cleared it */
	CHECK_EQ(bits, 0);
	CHECK_OK(cairn_ntfn_signal(n)); /* unbadged counts as 1 */
	CHECK_OK(cairn_ntfn_wait(n, &bits)); /* set: does not block */
	CHECK_EQ(bits, 1);
}

static void ntfn_errors(void)
{
	uint64_t n = new_obj(CAIRN_OBJ_NOTIFICATION, 0), ro = new_slot(), wo = new_slot();
	uint64_t bits;

	CHECK_OK(cairn_cap_copy(ro, n, CAIRN_RIGHT_READ));
	CHECK_OK(cairn_cap_copy(wo, n, CAIRN_RIGHT_WRITE));
	CHECK_ERR(cairn_ntfn_signal(ro), CAIRN_ERR_INSUFFICIENT_RIGHTS);
	CHECK_ERR(cairn_ntfn_poll(wo, &bits), CAIRN_ERR_INSUFFICIENT_RIGHTS);
	CHECK_ERR(cairn_ntfn_wait(wo, &bits), CAIRN_ERR_INSUFFICIENT_RIGHTS);
	CHECK_ERR(cairn_ntfn_signal(CAIRN_SLOT_CHANNEL), CAIRN_ERR_INVALID_CAP);
	CHECK_ERR(cairn_ntfn_poll(new_slot(), &bits), CAIRN_ERR_SLOT_EMPTY);
}

static void waiter(struct child *c)
{
	uint64_t bits = 0;

	c->out[0] = cairn_ntfn_wait(c->arg[0], &bits);
	c->out[1] = bits;
}

static void wait_blocks_and_wakes(void)
{
	static struct child c;
	uint64_t n = new_obj(CAIRN_OBJ_NOTIFICATION, 0), b = new_slot();
	struct cairn_task_info ti;

	CHECK_OK(cairn_cap_mint(b, n, CAIRN_RIGHT_WRITE, 0x30));
	CHECK_OK(child_start(&c, waiter, 100));
	c.arg[0] = n;
	settle();
	CHECK_OK(cairn_task_read_state(c.task, &ti));
	CHECK_EQ(ti.state, CAIRN_TASK_BLOCKED_NOTIFICATION);
	CHECK_EQ(ti.blocked_type, CAIRN_OBJ_NOTIFICATION);
	CHECK_EQ(ident(n).summary[1], 1);
	CHECK_OK(cairn_ntfn_signal(b));
	settle();
	CHECK(c.finished);
	CHECK_EQ(c.out[0], 0);
	CHECK_EQ(c.out[1], 0x30);
	CHECK_EQ(ident(n).summary[0], 0); /* the waiter took the word */
}

static void delete_wakes_waiter(void)
{
	static struct child c;
	uint64_t n = new_obj(CAIRN_OBJ_NOTIFICATION, 0);

	CHECK_OK(child_start(&c, waiter, 100));
	c.arg[0] = n;
	settle();
	CHECK_OK(cairn_cap_delete(n));
	settle();
	CHECK(c.finished);
	CHECK_EQ(c.out[0], CAIRN_ERR_OBJECT_DESTROYED);
}

/* ---- IRQs ------------------------------------------------------------- */

static void irq_claim_and_errors(void)
{
	uint64_t n = new_obj(CAIRN_OBJ_NOTIFICATION, 0), h = new_slot(), h2 = new_slot();
	uint64_t ic = irq_control_slot;

	CHECK(ic != CAIRN_NO_SLOT);
	CHECK_OK(cairn_irq_claim(ic, TEST_IRQ, h, n));
	struct cairn_cap_info i = ident(h);
	CHECK_EQ(i.type, CAIRN_OBJ_IRQ_HANDLER);
	CHECK_EQ(i.summary[0], TEST_IRQ);
	CHECK_EQ(i.summary[1], 1);
	CHECK_ERR(cairn_irq_claim(ic, TEST_IRQ, h2, n), CAIRN_ERR_ILLEGAL_OPERATION);
	CHECK_ERR(cairn_irq_claim(ic, TEST_IRQ_TIMER, h2, n), CAIRN_ERR_RANGE);
	CHECK_ERR(cairn_irq_claim(ic, TEST_IRQ_RESERVED, h2, n), CAIRN_ERR_RANGE);
	CHECK_ERR(cairn_irq_claim(ic, 4096, h2, n), CAIRN_ERR_RANGE);
	CHECK_ERR(cairn_irq_claim(ic, TEST_IRQ_OTHER, CAIRN_SLOT_CHANNEL, n),
		  CAIRN_ERR_SLOT_OCCUPIED);
	CHECK_ERR(cairn_irq_claim(ic, TEST_IRQ_OTHER, h2, CAIRN_SLOT_CHANNEL), CAIRN_ERR_INVALID_CAP);
	CHECK_ERR(cairn_irq_claim(n, TEST_IRQ_OTHER, h2, n), CAIRN_ERR_INVALID_CAP);
	CHECK_EQ(ident(h2).type, CAIRN_OBJ_NULL);
	CHECK_OK(cairn_irq_ack(h));
	CHECK_ERR(cairn_irq_ack(n), CAIRN_ERR_INVALID_CAP);
	CHECK_ERR(cairn_irq_ack(h2), CAIRN_ERR_SLOT_EMPTY);
	/* deleting the handler frees the line */
	CHECK_OK(cairn_cap_delete(h));
	CHECK_OK(cairn_irq_claim(ic, TEST_IRQ, h2, n));
	CHECK_EQ(ident(h2).summary[0], TEST_IRQ);
}

static void irq_control_is_unique_authority(void)
{
	uint64_t n = new_obj(CAIRN_OBJ_NOTIFICATION, 0), h = new_slot();

	/* the handler is a CDT child of IRQControl: revoke removes it */
	CHECK_OK(cairn_irq_claim(irq_control_slot, TEST_IRQ, h, n));
	CHECK(ident(irq_control_slot).flags & CAIRN_CAPINFO_HAS_CHILDREN);
	CHECK_OK(cairn_cap_revoke(irq_control_slot));
	CHECK_EQ(ident(h).type, CAIRN_OBJ_NULL);
	CHECK_OK(cairn_irq_claim(irq_control_slot, TEST_IRQ, h, n));
}

const struct test tests_ntfn[] = {
	{ "ntfn: signal ORs badges; poll takes and clears", signal_ors_badges },
	{ "ntfn: rights, type and slot errors", ntfn_errors },
	{ "ntfn: wait blocks (BlockedNotification) and a signal wakes it",
	  wait_blocks_and_wakes },
	{ "ntfn: deleting it wakes the waiter (OBJECT_DESTROYED)", delete_wakes_waiter },
	{ "irq: claim, claimed twice, timer/reserved/4096 lines, slot and type errors, ack",
	  irq_claim_and_errors },
	{ "irq: handlers are IRQControl's CDT children", irq_control_is_unique_authority },
	{ 0, 0 },
};
