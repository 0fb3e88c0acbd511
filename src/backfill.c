/*
 * backfill.c - reconstruct missing log entries and bring the JSON-lines
 * log file up to date.
 *
 * Backfilling is reconciliation, not replay: one INSERT ... SELECT per
 * kind of entry adds the entries that the checkpointed rows prove
 * happened (a settled file, a group, the start and the completion) and
 * that the log lacks.  Each is flagged backfilled, dated by the checkpoint
 * that committed the result, and attached to it; backfilled rows are not
 * part of any checkpoint digest.  Running it again adds nothing.
 *
 * The file logs/<id>.log holds one JSON line per entry, each carrying the
 * entry's id; syncing reads the ids present and appends the rest in id
 * order, so no line is ever written twice.
 */
#include "config.h"

#include "tracker.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "store.h"
#include "util.h"

int
tracker_backfill(struct roo_db *db, int64_t key, uint64_t *added)
{
	static const enum sql_id kinds[] = {
		SQL_BACKFILL_OPERATION, SQL_BACKFILL_ERROR,
		SQL_BACKFILL_GROUP, SQL_BACKFILL_STATE
	};
	struct store	*st;
	size_t		 i;

	st = db->st;
	*added = 0;
	if (store_exec(st, SQL_BACKFILL_LOGGED_CREATE, "") != 0 ||
	    store_begin(st) != 0)
		return -1;
	if (store_exec(st, SQL_BACKFILL_LOGGED_CLEAR, "") != 0 ||
	    store_exec(st, SQL_BACKFILL_LOGGED_FILL, "i", key) != 0)
		goto fail;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		if (store_exec(st, kinds[i], "i", key) != 0)
			goto fail;
		*added += (uint64_t)store_changes(st);
	}
	if (store_exec(st, SQL_BACKFILL_LOGGED_CLEAR, "") != 0 ||
	    store_commit(st) != 0)
		goto fail;
	return 0;
fail:
	store_rollback(st);
	return -1;
}

/* Parse the id at the start of a line {"id":N,...}; 0 when none. */
static int64_t
line_id(const char *s, size_t n)
{
	static const char prefix[] = "{\"id\":";
	int64_t		 id;
	size_t		 i;

	if (n < sizeof(prefix) || memcmp(s, prefix, sizeof(prefix) - 1) != 0)
		return 0;
	id = 0;
	for (i = sizeof(prefix) - 1; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		id = id * 10 + (s[i] - '0');
	return i < n && s[i] == ',' ? id : 0;
}

/*
 * Record the ids of the lines already in the file.  A torn last line (a
 * crash in the middle of an append) is saved aside and cut off.
 */
static int
read_seen(struct roo_db *db, int fd, const char *id)
{
	struct buf	 line;
	char		 chunk[65536], stamp[TIME_ISO_LEN];
	char		*torn;
	off_t		 end;
	ssize_t		 n, i;
	int64_t		 lid;
	int		 rc;

	buf_init(&line);
	rc = 0;
	end = 0;
	while (rc == 0 && (n = read(fd, chunk, sizeof(chunk))) > 0) {
		for (i = 0; i < n && rc == 0; i++) {
			if (chunk[i] != '\n') {
				buf_addch(&line, chunk[i]);
				continue;
			}
			end += (off_t)line.len + 1;
			lid = line_id(line.p, line.len);
			if (lid > 0)
				rc = store_exec(db->st, SQL_BACKFILL_SEEN_ADD,
				    "i", lid);
			buf_reset(&line);
		}
	}
	if (rc == 0 && line.len > 0) {
		time_iso8601(time_now_ns(), stamp);
		torn = xasprintf("%s/checkpoints/corrupted/%s.log.torn.%s",
		    db->dot, id, stamp);
		log_warn("the log file of %s ends in a torn line; saved it as "
		    "'%s'", id, torn);
		n = -1;
		int tfd = open(torn, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		    0644);
		if (tfd >= 0) {
			n = write(tfd, line.p, line.len);
			if (fsync(tfd) != 0)
				n = -1;
			close(tfd);
		}
		if (n != (ssize_t)line.len || ftruncate(fd, end) != 0)
			rc = error("cannot set aside the torn line of the log "
			    "of %s: %s", id, strerror(errno));
		free(torn);
	}
	buf_release(&line);
	return rc;
}

/* 1 with *upto when the file is as the last sync left it, else 0. */
static int
synced(struct roo_db *db, int64_t key, int fd, int64_t *upto)
{
	struct store_cur c;
	struct stat	 sb;
	int		 rc;

	if (fstat(fd, &sb) != 0 || sb.st_size == 0)
		return 0;
	if (store_query(db->st, &c, SQL_BACKFILL_SYNCED, "i", key) != 0)
		return -1;
	rc = store_next(&c);
	if (rc == 1) {
		*upto = store_int(&c, 0);
		rc = store_int(&c, 1) == (int64_t)sb.st_size && *upto > 0;
	}
	store_done(&c);
	return rc;
}

int
tracker_log_sync(struct roo_db *db, int64_t key, const char *id,
    uint64_t *appended)
{
	struct store_cur c;
	struct stat	 sb;
	struct buf	 out;
	const char	*s;
	char		*path;
	int64_t		 upto;
	int		 fd, rc;

	*appended = 0;
	upto = 0;
	path = xasprintf("%s/logs/%s.log", db->dot, id);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0) {
		rc = error("cannot open '%s': %s", path, strerror(errno));
		free(path);
		return rc;
	}
	buf_init(&out);
	rc = -1;
	if (store_exec(db->st, SQL_BACKFILL_SEEN_CREATE, "") != 0 ||
	    store_exec(db->st, SQL_BACKFILL_SEEN_CLEAR, "") != 0)
		goto out;
	/*
	 * The file as the last sync left it (same size) holds every entry
	 * up to the one recorded: only newer ones are missing.  Otherwise
	 * read it to find which are.
	 */
	if (synced(db, key, fd, &upto) > 0) {
		if (store_exec(db->st, SQL_BACKFILL_SEEN_UPTO, "ii", key,
		    upto) != 0)
			goto out;
	} else if (read_seen(db, fd, id) != 0)
		goto out;
	if (lseek(fd, 0, SEEK_END) < 0)
		goto out;
	if (store_query(db->st, &c, SQL_BACKFILL_LINES, "i", key) != 0)
		goto out;
	while ((rc = store_next(&c)) == 1) {
		s = store_text(&c, 0);
		buf_addstr(&out, s);
		buf_addch(&out, '\n');
		(*appended)++;
		if (out.len >= 65536) {
			if (write(fd, out.p, out.len) != (ssize_t)out.len) {
				rc = -2;
				break;
			}
			buf_reset(&out);
		}
	}
	store_done(&c);
	if (rc == 0 && out.len > 0 &&
	    write(fd, out.p, out.len) != (ssize_t)out.len)
		rc = -2;
	if (rc == 0 && fsync(fd) != 0)
		rc = -2;
	if (rc == -2)
		error("cannot write '%s': %s", path, strerror(errno));
	if (rc == 0 && (fstat(fd, &sb) != 0 ||
	    store_exec(db->st, SQL_BACKFILL_SYNCED_SET, "ii", key,
	    (int64_t)sb.st_size) != 0))
		rc = -1;
	(void)store_exec(db->st, SQL_BACKFILL_SEEN_CLEAR, "");
out:
	close(fd);
	buf_release(&out);
	free(path);
	return rc == 0 ? 0 : -1;
}
