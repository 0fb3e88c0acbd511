/*
 * store.h - the state database: the only module that talks to SQLite.
 *
 * Calling sequence: store_open() creates or migrates .roocode/state.db and
 * sets its pragmas; then any number of store_exec() and store_query() /
 * store_next() / store_done() calls, grouped into transactions with
 * store_begin() / store_commit() (or store_rollback()); then store_close().
 *
 * Statements come from the files in sql/ by id (enum sql_id in sql.h).  Each is
 * prepared once, on first use, and reset after each use, so one statement
 * id may have only one open cursor at a time.  Values are bound by
 * position from a format string:
 *	'i' int64_t	'd' int		't' const char * (NULL binds NULL)
 *	'b' const void *, size_t (a NULL pointer binds NULL)
 *	'h' const unsigned char * of HASH_LEN bytes, or NULL
 *	'n' NULL (no argument)
 *
 * Every failure is logged here, once, with the statement name and SQLite's
 * message; callers only propagate the status.  A struct store is used by
 * one thread at a time.
 */
#ifndef STORE_H
#define STORE_H

#include <stddef.h>
#include <stdint.h>

#include "sql.h"

struct store;

enum store_rc {
	STORE_OK = 0,
	STORE_ERR = -1,		/* logged */
	STORE_CORRUPT = -2,	/* not a database, or a damaged one (logged) */
	STORE_CONSTRAINT = -3,	/* a constraint refused a row */
	STORE_FOREIGN = -4	/* a SQLite database that is not ours */
};

struct store_cur {
	struct store	*st;
	void		*stmt;
	enum sql_id	 id;
};

/*
 * Open (creating when missing) the database at path.  Returns an enum
 * store_rc; on STORE_CORRUPT the caller may quarantine the files and try
 * again.
 */
int	 store_open(const char *, struct store **);
void	 store_close(struct store *);

/* Whether SQLite has reported the database as damaged since open. */
int	 store_corrupt(const struct store *);

/*
 * Move path and its -wal and -shm files into dir as NAME.<stamp>.db and so
 * on, never overwriting anything.  *moved gets the new path of the main
 * file (caller frees).  Returns 0 or -1.
 */
int	 store_quarantine(const char *, const char *, char **);

int	 store_begin(struct store *);		/* BEGIN IMMEDIATE */
int	 store_begin_read(struct store *);	/* BEGIN (deferred) */
int	 store_commit(struct store *);
void	 store_rollback(struct store *);
int	 store_in_txn(const struct store *);

/* PRAGMA synchronous: FULL (every commit reaches the disk) or NORMAL. */
int	 store_synchronous(struct store *, int);
/* Checkpoint the WAL on a thread of its own (1) or in the writer (0). */
int	 store_background_checkpoints(struct store *, int);

/* Make the next statement's constraint failure a quiet STORE_CONSTRAINT. */
void	 store_expect_constraint(struct store *);

/* Run a statement to completion.  Returns an enum store_rc. */
int	 store_exec(struct store *, enum sql_id, const char *, ...);
/* Rows changed by the last INSERT, UPDATE or DELETE. */
int64_t	 store_changes(const struct store *);
int64_t	 store_last_rowid(const struct store *);

/* Run a script of several statements (schema, tests).  Returns 0 or -1. */
int	 store_script(struct store *, const char *, const char *);

int	 store_query(struct store *, struct store_cur *, enum sql_id,
	    const char *, ...);
/* 1 when a row is ready, 0 at the end, -1 on error. */
int	 store_next(struct store_cur *);
void	 store_done(struct store_cur *);

int	 store_isnull(struct store_cur *, int);
int64_t	 store_int(struct store_cur *, int);
double	 store_double(struct store_cur *, int);
/* Valid until the next store_next() or store_done(). */
const char *store_text(struct store_cur *, int);
const void *store_blob(struct store_cur *, int, size_t *);

/*
 * Run a query and return the first column of its first row.  Returns 1
 * with a value, 0 when there is no row or the value is NULL, -1 on error.
 */
int	 store_get_int(struct store *, int64_t *, enum sql_id, const char *,
	    ...);

/*
 * PRAGMA quick_check and foreign_key_check.  Return 0 when clean, 1 when
 * damage was found (described in *msg, caller frees), -1 on error.
 */
int	 store_quick_check(struct store *, char **);
int	 store_fk_check(struct store *, char **);

/* sqlite3_sourceid-like text of the library version. */
const char *store_version(void);

#endif /* STORE_H */
