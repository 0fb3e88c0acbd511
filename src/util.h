/*
 * util.h - memory, growable buffers, number and size parsing, time, and the
 * byte-exact escaping of path names.
 *
 * The x* allocators never return NULL: they call die() when memory runs
 * out.  Everything here is thread-safe.
 */
#ifndef UTIL_H
#define UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define NS_PER_SEC	1000000000LL

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
void	*xmemdup(const void *, size_t);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte buffer; p is always NUL-terminated after len bytes. */
struct buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

void	 buf_init(struct buf *);
void	 buf_release(struct buf *);
void	 buf_reset(struct buf *);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addstr(struct buf *, const char *);
void	 buf_addch(struct buf *, int);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_vprintf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));

/*
 * Parse a byte count: digits with an optional suffix k, M, G or T (powers
 * of 1024, either case, an optional trailing "B" or "iB").  Returns 0 and
 * sets *out (at most INT64_MAX: no file is larger), or -1 when the text is
 * not such a number.
 */
int	 parse_size(const char *, uint64_t *);

/* Parse a decimal integer in [min, max].  Returns 0 or -1. */
int	 parse_uint(const char *, uint64_t, uint64_t, uint64_t *);

/* Nanoseconds since the Unix epoch (CLOCK_REALTIME) and a monotonic clock. */
int64_t	 time_now_ns(void);
int64_t	 time_mono_ns(void);
int64_t	 time_thread_ns(void);
int64_t	 time_process_ns(void);

/* "2026-12-03T13:35:38.123Z" into a buffer of at least 25 bytes. */
#define TIME_ISO_LEN	25
void	 time_iso8601(int64_t, char *);

/*
 * Parse ISO 8601 "YYYY-MM-DDTHH:MM:SS[.frac][Z|+HH:MM|-HH:MM]" (a space
 * may stand for the T) into ns since the epoch.  0, or -1 when it is not
 * such a time.
 */
int	 time_parse_iso8601(const char *, int64_t *);

/* "1.5 GiB", "312 KiB", "17 B" into a buffer of at least 16 bytes. */
void	 format_bytes(uint64_t, char *, size_t);

/* The value of a hex digit, or -1. */
int	 hex_digit(int);

/* Lowercase hex of n bytes into out (2n+1 bytes). */
void	 hex_encode(const unsigned char *, size_t, char *);

/* Whether n bytes are valid UTF-8 (no overlongs, no surrogates). */
int	 utf8_valid(const unsigned char *, size_t);

/*
 * Append the bytes of a name to b with invalid UTF-8 bytes replaced by
 * U+FFFD.  Valid input is copied unchanged.
 */
void	 utf8_lossy(struct buf *, const unsigned char *, size_t);

/*
 * Append a name escaped so that it is one printable line and can be
 * decoded back to the exact bytes: backslash as \\, newline \n, tab \t,
 * carriage return \r, any other control byte, DEL, C1 control or byte
 * that is not valid UTF-8 as \xHH.  Everything else is copied.
 */
void	 path_escape(struct buf *, const unsigned char *, size_t);

/* path_escape() of a C string into a new string the caller frees. */
char	*path_quote(const char *);

/*
 * Write a file atomically: atomic_open() creates a temporary file beside
 * path; atomic_commit() flushes it, fsyncs it, renames it over path and
 * fsyncs the directory (0, or -1 logged); atomic_abort() removes it.
 * Readers see the old file or the new one, never a part.
 */
struct atomic_file {
	FILE	*fp;
	char	*tmp;
	char	*path;
};
int	 atomic_open(struct atomic_file *, const char *);
int	 atomic_commit(struct atomic_file *);
void	 atomic_abort(struct atomic_file *);

/* The extension of a path's last component without the dot, or "". */
const char *path_extension(const unsigned char *, size_t, size_t *);

#endif /* UTIL_H */
