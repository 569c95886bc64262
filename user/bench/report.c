/* report.c - summarise samples: median, min and max, less overhead. */
#include "bench.h"
#include "console.h"

uint64_t bench_tsc_overhead;

static void sort(uint64_t *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		uint64_t x = v[i];
		unsigned j = i;
		for (; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

void bench_report(const char *name, uint64_t *samples, unsigned n, uint64_t overhead)
{
	sort(samples, n);
	uint64_t med = samples[n / 2], lo = samples[0], hi = samples[n - 1];
	med = med > overhead ? med - overhead : 0;
	lo = lo > overhead ? lo - overhead : 0;
	hi = hi > overhead ? hi - overhead : 0;
	printf("bench: %-32s %8llu %8llu %8llu %6u\n", name, (unsigned long long)med,
	       (unsigned long long)lo, (unsigned long long)hi, n);
}
