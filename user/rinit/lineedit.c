/*
 * lineedit.c - console line editing (see lineedit.h).
 */
#include "lineedit.h"

#define CTRL(c) ((c) & 0x1f)
#define KEY_DEL 0x7f
#define KEY_ESC 0x1b

static void echo(struct lineedit *le, const char *s, size_t n)
{
	le->echo(le->echo_arg, s, n);
}

static void erase_one(struct lineedit *le)
{
	if (le->len) {
		le->len--;
		echo(le, "\b \b", 3);
	}
}

void lineedit_reset(struct lineedit *le)
{
	le->len = 0;
	le->buf[0] = '\0';
	le->esc = 0;
}

void lineedit_init(struct lineedit *le, format_sink sink, void *arg)
{
	le->echo = sink;
	le->echo_arg = arg;
	le->last_cr = false;
	lineedit_reset(le);
}

/* Swallow the bytes of ESC [ ... final or ESC x. True if consumed. A
 * control character ends an unfinished sequence and is acted on, as a
 * terminal does (ECMA-48): ESC then Enter still ends the line. */
static bool in_escape(struct lineedit *le, int ch)
{
	if (le->esc && ch < 0x20) {
		le->esc = 0;
		return false;
	}
	if (le->esc == 1) {
		le->esc = (ch == '[' || ch == 'O') ? 2 : 0;
		return true;
	}
	if (le->esc == 2) {
		if (ch >= 0x40 && ch <= 0x7e)
			le->esc = 0; /* the final byte */
		return true;
	}
	return false;
}

enum lineedit_result lineedit_feed(struct lineedit *le, int ch)
{
	bool after_cr = le->last_cr;

	le->last_cr = false;
	if (ch < 0 || ch > 0xff || in_escape(le, ch))
		return LINEEDIT_MORE;
	switch (ch) {
	case '\n':
		if (after_cr)
			return LINEEDIT_MORE;
		/* fall through */
	case '\r':
		le->last_cr = ch == '\r';
		le->buf[le->len] = '\0';
		echo(le, "\n", 1);
		return LINEEDIT_DONE;
	case '\b':
	case KEY_DEL:
		erase_one(le);
		return LINEEDIT_MORE;
	case CTRL('U'):
		while (le->len)
			erase_one(le);
		return LINEEDIT_MORE;
	case CTRL('W'):
		while (le->len && le->buf[le->len - 1] == ' ')
			erase_one(le);
		while (le->len && le->buf[le->len - 1] != ' ')
			erase_one(le);
		return LINEEDIT_MORE;
	case CTRL('C'):
		echo(le, "^C\n", 3);
		lineedit_reset(le);
		return LINEEDIT_CANCEL;
	case KEY_ESC:
		le->esc = 1;
		return LINEEDIT_MORE;
	case '\t':
		ch = ' ';
		break;
	default:
		if (ch < 0x20 || ch > 0x7e)
			return LINEEDIT_MORE; /* other control bytes, non-ASCII */
	}
	if (le->len + 1 >= sizeof(le->buf)) {
		echo(le, "\a", 1);
		return LINEEDIT_MORE;
	}
	le->buf[le->len++] = (char)ch;
	echo(le, (const char *)&le->buf[le->len - 1], 1);
	return LINEEDIT_MORE;
}
