/*
 * jsoncheck.c - find where a JSON text stops being valid (RFC 8259).
 *
 * SQLite parses and queries the documents; it only says whether a text is
 * valid (json_valid), and this SQLite is older than json_error_position.
 * A user importing a damaged document needs the place, so this walks the
 * grammar once, without building anything, and reports the first byte
 * that does not fit.
 */
#include "config.h"

#include "jsoncheck.h"

#include <string.h>

#define MAX_DEPTH	512

struct scan {
	const unsigned char	*p;
	size_t			 n;
	size_t			 i;
	const char		*why;
};

static void
ws(struct scan *s)
{
	while (s->i < s->n && (s->p[s->i] == ' ' || s->p[s->i] == '\t' ||
	    s->p[s->i] == '\n' || s->p[s->i] == '\r'))
		s->i++;
}

static int
bad(struct scan *s, const char *why)
{
	s->why = why;
	return -1;
}

static int
lit(struct scan *s, const char *word)
{
	size_t	 k;

	k = strlen(word);
	if (s->n - s->i < k || memcmp(s->p + s->i, word, k) != 0)
		return bad(s, "unexpected character");
	s->i += k;
	return 0;
}

static int
hex4(struct scan *s)
{
	int	 k, c;

	for (k = 0; k < 4; k++, s->i++) {
		if (s->i >= s->n)
			return bad(s, "unfinished \\u escape");
		c = s->p[s->i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F')))
			return bad(s, "bad \\u escape");
	}
	return 0;
}

static int
string(struct scan *s)
{
	unsigned char	 c;

	s->i++;		/* the opening quote */
	while (s->i < s->n) {
		c = s->p[s->i];
		if (c == '"') {
			s->i++;
			return 0;
		}
		if (c < 0x20)
			return bad(s, "control character in a string");
		if (c != '\\') {
			s->i++;
			continue;
		}
		if (++s->i >= s->n)
			return bad(s, "unfinished string");
		c = s->p[s->i];
		if (c == 'u') {
			s->i++;
			if (hex4(s) != 0)
				return -1;
			continue;
		}
		if (strchr("\"\\/bfnrt", c) == NULL)
			return bad(s, "bad escape in a string");
		s->i++;
	}
	return bad(s, "unfinished string");
}

static int
digits(struct scan *s)
{
	size_t	 start;

	start = s->i;
	while (s->i < s->n && s->p[s->i] >= '0' && s->p[s->i] <= '9')
		s->i++;
	return s->i > start ? 0 : bad(s, "a digit was expected");
}

static int
number(struct scan *s)
{
	if (s->p[s->i] == '-')
		s->i++;
	if (s->i < s->n && s->p[s->i] == '0')
		s->i++;
	else if (digits(s) != 0)
		return -1;
	if (s->i < s->n && s->p[s->i] == '.') {
		s->i++;
		if (digits(s) != 0)
			return -1;
	}
	if (s->i < s->n && (s->p[s->i] == 'e' || s->p[s->i] == 'E')) {
		s->i++;
		if (s->i < s->n && (s->p[s->i] == '+' || s->p[s->i] == '-'))
			s->i++;
		if (digits(s) != 0)
			return -1;
	}
	return 0;
}

static int value(struct scan *, int);

/* An object or array: items separated by commas until close. */
static int
container(struct scan *s, int depth, unsigned char close)
{
	int	 first;

	if (depth > MAX_DEPTH)
		return bad(s, "nested too deeply");
	s->i++;
	for (first = 1;; first = 0) {
		ws(s);
		if (s->i >= s->n)
			return bad(s, "unfinished object or array");
		if (s->p[s->i] == close) {
			if (!first)
				return bad(s, "a value was expected after ','");
			s->i++;
			return 0;
		}
		if (close == '}') {
			if (s->p[s->i] != '"')
				return bad(s, "a string key was expected");
			if (string(s) != 0)
				return -1;
			ws(s);
			if (s->i >= s->n || s->p[s->i] != ':')
				return bad(s, "':' was expected");
			s->i++;
		}
		if (value(s, depth + 1) != 0)
			return -1;
		ws(s);
		if (s->i < s->n && s->p[s->i] == close) {
			s->i++;
			return 0;
		}
		if (s->i >= s->n || s->p[s->i] != ',')
			return bad(s, close == '}' ? "',' or '}' was expected" :
			    "',' or ']' was expected");
		s->i++;
	}
}

static int
value(struct scan *s, int depth)
{
	ws(s);
	if (s->i >= s->n)
		return bad(s, "a value was expected");
	switch (s->p[s->i]) {
	case '{':
		return container(s, depth, '}');
	case '[':
		return container(s, depth, ']');
	case '"':
		return string(s);
	case 't':
		return lit(s, "true");
	case 'f':
		return lit(s, "false");
	case 'n':
		return lit(s, "null");
	default:
		if (s->p[s->i] == '-' ||
		    (s->p[s->i] >= '0' && s->p[s->i] <= '9'))
			return number(s);
		return bad(s, "unexpected character");
	}
}

int
json_check(const char *text, size_t n, struct json_error *e)
{
	struct scan	 s;
	size_t		 k;

	s.p = (const unsigned char *)text;
	s.n = n;
	s.i = 0;
	s.why = NULL;
	if (value(&s, 0) == 0) {
		ws(&s);
		if (s.i == s.n)
			return 0;
		s.why = "text after the document";
	}
	e->offset = s.i;
	e->line = 1;
	e->column = 1;
	for (k = 0; k < s.i && k < n; k++) {
		if (s.p[k] == '\n') {
			e->line++;
			e->column = 1;
		} else
			e->column++;
	}
	e->what = s.why;
	return -1;
}
