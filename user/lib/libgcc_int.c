/*
 * libgcc_int.c - integer versions of the libgcc helpers the compiler may
 * call. User code is built -mgeneral-regs-only, but the toolchain's
 * libgcc is not: AArch64's __popcountdi2 uses SIMD registers, which the
 * kernel does not let tasks touch. Linked before -lgcc, these win.
 */

int __popcountdi2(long long x);

int __popcountdi2(long long x)
{
	unsigned long long v = (unsigned long long)x;
	int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}
