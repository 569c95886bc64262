/*
 * tokenize.c - in-place word splitting (see tokenize.h).
 */
#include <stddef.h>
#include "tokenize.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Copy a quoted word down over itself; returns the byte after it. */
static char *take_quoted(char *p, char **out_end, const char **err)
{
	char *w = p; /* write position, trails p */

	for (p++; *p != '"'; p++) {
		if (!*p) {
			*err = "unterminated quote";
			return NULL;
		}
		if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
			p++;
		*w++ = *p;
	}
	*out_end = w;
	return p + 1;
}

int tokenize(char *line, char **argv, int max, const char **err)
{
	int n = 0;
	char *p = line;

	*err = NULL;
	for (;;) {
		char *start, *end;

		while (is_space(*p))
			p++;
		if (!*p || *p == '#')
			break;
		if (n == max) {
			*err = "too many arguments";
			return -1;
		}
		start = p;
		if (*p == '"') {
			p = take_quoted(p, &end, err);
			if (!p)
				return -1;
			if (*p && !is_space(*p)) {
				*err = "text right after a closing quote";
				return -1;
			}
		} else {
			while (*p && !is_space(*p)) {
				if (*p == '"') {
					*err = "quote inside a word";
					return -1;
				}
				p++;
			}
			end = p;
		}
		if (*p)
			p++;
		*end = '\0';
		argv[n++] = start;
	}
	argv[n] = NULL;
	return n;
}
