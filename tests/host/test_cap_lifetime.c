/*
 * test_cap_lifetime.c - object destruction and its hooks, pool chains
 * and cycles, 100k-deep and 100k-wide revoke on a small stack, and the
 * invariant checker catching corruption.
 */
#include <pthread.h>
#include <time.h>

#include "capcheck.h"
#include "channel.h"
#include "fixture.h"
#include "host_support.h"
#include "irq.h"
#include "notification.h"
#include "task.h"
#include "../lib/tap.h"

static struct fixture fx;

#define UT() fx_slot(&fx, FX_UNTYPED)
#define BIG 100000u

/* Run fn on a 64 KiB stack: any recursion proportional to N overflows. */
static void on_small_stack(void *(*fn)(void *))
{
	pthread_attr_t a;
	pthread_t t;

	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 * 1024);
	CHECK(pthread_create(&t, &a, fn, NULL) == 0);
	pthread_join(t, NULL);
	pthread_attr_destroy(&a);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void task_destroy(void)
{
	fx_setup(&fx, 6, 18, false);
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_TASK, 0, fx.root, 10, 1));
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_PAGE, 0, fx.root, 11, 1));
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_CHANNEL, 0, fx.root, 12, 1));
	struct task *t = task_from_object(fx_slot(&fx, 10)->cap.obj);
	struct object *ch = fx_slot(&fx, 12)->cap.obj;
	object_set_name(&t->hdr, "a-rather-long-task-name");
	CHECK(strcmp(t->hdr.name, "a-rather-long-t") == 0);
	/* configure it as task code would: copies into the internal slots */
	CHECK_OK(cap_copy(fx_slot(&fx, FX_ROOT_SELF), &t->slots[TASK_SLOT_CPOOL], CAIRN_RIGHTS_ALL));
	CHECK_OK(cap_copy(fx_slot(&fx, 11), &t->slots[TASK_SLOT_BUFFER], CAIRN_RIGHTS_ALL));
	CHECK_OK(cap_copy(fx_slot(&fx, 12), &t->slots[TASK_SLOT_FAULT], CAIRN_RIGHTS_ALL));
	CHECK_EQ(fx.root->hdr.cap_count, 2);
	t->state = CAIRN_TASK_READY;
	task_queue_append(&host_run_queue, t);
	fx_check();
	/* revoking a source empties the matching internal slot */
	CHECK_OK(cap_revoke(fx_slot(&fx, 12)));
	CHECK(slot_is_empty(&t->slots[TASK_SLOT_FAULT]));
	CHECK_EQ(ch->cap_count, 1);
	/* a copy keeps it alive; the last cap destroys it */
	CHECK_OK(cap_copy(fx_slot(&fx, 10), fx_slot(&fx, 20), CAIRN_RIGHTS_ALL));
	CHECK_OK(cap_delete(fx_slot(&fx, 10)));
	CHECK_EQ(host_hooks.sched_removed, 0);
	unsigned pages_before = host_hooks.memory_caps_deleted;
	CHECK_OK(cap_delete(fx_slot(&fx, 20)));
	CHECK_EQ(host_hooks.sched_removed, 1);
	CHECK(host_hooks.last_removed == t);
	CHECK(host_run_queue.head == NULL && t->queue == NULL);
	CHECK_EQ(t->hdr.state, OBJECT_DEAD);
	CHECK(slot_is_empty(&t->slots[TASK_SLOT_CPOOL]) && slot_is_empty(&t->slots[TASK_SLOT_BUFFER]));
	CHECK_EQ(fx.root->hdr.cap_count, 1);
	CHECK_EQ(host_hooks.memory_caps_deleted, pages_before + 1);
	CHECK_EQ(host_hooks.last_memory_cap.paddr, fx_slot(&fx, 11)->cap.paddr);
	CHECK_EQ(object_lists[CAIRN_OBJ_TASK].count, 0);
	fx_check();
	fx_teardown(&fx);
}

static void channel_and_notification_destroy(void)
{
	fx_setup(&fx, 6, 18, false);
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_TASK, 0, fx.root, 10, 3));
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_CHANNEL, 0, fx.root, 13, 1));
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_NOTIFICATION, 0, fx.root, 14, 1));
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_NOTIFICATION, 0, fx.root, 15, 1));
	struct task *t[3];
	for (int i = 0; i < 3; i++)
		t[i] = task_from_object(fx_slot(&fx, 10 + i)->cap.obj);
	struct channel *ch = channel_from_object(fx_slot(&fx, 13)->cap.obj);
	struct notification *n = notification_from_object(fx_slot(&fx, 14)->cap.obj);
	struct object *in_flight = fx_slot(&fx, 15)->cap.obj;

	t[0]->state = CAIRN_TASK_BLOCKED_RECV;
	t[0]->blocked_on = &ch->hdr;
	task_queue_append(&ch->receivers, t[0]);
	t[1]->state = CAIRN_TASK_BLOCKED_SEND;
	t[1]->blocked_on = &ch->hdr;
	task_queue_append(&ch->senders, t[1]);
	t[2]->state = CAIRN_TASK_BLOCKED_NOTIFICATION;
	t[2]->blocked_on = &n->hdr;
	task_queue_append(&n->waiters, t[2]);
	/* a message in the ring carries a cap: the channel owns it */
	CHECK_OK(cap_move(fx_slot(&fx, 15), &ch->ring[1].cap));
	ch->count = 2;
	fx_check();

	CHECK_OK(cap_delete(fx_slot(&fx, 13)));
	CHECK_EQ(host_hooks.channel_wakes, 1);
	CHECK_EQ(host_hooks.tasks_woken, 2);
	CHECK_EQ(host_hooks.last_wake_error, CAIRN_ERR_OBJECT_DESTROYED);
	CHECK(t[0]->state == CAIRN_TASK_READY && t[1]->state == CAIRN_TASK_READY);
	CHECK(!t[0]->blocked_on && ch->receivers.head == NULL && ch->senders.head == NULL);
	CHECK_EQ(in_flight->state, OBJECT_DEAD); /* its only cap was in flight */
	CHECK_OK(cap_delete(fx_slot(&fx, 14)));
	CHECK_EQ(host_hooks.notification_wakes, 2); /* with the one in flight */
	CHECK_EQ(t[2]->state, CAIRN_TASK_READY);
	fx_check();
	/* a queued task destroyed: off every queue */
	CHECK_OK(cap_delete(fx_slot(&fx, 10)));
	CHECK(host_run_queue.head == t[1] && t[0]->queue == NULL);
	fx_check();
	fx_teardown(&fx);
}

static void irq_handler_destroy(void)
{
	static struct irq_control ctl;
	static struct irq_handler h;

	fx_setup(&fx, 6, 16, false);
	memset(&ctl, 0, sizeof(ctl));
	memset(&h, 0, sizeof(h));
	object_init(&ctl.hdr, CAIRN_OBJ_IRQ_CONTROL, 0);
	struct cap c = cap_for_object(&ctl.hdr);
	CHECK_OK(cap_install_original(fx_slot(&fx, 5), &c));
	/* IRQ code makes a handler as a child of the control cap */
	object_init(&h.hdr, CAIRN_OBJ_IRQ_HANDLER, 0);
	h.irq = 4;
	c = cap_for_object(&h.hdr);
	CHECK_OK(cap_install_child(fx_slot(&fx, 5), fx_slot(&fx, 6), &c));
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_NOTIFICATION, 0, fx.root, 7, 1));
	CHECK_OK(cap_mint(fx_slot(&fx, 7), &h.notification, CAIRN_RIGHT_WRITE, 0x10));
	fx_check();
	CHECK_OK(cap_delete(fx_slot(&fx, 6)));
	CHECK_EQ(host_hooks.irq_released, 1);
	CHECK_EQ(host_hooks.last_irq, 4);
	CHECK(slot_is_empty(&h.notification));
	CHECK_EQ(fx_slot(&fx, 7)->cap.obj->cap_count, 1);
	/* revoking IRQControl takes any handler with it */
	object_init(&h.hdr, CAIRN_OBJ_IRQ_HANDLER, 0);
	c = cap_for_object(&h.hdr);
	CHECK_OK(cap_install_child(fx_slot(&fx, 5), fx_slot(&fx, 6), &c));
	CHECK_OK(cap_revoke(fx_slot(&fx, 5)));
	CHECK_EQ(host_hooks.irq_released, 2);
	CHECK_OK(cap_delete(fx_slot(&fx, 5)));
	CHECK_EQ(ctl.hdr.state, OBJECT_DEAD);
	fx_check();
	fx_teardown(&fx);
}

/* A cycle of pools survives deleting the outside caps; revoke frees it. */
static void pool_cycles(void)
{
	fx_setup(&fx, 6, 16, false);
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_CPOOL, 2, fx.root, 10, 3));
	struct cpool *a = cap_cpool(&fx_slot(&fx, 10)->cap), *b = cap_cpool(&fx_slot(&fx, 11)->cap);
	struct cpool *c = cap_cpool(&fx_slot(&fx, 12)->cap);
	CHECK_OK(cap_copy(fx_slot(&fx, 10), &a->slots[0], CAIRN_RIGHTS_ALL)); /* a holds itself */
	CHECK_OK(cap_copy(fx_slot(&fx, 11), &a->slots[1], CAIRN_RIGHTS_ALL)); /* a -> b */
	CHECK_OK(cap_copy(fx_slot(&fx, 10), &b->slots[0], CAIRN_RIGHTS_ALL)); /* b -> a */
	CHECK_OK(cap_copy(fx_slot(&fx, 12), &b->slots[1], CAIRN_RIGHTS_ALL)); /* b -> c */
	CHECK_OK(cap_copy(fx_slot(&fx, 11), &c->slots[3], CAIRN_RIGHTS_ALL)); /* c -> b */
	for (int i = 10; i < 13; i++)
		CHECK_OK(cap_delete(fx_slot(&fx, i)));
	CHECK_EQ(object_lists[CAIRN_OBJ_CPOOL].count, 4);
	fx_check();
	CHECK_OK(cap_revoke(UT()));
	CHECK_EQ(object_lists[CAIRN_OBJ_CPOOL].count, 1);
	CHECK_EQ(UT()->cap.data, 0);
	CHECK(a->hdr.state == OBJECT_DEAD && b->hdr.state == OBJECT_DEAD && c->hdr.state == OBJECT_DEAD);
	fx_check();
	fx_teardown(&fx);
}

/* Revoke whose own slot lives in an object that dies during it. */
static void revoke_slot_dies(void)
{
	fx_setup(&fx, 6, 16, false);
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_UNTYPED, 12, fx.root, 10, 1));
	CHECK_OK(untyped_retype(fx_slot(&fx, 10), CAIRN_OBJ_CPOOL, 2, fx.root, 11, 1));
	struct cpool *p = cap_cpool(&fx_slot(&fx, 11)->cap);
	CHECK_OK(cap_move(fx_slot(&fx, 10), &p->slots[3])); /* the untyped lives in p */
	CHECK_OK(cap_revoke(&p->slots[3]));                 /* kills p's only cap */
	CHECK_EQ(p->hdr.state, OBJECT_DEAD);
	CHECK(slot_is_empty(fx_slot(&fx, 11)));
	CHECK(!UT()->first_child);
	CHECK_EQ(UT()->cap.data, 0);
	fx_check();
	fx_teardown(&fx);
}

/* 100k pools, each holding the only cap to the next; one delete. */
static void *pool_chain_body(void *arg)
{
	(void)arg;
	fx_setup(&fx, 4, 27, false);
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_CPOOL, 17, fx.root, 5, 1));
	struct cpool *hold = cap_cpool(&fx_slot(&fx, 5)->cap);
	for (unsigned i = 0; i < BIG; i += CONFIG_RETYPE_FANOUT_MAX) {
		unsigned n = BIG - i < CONFIG_RETYPE_FANOUT_MAX ? BIG - i : CONFIG_RETYPE_FANOUT_MAX;
		CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_CPOOL, 1, hold, i, n));
	}
	for (unsigned i = BIG - 1; i > 0; i--)
		CHECK_OK(cap_move(&hold->slots[i], &cap_cpool(&hold->slots[i - 1].cap)->slots[1]));
	CHECK_EQ(object_lists[CAIRN_OBJ_CPOOL].count, BIG + 2);
	fx_check();
	double t0 = now();
	CHECK_OK(cap_delete(fx_slot(&fx, 5)));
	printf("# pool chain of %u destroyed in %.3f s\n", BIG, now() - t0);
	CHECK_EQ(object_lists[CAIRN_OBJ_CPOOL].count, 1);
	CHECK(!UT()->first_child && UT()->cap.data == 0);
	fx_check();
	fx_teardown(&fx);
	return NULL;
}

static void pool_chain_100k(void)
{
	on_small_stack(pool_chain_body);
}

/* Channel caps in a 2^17-slot pool: a deep chain, then a wide fan-out. */
static void *revoke_big_body(void *arg)
{
	(void)arg;
	fx_setup(&fx, 4, 24, false);
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_CPOOL, 17, fx.root, 5, 1));
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_CHANNEL, 0, fx.root, 6, 1));
	struct cpool *hold = cap_cpool(&fx_slot(&fx, 5)->cap);
	struct slot *ch = fx_slot(&fx, 6);

	struct slot *prev = ch;
	for (unsigned i = 0; i < BIG; i++) {
		CHECK_OK(cap_copy(prev, &hold->slots[i], CAIRN_RIGHTS_ALL));
		prev = &hold->slots[i];
	}
	CHECK_EQ(ch->cap.obj->cap_count, BIG + 1);
	fx_check();
	double t0 = now();
	CHECK_OK(cap_revoke(ch));
	printf("# revoke of a %u-deep chain: %.3f s\n", BIG, now() - t0);
	CHECK_EQ(ch->cap.obj->cap_count, 1);
	CHECK(!ch->first_child && slot_is_empty(&hold->slots[BIG - 1]));
	fx_check();

	for (unsigned i = 0; i < BIG; i++)
		CHECK_OK(cap_copy(ch, &hold->slots[i], CAIRN_RIGHTS_ALL));
	/* deleting a node with 100k children splices them up, once */
	CHECK_OK(cap_copy(ch, fx_slot(&fx, 7), CAIRN_RIGHTS_ALL));
	CHECK_OK(cap_move(ch, fx_slot(&fx, 8)));
	ch = fx_slot(&fx, 8);
	t0 = now();
	CHECK_OK(cap_revoke(ch));
	printf("# revoke of a %u-wide fan-out: %.3f s\n", BIG + 1, now() - t0);
	CHECK_EQ(ch->cap.obj->cap_count, 1);
	fx_check();
	fx_teardown(&fx);
	return NULL;
}

static void revoke_100k_deep_and_wide(void)
{
	on_small_stack(revoke_big_body);
}

static unsigned reported;
static void count_report(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
	reported++;
}

static unsigned violations(void)
{
	struct capcheck c = { .report = count_report };
	reported = 0;
	capcheck_run(&c);
	CHECK_EQ(reported, c.violations);
	return c.violations;
}

static void checker_catches_corruption(void)
{
	fx_setup(&fx, 6, 16, false);
	CHECK_OK(untyped_retype(UT(), CAIRN_OBJ_CHANNEL, 0, fx.root, 10, 1));
	struct slot *a = fx_slot(&fx, 10), *b = fx_slot(&fx, 11), *c = fx_slot(&fx, 12);
	CHECK_OK(cap_copy(a, b, CAIRN_RIGHTS_ALL));
	CHECK_OK(cap_copy(a, c, CAIRN_RIGHTS_ALL));
	CHECK_EQ(violations(), 0);

	a->cap.obj->cap_count++;
	CHECK(violations() > 0);
	a->cap.obj->cap_count--;

	struct slot *saved = b->prev_sibling;
	b->prev_sibling = b;
	CHECK(violations() > 0);
	b->prev_sibling = saved;

	b->next_sibling = (struct slot *)(uintptr_t)0xdeadbeef0; /* wild pointer */
	CHECK(violations() > 0);
	b->next_sibling = NULL;

	fx_slot(&fx, 20)->parent = a; /* empty slot with a link */
	CHECK(violations() > 0);
	fx_slot(&fx, 20)->parent = NULL;

	UT()->cap.data += 4096; /* fine: watermark may exceed the children */
	CHECK_EQ(violations(), 0);
	uint64_t wm = UT()->cap.data;
	UT()->cap.data = 16; /* a child beyond the watermark */
	CHECK(violations() > 0);
	UT()->cap.data = wm;

	/* a cycle detached from any root: b <-> c as each other's parents */
	struct slot sb = *b, sc = *c;
	CHECK_OK(cap_delete(b));
	CHECK_OK(cap_delete(c));
	*b = sb; *c = sc;
	b->parent = c; b->prev_sibling = b->next_sibling = NULL; b->first_child = c;
	c->parent = b; c->prev_sibling = c->next_sibling = NULL; c->first_child = b;
	a->cap.obj->cap_count += 2;
	CHECK(violations() > 0);
	memset(b, 0, sizeof(*b));
	memset(c, 0, sizeof(*c));
	a->cap.obj->cap_count -= 2;
	CHECK_EQ(violations(), 0);

	struct object *o = a->cap.obj;
	o->state = OBJECT_DYING;
	CHECK(violations() > 0);
	o->state = OBJECT_LIVE;
	CHECK_EQ(violations(), 0);
	fx_teardown(&fx);
}

int main(void)
{
	TAP_RUN(task_destroy);
	TAP_RUN(channel_and_notification_destroy);
	TAP_RUN(irq_handler_destroy);
	TAP_RUN(pool_cycles);
	TAP_RUN(revoke_slot_dies);
	TAP_RUN(pool_chain_100k);
	TAP_RUN(revoke_100k_deep_and_wide);
	TAP_RUN(checker_catches_corruption);
	return tap_done();
}
