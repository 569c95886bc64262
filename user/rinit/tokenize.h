/*
 * tokenize.h - split a shell line into words, in place.
 *
 * Words are separated by spaces or tabs. "Double quotes" make one word
 * of text with spaces; inside them \" and \\ stand for " and \. A '#'
 * at the start of a word comments out the rest of the line.
 */
#ifndef RINIT_TOKENIZE_H
#define RINIT_TOKENIZE_H

#define TOKENIZE_MAX_ARGS 16

/*
 * Fills argv[0..n) (and argv[n] = NULL, so argv needs max + 1 entries)
 * and returns n >= 0, or -1 with *err set to the reason.
 */
int tokenize(char *line, char **argv, int max, const char **err);

#endif
