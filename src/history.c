/*
 * history.c - report, clean and archive.
 *
 * The report is one JSON object built by SQL (sql/history.sql); the text
 * form reads its fields back.  clean deletes whole operations (their rows
 * go by ON DELETE CASCADE) with their files under logs/ and locks/, and
 * measures what it frees by doing the deletion and asking SQLite how many
 * pages became free: the dry run does the same and rolls back, so it
 * lists exactly what the real run removes.  archive writes the checkpoint
 * document under checkpoints/completed/ before it drops any row.
 */
#include "config.h"

#include "history.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "export.h"
#include "log.h"
#include "report.h"
#include "store.h"
#include "tracker.h"
#include "util.h"

/* A text or number at a JSON path of the report, as text ("" if none). */
static char *
get(struct store *st, const char *json, const char *path)
{
	struct store_cur c;
	char		*out;

	out = NULL;
	if (store_query(st, &c, SQL_HISTORY_GET, "tt", json, path) == 0 &&
	    store_next(&c) == 1 && !store_isnull(&c, 0))
		out = xstrdup(store_text(&c, 0));
	store_done(&c);
	return out != NULL ? out : xstrdup("");
}

static int64_t
geti(struct store *st, const char *json, const char *path)
{
	char	*s;
	int64_t	 v;

	s = get(st, json, path);
	v = strtoll(s, NULL, 10);
	free(s);
	return v;
}

static void
line(FILE *fp, const char *label, const char *value)
{
	fprintf(fp, "%-22s%s\n", label, value);
}

static void
bytes_line(struct store *st, FILE *fp, const char *label, const char *json,
    const char *path)
{
	char	 b[16];

	format_bytes((uint64_t)geti(st, json, path), b, sizeof(b));
	line(fp, label, b);
}

static void
timeline_text(struct store *st, const char *json, FILE *fp)
{
	char		*ph, *s, *e;
	char		 item[64];
	int		 i;

	fprintf(fp, "\n%-8s %-24s %-24s %10s %5s %12s\n", "phase", "start",
	    "end", "seconds", "runs", "checkpoints");
	for (i = 0;; i++) {
		snprintf(item, sizeof(item), "$.timeline[%d]", i);
		ph = get(st, json, item);
		if (*ph == '\0') {
			free(ph);
			break;
		}
		free(ph);
		snprintf(item, sizeof(item), "$.timeline[%d].phase", i);
		ph = get(st, json, item);
		snprintf(item, sizeof(item), "$.timeline[%d].start", i);
		s = get(st, json, item);
		snprintf(item, sizeof(item), "$.timeline[%d].end", i);
		e = get(st, json, item);
		snprintf(item, sizeof(item), "$.timeline[%d].durationMs", i);
		fprintf(fp, "%-8s %-24s %-24s %10.3f", ph, s, e,
		    (double)geti(st, json, item) / 1000);
		snprintf(item, sizeof(item), "$.timeline[%d].runs", i);
		fprintf(fp, " %5lld", (long long)geti(st, json, item));
		snprintf(item, sizeof(item), "$.timeline[%d].checkpoints", i);
		fprintf(fp, " %12lld\n", (long long)geti(st, json, item));
		free(ph);
		free(s);
		free(e);
	}
}

static void
stages_text(struct store *st, const char *json, FILE *fp)
{
	static const char *const stages[] = {
		"size", "prefix", "full", "group"
	};
	char	 p[64], b[16];
	size_t	 i;

	fprintf(fp, "\n%-8s %12s %12s %12s %12s\n", "stage", "files in",
	    "files out", "eliminated", "read");
	for (i = 0; i < sizeof(stages) / sizeof(stages[0]); i++) {
		fprintf(fp, "%-8s", stages[i]);
		snprintf(p, sizeof(p), "$.stages.%s.filesIn", stages[i]);
		fprintf(fp, " %12lld", (long long)geti(st, json, p));
		snprintf(p, sizeof(p), "$.stages.%s.filesOut", stages[i]);
		fprintf(fp, " %12lld", (long long)geti(st, json, p));
		snprintf(p, sizeof(p), "$.stages.%s.eliminated", stages[i]);
		fprintf(fp, " %12lld", (long long)geti(st, json, p));
		snprintf(p, sizeof(p), "$.stages.%s.bytesRead", stages[i]);
		format_bytes((uint64_t)geti(st, json, p), b, sizeof(b));
		fprintf(fp, " %12s\n", b);
	}
}

static void
map_text(struct store *st, const char *json, const char *path,
    const char *label, FILE *fp)
{
	struct store_cur c;
	int		 n;

	if (store_query(st, &c, SQL_HISTORY_EACH, "tt", json, path) != 0)
		return;
	for (n = 0; store_next(&c) == 1; n++)
		fprintf(fp, "%-22s%s: %s\n", n == 0 ? label : "",
		    store_text(&c, 0), store_text(&c, 1));
	store_done(&c);
	if (n == 0)
		line(fp, label, "none");
}

static void
largest_text(struct store *st, const char *json, FILE *fp)
{
	char	 p[64], b[16], *path;
	int	 i;

	fprintf(fp, "\nlargest groups\n");
	for (i = 0; i < 10; i++) {
		snprintf(p, sizeof(p), "$.largestGroups[%d].group", i);
		if (geti(st, json, p) == 0)
			break;
		snprintf(p, sizeof(p), "$.largestGroups[%d].wasted", i);
		format_bytes((uint64_t)geti(st, json, p), b, sizeof(b));
		snprintf(p, sizeof(p), "$.largestGroups[%d].paths[0]", i);
		path = get(st, json, p);
		snprintf(p, sizeof(p), "$.largestGroups[%d].files", i);
		fprintf(fp, "  %10s wasted, %lld copies of %s\n", b,
		    (long long)geti(st, json, p), path);
		free(path);
	}
}

static void
report_text(struct store *st, const char *json, FILE *fp)
{
	char	*s, v[64];

	s = get(st, json, "$.operationId");
	line(fp, "operation:", s);
	free(s);
	s = get(st, json, "$.state");
	line(fp, "state:", s);
	free(s);
	s = get(st, json, "$.startTime");
	line(fp, "started:", s);
	free(s);
	s = get(st, json, "$.endTime");
	line(fp, "ended:", *s != '\0' ? s : "-");
	free(s);
	snprintf(v, sizeof(v), "%.3f s", (double)geti(st, json,
	    "$.durationMs") / 1000);
	line(fp, "duration:", v);
	s = get(st, json, "$.checkpointsPerSecond");
	snprintf(v, sizeof(v), "%lld (%s per second)", (long long)geti(st,
	    json, "$.checkpoints"), s);
	free(s);
	line(fp, "checkpoints:", v);
	snprintf(v, sizeof(v), "%lld interrupted, %lld resumed, %lld "
	    "repaired", (long long)geti(st, json, "$.interruptions"),
	    (long long)geti(st, json, "$.resumes"),
	    (long long)geti(st, json, "$.repairs"));
	line(fp, "runs:", v);
	if (strcmp((s = get(st, json, "$.archived")), "1") == 0)
		line(fp, "archived:", "yes: the timeline and log are in "
		    "checkpoints/completed/");
	free(s);
	timeline_text(st, json, fp);
	stages_text(st, json, fp);
	fputc('\n', fp);
	map_text(st, json, "$.errors", "not compared:", fp);
	map_text(st, json, "$.skips", "not acted on:", fp);
	snprintf(v, sizeof(v), "%lld files (not read again)",
	    (long long)geti(st, json, "$.stages.full.reusedHashes"));
	line(fp, "hashes reused:", v);
	snprintf(v, sizeof(v), "%lld", (long long)geti(st, json, "$.groups"));
	line(fp, "groups:", v);
	snprintf(v, sizeof(v), "%lld", (long long)geti(st, json,
	    "$.redundantFiles"));
	line(fp, "redundant files:", v);
	bytes_line(st, fp, "reclaimable:", json, "$.reclaimableBytes");
	bytes_line(st, fp, "reclaimed:", json, "$.reclaimedBytes");
	largest_text(st, json, fp);
}

int
history_report(struct roo_db *db, const char *id, int json, FILE *fp)
{
	struct store_cur c;
	struct roo_op	*op;
	struct store	*st;
	char		*doc;
	int		 busy, rc;

	st = tracker_store(db);
	if (store_begin_read(st) != 0)
		return -1;
	rc = tracker_op_load(db, id, 0, &op, &busy);
	if (rc <= 0) {
		store_rollback(st);
		return rc == 0 ? 1 : -1;
	}
	doc = NULL;
	/* An archived operation reports as it did before its rows went. */
	if (store_query(st, &c, SQL_HISTORY_ARCHIVED_REPORT, "i",
	    op->key) == 0 && store_next(&c) == 1)
		doc = xstrdup(store_text(&c, 0));
	store_done(&c);
	if (doc == NULL && store_query(st, &c, SQL_HISTORY_REPORT, "it",
	    op->key, report_state(db, op->id, op->state)) == 0 &&
	    store_next(&c) == 1)
		doc = xstrdup(store_text(&c, 0));
	store_done(&c);
	roo_op_free(op);
	rc = -1;
	if (doc != NULL) {
		if (json)
			fprintf(fp, "%s\n", doc);
		else
			report_text(st, doc, fp);
		rc = 0;
	}
	store_rollback(st);
	free(doc);
	if (rc == 0 && (fflush(fp) != 0 || ferror(fp)))
		rc = error("cannot write output: %s", strerror(errno));
	return rc;
}

/* The files an operation has outside the database. */
static void
op_files(struct roo_db *db, const char *id, char **out)
{
	out[0] = xasprintf("%s/logs/%s.log", db->dot, id);
	out[1] = xasprintf("%s/logs/%s.progress.json", db->dot, id);
	out[2] = xasprintf("%s/logs/%s.summary.json", db->dot, id);
	out[3] = xasprintf("%s/locks/%s.lock", db->dot, id);
}

static uint64_t
files_size(char **paths)
{
	struct stat	 sb;
	uint64_t	 n;
	int		 i;

	for (n = 0, i = 0; i < 4; i++)
		if (stat(paths[i], &sb) == 0)
			n += (uint64_t)sb.st_size;
	return n;
}

static int
pages(struct store *st, int64_t *count, int64_t *freelist, int64_t *size)
{
	struct store_cur c;
	int		 rc;

	if (store_query(st, &c, SQL_HISTORY_PAGES, "") != 0)
		return -1;
	rc = store_next(&c);
	if (rc == 1) {
		*count = store_int(&c, 0);
		*freelist = store_int(&c, 1);
		*size = store_int(&c, 2);
	}
	store_done(&c);
	return rc == 1 ? 0 : -1;
}

struct victim {
	int64_t		 key;
	char		*id;
	char		 state[16];
	int64_t		 when;
};

static int
candidates(struct roo_db *db, const struct clean_opts *o,
    struct victim **out, size_t *n)
{
	struct store_cur c;
	struct victim	*v;
	const char	*state;
	int		 rc;

	*out = NULL;
	*n = 0;
	if (store_query(db->st, &c, SQL_HISTORY_CLEAN_CANDIDATES, "id",
	    time_now_ns() - o->older_ns, o->include_interrupted) != 0)
		return -1;
	while ((rc = store_next(&c)) == 1) {
		/* Never an operation a live process is working on. */
		state = report_state(db, store_text(&c, 1), store_text(&c, 2));
		if (strcmp(state, "running") == 0)
			continue;
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		v = &(*out)[(*n)++];
		v->key = store_int(&c, 0);
		v->id = xstrdup(store_text(&c, 1));
		snprintf(v->state, sizeof(v->state), "%s", state);
		v->when = store_int(&c, 3);
	}
	store_done(&c);
	return rc < 0 ? -1 : 0;
}

int
history_clean(struct roo_db *db, const struct clean_opts *o, FILE *fp)
{
	struct victim	*v;
	struct store	*st;
	char		*files[4], t[TIME_ISO_LEN], b[16];
	int64_t		 count, before, after, psize;
	uint64_t	 outside;
	size_t		 i, n;
	int		 rc, k;

	st = db->st;
	if (store_begin(st) != 0)
		return -1;
	rc = -1;
	v = NULL;
	n = 0;
	if (candidates(db, o, &v, &n) != 0 ||
	    pages(st, &count, &before, &psize) != 0)
		goto out;
	outside = 0;
	for (i = 0; i < n; i++) {
		if (store_exec(st, SQL_HISTORY_DROP_OP, "i", v[i].key) != 0)
			goto out;
		op_files(db, v[i].id, files);
		outside += files_size(files);
		time_iso8601(v[i].when, t);
		fprintf(fp, "%s %-40s %-11s %s\n", o->dry_run ? "would remove" :
		    "removed", v[i].id, v[i].state, t);
		for (k = 0; k < 4; k++) {
			if (!o->dry_run)
				(void)unlink(files[k]);
			free(files[k]);
		}
	}
	if (pages(st, &count, &after, &psize) != 0)
		goto out;
	format_bytes((uint64_t)((after - before) * psize) + outside, b,
	    sizeof(b));
	fprintf(fp, "%s %zu operation%s, %s\n", o->dry_run ? "would free" :
	    "freed", n, n == 1 ? "" : "s", b);
	/* The dry run has measured by doing; now it undoes. */
	if (o->dry_run) {
		store_rollback(st);
		rc = 0;
		goto out;
	}
	if (store_commit(st) != 0)
		goto out;
	rc = 0;
	if (count > 0 && (after - before) * 4 > count) {
		log_verbose("vacuuming the state database");
		if (store_script(st, "VACUUM", "VACUUM") != 0)
			log_warn("the state database was not compacted");
	}
out:
	if (rc != 0)
		store_rollback(st);
	for (i = 0; i < n; i++)
		free(v[i].id);
	free(v);
	if (rc == 0 && (fflush(fp) != 0 || ferror(fp)))
		rc = error("cannot write output: %s", strerror(errno));
	return rc;
}

static int
archive_one(struct roo_db *db, int64_t key, const char *id, FILE *fp)
{
	static const enum sql_id drops[] = {
		SQL_HISTORY_ARCHIVE_LOG, SQL_HISTORY_ARCHIVE_CHECKPOINTS,
		SQL_HISTORY_ARCHIVE_FILES
	};
	struct store_cur c;
	struct store	*st;
	char		*path, *report;
	size_t		 i;
	int		 rc;

	st = db->st;
	report = NULL;
	path = xasprintf("%s/checkpoints/completed/%s.json", db->dot, id);
	/* The document is on disk, flushed, before any row goes. */
	rc = export_file(db, key, EXPORT_CHECKPOINT, path);
	if (rc == 0 && store_begin(st) != 0)
		rc = -1;
	/* The report is kept: the rows it is computed from go. */
	if (rc == 0) {
		rc = -1;
		if (store_query(st, &c, SQL_HISTORY_REPORT, "it", key,
		    "completed") == 0 && store_next(&c) == 1) {
			report = xstrdup(store_text(&c, 0));
			rc = 0;
		}
		store_done(&c);
	}
	for (i = 0; rc == 0 && i < sizeof(drops) / sizeof(drops[0]); i++)
		rc = store_exec(st, drops[i], "i", key);
	if (rc == 0)
		rc = store_exec(st, SQL_HISTORY_ARCHIVE_MARK, "it", key,
		    report);
	free(report);
	if (rc == 0)
		rc = store_commit(st);
	else
		store_rollback(st);
	if (rc == 0)
		fprintf(fp, "archived %s to %s\n", id, path);
	free(path);
	return rc;
}

/* Archive one operation by id, holding its lock. */
static int
archive_named(struct roo_db *db, const char *id, FILE *fp)
{
	struct roo_op	*op;
	int		 busy, rc;

	rc = tracker_op_load(db, id, 1, &op, &busy);
	if (rc == 0) {
		fprintf(stderr, "roo-duplicates: archive: no operation '%s'\n",
		    id);
		return 1;
	}
	if (rc < 0) {
		if (!busy)
			return -1;
		/* As resume says it: a refusal, not a failure. */
		fprintf(stderr, "roo-duplicates: archive: operation '%s' is "
		    "running\n", id);
		return 1;
	}
	if (strcmp(op->state, "completed") != 0) {
		fprintf(stderr, "roo-duplicates: archive: operation '%s' "
		    "is not completed\n", op->id);
		rc = 1;
	} else if (op->archived) {
		fprintf(fp, "%s was already archived\n", op->id);
		rc = 0;
	} else
		rc = archive_one(db, op->key, op->id, fp);
	roo_op_free(op);
	return rc;
}

int
history_archive(struct roo_db *db, char *const *ids, size_t nids,
    int64_t older_ns, FILE *fp)
{
	struct store_cur c;
	char		**names;
	size_t		 i, n;
	int		 rc;

	rc = 0;
	for (i = 0; i < nids && rc == 0; i++)
		rc = archive_named(db, ids[i], fp);
	if (nids > 0)
		return rc;
	rc = 0;
	names = NULL;
	n = 0;
	if (store_query(db->st, &c, SQL_HISTORY_ARCHIVE_CANDIDATES, "i",
	    time_now_ns() - older_ns) != 0)
		return -1;
	while ((rc = store_next(&c)) == 1) {
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(store_text(&c, 1));
	}
	store_done(&c);
	rc = rc < 0 ? -1 : 0;
	if (rc == 0 && n == 0)
		log_info("no completed operation older than %lld days to "
		    "archive", (long long)(older_ns / (86400LL * NS_PER_SEC)));
	for (i = 0; i < n; i++) {
		if (rc == 0)
			rc = archive_named(db, names[i], fp);
		free(names[i]);
	}
	free(names);
	return rc;
}
