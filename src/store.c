/*
 * store.c - open, migrate and query the SQLite state database.
 *
 * The database is in WAL mode so that readers (list, status, the sqlite3
 * shell) never block the writer, with synchronous=NORMAL: a commit is
 * durable against a crash of the process at once, and against a power cut
 * from the next WAL checkpoint on; SQLite never leaves it corrupt either
 * way.  WAL checkpoints come every 8192 pages rather than 1000: each one
 * copies pages back and fsyncs, and a scan commits thousands of small
 * transactions that rewrite the same few pages; while a scan hashes, they
 * run on a thread of their own (store_background_checkpoints).
 * Statements are prepared once with SQLITE_PREPARE_PERSISTENT and reset,
 * with bindings cleared, after every use.
 */
#include "config.h"

#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "log.h"
#include "util.h"

/* "rooc" */
#define APPLICATION_ID	0x726f6f63
#define BUSY_TIMEOUT_MS	60000

/* WAL frames after which a checkpoint is asked for (as the default
 * automatic one does at 8192), and after which the writer does one itself
 * whatever the background one is doing. */
#define CKPT_FRAMES	8192
#define CKPT_FRAMES_MAX	(8 * CKPT_FRAMES)

/* A thread that checkpoints the WAL on its own connection. */
struct ckpter {
	pthread_t	 thread;
	pthread_mutex_t	 lock;
	pthread_cond_t	 cv;
	sqlite3		*db;
	int		 want;		/* the writer asked for a run */
	int		 busy;		/* a run is going on */
	int		 done;		/* a run ended, unseen by the writer */
	int		 quit;
};

struct store {
	sqlite3		*db;
	struct ckpter	*ck;
	sqlite3_stmt	*stmt[SQL_COUNT];
	int		*pmap[SQL_COUNT];	/* parameter index by place */
	int		 npmap[SQL_COUNT];
	int		 corrupt;
	int		 quiet_constraint;
};

static int
rc_of(struct store *st, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		st->corrupt = 1;
		return STORE_CORRUPT;
	case SQLITE_CONSTRAINT:
		return STORE_CONSTRAINT;
	default:
		return STORE_ERR;
	}
}

/* Log a failure of what (a statement name) and map rc to a store_rc. */
static int
fail(struct store *st, int rc, const char *what)
{
	int	 r;

	r = rc_of(st, rc);
	if (r == STORE_CONSTRAINT && st->quiet_constraint) {
		log_debug("database constraint in '%s': %s", what,
		    sqlite3_errmsg(st->db));
		return r;
	}
	log_error("database error in '%s': %s", what,
	    st->db != NULL ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc));
	return r;
}

/* path_text(blob): the name as text, invalid UTF-8 bytes as U+FFFD. */
static void
fn_path_text(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct buf	 b;
	const void	*p;
	int		 n;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	p = sqlite3_value_blob(argv[0]);
	n = sqlite3_value_bytes(argv[0]);
	buf_init(&b);
	buf_addstr(&b, "");
	utf8_lossy(&b, p, (size_t)n);
	sqlite3_result_text(ctx, b.p, (int)b.len, free);
}

/* path_utf8(blob): 1 when the name is valid UTF-8. */
static void
fn_path_utf8(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const void	*p;
	int		 n;

	(void)argc;
	p = sqlite3_value_blob(argv[0]);
	n = sqlite3_value_bytes(argv[0]);
	sqlite3_result_int(ctx, p == NULL || utf8_valid(p, (size_t)n));
}

/* path_ext(blob): the extension of the last component, as text. */
static void
fn_path_ext(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct buf	 b;
	const char	*ext;
	size_t		 len;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	ext = path_extension(sqlite3_value_blob(argv[0]),
	    (size_t)sqlite3_value_bytes(argv[0]), &len);
	buf_init(&b);
	buf_addstr(&b, "");
	utf8_lossy(&b, (const unsigned char *)ext, len);
	sqlite3_result_text(ctx, b.p, (int)b.len, free);
}

/* iso_time(ns): ISO 8601 UTC with milliseconds, or NULL. */
static void
fn_iso_time(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char	 out[TIME_ISO_LEN];

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	time_iso8601(sqlite3_value_int64(argv[0]), out);
	sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

/*
 * file_seal(...12 values): FNV-1a 64 over the values with their types.
 * A checksum, not a MAC: it shows a row changed by hand or by damage.
 */
static void
fn_file_seal(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *p;
	uint64_t	 h, v;
	int		 i, k, n, t;

	h = 0xcbf29ce484222325ULL;
	for (i = 0; i < argc; i++) {
		t = sqlite3_value_type(argv[i]);
		h = (h ^ (uint64_t)t) * 0x100000001b3ULL;
		if (t == SQLITE_INTEGER || t == SQLITE_FLOAT) {
			v = (uint64_t)sqlite3_value_int64(argv[i]);
			for (k = 0; k < 8; k++)
				h = (h ^ ((v >> (8 * k)) & 0xff)) *
				    0x100000001b3ULL;
		} else if (t != SQLITE_NULL) {
			p = sqlite3_value_blob(argv[i]);
			n = sqlite3_value_bytes(argv[i]);
			h = (h ^ (uint64_t)n) * 0x100000001b3ULL;
			for (k = 0; k < n; k++)
				h = (h ^ p[k]) * 0x100000001b3ULL;
		}
	}
	sqlite3_result_int64(ctx, (sqlite3_int64)h);
}

/*
 * racy_ns(ctime): how close to a walk a file's ctime may be for a later
 * change in the same timestamp tick to go unseen.  Whole seconds mean a
 * file system with one-second times; else the kernel's clock tick.
 */
static void
fn_racy_ns(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	sqlite3_result_int64(ctx, sqlite3_value_int64(argv[0]) %
	    1000000000 == 0 ? 2000000000 : 20000000);
}

/* iso_ns(text): ISO 8601 (UTC, "Z" or an offset) to ns, or NULL. */
static void
fn_iso_ns(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char	*t;
	int64_t		 ns;

	(void)argc;
	t = (const char *)sqlite3_value_text(argv[0]);
	if (t == NULL || time_parse_iso8601(t, &ns) != 0)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_int64(ctx, ns);
}

/* hex_blob(text): the bytes an even run of hex digits spells, or NULL. */
static void
fn_hex_blob(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const unsigned char *t;
	unsigned char	*out;
	size_t		 n, i;
	int		 hi, lo;

	(void)argc;
	t = sqlite3_value_text(argv[0]);
	n = t != NULL ? strlen((const char *)t) : 1;
	if (t == NULL || n % 2 != 0) {
		sqlite3_result_null(ctx);
		return;
	}
	out = xmalloc(n / 2 + 1);
	for (i = 0; i < n / 2; i++) {
		hi = hex_digit(t[2 * i]);
		lo = hex_digit(t[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(out);
			sqlite3_result_null(ctx);
			return;
		}
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	sqlite3_result_blob(ctx, out, (int)(n / 2), free);
}

static int
register_functions(struct store *st)
{
	static const struct {
		const char	*name;
		void		(*fn)(sqlite3_context *, int,
				    sqlite3_value **);
	} fns[] = {
		{ "path_text", fn_path_text },
		{ "path_utf8", fn_path_utf8 },
		{ "path_ext", fn_path_ext },
		{ "iso_time", fn_iso_time },
		{ "racy_ns", fn_racy_ns },
		{ "iso_ns", fn_iso_ns },
		{ "hex_blob", fn_hex_blob },
	};
	size_t	 i;
	int	 rc;

	for (i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		rc = sqlite3_create_function_v2(st->db, fns[i].name, 1,
		    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
		    NULL, fns[i].fn, NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			return fail(st, rc, fns[i].name);
	}
	rc = sqlite3_create_function_v2(st->db, "file_seal", 12,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
	    fn_file_seal, NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return fail(st, rc, "file_seal");
	return 0;
}

static int
trace_cb(unsigned int type, void *ctx, void *p, void *x)
{
	sqlite3_stmt	*stmt;
	char		*sql;

	(void)ctx;
	if (type != SQLITE_TRACE_PROFILE)
		return 0;
	stmt = p;
	sql = sqlite3_expanded_sql(stmt);
	log_trace("sql %.3f ms: %s", (double)*(int64_t *)x / 1e6,
	    sql != NULL ? sql : sqlite3_sql(stmt));
	sqlite3_free(sql);
	return 0;
}

int
store_script(struct store *st, const char *sql, const char *what)
{
	char	*msg;
	int	 rc;

	msg = NULL;
	rc = sqlite3_exec(st->db, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK) {
		log_error("database error in '%s': %s", what,
		    msg != NULL ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return rc_of(st, rc);
	}
	return 0;
}

static int
pragma_int(struct store *st, const char *sql, int64_t *out)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	rc = sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return fail(st, rc, sql);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(stmt, 0);
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE)
		rc = SQLITE_OK;
	sqlite3_finalize(stmt);
	if (rc != SQLITE_OK)
		return fail(st, rc, sql);
	return 0;
}

/*
 * Put the database in WAL mode.  Changing the mode of a new database
 * needs an exclusive lock, and SQLite does not call the busy handler for
 * it: two processes creating the database together must retry.
 */
static int
set_wal(struct store *st)
{
	int	 rc, waited;

	for (waited = 0;; waited += 10) {
		rc = sqlite3_exec(st->db, "PRAGMA journal_mode = WAL", NULL,
		    NULL, NULL);
		if (rc == SQLITE_OK)
			return 0;
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			break;
		if (waited >= BUSY_TIMEOUT_MS)
			break;
		usleep(10000);
	}
	return fail(st, rc, "PRAGMA journal_mode");
}

/* Create the schema in a new database, or migrate an older one. */
static int
schema_setup(struct store *st)
{
	int64_t	 appid, version, tables;
	char	 sql[64];
	int	 rc, v;

	/* A current database needs no write: readers must never wait. */
	appid = version = tables = 0;
	if ((rc = pragma_int(st, "PRAGMA application_id", &appid)) != 0 ||
	    (rc = pragma_int(st, "PRAGMA user_version", &version)) != 0)
		return rc;
	if (appid == APPLICATION_ID && version == SQL_SCHEMA_VERSION)
		return 0;

	/* Create or migrate, asking again under the write lock. */
	if (store_begin(st) != 0)
		return STORE_ERR;
	if ((rc = pragma_int(st, "PRAGMA application_id", &appid)) != 0 ||
	    (rc = pragma_int(st, "PRAGMA user_version", &version)) != 0 ||
	    (rc = pragma_int(st, "SELECT count(*) FROM sqlite_schema",
	    &tables)) != 0)
		goto fail;

	if (appid == 0 && version == 0 && tables == 0) {
		if ((rc = store_script(st, sql_schema, "schema")) != 0)
			goto fail;
		snprintf(sql, sizeof(sql), "PRAGMA application_id = %d",
		    APPLICATION_ID);
		if ((rc = store_script(st, sql, "application_id")) != 0)
			goto fail;
		version = 0;
		v = SQL_SCHEMA_VERSION;
		goto set_version;
	}
	if (appid != APPLICATION_ID) {
		log_error("the state database is a SQLite database, but not "
		    "one of roocode (application_id %lld)", (long long)appid);
		rc = STORE_FOREIGN;
		goto fail;
	}
	if (version > SQL_SCHEMA_VERSION) {
		log_error("the state database has schema version %lld, newer "
		    "than this program's %d", (long long)version,
		    SQL_SCHEMA_VERSION);
		rc = STORE_ERR;
		goto fail;
	}
	for (v = (int)version + 1; v <= SQL_SCHEMA_VERSION; v++) {
		if (sql_migrate[v] == NULL) {
			log_error("no migration to schema version %d", v);
			rc = STORE_ERR;
			goto fail;
		}
		log_verbose("migrating the state database to version %d", v);
		if ((rc = store_script(st, sql_migrate[v], "migration")) != 0)
			goto fail;
	}
	v = SQL_SCHEMA_VERSION;
set_version:
	if (version != v) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", v);
		if ((rc = store_script(st, sql, "user_version")) != 0)
			goto fail;
	}
	return store_commit(st);
fail:
	store_rollback(st);
	return rc;
}

int
store_open(const char *path, struct store **out)
{
	struct store	*st;
	int64_t		 n;
	int		 rc;

	st = xcalloc(1, sizeof(*st));
	rc = sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		rc = fail(st, rc, path);
		goto out;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, BUSY_TIMEOUT_MS);
	if (log_level >= LOG_TRACE)
		sqlite3_trace_v2(st->db, SQLITE_TRACE_PROFILE, trace_cb, NULL);

	/* Reading the schema is the first read: a damaged file shows here. */
	if ((rc = pragma_int(st, "SELECT count(*) FROM sqlite_schema",
	    &n)) != 0)
		goto out;
	/* A 4 MiB page cache: the phases touch the file rows in order, so
	 * a larger one saves no reads, and each transaction's end costs
	 * time in proportion to it (16 MiB was no faster, 64 MiB slower). */
	if ((rc = set_wal(st)) != 0 ||
	    (rc = store_script(st, "PRAGMA synchronous = NORMAL;"
	    "PRAGMA foreign_keys = ON;"
	    "PRAGMA cache_size = -4096;"
	    "PRAGMA wal_autocheckpoint = 8192;"
	    "PRAGMA temp_store = FILE;", "pragmas")) != 0)
		goto out;
	if ((rc = register_functions(st)) != 0)
		goto out;
	rc = schema_setup(st);
out:
	if (rc != 0) {
		store_close(st);
		return rc;
	}
	*out = st;
	return 0;
}

static void *
ckpt_thread(void *arg)
{
	struct ckpter	*k = arg;

	pthread_mutex_lock(&k->lock);
	for (;;) {
		while (!k->want && !k->quit)
			pthread_cond_wait(&k->cv, &k->lock);
		if (k->quit)
			break;
		k->want = 0;
		k->busy = 1;
		pthread_mutex_unlock(&k->lock);
		/* Copies and syncs without waiting for the writer, which
		 * goes on committing meanwhile. */
		(void)sqlite3_wal_checkpoint_v2(k->db, "main",
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
		pthread_mutex_lock(&k->lock);
		k->busy = 0;
		k->done = 1;
	}
	pthread_mutex_unlock(&k->lock);
	return NULL;
}

/*
 * After each commit of the writer: ask the thread for a checkpoint once
 * the WAL is long; once it has done one, checkpoint the few frames
 * written meanwhile here, which lets the next transaction start the WAL
 * over.  The long copy and its syncs happen on the thread.
 */
static int
ckpt_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct ckpter	*k = arg;
	int		 here;

	here = frames >= CKPT_FRAMES_MAX;
	pthread_mutex_lock(&k->lock);
	if (k->done) {
		k->done = 0;
		here = 1;
	} else if (frames >= CKPT_FRAMES && !k->want && !k->busy) {
		k->want = 1;
		pthread_cond_signal(&k->cv);
	}
	pthread_mutex_unlock(&k->lock);
	if (here)
		(void)sqlite3_wal_checkpoint_v2(db, name,
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
	return SQLITE_OK;
}

int
store_background_checkpoints(struct store *st, int on)
{
	struct ckpter	*k;
	const char	*path;
	sigset_t	 all, old;
	int		 rc;

	if (on && st->ck == NULL) {
		path = sqlite3_db_filename(st->db, "main");
		if (path == NULL || *path == '\0')
			return 0;
		k = xcalloc(1, sizeof(*k));
		if (sqlite3_open_v2(path, &k->db, SQLITE_OPEN_READWRITE,
		    NULL) != SQLITE_OK) {
			sqlite3_close(k->db);
			free(k);
			return 0;	/* the writer checkpoints, as before */
		}
		pthread_mutex_init(&k->lock, NULL);
		pthread_cond_init(&k->cv, NULL);
		sigfillset(&all);
		pthread_sigmask(SIG_SETMASK, &all, &old);
		rc = pthread_create(&k->thread, NULL, ckpt_thread, k);
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (rc != 0) {
			pthread_cond_destroy(&k->cv);
			pthread_mutex_destroy(&k->lock);
			sqlite3_close(k->db);
			free(k);
			return 0;
		}
		st->ck = k;
		sqlite3_wal_hook(st->db, ckpt_hook, k);
	} else if (!on && (k = st->ck) != NULL) {
		pthread_mutex_lock(&k->lock);
		k->quit = 1;
		pthread_cond_signal(&k->cv);
		pthread_mutex_unlock(&k->lock);
		pthread_join(k->thread, NULL);
		sqlite3_close(k->db);
		pthread_cond_destroy(&k->cv);
		pthread_mutex_destroy(&k->lock);
		free(k);
		st->ck = NULL;
		sqlite3_wal_autocheckpoint(st->db, CKPT_FRAMES);
	}
	return 0;
}

void
store_close(struct store *st)
{
	size_t	 i;

	if (st == NULL)
		return;
	(void)store_background_checkpoints(st, 0);
	for (i = 0; i < SQL_COUNT; i++) {
		sqlite3_finalize(st->stmt[i]);
		free(st->pmap[i]);
	}
	if (st->db != NULL && sqlite3_close(st->db) != SQLITE_OK)
		log_error("cannot close the state database: %s",
		    sqlite3_errmsg(st->db));
	free(st);
}

int
store_corrupt(const struct store *st)
{
	return st->corrupt;
}

int
store_quarantine(const char *path, const char *dir, char **moved)
{
	static const char *const suffix[] = { "", "-wal", "-shm" };
	char		 stamp[TIME_ISO_LEN];
	char		*base, *from, *to;
	const char	*name;
	struct stat	 sb;
	size_t		 i;
	int		 rc, n;

	name = strrchr(path, '/');
	name = name != NULL ? name + 1 : path;
	time_iso8601(time_now_ns(), stamp);
	rc = 0;
	base = NULL;
	for (n = 0; base == NULL; n++) {
		base = n == 0 ? xasprintf("%s/%s.%s", dir, name, stamp) :
		    xasprintf("%s/%s.%s.%d", dir, name, stamp, n);
		if (lstat(base, &sb) == 0 || errno != ENOENT) {
			free(base);
			base = NULL;
		}
	}
	for (i = 0; i < 3; i++) {
		from = xasprintf("%s%s", path, suffix[i]);
		to = xasprintf("%s%s", base, suffix[i]);
		/* link then unlink: never replaces an existing file. */
		if (link(from, to) == 0) {
			if (unlink(from) != 0)
				rc = error("cannot remove '%s': %s", from,
				    strerror(errno));
		} else if (errno != ENOENT)
			rc = error("cannot move '%s' to '%s': %s", from, to,
			    strerror(errno));
		free(from);
		free(to);
	}
	*moved = base;
	return rc;
}

int
store_begin(struct store *st)
{
	int	 rc;

	rc = sqlite3_exec(st->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return fail(st, rc, "BEGIN IMMEDIATE");
	return 0;
}

int
store_begin_read(struct store *st)
{
	int	 rc;

	rc = sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return fail(st, rc, "BEGIN");
	return 0;
}

int
store_commit(struct store *st)
{
	int	 rc;

	rc = sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		rc = fail(st, rc, "COMMIT");
		store_rollback(st);
		return rc;
	}
	return 0;
}

void
store_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(st->db))
		(void)sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int
store_in_txn(const struct store *st)
{
	return !sqlite3_get_autocommit(st->db);
}

int
store_synchronous(struct store *st, int full)
{
	return store_script(st, full ? "PRAGMA synchronous = FULL" :
	    "PRAGMA synchronous = NORMAL", "synchronous");
}

void
store_expect_constraint(struct store *st)
{
	st->quiet_constraint = 1;
}

/*
 * Map the parameter names declared in the statement's header comment to
 * their indexes, so the format string binds them in declared order.
 */
static void
map_params(struct store *st, enum sql_id id)
{
	char	*names, *name, *save;
	char	 param[64];
	int	 n, idx;

	names = xstrdup(sql_params[id]);
	n = 0;
	st->pmap[id] = xcalloc(strlen(names) / 2 + 1, sizeof(int));
	for (name = strtok_r(names, " ", &save); name != NULL;
	    name = strtok_r(NULL, " ", &save)) {
		snprintf(param, sizeof(param), ":%s", name);
		idx = sqlite3_bind_parameter_index(st->stmt[id], param);
		if (idx == 0)
			die("statement %s has no parameter %s", sql_name[id],
			    param);
		st->pmap[id][n++] = idx;
	}
	free(names);
	if (n != sqlite3_bind_parameter_count(st->stmt[id]))
		die("statement %s declares %d parameters but has %d",
		    sql_name[id], n,
		    sqlite3_bind_parameter_count(st->stmt[id]));
	st->npmap[id] = n;
}

static int
prepare(struct store *st, enum sql_id id, sqlite3_stmt **out)
{
	int	 rc;

	if (st->stmt[id] == NULL) {
		rc = sqlite3_prepare_v3(st->db, sql_text[id], -1,
		    SQLITE_PREPARE_PERSISTENT, &st->stmt[id], NULL);
		if (rc != SQLITE_OK)
			return fail(st, rc, sql_name[id]);
		map_params(st, id);
	}
	*out = st->stmt[id];
	return 0;
}

static int
vbind(struct store *st, sqlite3_stmt *stmt, enum sql_id id,
    const char *fmt, va_list ap)
{
	const void	*p;
	size_t		 n;
	int		 i, k, rc;

	rc = SQLITE_OK;
	for (k = 0; *fmt != '\0' && rc == SQLITE_OK; fmt++, k++) {
		if (k >= st->npmap[id])
			die("statement %s takes %d parameters, more bound",
			    sql_name[id], st->npmap[id]);
		i = st->pmap[id][k];
		switch (*fmt) {
		case 'i':
			rc = sqlite3_bind_int64(stmt, i, va_arg(ap, int64_t));
			break;
		case 'd':
			rc = sqlite3_bind_int(stmt, i, va_arg(ap, int));
			break;
		case 't':
			p = va_arg(ap, const char *);
			rc = p == NULL ? sqlite3_bind_null(stmt, i) :
			    sqlite3_bind_text(stmt, i, p, -1, SQLITE_STATIC);
			break;
		case 'b':
			p = va_arg(ap, const void *);
			n = va_arg(ap, size_t);
			rc = p == NULL ? sqlite3_bind_null(stmt, i) :
			    sqlite3_bind_blob64(stmt, i, p, n, SQLITE_STATIC);
			break;
		case 'h':
			p = va_arg(ap, const unsigned char *);
			rc = p == NULL ? sqlite3_bind_null(stmt, i) :
			    sqlite3_bind_blob(stmt, i, p, HASH_LEN,
			    SQLITE_STATIC);
			break;
		case 'n':
			rc = sqlite3_bind_null(stmt, i);
			break;
		default:
			die("bad bind format '%c' for %s", *fmt, sql_name[id]);
		}
	}
	if (rc != SQLITE_OK)
		return fail(st, rc, sql_name[id]);
	if (k != st->npmap[id])
		die("statement %s takes %d parameters, %d bound", sql_name[id],
		    st->npmap[id], k);
	return 0;
}

static void
finish(sqlite3_stmt *stmt)
{
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
}

static int
vquery(struct store *st, struct store_cur *c, enum sql_id id,
    const char *fmt, va_list ap)
{
	sqlite3_stmt	*stmt;
	int		 rc;

	c->st = st;
	c->stmt = NULL;
	c->id = id;
	stmt = NULL;
	if ((rc = prepare(st, id, &stmt)) != 0)
		return rc;
	if ((rc = vbind(st, stmt, id, fmt, ap)) != 0) {
		finish(stmt);
		return rc;
	}
	c->stmt = stmt;
	return 0;
}

int
store_query(struct store *st, struct store_cur *c, enum sql_id id,
    const char *fmt, ...)
{
	va_list	 ap;
	int	 rc;

	va_start(ap, fmt);
	rc = vquery(st, c, id, fmt, ap);
	va_end(ap);
	return rc;
}

int
store_next(struct store_cur *c)
{
	int	 rc;

	if (c->stmt == NULL)
		return -1;
	rc = sqlite3_step(c->stmt);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	rc = fail(c->st, rc, sql_name[c->id]);
	c->st->quiet_constraint = 0;
	return rc;
}

void
store_done(struct store_cur *c)
{
	if (c->stmt != NULL)
		finish(c->stmt);
	c->stmt = NULL;
	c->st->quiet_constraint = 0;
}

int
store_exec(struct store *st, enum sql_id id, const char *fmt, ...)
{
	struct store_cur c;
	va_list		 ap;
	int		 rc;

	va_start(ap, fmt);
	rc = vquery(st, &c, id, fmt, ap);
	va_end(ap);
	if (rc != 0) {
		st->quiet_constraint = 0;
		return rc;
	}
	while ((rc = store_next(&c)) == 1)
		;
	store_done(&c);
	return rc;
}

int
store_get_int(struct store *st, int64_t *out, enum sql_id id,
    const char *fmt, ...)
{
	struct store_cur c;
	va_list		 ap;
	int		 rc;

	va_start(ap, fmt);
	rc = vquery(st, &c, id, fmt, ap);
	va_end(ap);
	if (rc != 0)
		return -1;
	rc = store_next(&c);
	if (rc == 1 && store_isnull(&c, 0))
		rc = 0;
	if (rc == 1)
		*out = store_int(&c, 0);
	store_done(&c);
	return rc < 0 ? -1 : rc;
}

int64_t
store_changes(const struct store *st)
{
	return sqlite3_changes64(st->db);
}

int64_t
store_last_rowid(const struct store *st)
{
	return sqlite3_last_insert_rowid(st->db);
}

int
store_isnull(struct store_cur *c, int col)
{
	return sqlite3_column_type(c->stmt, col) == SQLITE_NULL;
}

int64_t
store_int(struct store_cur *c, int col)
{
	return sqlite3_column_int64(c->stmt, col);
}

double
store_double(struct store_cur *c, int col)
{
	return sqlite3_column_double(c->stmt, col);
}

const char *
store_text(struct store_cur *c, int col)
{
	return (const char *)sqlite3_column_text(c->stmt, col);
}

const void *
store_blob(struct store_cur *c, int col, size_t *len)
{
	const void	*p;

	p = sqlite3_column_blob(c->stmt, col);
	*len = (size_t)sqlite3_column_bytes(c->stmt, col);
	return p;
}

/* Run a PRAGMA that answers "ok" when clean; collect any other rows. */
static int
check_pragma(struct store *st, const char *sql, int ok_row, char **msg)
{
	sqlite3_stmt	*stmt;
	struct buf	 b;
	const char	*row;
	int		 rc, n, i;

	*msg = NULL;
	rc = sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL);
	if (rc != SQLITE_OK)
		return fail(st, rc, sql) == STORE_CORRUPT ? 1 : -1;
	buf_init(&b);
	n = 0;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		row = (const char *)sqlite3_column_text(stmt, 0);
		if (ok_row && row != NULL && strcmp(row, "ok") == 0)
			continue;
		if (n++ < 10) {
			if (b.len > 0)
				buf_addstr(&b, "; ");
			for (i = 0; i < sqlite3_column_count(stmt); i++)
				buf_printf(&b, "%s%s", i > 0 ? " " : "",
				    sqlite3_column_text(stmt, i) != NULL ?
				    (const char *)sqlite3_column_text(stmt, i) :
				    "NULL");
		}
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE) {
		if (rc_of(st, rc) == STORE_CORRUPT) {
			buf_printf(&b, "%s%s", b.len > 0 ? "; " : "",
			    sqlite3_errstr(rc));
			*msg = b.p;
			return 1;
		}
		buf_release(&b);
		return fail(st, rc, sql) == STORE_CORRUPT ? 1 : -1;
	}
	if (n == 0) {
		buf_release(&b);
		return 0;
	}
	*msg = b.p;
	return 1;
}

int
store_quick_check(struct store *st, char **msg)
{
	return check_pragma(st, "PRAGMA quick_check", 1, msg);
}

int
store_fk_check(struct store *st, char **msg)
{
	return check_pragma(st, "PRAGMA foreign_key_check", 0, msg);
}

const char *
store_version(void)
{
	return sqlite3_libversion();
}
