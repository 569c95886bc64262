/*
 * serial.c - the console's input side as a user-space driver (see
 * serial.h), on the 16550 UART: wait for the interrupt's notification,
 * drain the receive FIFO through the IOPort cap, acknowledge the line.
 * Output still goes through the kernel's debug print.
 */
#include <cairn/bootinfo.h>
#include "console.h"
#include "serial.h"
#include "syscall.h"
#include "thread.h"

#define UART_IRQ 4        /* COM1 on the PC's ISA interrupt controller */
#define UART_RBR 0        /* receive buffer */
#define UART_IER 1        /* interrupt enable */
#define UART_LSR 5        /* line status */
#define IER_RX_AVAILABLE 1
#define LSR_DATA_READY 1
#define DRIVER_PRIORITY CAIRN_PRIO_MAX /* as rinit: typing never waits on it */
#define THREAD_AREA 0x10000000ull      /* task buffers of rinit's threads */
#define DRIVER_UT_MIN_BITS 17          /* its objects and page tables fit */

static struct uthread_stack driver_stack;
static uint64_t uart, uart_base, ntfn, handler, input;
static bool running;

/* Bytes the kernel had buffered before the driver took over. */
static char early[64];
static unsigned early_len, early_pos;

static void driver(uint64_t arg)
{
	(void)arg;
	int err = cairn_ioport_out(uart, uart_base + UART_IER, 1, IER_RX_AVAILABLE);
	for (; !err;) {
		uint32_t lsr, ch;
		while (!(err = cairn_ioport_in(uart, uart_base + UART_LSR, 1, &lsr)) &&
		       (lsr & LSR_DATA_READY)) {
			struct cairn_msg m = { .info = CAIRN_MSGINFO(1, 0) };
			if ((err = cairn_ioport_in(uart, uart_base + UART_RBR, 1, &ch)))
				break;
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

static uint64_t boot_cap(const struct cairn_bootinfo *bi, unsigned type, uint64_t *base)
{
	for (uint32_t i = 0; i < bi->slot_count; i++)
		if (bi->slots[i].type == type) {
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
		 uint64_t *own_untyped)
{
	static struct ut_alloc own;
	struct ut_alloc *ua = &own;
	uint64_t irqcontrol = boot_cap(bi, CAIRN_OBJ_IRQ_CONTROL, NULL), task;
	uart = boot_cap(bi, CAIRN_OBJ_IO_PORT, &uart_base);
	if (uart == CAIRN_NO_SLOT || irqcontrol == CAIRN_NO_SLOT)
		return CAIRN_ERR_MISSING_CAP;
	if (!take_own_untyped(bi, shell_ua, &own))
		return CAIRN_ERR_NO_MEMORY;
	*own_untyped = own.untyped[0];
	int err;
	if ((err = ut_alloc_object(ua, CAIRN_OBJ_NOTIFICATION, 0, &ntfn)) ||
	    (err = ut_alloc_object(ua, CAIRN_OBJ_CHANNEL, 0, &input)) ||
	    !slot_alloc_get(ua->slots, &handler) ||
	    (err = cairn_irq_claim(irqcontrol, UART_IRQ, handler, ntfn)))
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
