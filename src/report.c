/*
 * report.c - what the user reads: groups, the list of operations, the
 * status of one.
 *
 * Readers never write the database and never wait for a running scan:
 * WAL mode gives them a snapshot.  Whether a "running" operation is alive
 * is asked of its lock, not of its pid.
 */
#include "config.h"

#include "report.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "tracker.h"
#include "util.h"

static int
out_check(FILE *fp)
{
	if (fflush(fp) != 0 || ferror(fp))
		return error("cannot write output: %s", strerror(errno));
	return 0;
}

const char *
report_state(struct roo_db *db, const char *id, const char *stored)
{
	if (strcmp(stored, "running") == 0 && !tracker_lock_held(db, id))
		return "interrupted";
	return stored;
}

static int
groups_plain(struct roo_db *db, int64_t key, int nul, FILE *fp)
{
	struct store_cur c;
	struct buf	 b;
	const void	*p;
	size_t		 n;
	int64_t		 seq, last;
	int		 rc;

	if (store_query(db->st, &c, SQL_REPORT_MEMBERS, "i", key) != 0)
		return -1;
	buf_init(&b);
	last = 0;
	while ((rc = store_next(&c)) == 1) {
		seq = store_int(&c, 0);
		p = store_blob(&c, 1, &n);
		if (last != 0 && seq != last)
			fputc(nul ? '\0' : '\n', fp);
		last = seq;
		if (nul) {
			fwrite(p, 1, n, fp);
			fputc('\0', fp);
			continue;
		}
		buf_reset(&b);
		path_escape(&b, p, n);
		buf_addch(&b, '\n');
		fwrite(b.p, 1, b.len, fp);
	}
	store_done(&c);
	buf_release(&b);
	if (rc < 0)
		return -1;
	/* With -0 every group, the last too, ends with an extra NUL. */
	if (nul && last != 0)
		fputc('\0', fp);
	return out_check(fp);
}

/* Print a one-row JSON query's value with its closing brace cut off. */
static int
json_head(struct roo_db *db, enum sql_id id, int64_t key, FILE *fp)
{
	struct store_cur c;
	const char	*s;
	int		 rc;

	if (store_query(db->st, &c, id, "i", key) != 0)
		return -1;
	rc = store_next(&c);
	if (rc == 1) {
		s = store_text(&c, 0);
		fwrite(s, 1, strlen(s) - 1, fp);
	}
	store_done(&c);
	return rc == 1 ? 0 : -1;
}

static int
groups_json(struct roo_db *db, int64_t key, FILE *fp)
{
	struct store_cur c;
	int		 rc, n;

	if (json_head(db, SQL_REPORT_DOC_HEAD, key, fp) != 0)
		return -1;
	fputs(",\"groups\":[", fp);
	if (store_query(db->st, &c, SQL_REPORT_GROUPS_JSON, "i", key) != 0)
		return -1;
	for (n = 0; (rc = store_next(&c)) == 1; n++) {
		if (n > 0)
			fputc(',', fp);
		fputs(store_text(&c, 0), fp);
	}
	store_done(&c);
	if (rc < 0)
		return -1;
	fputs("],\"summary\":", fp);
	if (store_query(db->st, &c, SQL_REPORT_SUMMARY_JSON, "i", key) != 0)
		return -1;
	rc = store_next(&c);
	fputs(rc == 1 ? store_text(&c, 0) : "null", fp);
	store_done(&c);
	if (rc < 0)
		return -1;
	fputs("}\n", fp);
	return out_check(fp);
}

/* What to call a name's fate in the listing. */
static const char *
fate(const char *kind, const char *state)
{
	static const struct {
		const char	*kind, *done;
	} done[] = {
		{ "remove", "removed" }, { "hardlink", "linked" },
		{ "symlink", "symlinked" }, { "reflink", "reflinked" }
	};
	size_t	 i;

	if (strcmp(state, "done") != 0)
		return strcmp(state, "planned") == 0 ? kind : state;
	for (i = 0; i < sizeof(done) / sizeof(done[0]); i++)
		if (strcmp(kind, done[i].kind) == 0)
			return done[i].done;
	return state;
}

/*
 * Groups after an apply: "keep PATH" and "<what was done> PATH" lines
 * (with -0: the word, a tab, the raw path, a NUL).
 */
static int
groups_acted(struct roo_db *db, int64_t key, int nul, FILE *fp)
{
	struct store_cur c;
	struct buf	 b;
	const void	*p;
	const char	*what;
	size_t		 n;
	int64_t		 seq, last;
	int		 rc;

	if (store_query(db->st, &c, SQL_APPLY_LISTING, "i", key) != 0)
		return -1;
	buf_init(&b);
	last = 0;
	while ((rc = store_next(&c)) == 1) {
		seq = store_int(&c, 0);
		if (last != 0 && seq != last)
			fputc(nul ? '\0' : '\n', fp);
		last = seq;
		what = store_isnull(&c, 2) ? "keep" : fate(store_text(&c, 2),
		    store_text(&c, 3));
		p = store_blob(&c, store_isnull(&c, 4) ? 1 : 4, &n);
		buf_reset(&b);
		buf_printf(&b, nul ? "%s\t" : "%-9s ", what);
		if (nul) {
			buf_add(&b, p, n);
			buf_addch(&b, '\0');
		} else {
			path_escape(&b, p, n);
			buf_addch(&b, '\n');
		}
		fwrite(b.p, 1, b.len, fp);
	}
	store_done(&c);
	buf_release(&b);
	if (rc < 0)
		return -1;
	if (nul && last != 0)
		fputc('\0', fp);
	return out_check(fp);
}

int
report_groups(struct roo_db *db, int64_t key, enum report_format f,
    FILE *fp)
{
	int64_t	 acted;

	if (f == REPORT_JSON)
		return groups_json(db, key, fp);
	if (store_get_int(db->st, &acted, SQL_REPORT_HAS_ACTIONS, "i",
	    key) < 0)
		return -1;
	if (acted)
		return groups_acted(db, key, f == REPORT_NUL, fp);
	return groups_plain(db, key, f == REPORT_NUL, fp);
}

/* An escaped name, in single quotes when it has a space or a quote. */
static void
quoted(struct buf *b, const unsigned char *p, size_t n)
{
	struct buf	 e;

	buf_init(&e);
	buf_addstr(&e, "");
	path_escape(&e, p, n);
	if (strpbrk(e.p, " '\"") == NULL && e.len > 0)
		buf_add(b, e.p, e.len);
	else {
		buf_addch(b, '\'');
		for (n = 0; n < e.len; n++) {
			if (e.p[n] == '\'')
				buf_addstr(b, "'\\''");
			else
				buf_addch(b, e.p[n]);
		}
		buf_addch(b, '\'');
	}
	buf_release(&e);
}

static void
roots_text(struct roo_db *db, int64_t key, struct buf *b)
{
	struct store_cur c;
	const void	*p;
	size_t		 n;
	int		 first;

	if (store_query(db->st, &c, SQL_REPORT_ROOTS, "i", key) != 0)
		return;
	for (first = 1; store_next(&c) == 1; first = 0) {
		if (!first)
			buf_addch(b, ' ');
		p = store_blob(&c, 0, &n);
		quoted(b, p, n);
	}
	store_done(&c);
}

static int
op_json(struct roo_db *db, int64_t key, const char *state, FILE *fp)
{
	struct store_cur c;
	int		 rc;

	if (store_query(db->st, &c, SQL_REPORT_OP_JSON, "it", key,
	    state) != 0)
		return -1;
	rc = store_next(&c);
	if (rc == 1)
		fputs(store_text(&c, 0), fp);
	store_done(&c);
	return rc == 1 ? 0 : -1;
}

struct op_ref {
	int64_t		 key;
	char		*id;
	char		 state[16];
};

/* Every operation with the state users see, oldest first. */
static int
ops_read(struct roo_db *db, struct op_ref **out, size_t *n)
{
	struct store_cur c;
	struct op_ref	*ops;
	int		 rc;

	ops = NULL;
	*n = 0;
	if (store_begin_read(db->st) != 0)
		return -1;
	if (store_query(db->st, &c, SQL_REPORT_OPS, "") != 0)
		return -1;
	while ((rc = store_next(&c)) == 1) {
		ops = xrealloc(ops, (*n + 1) * sizeof(*ops));
		ops[*n].key = store_int(&c, 0);
		ops[*n].id = xstrdup(store_text(&c, 1));
		snprintf(ops[*n].state, sizeof(ops[*n].state), "%s",
		    report_state(db, store_text(&c, 1), store_text(&c, 2)));
		(*n)++;
	}
	store_done(&c);
	*out = ops;
	return rc < 0 ? -1 : 0;
}

static int
list_line(struct roo_db *db, const struct op_ref *o, FILE *fp)
{
	struct store_cur c;
	struct buf	 roots;
	char		 started[TIME_ISO_LEN];
	int64_t		 total, done;

	if (store_query(db->st, &c, SQL_REPORT_OP_ROW, "i", o->key) != 0)
		return -1;
	if (store_next(&c) != 1) {
		store_done(&c);
		return -1;
	}
	time_iso8601(store_int(&c, 2), started);
	total = store_int(&c, 5);
	done = store_int(&c, 6);
	buf_init(&roots);
	buf_addstr(&roots, "");
	fprintf(fp, "%-40s %-11s %-6s %s %9" PRId64 "/%-9" PRId64 " %3d%% ",
	    o->id, o->state, store_text(&c, 1), started, done, total,
	    total > 0 ? (int)(100 * done / total) : 0);
	store_done(&c);
	roots_text(db, o->key, &roots);
	fprintf(fp, "%s\n", roots.p);
	buf_release(&roots);
	return store_corrupt(db->st) ? -1 : 0;
}

int
report_list(struct roo_db *db, int active_only, int json, FILE *fp)
{
	struct op_ref	*ops;
	size_t		 i, n, shown;
	int		 rc, active;

	ops = NULL;
	n = 0;
	rc = ops_read(db, &ops, &n);
	if (rc == 0 && json)
		fputc('[', fp);
	else if (rc == 0 && n > 0)
		fprintf(fp, "%-40s %-11s %-6s %-24s %19s %4s %s\n", "ID",
		    "STATE", "PHASE", "STARTED", "PROCESSED/TOTAL", "",
		    "ROOTS");
	for (i = 0, shown = 0; rc == 0 && i < n; i++) {
		active = strcmp(ops[i].state, "running") == 0 ||
		    strcmp(ops[i].state, "interrupted") == 0;
		if (active_only && !active)
			continue;
		if (json) {
			if (shown > 0)
				fputc(',', fp);
			rc = op_json(db, ops[i].key, ops[i].state, fp);
		} else
			rc = list_line(db, &ops[i], fp);
		shown++;
	}
	if (rc == 0 && json)
		fputs("]\n", fp);
	store_rollback(db->st);
	for (i = 0; i < n; i++)
		free(ops[i].id);
	free(ops);
	if (rc != 0)
		return -1;
	return out_check(fp);
}

static int
ckpt_healthy(struct roo_db *db, int64_t key, int64_t expected,
    int64_t *last_time)
{
	struct store_cur c;
	int		 healthy;

	healthy = 0;
	*last_time = 0;
	if (store_query(db->st, &c, SQL_REPORT_CKPT_HEALTH, "i", key) != 0)
		return 0;
	if (store_next(&c) == 1) {
		healthy = store_int(&c, 0) == expected &&
		    store_int(&c, 1) == expected && store_int(&c, 3) == 1;
		*last_time = store_int(&c, 2);
	}
	store_done(&c);
	return healthy;
}

static void
print_time(FILE *fp, const char *label, struct store_cur *c, int col)
{
	char	 t[TIME_ISO_LEN];

	if (store_isnull(c, col))
		return;
	time_iso8601(store_int(c, col), t);
	fprintf(fp, "%-13s%s\n", label, t);
}

static int
status_text(struct roo_db *db, int64_t key, const char *state, int healthy,
    int64_t last, FILE *fp)
{
	struct store_cur c;
	struct buf	 roots;
	char		 a[16], b[16], r[16], t[TIME_ISO_LEN];
	int64_t		 total, done;

	if (store_query(db->st, &c, SQL_REPORT_OP_ROW, "i", key) != 0)
		return -1;
	if (store_next(&c) != 1) {
		store_done(&c);
		return -1;
	}
	buf_init(&roots);
	buf_addstr(&roots, "");
	roots_text(db, key, &roots);
	fprintf(fp, "%-13s%s\n", "operation:", store_text(&c, 0));
	fprintf(fp, "%-13s%s", "state:", state);
	if (strcmp(state, "running") == 0)
		fprintf(fp, " (pid %lld on %s)", (long long)store_int(&c, 13),
		    store_text(&c, 14));
	fprintf(fp, "%s\n", store_int(&c, 15) ? ", archived" : "");
	fprintf(fp, "%-13s%s\n", "phase:", store_text(&c, 1));
	/* What was done to the files: applied, undone, or under way. */
	if (strcmp(store_text(&c, 17), "none") != 0)
		fprintf(fp, "%-13s%s\n", "apply:", store_text(&c, 17));
	fprintf(fp, "%-13s%s\n", "roots:", roots.p);
	print_time(fp, "started:", &c, 2);
	print_time(fp, "updated:", &c, 3);
	print_time(fp, "ended:", &c, 4);
	total = store_int(&c, 5);
	done = store_int(&c, 6);
	fprintf(fp, "%-13s%lld of %lld processed (%d%%)\n", "files:",
	    (long long)done, (long long)total,
	    total > 0 ? (int)(100 * done / total) : 0);
	format_bytes((uint64_t)store_int(&c, 8), a, sizeof(a));
	format_bytes((uint64_t)store_int(&c, 7), b, sizeof(b));
	format_bytes((uint64_t)store_int(&c, 9), r, sizeof(r));
	fprintf(fp, "%-13s%s of %s processed, %s read\n", "bytes:", a, b, r);
	time_iso8601(last, t);
	fprintf(fp, "%-13s%lld, last at %s, %s\n", "checkpoints:",
	    (long long)store_int(&c, 11), last > 0 ? t : "-",
	    store_int(&c, 15) ? "in the archive" : healthy ?
	    "chain head intact" : "DAMAGED (run verify)");
	fprintf(fp, "%-13s%lld\n", "errors:", (long long)store_int(&c, 10));
	fprintf(fp, "%-13s%lld\n", "runs:", (long long)store_int(&c, 12));
	store_done(&c);
	buf_release(&roots);

	if (store_query(db->st, &c, SQL_REPORT_TROUBLE, "i", key) == 0) {
		while (store_next(&c) == 1)
			fprintf(fp, "%-13s%lld %s\n", "", (long long)store_int(
			    &c, 1), store_text(&c, 0));
		store_done(&c);
	}
	if (store_query(db->st, &c, SQL_REPORT_GROUP_STATS, "i", key) == 0) {
		if (store_next(&c) == 1 && store_int(&c, 0) > 0) {
			format_bytes((uint64_t)store_int(&c, 2), a, sizeof(a));
			fprintf(fp, "%-13s%lld (%lld redundant files, %s "
			    "reclaimable)\n", "groups:",
			    (long long)store_int(&c, 0),
			    (long long)store_int(&c, 1), a);
		}
		store_done(&c);
	}
	/* Any statement that failed said so; the status is then wrong. */
	return store_corrupt(db->st) ? -1 : 0;
}

int
report_status(struct roo_db *db, const char *id, int json, FILE *fp)
{
	struct store_cur c;
	struct roo_op	*op;
	const char	*state;
	int64_t		 last;
	int		 busy, rc, healthy;

	last = 0;
	if (store_begin_read(db->st) != 0)
		return -1;
	rc = tracker_op_load(db, id, 0, &op, &busy);
	if (rc <= 0) {
		store_rollback(db->st);
		return rc == 0 ? 1 : -1;
	}
	state = report_state(db, op->id, op->state);
	/* An archived operation's chain is in its archive document. */
	healthy = op->archived || ckpt_healthy(db, op->key, op->seq, &last);
	if (json) {
		rc = store_query(db->st, &c, SQL_REPORT_STATUS_JSON, "itd",
		    op->key, state, healthy);
		if (rc == 0 && (rc = store_next(&c)) == 1) {
			fprintf(fp, "%s\n", store_text(&c, 0));
			rc = 0;
		} else
			rc = -1;
		store_done(&c);
	} else
		rc = status_text(db, op->key, state, healthy, last, fp);
	store_rollback(db->st);
	roo_op_free(op);
	if (rc != 0)
		return -1;
	return out_check(fp);
}
