/*
 * import.c - turn checkpoint documents back into operations.
 *
 * A document is checked first (JSON syntax with the position of the first
 * error, then the fields import needs, each named by its JSON path), then
 * written in one transaction: a document either becomes a whole operation
 * or leaves nothing.  Row ids move by a base so they cannot collide; the
 * checkpoint digests are computed anew over the rows as imported, so the
 * operation verifies like one recorded here.
 */
#include "config.h"

#include "import.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsoncheck.h"
#include "log.h"
#include "store.h"
#include "tracker.h"
#include "util.h"

static char *
slurp(const char *path, size_t *len)
{
	struct buf	 b;
	char		 chunk[65536];
	ssize_t		 n;
	int		 fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	buf_init(&b);
	buf_addstr(&b, "");
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		buf_add(&b, chunk, (size_t)n);
	close(fd);
	if (n < 0) {
		buf_release(&b);
		return NULL;
	}
	*len = b.len;
	return b.p;
}

/* Check the fields every later statement relies on. */
static int
check_shape(struct store *st, const char *file, const char *doc)
{
	static const struct {
		int		 col;
		const char	*path;
		const char	*want;
		const char	*types;
	} fields[] = {
		{ 0, "$.operationId", "a string", " text " },
		{ 1, "$.startTime", "a string", " text " },
		{ 2, "$.totalFiles", "an integer", " integer " },
		{ 3, "$.processedFiles", "an integer", " integer " },
		{ 4, "$.state", "a string", " text " },
		{ 5, "$.checkpoints", "an array", " array " },
	};
	struct store_cur c;
	const char	*t;
	char		 word[32];
	size_t		 i;
	int64_t		 bad;
	int		 rc;

	if (store_query(st, &c, SQL_IMPORT_SHAPE, "t", doc) != 0)
		return -1;
	if (store_next(&c) != 1) {
		store_done(&c);
		return -1;
	}
	rc = 0;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]) && rc == 0; i++) {
		t = store_text(&c, fields[i].col);
		snprintf(word, sizeof(word), " %s ", t != NULL ? t : "none");
		if (strstr(fields[i].types, word) == NULL)
			rc = error("import: '%s': %s must be %s", file,
			    fields[i].path, fields[i].want);
	}
	if (rc == 0 && store_isnull(&c, 8))
		rc = error("import: '%s': $.startTime is not an ISO 8601 time",
		    file);
	if (rc == 0 && (t = store_text(&c, 6)) != NULL &&
	    strcmp(t, "array") != 0)
		rc = error("import: '%s': $.files must be an array", file);
	store_done(&c);
	if (rc != 0)
		return -1;
	if ((rc = store_get_int(st, &bad, SQL_IMPORT_BAD_CHECKPOINT, "t",
	    doc)) < 0)
		return -1;
	if (rc == 1)
		return error("import: '%s': $.checkpoints[%lld] needs a "
		    "timestamp, an integer processedFiles and an array of "
		    "operations", file, (long long)bad);
	return 0;
}

/* Compute the digest chain over the rows as imported. */
static int
seal_chain(struct roo_db *db, int64_t key, const char *id, int64_t n)
{
	struct store_cur c;
	unsigned char	 logdig[HASH_LEN], dig[HASH_LEN], prev[HASH_LEN];
	int64_t		 seq, nlog;
	int		 rc;

	for (seq = 1; seq <= n; seq++) {
		if (log_digest(db, key, seq, logdig, &nlog) != 0 ||
		    store_query(db->st, &c, SQL_IMPORT_CKPT_ROW, "ii", key,
		    seq) != 0)
			return -1;
		rc = store_next(&c);
		if (rc == 1)
			checkpoint_digest(db->h, id, seq > 1 ? prev : NULL, seq,
			    store_int(&c, 0), store_text(&c, 1),
			    store_int(&c, 2), store_int(&c, 3),
			    store_int(&c, 4), nlog, logdig, dig);
		store_done(&c);
		if (rc != 1 || store_exec(db->st, SQL_IMPORT_CKPT_SEAL, "iiihh",
		    key, seq, nlog, logdig, dig) != 0)
			return -1;
		memcpy(prev, dig, HASH_LEN);
	}
	return store_exec(db->st, SQL_IMPORT_OP_SEAL, "iih", key, n,
	    n > 0 ? prev : NULL);
}

/* Write the operation; the caller holds the transaction. */
static int
write_op(struct roo_db *db, const char *doc, int ours, const char *id,
    int64_t *keyp)
{
	struct store	*st;
	int64_t		 key, base, n;
	char		 host[256];

	st = db->st;
	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "unknown");
	host[sizeof(host) - 1] = '\0';
	if (store_get_int(st, &base, SQL_IMPORT_MAX_FILE, "") < 0 ||
	    store_exec(st, SQL_IMPORT_OP, "tt", doc, host) != 0)
		return -1;
	key = store_last_rowid(st);
	*keyp = key;
	if (store_exec(st, SQL_IMPORT_ROOTS, "it", key, doc) != 0 ||
	    (ours && store_exec(st, SQL_IMPORT_FILES, "iti", key, doc,
	    base) != 0) ||
	    store_exec(st, SQL_IMPORT_ENTRIES_CREATE, "") != 0 ||
	    store_exec(st, SQL_IMPORT_ENTRIES_CLEAR, "") != 0 ||
	    store_exec(st, SQL_IMPORT_ENTRIES, "t", doc) != 0 ||
	    (!ours && store_exec(st, SQL_IMPORT_SEED_FILES, "i", key) != 0) ||
	    store_exec(st, SQL_IMPORT_CHECKPOINTS, "it", key, doc) != 0 ||
	    store_exec(st, SQL_IMPORT_LOG, "ii", key, base) != 0 ||
	    store_exec(st, SQL_IMPORT_ENTRIES_CLEAR, "") != 0)
		return -1;
	if (ours && (store_exec(st, SQL_IMPORT_ALIASES, "ti", doc, base) != 0 ||
	    store_exec(st, SQL_IMPORT_GROUPS, "it", key, doc) != 0 ||
	    store_exec(st, SQL_IMPORT_MEMBERS, "iti", key, doc, base) != 0 ||
	    store_exec(st, SQL_IMPORT_ACTIONS, "iti", key, doc, base) != 0 ||
	    store_exec(st, SQL_IMPORT_SUMMARY, "it", key, doc) != 0))
		return -1;
	/* An earlier tracker's counters need not match the files it named. */
	if (!ours && store_exec(st, SQL_VERIFY_RECOUNT_OP, "i", key) != 0)
		return -1;
	if (store_get_int(st, &n, SQL_IMPORT_CKPT_COUNT, "i", key) < 0)
		return -1;
	return seal_chain(db, key, id, n);
}

int
import_file(struct roo_db *db, const char *file, char **idp)
{
	struct json_error e;
	struct store_cur c;
	struct store	*st;
	char		*doc, *id;
	size_t		 len;
	int64_t		 exists, key;
	int		 ours, rc;

	*idp = NULL;
	st = db->st;
	doc = slurp(file, &len);
	if (doc == NULL)
		return error("import: cannot read '%s': %s", file,
		    strerror(errno));
	rc = -1;
	id = NULL;
	if (json_check(doc, len, &e) != 0) {
		error("import: '%s' is not valid JSON: %s at line %zu, column "
		    "%zu (byte %zu)", file, e.what, e.line, e.column, e.offset);
		goto out;
	}
	if (check_shape(st, file, doc) != 0)
		goto out;
	if (store_query(st, &c, SQL_IMPORT_SHAPE, "t", doc) != 0)
		goto out;
	if (store_next(&c) == 1) {
		id = xstrdup(store_text(&c, 7));
		ours = !store_isnull(&c, 6);
	}
	store_done(&c);
	if (id == NULL)
		goto out;
	if (store_get_int(st, &exists, SQL_IMPORT_EXISTS, "t", id) < 0)
		goto out;
	if (exists) {
		error("import: '%s': operation %s already exists", file, id);
		goto out;
	}
	/* All of it or nothing. */
	if (store_begin(st) != 0)
		goto out;
	if (write_op(db, doc, ours, id, &key) != 0 || store_commit(st) != 0) {
		store_rollback(st);
		error("import: '%s': nothing imported", file);
		goto out;
	}
	*idp = id;
	id = NULL;
	rc = 0;
out:
	free(id);
	free(doc);
	return rc;
}
