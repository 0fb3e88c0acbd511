/*
 * util.c - allocation that never fails, growable buffers, parsing of sizes
 * and numbers, clocks, and the escaping of names for output.
 *
 * Names are bytes: nothing here assumes they are valid UTF-8, and every
 * escaping is reversible so that output names the exact file.
 */
#include "config.h"

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

void *
xmalloc(size_t n)
{
	void	*p;

	p = malloc(n == 0 ? 1 : n);
	if (p == NULL)
		die("out of memory allocating %zu bytes", n);
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	*p;

	p = calloc(n == 0 ? 1 : n, size == 0 ? 1 : size);
	if (p == NULL)
		die("out of memory allocating %zu elements", n);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n == 0 ? 1 : n);
	if (p == NULL)
		die("out of memory allocating %zu bytes", n);
	return p;
}

char *
xstrdup(const char *s)
{
	return xmemdup(s, strlen(s) + 1);
}

void *
xmemdup(const void *s, size_t n)
{
	void	*p;

	p = xmalloc(n);
	memcpy(p, s, n);
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	struct buf	 b;
	va_list		 ap;
	int		 n;

	buf_init(&b);
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("cannot format '%s'", fmt);
	b.p = xrealloc(b.p, (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b.p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return b.p;
}

void
buf_init(struct buf *b)
{
	b->p = NULL;
	b->len = 0;
	b->cap = 0;
}

void
buf_release(struct buf *b)
{
	free(b->p);
	buf_init(b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

static void
buf_grow(struct buf *b, size_t more)
{
	size_t	 want;

	want = b->len + more + 1;
	if (want <= b->cap)
		return;
	if (b->cap == 0)
		b->cap = 64;
	while (b->cap < want)
		b->cap *= 2;
	b->p = xrealloc(b->p, b->cap);
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
buf_addstr(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addch(struct buf *b, int c)
{
	char	 ch;

	ch = (char)c;
	buf_add(b, &ch, 1);
}

void
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list	 aq;
	int	 n;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		die("cannot format '%s'", fmt);
	buf_grow(b, (size_t)n);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

int
parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	uintmax_t	 v;
	char		*end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoumax(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int
parse_size(const char *s, uint64_t *out)
{
	uintmax_t	 v;
	uint64_t	 mult;
	char		*end;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoumax(s, &end, 10);
	/* Too large to hold is larger than any file: clamped below, as the
	 * other sizes past INT64_MAX are. */
	if (errno == ERANGE)
		v = UINTMAX_MAX;
	else if (errno != 0)
		return -1;

	mult = 1;
	switch (*end) {
	case 'k': case 'K':
		mult = 1ULL << 10;
		break;
	case 'm': case 'M':
		mult = 1ULL << 20;
		break;
	case 'g': case 'G':
		mult = 1ULL << 30;
		break;
	case 't': case 'T':
		mult = 1ULL << 40;
		break;
	case '\0': case 'b': case 'B':
		break;
	default:
		return -1;
	}
	if (mult > 1) {
		end++;
		if (*end == 'i')
			end++;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end != '\0')
		return -1;
	/* No file is larger than INT64_MAX bytes: larger limits are that. */
	if (v > INT64_MAX / mult)
		v = INT64_MAX / mult;
	*out = (uint64_t)v * mult;
	return 0;
}

static int64_t
clock_ns(clockid_t id)
{
	struct timespec	 ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * NS_PER_SEC + ts.tv_nsec;
}

int64_t
time_now_ns(void)
{
	return clock_ns(CLOCK_REALTIME);
}

int64_t
time_mono_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

/* CPU time of the calling thread. */
int64_t
time_thread_ns(void)
{
	return clock_ns(CLOCK_THREAD_CPUTIME_ID);
}

/* CPU time of all threads of the process. */
int64_t
time_process_ns(void)
{
	return clock_ns(CLOCK_PROCESS_CPUTIME_ID);
}

void
time_iso8601(int64_t ns, char *out)
{
	struct tm	 tm;
	time_t		 sec;
	int64_t		 ms;
	char		 tmp[64];

	sec = (time_t)(ns / NS_PER_SEC);
	ms = (ns % NS_PER_SEC) / 1000000;
	if (ms < 0) {
		sec--;
		ms += 1000;
	}
	gmtime_r(&sec, &tm);
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)ms);
	/* Years beyond 9999 do not fit; they are not file times we see. */
	if (strlen(tmp) != TIME_ISO_LEN - 1)
		strcpy(tmp, "9999-12-31T23:59:59.999Z");
	memcpy(out, tmp, TIME_ISO_LEN);
}

int
time_parse_iso8601(const char *s, int64_t *out)
{
	struct tm	 tm;
	int64_t		 frac, scale;
	int		 y, mo, d, h, mi, sec, n, oh, om, sign;
	time_t		 t;

	n = 0;
	if (sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi,
	    &sec, &n) != 6 || n == 0)
		return -1;
	s += n;
	frac = 0;
	scale = NS_PER_SEC;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++)
			if (scale > 1) {
				scale /= 10;
				frac += (*s - '0') * scale;
			}
	}
	oh = om = 0;
	sign = 1;
	if (*s == 'Z')
		s++;
	else if (*s == '+' || *s == '-') {
		sign = *s == '-' ? -1 : 1;
		if (sscanf(s + 1, "%2d:%2d%n", &oh, &om, &n) != 2)
			return -1;
		s += 1 + n;
	}
	if (*s != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 ||
	    mi > 59 || sec > 60)
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	t -= sign * (oh * 3600 + om * 60);
	*out = (int64_t)t * NS_PER_SEC + frac;
	return 0;
}

int
hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void
format_bytes(uint64_t n, char *out, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB",
	    "PiB", "EiB" };
	double	 v;
	size_t	 u;

	if (n < 1024) {
		snprintf(out, len, "%" PRIu64 " B", n);
		return;
	}
	v = (double)n;
	for (u = 0; v >= 1024 && u < 6; u++)
		v /= 1024;
	snprintf(out, len, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
}

void
hex_encode(const unsigned char *p, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t	 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

/*
 * Length of the valid UTF-8 sequence at p (at most n bytes), or 0 when
 * the first byte does not start one.
 */
static size_t
utf8_seq(const unsigned char *p, size_t n)
{
	unsigned int	 c, min;
	size_t		 len, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf) {
		len = 2;
		c = p[0] & 0x1f;
		min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		c = p[0] & 0x0f;
		min = 0x800;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		c = p[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return len;
}

int
utf8_valid(const unsigned char *p, size_t n)
{
	size_t	 i, k;

	for (i = 0; i < n; i += k) {
		k = utf8_seq(p + i, n - i);
		if (k == 0)
			return 0;
	}
	return 1;
}

void
utf8_lossy(struct buf *b, const unsigned char *p, size_t n)
{
	size_t	 i, k;

	for (i = 0; i < n; i += k) {
		k = utf8_seq(p + i, n - i);
		if (k == 0) {
			buf_add(b, "\xef\xbf\xbd", 3);
			k = 1;
		} else
			buf_add(b, p + i, k);
	}
}

void
path_escape(struct buf *b, const unsigned char *p, size_t n)
{
	size_t	 i, k;
	int	 c1;

	for (i = 0; i < n; i += k) {
		k = utf8_seq(p + i, n - i);
		c1 = k == 2 && p[i] == 0xc2 && p[i + 1] < 0xa0;
		if (k > 1 && !c1) {
			buf_add(b, p + i, k);
			continue;
		}
		if (k == 0 || c1)
			k = 1;
		switch (p[i]) {
		case '\\':
			buf_add(b, "\\\\", 2);
			break;
		case '\n':
			buf_add(b, "\\n", 2);
			break;
		case '\t':
			buf_add(b, "\\t", 2);
			break;
		case '\r':
			buf_add(b, "\\r", 2);
			break;
		default:
			if (p[i] < 0x20 || p[i] >= 0x7f)
				buf_printf(b, "\\x%02x", p[i]);
			else
				buf_addch(b, p[i]);
		}
	}
}

char *
path_quote(const char *s)
{
	struct buf	 b;

	buf_init(&b);
	buf_addstr(&b, "");
	path_escape(&b, (const unsigned char *)s, strlen(s));
	return b.p;
}

const char *
path_extension(const unsigned char *p, size_t n, size_t *len)
{
	size_t	 i, base;

	base = 0;
	for (i = 0; i < n; i++)
		if (p[i] == '/')
			base = i + 1;
	for (i = n; i > base + 1; i--) {
		if (p[i - 1] == '.') {
			*len = n - i;
			return (const char *)p + i;
		}
	}
	*len = 0;
	return "";
}

int
atomic_open(struct atomic_file *af, const char *path)
{
	int	 fd;

	af->path = xstrdup(path);
	af->tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	af->fp = NULL;
	fd = open(af->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0)
		af->fp = fdopen(fd, "w");
	if (af->fp == NULL) {
		error("cannot create '%s': %s", af->tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		free(af->tmp);
		free(af->path);
		af->tmp = af->path = NULL;
		return -1;
	}
	return 0;
}

/* fsync the directory holding path: a rename is durable only then. */
static int
fsync_parent(const char *path)
{
	const char	*slash;
	char		*dir;
	int		 fd, rc;

	slash = strrchr(path, '/');
	dir = slash == NULL ? xstrdup(".") : slash == path ? xstrdup("/") :
	    xmemdup(path, (size_t)(slash - path) + 1);
	if (slash != NULL && slash != path)
		dir[slash - path] = '\0';
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	rc = fd >= 0 && (fsync(fd) == 0 || errno == EINVAL) ? 0 : -1;
	if (fd >= 0)
		close(fd);
	free(dir);
	return rc;
}

int
atomic_commit(struct atomic_file *af)
{
	int	 rc;

	rc = 0;
	if (fflush(af->fp) != 0 || ferror(af->fp) ||
	    fsync(fileno(af->fp)) != 0)
		rc = error("cannot write '%s': %s", af->tmp, strerror(errno));
	if (fclose(af->fp) != 0 && rc == 0)
		rc = error("cannot write '%s': %s", af->tmp, strerror(errno));
	af->fp = NULL;
	if (rc == 0 && rename(af->tmp, af->path) != 0)
		rc = error("cannot rename '%s' to '%s': %s", af->tmp, af->path,
		    strerror(errno));
	if (rc == 0 && fsync_parent(af->path) != 0)
		rc = error("cannot flush the directory of '%s': %s", af->path,
		    strerror(errno));
	if (rc != 0)
		(void)unlink(af->tmp);
	free(af->tmp);
	free(af->path);
	af->tmp = af->path = NULL;
	return rc;
}

void
atomic_abort(struct atomic_file *af)
{
	if (af->fp != NULL)
		fclose(af->fp);
	if (af->tmp != NULL)
		(void)unlink(af->tmp);
	free(af->tmp);
	free(af->path);
	af->fp = NULL;
	af->tmp = af->path = NULL;
}
