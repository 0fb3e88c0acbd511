/*
 * export.c - write an operation in the documented formats.
 *
 * Every JSON value is built by SQLite; this file only frames arrays and
 * objects around the rows it streams.  The checkpoint document carries
 * everything needed to rebuild the operation with import (files, groups,
 * checkpoints with their log entries, actions), in the shape earlier
 * progress trackers wrote (operationId, startTime, totalFiles,
 * processedFiles, state, checkpoints[{index, timestamp, processedFiles,
 * operations}], operations).
 */
#include "config.h"

#include "export.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "report.h"
#include "store.h"
#include "tracker.h"
#include "util.h"

static const char *const names[] = {
	"checkpoint", "log", "progress", "summary", "groups", "csv"
};

int
export_format_parse(const char *s, enum export_format *f)
{
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(s, names[i]) == 0) {
			*f = (enum export_format)i;
			return 0;
		}
	return -1;
}

/* The state users see, bound to the statements that print one. */
static const char *state_shown;

/* Print the one JSON value a one-row query gives, minus its closing brace
 * when open is set (so fields can follow). */
static int
one(struct store *st, enum sql_id id, int64_t key, int open, FILE *fp)
{
	struct store_cur c;
	const char	*s;
	int		 rc;

	rc = id == SQL_EXPORT_HEAD || id == SQL_EXPORT_PROGRESS ||
	    id == SQL_EXPORT_SUMMARY ? store_query(st, &c, id, "it", key,
	    state_shown) : store_query(st, &c, id, "i", key);
	if (rc != 0)
		return -1;
	rc = store_next(&c);
	if (rc == 1) {
		s = store_text(&c, 0);
		fwrite(s, 1, strlen(s) - (open ? 1 : 0), fp);
	}
	store_done(&c);
	return rc == 1 ? 0 : -1;
}

/* ,"name":[row,row,...] from a query whose column col is a JSON value. */
static int
array(struct store *st, const char *name, enum sql_id id, const char *fmt,
    int64_t a, int64_t b, int col, FILE *fp)
{
	struct store_cur c;
	int		 rc, n;

	if (name != NULL)
		fprintf(fp, ",\"%s\":", name);
	fputc('[', fp);
	rc = fmt[1] == '\0' ? store_query(st, &c, id, fmt, a) :
	    store_query(st, &c, id, fmt, a, b);
	if (rc != 0)
		return -1;
	for (n = 0; (rc = store_next(&c)) == 1; n++) {
		if (n > 0)
			fputc(',', fp);
		fputs(store_text(&c, col), fp);
	}
	store_done(&c);
	fputc(']', fp);
	return rc < 0 ? -1 : 0;
}

/* "checkpoints": each with its log entries as "operations". */
static int
checkpoints(struct store *st, int64_t key, FILE *fp)
{
	struct store_cur c;
	const char	*s;
	int64_t		*seqs;
	char		**objs;
	size_t		 i, n, cap;
	int		 rc;

	/* Read the rows first: the entries query runs per checkpoint. */
	if (store_query(st, &c, SQL_EXPORT_CHECKPOINTS, "i", key) != 0)
		return -1;
	seqs = NULL;
	objs = NULL;
	n = cap = 0;
	while ((rc = store_next(&c)) == 1) {
		if (n == cap) {
			cap = cap == 0 ? 256 : cap * 2;
			seqs = xrealloc(seqs, cap * sizeof(*seqs));
			objs = xrealloc(objs, cap * sizeof(*objs));
		}
		seqs[n] = store_int(&c, 0);
		objs[n++] = xstrdup(store_text(&c, 1));
	}
	store_done(&c);
	fputs(",\"checkpoints\":[", fp);
	for (i = 0; i < n && rc == 0; i++) {
		if (i > 0)
			fputc(',', fp);
		s = objs[i];
		fwrite(s, 1, strlen(s) - 1, fp);
		rc = array(st, "operations", SQL_EXPORT_ENTRIES, "ii", key,
		    seqs[i], 0, fp);
		fputc('}', fp);
	}
	fputc(']', fp);
	for (i = 0; i < n; i++)
		free(objs[i]);
	free(objs);
	free(seqs);
	return rc < 0 ? -1 : 0;
}

/* The fields of an object value, without its braces, after a comma. */
static int
merge(struct store *st, enum sql_id id, int64_t key, FILE *fp)
{
	struct store_cur c;
	const char	*s;
	size_t		 n;
	int		 rc;

	if (store_query(st, &c, id, "i", key) != 0)
		return -1;
	rc = store_next(&c);
	if (rc == 1) {
		s = store_text(&c, 0);
		n = strlen(s);
		if (n > 2) {
			fputc(',', fp);
			fwrite(s + 1, 1, n - 2, fp);
		}
	}
	store_done(&c);
	return rc == 1 ? 0 : -1;
}

static int
checkpoint_doc(struct store *st, int64_t key, FILE *fp)
{
	if (one(st, SQL_EXPORT_HEAD, key, 1, fp) != 0 ||
	    merge(st, SQL_EXPORT_HEAD_HEX, key, fp) != 0 ||
	    checkpoints(st, key, fp) != 0)
		return -1;
	/* Every entry of ours belongs to a checkpoint: none is left over. */
	fputs(",\"operations\":[]", fp);
	if (array(st, "files", SQL_EXPORT_FILES, "i", key, 0, 0, fp) != 0 ||
	    array(st, "aliases", SQL_EXPORT_ALIASES, "i", key, 0, 0, fp) != 0 ||
	    array(st, "groups", SQL_EXPORT_GROUPS, "i", key, 0, 0, fp) != 0 ||
	    array(st, "actions", SQL_EXPORT_ACTIONS, "i", key, 0, 0, fp) != 0)
		return -1;
	fputs(",\"summary\":", fp);
	if (one(st, SQL_EXPORT_SUMMARY, key, 0, fp) != 0)
		return -1;
	fputs("}\n", fp);
	return 0;
}

static int
log_lines(struct store *st, int64_t key, FILE *fp)
{
	struct store_cur c;
	int		 rc;

	if (store_exec(st, SQL_BACKFILL_SEEN_CREATE, "") != 0 ||
	    store_exec(st, SQL_BACKFILL_SEEN_CLEAR, "") != 0 ||
	    store_query(st, &c, SQL_BACKFILL_LINES, "i", key) != 0)
		return -1;
	while ((rc = store_next(&c)) == 1) {
		fputs(store_text(&c, 0), fp);
		fputc('\n', fp);
	}
	store_done(&c);
	return rc < 0 ? -1 : 0;
}

/* RFC 4180: a field with a comma, quote, CR or LF is quoted, quotes
 * doubled.  Names are written as their bytes. */
static void
csv_field(const unsigned char *p, size_t n, FILE *fp)
{
	size_t	 i;
	int	 quote;

	quote = 0;
	for (i = 0; i < n; i++)
		if (p[i] == ',' || p[i] == '"' || p[i] == '\r' || p[i] == '\n')
			quote = 1;
	if (!quote) {
		fwrite(p, 1, n, fp);
		return;
	}
	fputc('"', fp);
	for (i = 0; i < n; i++) {
		if (p[i] == '"')
			fputc('"', fp);
		fputc(p[i], fp);
	}
	fputc('"', fp);
}

static int
csv(struct store *st, int64_t key, FILE *fp)
{
	struct store_cur c;
	const void	*p;
	size_t		 n;
	int		 rc;

	if (store_query(st, &c, SQL_EXPORT_CSV, "i", key) != 0)
		return -1;
	fputs("group,size,hash,path\r\n", fp);
	while ((rc = store_next(&c)) == 1) {
		fprintf(fp, "%lld,%lld,%s,", (long long)store_int(&c, 0),
		    (long long)store_int(&c, 1), store_text(&c, 2));
		p = store_blob(&c, 3, &n);
		csv_field(p, n, fp);
		fputs("\r\n", fp);
	}
	store_done(&c);
	return rc < 0 ? -1 : 0;
}

/* The operation's id, and in *state what list shows as its state. */
static char *
op_id(struct roo_db *db, int64_t key, char *state, size_t len)
{
	struct store_cur c;
	char		*id;

	id = NULL;
	if (store_query(db->st, &c, SQL_EXPORT_ID, "i", key) == 0 &&
	    store_next(&c) == 1) {
		id = xstrdup(store_text(&c, 0));
		snprintf(state, len, "%s", report_state(db, id,
		    store_text(&c, 1)));
	}
	store_done(&c);
	return id;
}

/* An archived operation's checkpoint document is its archive file. */
static int
archived_doc(struct roo_db *db, const char *id, FILE *fp)
{
	char	*path, *text;
	size_t	 n;
	FILE	*in;
	int	 rc;

	path = xasprintf("%s/checkpoints/completed/%s.json", db->dot, id);
	in = fopen(path, "r");
	rc = -1;
	if (in == NULL)
		error("cannot read the archive '%s': %s", path,
		    strerror(errno));
	else {
		text = xmalloc(65536);
		while ((n = fread(text, 1, 65536, in)) > 0)
			fwrite(text, 1, n, fp);
		rc = ferror(in) ? error("cannot read the archive '%s'",
		    path) : 0;
		free(text);
		fclose(in);
	}
	free(path);
	return rc;
}

int
export_op(struct roo_db *db, int64_t key, enum export_format f, FILE *fp)
{
	struct store	*st;
	int64_t		 archived;
	char		*id, state[16];
	int		 rc;

	st = tracker_store(db);
	id = op_id(db, key, state, sizeof(state));
	if (id == NULL)
		return -1;
	state_shown = state;
	if (f == EXPORT_CHECKPOINT && store_get_int(st, &archived,
	    SQL_EXPORT_ARCHIVED, "i", key) == 1 && archived) {
		rc = archived_doc(db, id, fp);
		free(id);
		return rc;
	}
	free(id);
	/* One snapshot, even while a scan commits. */
	if (store_begin_read(st) != 0)
		return -1;
	switch (f) {
	case EXPORT_CHECKPOINT:
		rc = checkpoint_doc(st, key, fp);
		break;
	case EXPORT_LOG:
		rc = log_lines(st, key, fp);
		break;
	case EXPORT_PROGRESS:
		rc = one(st, SQL_EXPORT_PROGRESS, key, 0, fp);
		fputc('\n', fp);
		break;
	case EXPORT_SUMMARY:
		rc = one(st, SQL_EXPORT_SUMMARY, key, 0, fp);
		fputc('\n', fp);
		break;
	case EXPORT_GROUPS:
		rc = report_groups(db, key, REPORT_JSON, fp);
		break;
	default:
		rc = csv(st, key, fp);
		break;
	}
	store_rollback(st);
	if (rc == 0 && (fflush(fp) != 0 || ferror(fp)))
		rc = error("cannot write the export: %s", strerror(errno));
	return rc;
}

int
export_file(struct roo_db *db, int64_t key, enum export_format f,
    const char *path)
{
	struct atomic_file	 af;

	if (atomic_open(&af, path) != 0)
		return -1;
	if (export_op(db, key, f, af.fp) != 0) {
		atomic_abort(&af);
		return -1;
	}
	return atomic_commit(&af);
}

int
export_finals(struct roo_db *db, int64_t key, const char *id)
{
	char	*p, *s;
	int	 rc;

	p = xasprintf("%s/logs/%s.progress.json", db->dot, id);
	s = xasprintf("%s/logs/%s.summary.json", db->dot, id);
	rc = export_file(db, key, EXPORT_PROGRESS, p) == 0 &&
	    export_file(db, key, EXPORT_SUMMARY, s) == 0 ? 0 : -1;
	free(p);
	free(s);
	return rc;
}
