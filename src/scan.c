/*
 * scan.c - the phases of finding duplicates.
 *
 * 1. walk: every file is staged, then applied to the operation in one
 *    checkpoint (on a resume this reconciles with what is recorded).
 * 2. size: a file whose size no other file has is settled unread.
 * 3. prefix: the first HASH_PREFIX_LEN bytes of every other file are
 *    hashed; files up to HASH_WHOLE_MAX are read whole, their full hash
 *    taken at the same time and their result final.
 * 4. full: a file whose size and prefix no other file shares is settled;
 *    the rest are hashed whole.
 * 5. group: equal size and equal SHA-256 make a group (SQL).
 *
 * Each phase is idempotent over the database: it does only what is not
 * yet recorded, so a resume simply runs the phase again.  Pages are read
 * by size with keyset pagination and never held across a commit.
 */
#include "config.h"

#include "scan.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "hash.h"
#include "log.h"
#include "pool.h"
#include "store.h"
#include "tracker.h"
#include "util.h"

#define PAGE_ROWS	1024

struct scan {
	struct roo_op		*op;
	const struct scan_opts	*o;
	struct pool		*pool;
	uint64_t		 results;	/* handed to the tracker */
	uint64_t		 bytes_read;	/* by this run */
	int			 stopped;
	enum phase		 phase;
	uint64_t		 todo_files;
	uint64_t		 todo_bytes;
	uint64_t		 done_files;
	uint64_t		 done_bytes;
	int64_t			 t0;
};

static int
stopping(struct scan *s)
{
	if (s->o->stop != NULL && *s->o->stop)
		s->stopped = 1;
	if (s->o->stop_after > 0 && s->results >= s->o->stop_after) {
		s->stopped = 1;
		if (s->o->stop != NULL)
			*s->o->stop = 1;
	}
	return s->stopped;
}

static void
progress(struct scan *s, int force)
{
	char		 done[16], total[16], rate[16];
	double		 secs, bps, left;
	int64_t		 eta;

	if (!log_progress_enabled())
		return;
	secs = (double)(time_mono_ns() - s->t0) / 1e9;
	format_bytes(s->done_bytes, done, sizeof(done));
	if (s->phase == PHASE_WALK) {
		log_progress(force, "walk: %llu files, %s",
		    (unsigned long long)s->done_files, done);
		return;
	}
	if (s->phase == PHASE_SIZE) {
		log_progress(force, "size: %llu/%llu files",
		    (unsigned long long)s->done_files,
		    (unsigned long long)s->todo_files);
		return;
	}
	/* The ETA follows the bytes still to read, else the files. */
	bps = secs > 0.2 ? (double)s->done_bytes / secs : 0;
	left = 0;
	if (s->todo_bytes > s->done_bytes && bps > 0)
		left = (double)(s->todo_bytes - s->done_bytes) / bps;
	else if (s->todo_files > s->done_files && s->done_files > 0)
		left = secs * (double)(s->todo_files - s->done_files) /
		    (double)s->done_files;
	eta = (int64_t)left;
	format_bytes(s->todo_bytes > s->done_bytes ? s->todo_bytes :
	    s->done_bytes, total, sizeof(total));
	format_bytes((uint64_t)bps, rate, sizeof(rate));
	log_progress(force, "%s: %llu/%llu files, %s/%s, %s/s, ETA %lld:%02lld",
	    phase_name(s->phase), (unsigned long long)s->done_files,
	    (unsigned long long)s->todo_files, done, total, rate,
	    (long long)(eta / 60), (long long)(eta % 60));
}

static void
phase_start(struct scan *s, enum phase p)
{
	s->phase = p;
	s->done_files = s->done_bytes = 0;
	s->todo_files = s->todo_bytes = 0;
	s->t0 = time_mono_ns();
	if (p != PHASE_WALK)
		(void)tracker_todo(s->op, p, &s->todo_files, &s->todo_bytes);
}

static int
record(struct scan *s, const struct result *r)
{
	s->results++;
	/* The stop test hook acts as a signal would, at once, even while
	 * the jobs already submitted are being waited for. */
	(void)stopping(s);
	if (s->o->pause_after > 0 && s->results == s->o->pause_after)
		raise(SIGSTOP);
	if (s->o->pause_bytes > 0 && s->bytes_read < s->o->pause_bytes &&
	    s->bytes_read + r->bytes_read >= s->o->pause_bytes)
		raise(SIGSTOP);
	s->bytes_read += r->bytes_read;
	s->done_files++;
	s->done_bytes += r->bytes_read;
	progress(s, 0);
	return tracker_result(s->op, r);
}

static void
warn_trouble(const char *path, const char *what, int err)
{
	char	*q;

	q = path_quote(path);
	if (err != 0)
		log_warn("%s '%s': %s", what, q, strerror(err));
	else
		log_warn("%s '%s'", what, q);
	free(q);
}

static int
walk_phase(struct scan *s)
{
	struct stage_stats	 ss;
	struct walk_entry	 e;
	struct walk_opts	 wo;
	struct walk_skip	 skip[2];
	struct stat		 sb;
	struct walk		*w;
	struct feed		*feed;
	struct roo_op		*op;
	size_t			 i;
	int			 rc, all;

	op = s->op;
	/* Never scan our own state (it changes while we read it), nor the
	 * backups an apply is about to make. */
	wo = s->o->walk;
	wo.skip = skip;
	wo.nskip = 0;
	if (stat(op->db->dot, &sb) == 0) {
		skip[wo.nskip].dev = sb.st_dev;
		skip[wo.nskip++].ino = sb.st_ino;
	}
	if (s->o->skip_dir != NULL && stat(s->o->skip_dir, &sb) == 0) {
		skip[wo.nskip].dev = sb.st_dev;
		skip[wo.nskip++].ino = sb.st_ino;
	}
	phase_start(s, PHASE_WALK);
	/* XXX(#3): an interrupted walk starts over; each resume walks the
	 * whole tree again to find what changed. */
	if (tracker_stage_begin(op) != 0)
		return -1;
	w = walk_new(&wo, op->roots, op->nroots);
	/* Directories are listed on another thread while this one records
	 * their entries; without a thread, here. */
	feed = feed_start(w);
	rc = 0;
	while ((feed != NULL ? feed_next(feed, &e) : walk_next(w, &e)) == 1) {
		if (e.kind == WALK_ERROR)
			warn_trouble(e.path, e.what, e.err);
		else if (e.kind == WALK_SPECIAL)
			warn_trouble(e.path, "skipping special file", 0);
		if (tracker_stage_add(op, &e) != 0) {
			rc = -1;
			break;
		}
		s->done_files++;
		if (e.has_stat && e.kind == WALK_FILE)
			s->done_bytes += (uint64_t)e.sb.st_size;
		progress(s, 0);
		if (stopping(s))
			break;
	}
	feed_stop(feed);
	log_verbose("walk: %llu files, %llu directories, %llu symlinks "
	    "skipped, %llu filtered, %llu empty, %llu errors",
	    (unsigned long long)walk_stats(w)->files,
	    (unsigned long long)walk_stats(w)->dirs,
	    (unsigned long long)walk_stats(w)->symlinks,
	    (unsigned long long)walk_stats(w)->filtered,
	    (unsigned long long)walk_stats(w)->empty,
	    (unsigned long long)walk_stats(w)->errors);
	walk_free(w);
	if (rc != 0 || s->stopped) {
		tracker_stage_abort(op);
		return rc;
	}

	/* Names of one inode can come twice only through hard links, or
	 * through file roots and followed symlinks. */
	all = s->o->walk.follow_symlinks;
	for (i = 0; i < op->nroots && !all; i++)
		if (stat(op->roots[i], &sb) == 0 && !S_ISDIR(sb.st_mode))
			all = 1;
	if (tracker_stage_apply(op, all, &ss) != 0)
		return -1;
	if (ss.changed + ss.vanished + ss.added + ss.reopened > 0 &&
	    op->runs > 1)
		log_info("since the last run: %lld files changed, %lld "
		    "vanished, %lld new", (long long)ss.changed,
		    (long long)ss.vanished, (long long)ss.added);
	return 0;
}

/* Index of the first row of the last size class in rows[0..n). */
static size_t
last_class(const struct fpage *pg)
{
	size_t	 i;

	i = pg->n - 1;
	while (i > 0 && pg->rows[i - 1].size == pg->rows[pg->n - 1].size)
		i--;
	return i;
}

static int
size_phase(struct scan *s)
{
	struct fpage	 pg;
	struct result	 r;
	int64_t		 after;
	size_t		 i, j, end;
	int		 rc;

	phase_start(s, PHASE_SIZE);
	memset(&pg, 0, sizeof(pg));
	after = -1;
	rc = 0;
	while (rc == 0 && !stopping(s)) {
		if ((rc = tracker_page(s->op, PAGE_SIZE, (uint64_t)after, 0,
		    PAGE_ROWS, &pg)) != 0 || pg.n == 0)
			break;
		end = pg.n;
		if (pg.n == PAGE_ROWS) {
			end = last_class(&pg);
			/* One class fills the page: it has no singleton. */
			if (end == 0) {
				after = (int64_t)pg.rows[0].size;
				continue;
			}
		}
		for (i = 0; i < end && rc == 0; i = j) {
			for (j = i + 1; j < end &&
			    pg.rows[j].size == pg.rows[i].size; j++)
				;
			if (j - i != 1 || !pg.rows[i].pending) {
				s->done_files += j - i;
				continue;
			}
			memset(&r, 0, sizeof(r));
			r.kind = RESULT_SETTLE;
			r.file_id = pg.rows[i].id;
			r.size = pg.rows[i].size;
			r.status = ROO_FILE_UNIQUE;
			r.operation = "analyzed";
			rc = record(s, &r);
		}
		after = (int64_t)pg.rows[end - 1].size;
	}
	fpage_release(&pg);
	return rc;
}

static struct job *
job_of(const struct frow *f, enum job_kind kind)
{
	struct job	*j;

	j = xcalloc(1, sizeof(*j));
	j->file_id = f->id;
	j->path = xstrdup(f->path);
	j->kind = kind;
	j->dev = f->dev;
	j->ino = f->ino;
	j->size = f->size;
	j->mtime = f->mtime;
	j->ctime = f->ctime;
	return j;
}

/* Record a finished job.  Stopped jobs are dropped: nothing was learned. */
static int
job_done(struct scan *s, struct job *j)
{
	struct result	 r;
	int		 rc;

	memset(&r, 0, sizeof(r));
	r.file_id = j->file_id;
	r.size = j->size;
	r.bytes_read = j->nread;
	switch (j->status) {
	case JOB_STOPPED:
		job_free(j);
		return 0;
	case JOB_OK:
		if (j->kind == JOB_PREFIX) {
			r.kind = RESULT_PREFIX;
			r.has_prefix = 1;
			memcpy(r.prefix, j->hash, HASH_LEN);
			/* A small file is read whole: its result is final
			 * now, whatever its class. */
			if (j->whole) {
				r.kind = RESULT_SETTLE;
				r.status = ROO_FILE_HASHED;
				r.operation = "hashed";
				r.has_full = 1;
				memcpy(r.full, j->full, HASH_LEN);
			}
		} else {
			r.kind = RESULT_SETTLE;
			r.status = ROO_FILE_HASHED;
			r.operation = "hashed";
			r.has_full = 1;
			memcpy(r.full, j->hash, HASH_LEN);
		}
		break;
	case JOB_VANISHED:
		warn_trouble(j->path, "vanished:", 0);
		r.kind = RESULT_SETTLE;
		r.status = ROO_FILE_VANISHED;
		r.operation = "read";
		r.error = "vanished";
		break;
	case JOB_CHANGED:
		warn_trouble(j->path, "changed while being read:", 0);
		r.kind = RESULT_SETTLE;
		r.status = ROO_FILE_CHANGED;
		r.operation = "read";
		r.error = "changed while being read";
		break;
	default:
		warn_trouble(j->path, "cannot read", j->err);
		r.kind = RESULT_SETTLE;
		r.status = ROO_FILE_ERROR;
		r.operation = "read";
		r.error = strerror(j->err);
		break;
	}
	rc = record(s, &r);
	job_free(j);
	return rc;
}

/* Take finished jobs: all that are ready, or wait for one. */
static int
drain(struct scan *s, int wait)
{
	struct job	*j;
	int		 rc;

	rc = 0;
	while (rc == 0 && (j = pool_take(s->pool, wait)) != NULL) {
		rc = job_done(s, j);
		wait = 0;
	}
	return rc;
}

static int
submit(struct scan *s, struct job *j)
{
	while (pool_submit(s->pool, j) != 0)
		if (drain(s, 1) != 0) {
			job_free(j);
			return -1;
		}
	return 0;
}

/* Wait for every job in flight, then record what is buffered. */
static int
finish_jobs(struct scan *s)
{
	int	 rc;

	rc = 0;
	while (pool_in_flight(s->pool) > 0 && rc == 0)
		rc = drain(s, 1);
	if (rc == 0)
		rc = tracker_commit(s->op);
	return rc;
}

static int
prefix_phase(struct scan *s)
{
	struct fpage	 pg;
	uint64_t	 after_size;
	int64_t		 after_id;
	size_t		 i;
	int		 rc;

	phase_start(s, PHASE_PREFIX);
	memset(&pg, 0, sizeof(pg));
	after_size = 0;
	after_id = 0;
	rc = 0;
	while (rc == 0 && !stopping(s)) {
		if ((rc = tracker_page(s->op, PAGE_PREFIX, after_size,
		    after_id, PAGE_ROWS, &pg)) != 0 || pg.n == 0)
			break;
		for (i = 0; i < pg.n && rc == 0 && !stopping(s); i++) {
			rc = submit(s, job_of(&pg.rows[i], JOB_PREFIX));
			after_size = pg.rows[i].size;
			after_id = pg.rows[i].id;
		}
	}
	fpage_release(&pg);
	if (finish_jobs(s) != 0)
		rc = -1;
	return rc;
}

static int
cmp_prefix(const void *a, const void *b)
{
	const struct frow *x = a, *y = b;
	int		 c;

	if (x->has_prefix != y->has_prefix)
		return x->has_prefix - y->has_prefix;
	c = memcmp(x->prefix, y->prefix, HASH_LEN);
	return c != 0 ? c : (x->id > y->id) - (x->id < y->id);
}

/* Settle or hash the pending members of one size class rows[0..n). */
static int
full_class(struct scan *s, struct frow *rows, size_t n)
{
	struct result	 r;
	size_t		 i, j, k;
	int		 rc;

	qsort(rows, n, sizeof(*rows), cmp_prefix);
	rc = 0;
	for (i = 0; i < n && rc == 0; i = j) {
		for (j = i + 1; j < n && rows[j].has_prefix ==
		    rows[i].has_prefix && memcmp(rows[j].prefix,
		    rows[i].prefix, HASH_LEN) == 0; j++)
			;
		for (k = i; k < j && rc == 0; k++) {
			if (!rows[k].pending)
				continue;
			if (j - i > 1 && !rows[k].has_full) {
				rc = submit(s, job_of(&rows[k], JOB_FULL));
				continue;
			}
			memset(&r, 0, sizeof(r));
			r.kind = RESULT_SETTLE;
			r.file_id = rows[k].id;
			r.size = rows[k].size;
			r.operation = "hashed";
			r.has_prefix = rows[k].has_prefix;
			memcpy(r.prefix, rows[k].prefix, HASH_LEN);
			/* A small file's prefix hash is its full hash. */
			r.has_full = rows[k].has_full;
			memcpy(r.full, rows[k].full, HASH_LEN);
			r.status = j - i > 1 ? ROO_FILE_HASHED :
			    ROO_FILE_UNIQUE;
			rc = record(s, &r);
		}
	}
	return rc;
}

static int
full_phase(struct scan *s)
{
	struct fpage	 pg, cls;
	int64_t		 before;
	size_t		 i, j, end;
	int		 rc;

	phase_start(s, PHASE_FULL);
	memset(&pg, 0, sizeof(pg));
	memset(&cls, 0, sizeof(cls));
	before = INT64_MAX;
	rc = 0;
	while (rc == 0 && !stopping(s)) {
		if ((rc = tracker_page(s->op, PAGE_FULL, (uint64_t)before, 0,
		    PAGE_ROWS, &pg)) != 0 || pg.n == 0)
			break;
		end = pg.n;
		if (pg.n == PAGE_ROWS && (end = last_class(&pg)) == 0) {
			/* A class larger than a page: read it whole.
			 * XXX(#6): memory grows with the largest class. */
			before = (int64_t)pg.rows[0].size;
			rc = tracker_page(s->op, PAGE_FULL_CLASS,
			    (uint64_t)before, 0, 0, &cls);
			if (rc == 0)
				rc = full_class(s, cls.rows, cls.n);
			continue;
		}
		for (i = 0; i < end && rc == 0 && !stopping(s); i = j) {
			for (j = i + 1; j < end &&
			    pg.rows[j].size == pg.rows[i].size; j++)
				;
			rc = full_class(s, pg.rows + i, j - i);
			before = (int64_t)pg.rows[i].size;
		}
	}
	fpage_release(&pg);
	fpage_release(&cls);
	if (finish_jobs(s) != 0)
		rc = -1;
	return rc;
}

/* Run one hashing phase with a pool, then move to the next phase. */
static int
run_phase(struct scan *s, enum phase p, int (*fn)(struct scan *),
    enum phase next)
{
	int64_t	 wall, cpu, pcpu;
	int	 rc;

	if (s->op->phase != p)
		return 0;
	wall = time_mono_ns();
	cpu = time_thread_ns();
	pcpu = time_process_ns();
	rc = fn(s);
	progress(s, 1);
	log_progress_clear();
	log_verbose("%s: %.3f s, CPU %.3f s in all, %.3f s of it this "
	    "thread's", phase_name(p), (double)(time_mono_ns() - wall) / 1e9,
	    (double)(time_process_ns() - pcpu) / 1e9,
	    (double)(time_thread_ns() - cpu) / 1e9);
	if (rc != 0 || s->stopped)
		return rc;
	return tracker_set_phase(s->op, next);
}

int
scan_run(struct roo_op *op, const struct scan_opts *o)
{
	struct scan	 s;
	int64_t		 wall, cpu, pcpu;
	int		 rc;

	memset(&s, 0, sizeof(s));
	s.op = op;
	s.o = o;
	wall = time_mono_ns();
	cpu = time_thread_ns();
	pcpu = time_process_ns();
	rc = walk_phase(&s);
	log_progress_clear();
	log_verbose("walk: %.3f s, CPU %.3f s in all, %.3f s of it this "
	    "thread's", (double)(time_mono_ns() - wall) / 1e9,
	    (double)(time_process_ns() - pcpu) / 1e9,
	    (double)(time_thread_ns() - cpu) / 1e9);
	if (rc == 0 && !s.stopped)
		rc = run_phase(&s, PHASE_SIZE, size_phase, PHASE_PREFIX);
	if (rc == 0 && !s.stopped) {
		/* The hashing phases commit often: the WAL is checkpointed
		 * on a thread, so that its syncs do not stall the writer. */
		(void)store_background_checkpoints(tracker_store(op->db), 1);
		s.pool = pool_new(o->jobs, o->stop);
		rc = run_phase(&s, PHASE_PREFIX, prefix_phase, PHASE_FULL);
		if (rc == 0 && !s.stopped)
			rc = run_phase(&s, PHASE_FULL, full_phase,
			    PHASE_GROUP);
		pool_free(s.pool);
		(void)store_background_checkpoints(tracker_store(op->db), 0);
	}
	if (rc == 0 && !s.stopped && op->phase == PHASE_GROUP) {
		wall = time_mono_ns();
		rc = tracker_build_groups(op);
		log_verbose("group: %.3f s",
		    (double)(time_mono_ns() - wall) / 1e9);
		if (rc == 0)
			rc = tracker_finish(op, "completed");
	}
	if (rc == 0 && s.stopped) {
		/* Test hook: stop here, for a test to send a second SIGINT
		 * while the last checkpoint is being written. */
		if (o->pause_after > 0 &&
		    getenv("ROOCODE_TEST_PAUSE_AT_STOP") != NULL &&
		    strcmp(getenv("ROOCODE_TEST_PAUSE_AT_STOP"), "1") == 0)
			raise(SIGSTOP);
		if (tracker_commit(op) != 0 ||
		    tracker_finish(op, "interrupted") != 0)
			return SCAN_FAILED;
		return SCAN_INTERRUPTED;
	}
	if (rc != 0) {
		(void)tracker_finish(op, "failed");
		return SCAN_FAILED;
	}
	return SCAN_DONE;
}
