/*
 * uart_pl011.c - QEMU virt's PL011, whose register page boot info lists
 * as a page of device untyped: retype it into a Page, map it uncached in
 * rinit's VSpace and read the registers directly.
 */
#include <cairn/bootinfo.h>
#include "syscall.h"
#include "uart.h"
#include "vmap.h"

#define PL011_IRQ 33                 /* SPI 1 on QEMU virt's GIC */
#define PL011_VADDR 0x0ff00000ull    /* where rinit maps the registers */
#define PL011_DR 0x00                /* data */
#define PL011_FR 0x18                /* flags */
#define PL011_IMSC 0x38              /* interrupt mask set/clear */
#define FR_RX_EMPTY (1u << 4)
#define IMSC_RX (1u << 4)            /* receive */
#define IMSC_RX_TIMEOUT (1u << 6)    /* bytes waiting below the FIFO level */

static volatile uint32_t *regs;

static inline uint32_t reg_read(unsigned off)
{
	return regs[off / 4];
}

static int enable_rx(void)
{
	regs[PL011_IMSC / 4] = reg_read(PL011_IMSC) | IMSC_RX | IMSC_RX_TIMEOUT;
	return CAIRN_ERR_OK;
}

/* Reading DR pops the FIFO and, once it is empty, clears the interrupt. */
static int read_byte(uint32_t *ch, bool *got)
{
	*got = !(reg_read(PL011_FR) & FR_RX_EMPTY);
	if (*got)
		*ch = reg_read(PL011_DR) & 0xff;
	return CAIRN_ERR_OK;
}

int uart_pl011_probe(const struct cairn_bootinfo *bi, struct ut_alloc *ua, struct uart *u)
{
	uint64_t device = uart_boot_cap(bi, CAIRN_OBJ_UNTYPED, CAIRN_BI_DEVICE, NULL);
	if (device == CAIRN_NO_SLOT || bi->arch != CAIRN_ARCH_AARCH64)
		return CAIRN_ERR_MISSING_CAP;
	uint64_t page;
	if (!slot_alloc_get(ua->slots, &page))
		return CAIRN_ERR_NO_MEMORY;
	int err = cairn_untyped_retype(device, CAIRN_OBJ_PAGE, 0, ua->root_pool, page, 1);
	if (!err)
		err = vmap_page(ua, page, CAIRN_SLOT_VSPACE, PL011_VADDR,
				CAIRN_MAP_READ | CAIRN_MAP_WRITE | CAIRN_MAP_UNCACHED);
	if (err)
		return err;
	cairn_set_name(page, "pl011-regs");
	regs = (volatile uint32_t *)PL011_VADDR;
	*u = (struct uart){ .name = "pl011", .irq = PL011_IRQ,
			    .enable_rx = enable_rx, .read = read_byte,
			    .own = { device }, .own_count = 1 };
	return CAIRN_ERR_OK;
}
