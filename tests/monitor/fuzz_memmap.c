/*
 * fuzz_memmap.c - libFuzzer target: the input is HMP `info mtree -f` text
 * for memmap_parse() (kdbg/monitor/memmap.c); its ranges then go through
 * memmap_largest_ram() and memmap_ram() as memmap_open_*() use them.
 * Seeds: tests/monitor/fuzz-corpus/memmap/ (QEMU 7.2, pc and virt).
 */
#include "memmap.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct kr_region regions[MEMMAP_MAX_REGIONS];
	struct mt_range *r;
	const char *big;
	int n;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	n = memmap_parse(text, &r);
	if (n < 0 || (n > 0) != (r != NULL))
		abort();
	for (int i = 0; i < n; i++)
		if (strnlen(r[i].kind, sizeof r[i].kind) == sizeof r[i].kind ||
		    strnlen(r[i].name, sizeof r[i].name) == sizeof r[i].name)
			abort();   /* unterminated string */
	big = memmap_largest_ram(r, n);
	if (big) {
		int k = memmap_ram(r, n, big, regions, MEMMAP_MAX_REGIONS);
		if (k < 1 || k > MEMMAP_MAX_REGIONS)
			abort();   /* the largest RAM has at least one range */
	}
	/* The backend names QOM gives, with room for few regions. */
	if (memmap_ram(r, n, "ram", regions, 2) > 2 || memmap_ram(r, n, "pc.ram", regions, 1) > 1)
		abort();
	free(r);
	free(text);
	return 0;
}
