/*
 * history.h - what the database remembers, made usable: the report of an
 * operation with its timeline, removing old operations (clean) and
 * moving finished ones out of the database (archive).
 *
 * Functions return 0, 1 when there is no such operation, or -1 (logged).
 */
#ifndef HISTORY_H
#define HISTORY_H

#include <stdint.h>
#include <stdio.h>

struct roo_db;

int	history_report(struct roo_db *, const char *, int, FILE *);

struct clean_opts {
	int64_t		 older_ns;	/* finished before now - this */
	int		 dry_run;
	int		 include_interrupted;
};

/* Remove (or with dry_run list) what the options select; print each
 * operation and the space it frees on fp. */
int	history_clean(struct roo_db *, const struct clean_opts *, FILE *);

/* Archive the named completed operations, or with no names those older
 * than older_ns.  1 when a named one does not exist or is not completed
 * (said on stderr). */
int	history_archive(struct roo_db *, char *const *, size_t, int64_t,
	    FILE *);

#endif /* HISTORY_H */
