/*
 * pool.c - hashing threads fed through a bounded queue.
 *
 * One mutex guards both queues.  The number of jobs in flight is capped,
 * so memory does not grow with the number of files; the writer takes
 * results as they come and submits more.  Each worker checks, before and
 * after reading, that the file is still the one the walk recorded (device,
 * inode, size, mtime, ctime), so a changed file is never reported as
 * hashed.
 */
#include "config.h"

#include "pool.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "util.h"

/*
 * Jobs that may wait per thread: enough that the threads never run out
 * while the writer records a batch of results.  Of them, at most
 * STARTED_PER_THREAD per thread are being hashed or hashed and not yet
 * taken: what a crash can lose, however far the queue runs ahead.
 */
#define JOBS_PER_THREAD		256
#define STARTED_PER_THREAD	16

/*
 * Test hook: with ROOCODE_TEST_HASH_LOG=FILE every job appends one line
 * "prefix|full PATH" to FILE before it reads, so that a test can count
 * the files a killed run read and compare runs.  One write(2) per line on
 * an O_APPEND descriptor: lines survive a SIGKILL whole.
 */
static int	 test_log_fd = -1;

struct queue {
	struct job	*head;
	struct job	*tail;
};

struct pool {
	pthread_mutex_t		 lock;
	pthread_cond_t		 work;		/* todo not empty, or quit */
	pthread_cond_t		 done;		/* results not empty */
	struct queue		 todo;
	struct queue		 results;
	int			 in_flight;
	int			 cap;
	int			 started;	/* running or in results */
	int			 started_cap;
	int			 quit;
	int			 nthreads;
	pthread_t		*threads;
	const volatile sig_atomic_t *stop;
};

static void
enqueue(struct queue *q, struct job *j)
{
	j->next = NULL;
	if (q->tail != NULL)
		q->tail->next = j;
	else
		q->head = j;
	q->tail = j;
}

static struct job *
dequeue(struct queue *q)
{
	struct job	*j;

	j = q->head;
	if (j != NULL) {
		q->head = j->next;
		if (q->head == NULL)
			q->tail = NULL;
		j->next = NULL;
	}
	return j;
}

static int64_t
ns_of(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * NS_PER_SEC + ts->tv_nsec;
}

static int
same_file(const struct job *j, const struct stat *sb)
{
	return S_ISREG(sb->st_mode) && sb->st_dev == j->dev &&
	    sb->st_ino == j->ino && (uint64_t)sb->st_size == j->size &&
	    ns_of(&sb->st_mtim) == j->mtime &&
	    ns_of(&sb->st_ctim) == j->ctime;
}

/*
 * Symlinks are followed: the walk may have reached the file through one
 * (-L, a root given as a link), and the device and inode check after
 * opening tells whether it is still the file the walk recorded.
 */
static int
open_file(const char *path)
{
	int	 fd, flags;

	flags = O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
#ifdef O_NOATIME
	fd = open(path, flags | O_NOATIME);
	if (fd >= 0 || errno != EPERM)
		return fd;
#endif
	return open(path, flags);
}

void
job_run(struct job *j, struct hasher *h, const volatile sig_atomic_t *stop)
{
	struct stat	 sb;
	uint64_t	 limit;
	int		 fd, rc;

	j->nread = 0;
	j->err = 0;
	fd = open_file(j->path);
	if (fd < 0) {
		j->err = errno;
		j->status = errno == ENOENT || errno == ENOTDIR ?
		    JOB_VANISHED : JOB_ERROR;
		return;
	}
	if (fstat(fd, &sb) != 0) {
		j->err = errno;
		j->status = JOB_ERROR;
		goto out;
	}
	if (!same_file(j, &sb)) {
		j->status = JOB_CHANGED;
		goto out;
	}
	/* A small file is read whole for its prefix: both hashes at the
	 * cost of one open. */
	j->whole = j->kind == JOB_PREFIX && j->size <= HASH_WHOLE_MAX;
	limit = j->kind == JOB_PREFIX && !j->whole ? HASH_PREFIX_LEN :
	    UINT64_MAX;
	if (j->whole)
		rc = hasher_fd_split(h, fd, limit, HASH_PREFIX_LEN, j->hash,
		    j->full, &j->nread, stop);
	else
		rc = hasher_fd(h, fd, limit, j->hash, &j->nread, stop);
	if (rc == HASH_STOPPED) {
		j->status = JOB_STOPPED;
		goto out;
	}
	if (rc != HASH_OK) {
		j->err = errno;
		j->status = JOB_ERROR;
		goto out;
	}
	/* Changed while read: the bytes hashed may be of no version. */
	if (fstat(fd, &sb) != 0 || !same_file(j, &sb) ||
	    j->nread != (j->size < limit ? j->size : limit)) {
		j->status = JOB_CHANGED;
		goto out;
	}
	j->status = JOB_OK;
out:
	close(fd);
}

static void
test_log(const struct job *j)
{
	char	*line;

	if (test_log_fd < 0)
		return;
	line = xasprintf("%s %s\n", j->kind == JOB_PREFIX ? "prefix" : "full",
	    j->path);
	if (write(test_log_fd, line, strlen(line)) < 0)
		log_debug("cannot write the test hash log");
	free(line);
}

static void *
worker(void *arg)
{
	struct pool	*p;
	struct hasher	*h;
	struct job	*j;

	p = arg;
	h = hasher_new();
	pthread_mutex_lock(&p->lock);
	for (;;) {
		while ((p->todo.head == NULL ||
		    p->started >= p->started_cap) && !p->quit)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->quit)
			break;
		j = dequeue(&p->todo);
		p->started++;
		pthread_mutex_unlock(&p->lock);

		if (p->stop != NULL && *p->stop)
			j->status = JOB_STOPPED;
		else {
			test_log(j);
			job_run(j, h, p->stop);
		}

		pthread_mutex_lock(&p->lock);
		enqueue(&p->results, j);
		pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	hasher_free(h);
	return NULL;
}

int
pool_cores(void)
{
	long	 n;

	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

struct pool *
pool_new(int n, const volatile sig_atomic_t *stop)
{
	struct pool	*p;
	int		 i, rc;

	if (n < 1)
		n = 1;
	if (test_log_fd < 0 && getenv("ROOCODE_TEST_HASH_LOG") != NULL)
		test_log_fd = open(getenv("ROOCODE_TEST_HASH_LOG"),
		    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	p = xcalloc(1, sizeof(*p));
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->done, NULL);
	p->stop = stop;
	p->cap = n * JOBS_PER_THREAD;
	p->started_cap = n * STARTED_PER_THREAD;
	p->threads = xcalloc((size_t)n, sizeof(*p->threads));
	for (i = 0; i < n; i++) {
		rc = pthread_create(&p->threads[i], NULL, worker, p);
		if (rc != 0)
			die("cannot start a hashing thread: %s", strerror(rc));
		p->nthreads++;
	}
	return p;
}

void
pool_free(struct pool *p)
{
	struct job	*j;
	int		 i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->quit = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	while ((j = dequeue(&p->todo)) != NULL)
		job_free(j);
	while ((j = dequeue(&p->results)) != NULL)
		job_free(j);
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->work);
	pthread_mutex_destroy(&p->lock);
	free(p->threads);
	free(p);
}

int
pool_submit(struct pool *p, struct job *j)
{
	pthread_mutex_lock(&p->lock);
	if (p->in_flight >= p->cap) {
		pthread_mutex_unlock(&p->lock);
		return -1;
	}
	p->in_flight++;
	enqueue(&p->todo, j);
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

struct job *
pool_take(struct pool *p, int wait)
{
	struct job	*j;

	pthread_mutex_lock(&p->lock);
	while (p->results.head == NULL && wait && p->in_flight > 0)
		pthread_cond_wait(&p->done, &p->lock);
	j = dequeue(&p->results);
	if (j != NULL) {
		p->in_flight--;
		p->started--;
		pthread_cond_signal(&p->work);
	}
	pthread_mutex_unlock(&p->lock);
	return j;
}

int
pool_in_flight(const struct pool *p)
{
	return p->in_flight;
}

int
pool_full(const struct pool *p)
{
	return p->in_flight >= p->cap;
}

void
job_free(struct job *j)
{
	if (j == NULL)
		return;
	free(j->path);
	free(j);
}
