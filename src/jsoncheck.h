/*
 * jsoncheck.h - the position of the first error in a JSON text.
 * Thread-safe; allocates nothing.
 */
#ifndef JSONCHECK_H
#define JSONCHECK_H

#include <stddef.h>

struct json_error {
	size_t		 offset;	/* bytes from the start */
	size_t		 line;		/* 1-based */
	size_t		 column;	/* 1-based, in bytes */
	const char	*what;
};

/* 0 when text[0..n) is one valid JSON value, else -1 with *e filled. */
int	json_check(const char *, size_t, struct json_error *);

#endif /* JSONCHECK_H */
