/*
 * fuzz_regs.c - libFuzzer target: the input is HMP `info registers` text
 * for target_parse_regs() (kdbg/monitor/target_util.c), x86_64's or
 * AArch64's. Seeds: tests/monitor/fuzz-corpus/regs/ (QEMU 7.2).
 */
#include "target_util.h"

#include <stdlib.h>
#include <string.h>

#define MAXREGS 64      /* target.c's NREGS */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct target_reg regs[MAXREGS], few[3];
	int n, k;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	n = target_parse_regs(text, regs, MAXREGS);
	if (n < 0 || n > MAXREGS)
		abort();
	for (int i = 0; i < n; i++)
		if (!regs[i].name[0] || strnlen(regs[i].name, sizeof regs[i].name) == sizeof regs[i].name)
			abort();
	/* A smaller max gives a prefix of the same list. */
	k = target_parse_regs(text, few, 3);
	if (k != (n < 3 ? n : 3))
		abort();
	for (int i = 0; i < k; i++)
		if (strcmp(few[i].name, regs[i].name) || few[i].value != regs[i].value)
			abort();
	free(text);
	return 0;
}
