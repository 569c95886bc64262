/*
 * serial.c - the console's input side as a user-space driver (see
 * serial.h): wait for the UART interrupt's notification, drain the
 * receive FIFO through the backend (uart.h), acknowledge the line.
 * Output still goes through the kernel's debug print.
 */
#include <cairn/bootinfo.h>
#include "console.h"
#include "serial.h"
#include "syscall.h"
#include "thread.h"
#include "uart.h"

#define DRIVER_PRIORITY CAIRN_PRIO_MAX /* as rinit: typing never waits on it */
#define THREAD_AREA 0x10000000ull      /* task buffers of rinit's threads */
#define DRIVER_UT_MIN_BITS 17          /* its objects and page tables fit */

static struct uthread_stack driver_stack;
static struct uart uart;
static uint64_t ntfn, handler, input;
static bool running;

/* Bytes the kernel had buffered before the driver took over. */
static char early[64];
static unsigned early_len, early_pos;

static void driver(uint64_t arg)
{
	(void)arg;
	int err = uart.enable_rx();
	for (; !err;) {
		uint32_t ch;
		bool got;
		while (!(err = uart.read(&ch, &got)) && got) {
			struct cairn_msg m = { .info = CAIRN_MSGINFO(1, 0) };
			m.words[0] = ch;
			if ((err = cairn_chan_send(input, &m)))
				break;
		}
		uint64_t bits;
		if (!err)
			err = cairn_irq_ack(handler);
		if (!err)
			err = cairn_ntfn_wait(ntfn, &bits);
	}
	printf("serial: driver stopped: %s\n", cairn_strerror(err));
}

uint64_t uart_boot_cap(const struct cairn_bootinfo *bi, unsigned type, unsigned flags,
		       uint64_t *base)
{
	for (uint32_t i = 0; i < bi->slot_count; i++)
		if (bi->slots[i].type == type && (bi->slots[i].flags & flags) == flags) {
			if (base)
				*base = bi->slots[i].base;
			return bi->slots[i].slot;
		}
	return CAIRN_NO_SLOT;
}

/*
 * Take the smallest untyped region (not slot 2) that holds the driver's
 * objects out of the shell's allocator, so that revoking the shell's
 * untyped never takes the console's input with it.
 */
static bool take_own_untyped(const struct cairn_bootinfo *bi, struct ut_alloc *ua,
			     struct ut_alloc *own)
{
	unsigned best = UT_ALLOC_MAX, best_bits = 64;
	for (unsigned i = 0; i < ua->count; i++)
		for (uint32_t j = 0; j < bi->slot_count; j++) {
			const struct cairn_bootinfo_slot *s = &bi->slots[j];
			if (s->slot == ua->untyped[i] && s->slot != CAIRN_SLOT_UNTYPED &&
			    s->size_bits >= DRIVER_UT_MIN_BITS && s->size_bits < best_bits) {
				best = i;
				best_bits = s->size_bits;
			}
		}
	if (best == UT_ALLOC_MAX)
		return false;
	*own = (struct ut_alloc){ .slots = ua->slots, .root_pool = ua->root_pool,
				  .count = 1, .untyped = { ua->untyped[best] } };
	ua->untyped[best] = ua->untyped[--ua->count];
	return true;
}

int serial_start(const struct cairn_bootinfo *bi, struct ut_alloc *shell_ua,
		 uint64_t own[SERIAL_MAX_OWN], unsigned *own_count)
{
	static struct ut_alloc own_ua;
	struct ut_alloc *ua = &own_ua;
	uint64_t irqcontrol = uart_boot_cap(bi, CAIRN_OBJ_IRQ_CONTROL, 0, NULL), task;
	if (irqcontrol == CAIRN_NO_SLOT)
		return CAIRN_ERR_MISSING_CAP;
	if (!take_own_untyped(bi, shell_ua, &own_ua))
		return CAIRN_ERR_NO_MEMORY;
	int err = uart_16550_probe(bi, ua, &uart);
	if (err == CAIRN_ERR_MISSING_CAP)
		err = uart_pl011_probe(bi, ua, &uart);
	if (err)
		return err;
	*own_count = 0;
	own[(*own_count)++] = own_ua.untyped[0];
	for (unsigned i = 0; i < uart.own_count; i++)
		own[(*own_count)++] = uart.own[i];
	if ((err = ut_alloc_object(ua, CAIRN_OBJ_NOTIFICATION, 0, &ntfn)) ||
	    (err = ut_alloc_object(ua, CAIRN_OBJ_CHANNEL, 0, &input)) ||
	    !slot_alloc_get(ua->slots, &handler) ||
	    (err = cairn_irq_claim(irqcontrol, uart.irq, handler, ntfn)))
		return err ? err : CAIRN_ERR_NO_MEMORY;
	cairn_set_name(input, "console-input");
	cairn_set_name(ntfn, "uart-irq");
	/* From now on the kernel no longer reads the UART; take what it had. */
	for (int ch; early_len < sizeof(early) &&
		     !cairn_debug_getc(CAIRN_GETC_NONBLOCK, &ch);)
		early[early_len++] = (char)ch;
	struct thread_env env = { .ut = ua, .root_pool = CAIRN_SLOT_ROOT_CPOOL,
				  .next_buffer_vaddr = THREAD_AREA };
	err = thread_start(&env, &task, &driver_stack, CAIRN_SLOT_VSPACE, DRIVER_PRIORITY,
			   driver, 0, "serial-driver");
	running = !err;
	return err;
}

int serial_getc(void)
{
	if (early_pos < early_len)
		return (unsigned char)early[early_pos++];
	struct cairn_msg m;
	if (!running || cairn_chan_recv(input, CAIRN_NO_SLOT, &m))
		return -1;
	return (int)(m.words[0] & 0xff);
}
