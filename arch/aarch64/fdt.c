/*
 * fdt.c - just enough of a flattened device tree reader for boot: the
 * RAM ranges of the /memory nodes, the memory reservation block and
 * /chosen/bootargs. The tree is big-endian; every offset is checked
 * against its total size before use.
 */
#include "kernel.h"
#include "aarch64_internal.h"

#define FDT_MAGIC 0xD00DFEEDu
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9
#define FDT_HEADER_SIZE 40

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

/* A number of `cells` 32-bit cells (1 or 2), advancing *p. */
static uint64_t read_cells(const uint8_t **p, uint32_t cells)
{
	uint64_t v = 0;
	for (uint32_t i = 0; i < cells; i++, *p += 4)
		v = v << 32 | be32(*p);
	return v;
}

uint32_t fdt_total_size(const void *fdt)
{
	const uint8_t *b = fdt;
	return be32(b) == FDT_MAGIC ? be32(b + 4) : 0;
}

static void add_range(uint64_t base, uint64_t size, unsigned *count,
		      struct fdt_range *ranges, unsigned max)
{
	if (size && *count < max) {
		ranges[*count].base = base;
		ranges[*count].size = size;
		(*count)++;
	}
}
#define ADD_RANGE(list, base, size) \
	add_range((base), (size), &out->list##_count, out->list, ARRAY_SIZE(out->list))

/* Is `name` "memory" or "memory@..."? */
static bool is_memory_node(const char *name)
{
	return !strncmp(name, "memory", 6) && (name[6] == '\0' || name[6] == '@');
}

bool fdt_read(const void *fdt, uint64_t max_size, struct fdt_memory *out)
{
	const uint8_t *b = fdt;
	memset(out, 0, sizeof(*out));
	uint32_t total = fdt_total_size(fdt);
	if (total < FDT_HEADER_SIZE || total > max_size)
		return false;
	uint32_t off_struct = be32(b + 8), off_strings = be32(b + 12);
	uint32_t off_rsvmap = be32(b + 16);
	if (off_struct >= total || off_strings >= total || off_rsvmap >= total)
		return false;

	/* The reservation block: (address, size) pairs up to (0, 0). */
	for (uint32_t off = off_rsvmap; off + 16 <= total; off += 16) {
		uint64_t base = be64(b + off), size = be64(b + off + 8);
		if (!base && !size)
			break;
		ADD_RANGE(reserved, base, size);
	}

	/* The structure block: the root's cell sizes come before its nodes. */
	uint32_t addr_cells = 2, size_cells = 1, depth = 0;
	bool in_memory = false, in_chosen = false;
	uint32_t off = off_struct;
	while (off + 4 <= total) {
		uint32_t token = be32(b + off);
		off += 4;
		switch (token) {
		case FDT_BEGIN_NODE: {
			const char *name = (const char *)b + off;
			size_t len = strnlen(name, total - off);
			if (len == total - off)
				return false;
			off += ALIGN_UP((uint32_t)len + 1, 4);
			depth++;
			if (depth == 2) {
				in_memory = is_memory_node(name);
				in_chosen = !strcmp(name, "chosen");
			}
			break;
		}
		case FDT_END_NODE:
			if (depth == 0)
				return false;
			if (--depth < 2)
				in_memory = in_chosen = false;
			break;
		case FDT_PROP: {
			if (off + 8 > total)
				return false;
			uint32_t len = be32(b + off), name_off = be32(b + off + 4);
			off += 8;
			if (len > total - off || name_off >= total - off_strings)
				return false;
			const char *pname = (const char *)b + off_strings + name_off;
			const uint8_t *val = b + off;
			if (depth == 1 && len == 4 && !strcmp(pname, "#address-cells"))
				addr_cells = be32(val);
			else if (depth == 1 && len == 4 && !strcmp(pname, "#size-cells"))
				size_cells = be32(val);
			else if (depth == 2 && in_memory && !strcmp(pname, "reg") &&
				 addr_cells >= 1 && addr_cells <= 2 &&
				 size_cells >= 1 && size_cells <= 2) {
				uint32_t entry = 4 * (addr_cells + size_cells);
				for (const uint8_t *p = val; p + entry <= val + len;) {
					uint64_t base = read_cells(&p, addr_cells);
					uint64_t size = read_cells(&p, size_cells);
					ADD_RANGE(ram, base, size);
				}
			} else if (depth == 2 && in_chosen && !strcmp(pname, "bootargs") &&
				   len && val[len - 1] == '\0') {
				out->bootargs = (const char *)val;
			}
			off += ALIGN_UP(len, 4);
			break;
		}
		case FDT_NOP:
			break;
		case FDT_END:
			return out->ram_count > 0;
		default:
			return false;
		}
	}
	return false;
}
