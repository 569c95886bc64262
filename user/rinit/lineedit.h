/*
 * lineedit.h - the shell's line editor: turns console bytes into a
 * line, echoing as a terminal expects. Pure (output goes to a sink),
 * so it is tested on the host.
 *
 * Keys: printable ASCII inserts; Backspace/DEL erase one character;
 * Ctrl-U erases the line; Ctrl-W erases a word; Ctrl-C abandons the
 * line; Enter (CR, LF or CR LF) ends it. Escape sequences (arrow keys)
 * and other control bytes are ignored; a full line rings the bell.
 */
#ifndef RINIT_LINEEDIT_H
#define RINIT_LINEEDIT_H

#include <stdbool.h>
#include <stddef.h>
#include "format.h"

#define LINEEDIT_MAX 256 /* bytes per line including the NUL */

enum lineedit_result {
	LINEEDIT_MORE,   /* keep feeding */
	LINEEDIT_DONE,   /* buf holds a complete, NUL-terminated line */
	LINEEDIT_CANCEL, /* Ctrl-C: the line was dropped */
};

struct lineedit {
	char buf[LINEEDIT_MAX];
	size_t len;
	int esc;      /* escape-sequence state: 0 none, 1 after ESC, 2 in CSI */
	bool last_cr; /* swallow the LF of a CR LF */
	format_sink echo;
	void *echo_arg;
};

void lineedit_init(struct lineedit *le, format_sink echo, void *echo_arg);

/* Start a new line (after DONE or CANCEL). */
void lineedit_reset(struct lineedit *le);

enum lineedit_result lineedit_feed(struct lineedit *le, int ch);

#endif
