/*
 * testutil.h - helpers for the Check tests: a private temporary directory
 * per test, a tree builder, and a scratch state database.
 *
 * Every function aborts the test (ck_abort_msg) when the file system
 * refuses, so tests can build trees without checking each step.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <stddef.h>

struct roo_db;

/* A new empty directory (mode 0755) under $TMPDIR or /tmp; the caller
 * removes it with tu_rmrf() and frees the string. */
char	*tu_tmpdir(void);
void	 tu_rmrf(const char *);

/* dir + "/" + rel, newly allocated. */
char	*tu_path(const char *, const char *);
/* Write n bytes to dir/rel, creating parent directories. */
void	 tu_write(const char *, const char *, const void *, size_t);
void	 tu_writes(const char *, const char *, const char *);
void	 tu_mkdir(const char *, const char *);
void	 tu_symlink(const char *, const char *, const char *);
void	 tu_hardlink(const char *, const char *, const char *);
/* Read a whole file into a NUL-terminated buffer (caller frees). */
char	*tu_read(const char *, size_t *);

/* A scratch state database in dir (tracker_open). */
struct roo_db *tu_db(const char *);

#endif /* TESTUTIL_H */
