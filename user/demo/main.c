/*
 * main.c - the monitor demo's root task (demo.h): makes the objects,
 * names them, mints the caps, starts 63 threads, then paces them
 * forever (pacer.c).
 */
#include <cairn/bootinfo.h>
#include <generated/autoconf.h>
#include "bootinfo.h"
#include "console.h"
#include "demo.h"
#include "format.h"
#include "start.h"
#include "thread.h"
#include "vmap.h"

#define BUFFER_AREA 0x10000000ull /* the threads' task buffers */
#define STACK_AREA 0x20000000ull  /* their stacks, ULIB_STACK_SIZE apart */
#define BADGE_POOL_BITS 10        /* the "badges" CPool: 1024 slots */
#define CALIBRATE_TICKS 5

struct demo_caps demo;
uint64_t demo_cycles_per_ms;

static struct slot_alloc slots;
static struct ut_alloc untyped;
static struct thread_env threads;
static unsigned started;
static unsigned channels;

void demo_spin_ms(uint64_t ms)
{
	uint64_t start = arch_cycles(), len = ms * demo_cycles_per_ms;
	while (arch_cycles() - start < len)
		;
}

/* Stop with a message: the demo is useless half set up. */
__attribute__((noreturn)) static void fail(const char *what, int err)
{
	printf("demo: %s failed (error %d)\n", what, err);
	console_flush();
	cairn_debug_shutdown(1);
	for (;;)
		;
}

static uint64_t new_named(unsigned type, unsigned bits, const char *name)
{
	uint64_t slot;
	int err = ut_alloc_object(&untyped, type, bits, &slot);
	if (!err)
		err = cairn_set_name(slot, name);
	if (err)
		fail(name, err);
	if (type == CAIRN_OBJ_CHANNEL)
		channels++;
	return slot;
}

/* A badged copy of `src` in a fresh root-CPool slot. */
static uint64_t mint(uint64_t src, unsigned rights, uint64_t badge)
{
	uint64_t slot;
	if (!slot_alloc_get(&slots, &slot))
		fail("slot allocation", CAIRN_ERR_NO_MEMORY);
	int err = cairn_cap_mint(slot, src, rights, badge);
	if (err)
		fail("mint", err);
	return slot;
}

/*
 * A stack for the next thread, mapped from fresh pages: 63 stacks in
 * .bss would make the program image more pages than the kernel hands a
 * root task as initial caps.
 */
static struct uthread_stack *new_stack(void)
{
	uint64_t base = STACK_AREA + (uint64_t)started * ULIB_STACK_SIZE;
	for (uint64_t off = 0; off < ULIB_STACK_SIZE; off += 0x1000) {
		uint64_t page;
		int err = ut_alloc_object(&untyped, CAIRN_OBJ_PAGE, 0, &page);
		if (!err)
			err = vmap_page(&untyped, page, CAIRN_SLOT_VSPACE, base + off,
					CAIRN_MAP_READ | CAIRN_MAP_WRITE);
		if (err)
			fail("stack", err);
	}
	return (struct uthread_stack *)(uintptr_t)base;
}

static uint64_t start(const char *name, unsigned prio, thread_fn fn, uint64_t arg)
{
	uint64_t task;
	int err = thread_start(&threads, &task, new_stack(), CAIRN_SLOT_VSPACE, prio, fn,
			       arg, name);
	if (err)
		fail(name, err);
	started++;
	return task;
}

/*
 * The clock's rate, measured against the kernel's timer: this task runs
 * alone at the top priority, so the ticks charged to it (run_ticks, from
 * TASK_READ_STATE) are the ticks that pass.
 */
static void calibrate(void)
{
	struct cairn_task_info info;
	uint64_t first, t0 = 0;
	int err = cairn_task_read_state(CAIRN_SLOT_ROOT_TASK, &info);
	if (err)
		fail("task read state", err);
	first = info.run_ticks;
	for (uint64_t now = first; now < first + 1 + CALIBRATE_TICKS;) {
		cairn_task_read_state(CAIRN_SLOT_ROOT_TASK, &info);
		if (info.run_ticks != now && now == first)
			t0 = arch_cycles(); /* on the first tick boundary */
		now = info.run_ticks;
	}
	uint64_t per_tick = (arch_cycles() - t0) / CALIBRATE_TICKS;
	demo_cycles_per_ms = per_tick * CONFIG_TIMER_HZ / 1000;
	if (!demo_cycles_per_ms)
		demo_cycles_per_ms = 1;
}

static void make_ipc_objects(void)
{
	char name[CAIRN_NAME_LEN];
	for (unsigned s = 0; s < DEMO_SERVERS; s++) {
		fmt_snprintf(name, sizeof(name), "jobs-%u", s);
		demo.jobs[s] = new_named(CAIRN_OBJ_CHANNEL, 0, name);
		fmt_snprintf(name, sizeof(name), "tick-%u", s);
		demo.client_tick[s] = new_named(CAIRN_OBJ_NOTIFICATION, 0, name);
		for (unsigned c = 0; c < DEMO_CLIENTS_PER_SERVER; c++)
			demo.client_jobs[s][c] = mint(demo.jobs[s], CAIRN_RIGHT_WRITE,
						      1 + s * DEMO_CLIENTS_PER_SERVER + c);
	}
	demo.shared = new_named(CAIRN_OBJ_CHANNEL, 0, "shared");
	for (unsigned p = 0; p < DEMO_PRODUCERS; p++)
		demo.producer_shared[p] = mint(demo.shared, CAIRN_RIGHT_WRITE, 0x100 + p);
	demo.log = new_named(CAIRN_OBJ_CHANNEL, 0, "log");
	demo.drain = new_named(CAIRN_OBJ_NOTIFICATION, 0, "drain");
	demo.bell = new_named(CAIRN_OBJ_NOTIFICATION, 0, "bell");
	demo.heartbeat = new_named(CAIRN_OBJ_NOTIFICATION, 0, "heartbeat");
	demo.never = new_named(CAIRN_OBJ_NOTIFICATION, 0, "never");
	for (unsigned i = 0; i < DEMO_SLEEPERS; i++) {
		fmt_snprintf(name, sizeof(name), "alarm-%u", i);
		demo.alarm[i] = new_named(CAIRN_OBJ_NOTIFICATION, 0, name);
	}
}

static void start_tasks(void)
{
	char name[CAIRN_NAME_LEN];
	for (unsigned s = 0; s < DEMO_SERVERS; s++) {
		fmt_snprintf(name, sizeof(name), "server-%u", s);
		uint64_t t = start(name, PRIO_SERVER + s, demo_server, s);
		if (s == 0)
			demo.watched[0] = t;
	}
	for (unsigned s = 0; s < DEMO_SERVERS; s++)
		for (unsigned c = 0; c < DEMO_CLIENTS_PER_SERVER; c++) {
			fmt_snprintf(name, sizeof(name), "client-%u-%u", s, c);
			uint64_t t = start(name, PRIO_CLIENT, demo_client, (uint64_t)s << 8 | c);
			if (s == 0 && c == 0)
				demo.watched[1] = t;
		}
	for (unsigned p = 0; p < DEMO_PRODUCERS; p++) {
		fmt_snprintf(name, sizeof(name), "producer-%u", p);
		uint64_t t = start(name, PRIO_PRODUCER, demo_producer, p);
		if (p == 0)
			demo.watched[2] = t;
	}
	start("consumer", PRIO_CONSUMER, demo_consumer, 0);
	start("logger", PRIO_LOGGER, demo_logger, 0);
	for (unsigned w = 0; w < DEMO_WAITERS; w++) {
		fmt_snprintf(name, sizeof(name), "waiter-%u", w);
		start(name, PRIO_WAITER, demo_waiter, w);
	}
	for (unsigned i = 0; i < DEMO_SLEEPERS; i++) {
		fmt_snprintf(name, sizeof(name), "sleeper-%u", i);
		demo.watched[3] = start(name, PRIO_SLEEPER + 10 * i, demo_sleeper, i);
	}
	start("watchdog", PRIO_WATCHDOG, demo_watchdog, 0);
	start("crasher", PRIO_CRASHER, demo_crasher, 0);
	demo.toggler = start("toggler", PRIO_TOGGLER, demo_toggler, 0);
}

/* Caps in a pool, as the kernel counts them (CAP_IDENTIFY's summary). */
static uint64_t pool_used(uint64_t pool)
{
	struct cairn_cap_info info;
	int err = cairn_cap_identify(pool, &info);
	if (err)
		fail("identify", err);
	return info.summary[1];
}

/*
 * Fill up to DEMO_CAPS_TARGET caps with badged copies of "shared" in a
 * 1024-slot CPool of their own ("badges"): a wide CDT below one cap and
 * a big pool to page through. Returns the caps in both pools.
 */
static uint64_t mint_badges(void)
{
	uint64_t pool = new_named(CAIRN_OBJ_CPOOL, BADGE_POOL_BITS, "badges");
	struct cairn_cap_info root;
	int err = cairn_cap_identify(CAIRN_SLOT_ROOT_CPOOL, &root);
	if (err)
		fail("identify root", err);
	/* Slot i of the pool: the root's guard, the pool's slot in the
	 * root, then i (radix bits each). */
	unsigned depth = (unsigned)(root.summary[2] + root.summary[0] + BADGE_POOL_BITS);
	uint64_t pool_addr = (root.summary[3] << root.summary[0] | pool) << BADGE_POOL_BITS;
	uint64_t have = pool_used(CAIRN_SLOT_ROOT_CPOOL);
	uint64_t want = have < DEMO_CAPS_TARGET ? DEMO_CAPS_TARGET - have : 0;
	if (want > 1u << BADGE_POOL_BITS)
		want = 1u << BADGE_POOL_BITS;
	for (uint64_t i = 0; i < want; i++) {
		uint64_t dest = CAIRN_SYS_CADDR(pool_addr | i, depth);
		err = cairn_cap_mint(dest, demo.shared, CAIRN_RIGHT_WRITE, 0x1000 + i);
		if (err)
			fail("mint into badges", err);
	}
	return pool_used(CAIRN_SLOT_ROOT_CPOOL) + pool_used(pool);
}

int main(void *arg)
{
	const struct cairn_bootinfo *bi = arg;
	const char *problem = bootinfo_adopt(bi);
	if (problem) {
		printf("demo: %s\n", problem);
		return 1;
	}
	slot_alloc_init_bootinfo(&slots, bi);
	ut_alloc_init_bootinfo(&untyped, &slots, bi);
	threads = (struct thread_env){ .ut = &untyped, .root_pool = CAIRN_SLOT_ROOT_CPOOL,
				       .next_buffer_vaddr = BUFFER_AREA };
	cairn_set_name(CAIRN_SLOT_ROOT_TASK, "pacer");

	calibrate();
	make_ipc_objects();
	start_tasks();
	uint64_t caps = mint_badges();
	printf("demo: %u tasks, %lu caps, %u channels (clock %lu per ms)\n", started + 1, caps,
	       channels, demo_cycles_per_ms);
	console_flush();
	/* Threads run once we are no longer on top. */
	int err = cairn_task_set_priority(CAIRN_SLOT_ROOT_TASK, PRIO_PACER);
	if (err)
		fail("lowering the pacer's priority", err);
	demo_pace();
}
