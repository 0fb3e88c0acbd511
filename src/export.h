/*
 * export.h - an operation in the documented formats (docs/formats.md):
 * the checkpoint document, the log as JSON lines, the final progress
 * state, the summary, the groups (as find --json), and CSV.
 *
 * Documents are built by SQLite's JSON functions and streamed, so memory
 * does not grow with the operation.  Functions return 0 or -1 (logged).
 */
#ifndef EXPORT_H
#define EXPORT_H

#include <stdint.h>
#include <stdio.h>

struct roo_db;

enum export_format {
	EXPORT_CHECKPOINT,
	EXPORT_LOG,
	EXPORT_PROGRESS,
	EXPORT_SUMMARY,
	EXPORT_GROUPS,
	EXPORT_CSV
};

int	export_format_parse(const char *, enum export_format *);
int	export_op(struct roo_db *, int64_t, enum export_format, FILE *);
/* The same into path, atomically (temporary file, fsync, rename). */
int	export_file(struct roo_db *, int64_t, enum export_format,
	    const char *);
/* logs/ID.progress.json and logs/ID.summary.json, for an operation that
 * completed. */
int	export_finals(struct roo_db *, int64_t, const char *);

#endif /* EXPORT_H */
