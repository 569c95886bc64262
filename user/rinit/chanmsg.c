/*
 * chanmsg.c - one-line description of a message (see chanmsg.h).
 */
#include "chanmsg.h"
#include "format.h"

typedef unsigned long long ull;

struct line {
	char *buf;
	size_t size, len;
};

static void add(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len >= l->size)
		return;
	va_start(ap, fmt);
	n = fmt_vsnprintf(l->buf + l->len, l->size - l->len, fmt, ap);
	va_end(ap);
	l->len += n > 0 ? (size_t)n : 0;
}

void chanmsg_describe(const struct cairn_msg *m, const struct cairn_cap_info *cap, char *buf,
		      size_t size)
{
	struct line l = { buf, size, 0 };
	unsigned len = CAIRN_MSGINFO_LEN(m->info);

	if (size)
		buf[0] = '\0';
	if (len > CAIRN_MSG_INLINE_WORDS)
		len = CAIRN_MSG_INLINE_WORDS; /* never trust a length */
	for (unsigned i = 0; i < len; i++)
		add(&l, "%s%llu", i ? " " : "", (ull)m->words[i]);
	if (m->info & CAIRN_MSG_CAP) {
		static const char letters[] = "rwgG";
		char r[5];

		if (cap) {
			for (int i = 0; i < 4; i++)
				r[i] = (cap->rights >> i) & 1 ? letters[i] : '-';
			r[4] = '\0';
			add(&l, "%scap %s (%s) in slot %llu", len ? ", " : "",
			    cairn_obj_type_name(cap->type), r, (ull)m->cap);
		} else {
			add(&l, "%scap in slot %llu", len ? ", " : "", (ull)m->cap);
		}
	} else if (m->info & CAIRN_MSG_CAP_DROPPED) {
		add(&l, "%s(a cap was sent but dropped)", len ? " " : "");
	} else if (!len) {
		add(&l, "(empty message)");
	}
	if (m->badge)
		add(&l, ", badge %llu", (ull)m->badge);
	if (m->info & CAIRN_MSG_CALL)
		add(&l, " (call: reply expected)");
}
