/*
 * t_xas.c - across address spaces: the peer program (user/tests/peer)
 * spawned from its ELF image into a VSpace of its own, with its own
 * page tables, pages and CPool; calls to it, memory isolation, a page
 * shared on purpose, a capability sent over, and a fault there.
 *
 * The peer lives for the whole group (the tests build on each other);
 * the last test deletes everything spawning made.
 */
#include "child.h"
#include <cairn/fault.h>
#include "harness.h"
#include "peer/peer.h"
#include "spawn.h"
#include "ustring.h"
#include "vmap.h"

extern const char peer_image_start[], peer_image_end[];

#define SCRATCH UINT64_C(0x32000000)
#define OURS UINT64_C(0x32100000)     /* the shared page, in our VSpace */
#define THEIRS UINT64_C(0x10000000)   /* and in the peer's */
#define PEER_ARG_VALUE UINT64_C(0xa11ce)

static struct spawn_result peer;
static uint64_t peer_chan = CAIRN_NO_SLOT, shared_page = CAIRN_NO_SLOT;
static uint64_t used_before[sizeof(test_slots.used) / sizeof(test_slots.used[0])];
static bool spawned;

static int ask(uint64_t req, uint64_t a, uint64_t b, struct cairn_msg *r)
{
	struct cairn_msg m = msg4(4, req, a, b, 0);

	return cairn_chan_call(peer_chan, &m, CAIRN_NO_SLOT, r);
}

static void spawn_peer(void)
{
	struct spawn_args a = {
		.image = peer_image_start,
		.size = (size_t)(peer_image_end - peer_image_start),
		.name = "peer",
		.priority = 100,
		.stack_pages = 2,
		.arg = PEER_ARG_VALUE,
		.self_vspace = CAIRN_SLOT_VSPACE,
		.scratch_vaddr = SCRATCH,
		.root_bits = boot_info->root_cpool_bits,
		.give_count = 1,
	};
	struct cairn_task_info ti;

	memcpy(used_before, test_slots.used, sizeof(used_before));
	CHECK_OK(ut_alloc_object(&test_ut, CAIRN_OBJ_CHANNEL, 0, &peer_chan));
	a.give[0] = peer_chan;
	CHECK_OK(spawn_elf(&test_ut, &a, &peer));
	spawned = true;
	CHECK_EQ(peer.elf_err, 0);
	CHECK_EQ(ident(peer.task).type, CAIRN_OBJ_TASK);
	CHECK_EQ(ident(peer.vspace).type, CAIRN_OBJ_VSPACE);
	CHECK(ident(peer.vspace).paddr != ident(CAIRN_SLOT_VSPACE).paddr);
	settle();
	CHECK_OK(cairn_task_read_state(peer.task, &ti));
	CHECK_EQ(ti.state, CAIRN_TASK_BLOCKED_RECV);
	CHECK_EQ(ti.ip == peer.entry, 0); /* it ran */
	CHECK(strcmp(ti.name, "peer") == 0);
}

static void spawn_rejects_bad_images(void)
{
	static char junk[256];
	struct spawn_args a = {
		.image = junk, .size = sizeof(junk), .name = "bad", .stack_pages = 1,
		.self_vspace = CAIRN_SLOT_VSPACE, .scratch_vaddr = SCRATCH,
		.root_bits = boot_info->root_cpool_bits,
	};
	struct spawn_result r;
	uint32_t free_before = slot_alloc_free_count(&test_slots);

	memcpy(junk, peer_image_start, sizeof(junk));
	junk[0] = 0; /* bad magic */
	CHECK_ERR(spawn_elf(&test_ut, &a, &r), CAIRN_ERR_INVALID_ARGUMENT);
	CHECK(r.elf_err != 0);
	CHECK_EQ(slot_alloc_free_count(&test_slots), free_before);
}

static void call_across(void)
{
	struct cairn_msg r;
	uint64_t b = new_slot();

	CHECK(spawned);
	CHECK_OK(ask(PEER_ECHO, 10, 20, &r));
	CHECK_EQ(r.words[0], 11);
	CHECK_EQ(r.words[1], 21);
	CHECK_EQ(r.words[3], 0); /* unbadged */
	CHECK_OK(cairn_cap_mint(b, peer_chan, CAIRN_RIGHT_WRITE, 0xbee));
	struct cairn_msg m = msg4(4, PEER_ECHO, 1, 2, 3);
	CHECK_OK(cairn_chan_call(b, &m, CAIRN_NO_SLOT, &r));
	CHECK_EQ(r.words[2], 4);
	CHECK_EQ(r.words[3], 0xbee);
	CHECK_OK(ask(PEER_ARG, 0, 0, &r));
	CHECK_EQ(r.words[0], PEER_ARG_VALUE);
}

static void memory_is_private(void)
{
	struct cairn_msg r;

	CHECK(spawned);
	CHECK_OK(ask(PEER_WHERE, 0, 0, &r));
	uint64_t addr = r.words[0];
	CHECK_EQ(r.words[1], 0x5eed);
	/* the same address in our VSpace: our image, not the peer's data */
	CHECK(addr >= boot_info->image_start && addr < boot_info->image_end);
	volatile uint64_t *ours = (volatile uint64_t *)(uintptr_t)addr;
	uint64_t before = *ours;
	CHECK_OK(ask(PEER_WRITE, addr, 0x77, &r));
	CHECK_OK(ask(PEER_WHERE, 0, 0, &r));
	CHECK_EQ(r.words[1], 0x77);
	CHECK_EQ(*ours, before);
}

static void shared_page_both_ways(void)
{
	struct cairn_msg r;
	uint64_t theirs;
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)OURS;

	CHECK(spawned);
	CHECK_OK(ut_alloc_object(&test_ut, CAIRN_OBJ_PAGE, 0, &shared_page));
	CHECK_OK(map_rw(shared_page, OURS));
	CHECK_OK(ut_alloc_object(&test_ut, CAIRN_OBJ_PAGE, 0, &theirs)); /* placeholder slot */
	CHECK_OK(cairn_cap_delete(theirs));
	CHECK_OK(cairn_cap_copy(theirs, shared_page, CAIRN_RIGHTS_ALL));
	/* the peer's VSpace has no tables here yet: vmap makes them */
	CHECK_OK(vmap_page(&test_ut, theirs, peer.vspace, THEIRS, CAIRN_MAP_READ | CAIRN_MAP_WRITE));
	p[0] = 0xabcd;
	CHECK_OK(ask(PEER_READ, THEIRS, 0, &r));
	CHECK_EQ(r.words[3], 0);
	CHECK_EQ(r.words[0], 0xabcd);
	CHECK_OK(ask(PEER_WRITE, THEIRS + 8, 0x99, &r));
	CHECK_EQ(p[1], 0x99);
}

static void cap_to_peer(void)
{
	uint64_t n = new_obj(CAIRN_OBJ_NOTIFICATION, 0), b = new_slot(), bits;
	struct cairn_msg m = msg4(4, PEER_SIGNAL, 0, 0, 0), r;

	CHECK(spawned);
	CHECK_OK(cairn_cap_mint(b, n, CAIRN_RIGHT_WRITE, 0x8));
	m.info |= CAIRN_MSG_CAP;
	m.cap = b;
	CHECK_OK(cairn_chan_call(peer_chan, &m, CAIRN_NO_SLOT, &r));
	CHECK(r.words[0] & CAIRN_MSG_CAP);
	CHECK_EQ(r.words[1], CAIRN_OBJ_NOTIFICATION);
	CHECK_EQ(r.words[2], 0);
	CHECK_OK(cairn_ntfn_poll(n, &bits));
	CHECK_EQ(bits, 0x8);
	CHECK(!(ident(b).flags & CAIRN_CAPINFO_HAS_CHILDREN)); /* the peer deleted it */
}

/* A child calls the peer with a request that makes the peer fault. */
static void bad_reader(struct child *c)
{
	struct cairn_msg m = msg4(4, PEER_READ, c->arg[0], 0, 0), r;

	c->out[0] = cairn_chan_call(peer_chan, &m, CAIRN_NO_SLOT, &r);
}

static void fault_in_peer(void)
{
	static struct child c;
	uint64_t fch = new_obj(CAIRN_OBJ_CHANNEL, 0);
	uint64_t bad = THEIRS + 0x5000;
	struct cairn_task_info ti;
	struct cairn_msg f;

	CHECK(spawned);
	CHECK_OK(cairn_task_configure(peer.task, CAIRN_TASK_FIELD_FAULT, fch, 0));
	CHECK_OK(child_start(&c, bad_reader, 90));
	c.arg[0] = bad;
	settle();
	CHECK_OK(cairn_task_read_state(peer.task, &ti));
	CHECK_EQ(ti.state, CAIRN_TASK_FAULTED);
	CHECK_EQ(ti.fault_addr, bad);
	CHECK_OK(cairn_chan_try_recv(fch, CAIRN_NO_SLOT, &f));
	CHECK_EQ(f.words[0], CAIRN_FAULT_PAGE_FAULT);
	CHECK_EQ(f.words[2], bad);
	CHECK(f.words[1] >= SPAWN_USER_LO && f.words[1] < SPAWN_USER_HI);
	/* the caller still waits for its reply; deleting the peer ends that */
	CHECK(!c.finished);
	CHECK_OK(cairn_cap_delete(peer.task));
	settle();
	CHECK(c.finished);
	CHECK_EQ(c.out[0], CAIRN_ERR_OBJECT_DESTROYED);
}

static void teardown(void)
{
	unsigned freed = 0;

	CHECK(spawned);
	spawned = false;
	/* every slot spawning and these tests used: delete them all */
	for (uint64_t s = 0; s < test_slots.count; s++) {
		bool was = (used_before[s / 64] >> (s % 64)) & 1;

		if (slot_alloc_is_used(&test_slots, s) && !was) {
			(void)cairn_cap_delete(s);
			slot_alloc_set(&test_slots, s, false);
			freed++;
		}
	}
	CHECK(freed >= 8);
	CHECK_EQ(ident(peer.vspace).type, CAIRN_OBJ_NULL);
	/* our mapping of the shared page went with its cap */
	CHECK_EQ(ident(shared_page).type, CAIRN_OBJ_NULL);
}

const struct test tests_xas[] = {
	{ "spawn: peer ELF in its own VSpace, running, blocked in recv", spawn_peer },
	{ "spawn: a corrupt image is refused, nothing leaks", spawn_rejects_bad_images },
	{ "xas: call/reply-recv across address spaces, badge, argument", call_across },
	{ "xas: same address, different memory", memory_is_private },
	{ "xas: one frame mapped in both VSpaces, both directions", shared_page_both_ways },
	{ "xas: a capability sent to the peer works there", cap_to_peer },
	{ "xas: peer faults (page fault message), deleting it wakes its caller", fault_in_peer },
	{ "xas: deleting what spawning made", teardown },
	{ 0, 0 },
};
