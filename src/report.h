/*
 * report.h - results and history on stdout: the group listing (text,
 * JSON, NUL-separated), list and status.
 *
 * Text output escapes names with util's path_escape(), so one file is
 * always one line; JSON carries names as described in sql/report.sql.
 * Functions return 0, -1 on error (logged), and the status functions 1
 * when there is no such operation.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdint.h>
#include <stdio.h>

struct roo_db;

enum report_format {
	REPORT_TEXT,
	REPORT_JSON,
	REPORT_NUL
};

int	report_groups(struct roo_db *, int64_t, enum report_format, FILE *);
int	report_list(struct roo_db *, int, int, FILE *);
int	report_status(struct roo_db *, const char *, int, FILE *);
/* The state as users see it: a running operation nobody holds the lock
 * of is interrupted. */
const char *report_state(struct roo_db *, const char *, const char *);

#endif /* REPORT_H */
