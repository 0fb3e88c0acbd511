/*
 * feed.c - a walk on its own thread, handed over in batches.
 *
 * The walker fills a batch (entries, their paths copied into the batch's
 * arena) and queues it; the reader takes whole batches and gives them
 * back empty.  At most FEED_QUEUE batches exist, so memory is bounded by
 * FEED_QUEUE * (FEED_BATCH entries + FEED_BYTES of names).  Signals are
 * blocked on the walker thread: they stay with the thread that acts on
 * them.
 */
#include "config.h"

#include "feed.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define FEED_BATCH	512
#define FEED_BYTES	(128 * 1024)	/* names a batch holds, about */
#define FEED_QUEUE	4

struct batch {
	struct walk_entry	 e[FEED_BATCH];
	size_t			 off[FEED_BATCH];	/* of each path */
	size_t			 n;
	char			*arena;
	size_t			 used, cap;
	struct batch		*next;
};

struct feed {
	struct walk		*w;
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cv;
	struct batch		*full, *full_tail;	/* walked, in order */
	struct batch		*empty;			/* to fill */
	int			 nbatch;		/* made so far */
	int			 done;			/* walker finished */
	int			 quit;			/* reader stopped */
	struct batch		*cur;			/* being read */
	size_t			 pos;
};

static void
batch_free(struct batch *b)
{
	if (b != NULL) {
		free(b->arena);
		free(b);
	}
}

/* An empty batch for the walker, or NULL once the reader quit. */
static struct batch *
take_empty(struct feed *f)
{
	struct batch	*b;

	pthread_mutex_lock(&f->lock);
	while (f->empty == NULL && f->nbatch >= FEED_QUEUE && !f->quit)
		pthread_cond_wait(&f->cv, &f->lock);
	b = NULL;
	if (!f->quit) {
		if ((b = f->empty) != NULL)
			f->empty = b->next;
		else
			f->nbatch++;
	}
	pthread_mutex_unlock(&f->lock);
	if (b == NULL && !f->quit) {
		b = xcalloc(1, sizeof(*b));
		b->cap = FEED_BYTES;
		b->arena = xmalloc(b->cap);
	}
	if (b != NULL) {
		b->n = 0;
		b->used = 0;
		b->next = NULL;
	}
	return b;
}

static void
put_full(struct feed *f, struct batch *b, int done)
{
	pthread_mutex_lock(&f->lock);
	if (b != NULL) {
		if (f->full_tail != NULL)
			f->full_tail->next = b;
		else
			f->full = b;
		f->full_tail = b;
	}
	if (done)
		f->done = 1;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->lock);
}

static int
quitting(struct feed *f)
{
	int	 q;

	pthread_mutex_lock(&f->lock);
	q = f->quit;
	pthread_mutex_unlock(&f->lock);
	return q;
}

static void *
walker(void *arg)
{
	struct feed		*f = arg;
	struct batch		*b;
	struct walk_entry	 e;
	size_t			 need;
	int			 more;

	more = 1;
	while (more && (b = take_empty(f)) != NULL) {
		while (b->n < FEED_BATCH && b->used < FEED_BYTES) {
			if ((more = walk_next(f->w, &e)) != 1)
				break;
			need = e.pathlen + 1;
			if (b->used + need > b->cap) {
				while (b->used + need > b->cap)
					b->cap *= 2;
				b->arena = xrealloc(b->arena, b->cap);
			}
			memcpy(b->arena + b->used, e.path, need);
			b->off[b->n] = b->used;
			b->used += need;
			b->e[b->n++] = e;
		}
		if (more != 1)
			more = 0;
		put_full(f, b, !more);
		if (more && quitting(f))
			break;
	}
	if (more)
		put_full(f, NULL, 1);
	return NULL;
}

struct feed *
feed_start(struct walk *w)
{
	struct feed	*f;
	sigset_t	 all, old;
	int		 rc;

	f = xcalloc(1, sizeof(*f));
	f->w = w;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cv, NULL);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&f->thread, NULL, walker, f);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		pthread_cond_destroy(&f->cv);
		pthread_mutex_destroy(&f->lock);
		free(f);
		return NULL;
	}
	return f;
}

int
feed_next(struct feed *f, struct walk_entry *e)
{
	struct batch	*b;

	while (f->cur == NULL || f->pos == f->cur->n) {
		pthread_mutex_lock(&f->lock);
		if ((b = f->cur) != NULL) {
			b->next = f->empty;
			f->empty = b;
			f->cur = NULL;
			pthread_cond_broadcast(&f->cv);
		}
		while (f->full == NULL && !f->done)
			pthread_cond_wait(&f->cv, &f->lock);
		if ((b = f->full) != NULL) {
			f->full = b->next;
			if (f->full == NULL)
				f->full_tail = NULL;
			b->next = NULL;
		}
		pthread_mutex_unlock(&f->lock);
		if (b == NULL)
			return 0;
		f->cur = b;
		f->pos = 0;
	}
	*e = f->cur->e[f->pos];
	e->path = f->cur->arena + f->cur->off[f->pos];
	f->pos++;
	return 1;
}

void
feed_stop(struct feed *f)
{
	struct batch	*b;

	if (f == NULL)
		return;
	pthread_mutex_lock(&f->lock);
	f->quit = 1;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->thread, NULL);
	batch_free(f->cur);
	while ((b = f->full) != NULL) {
		f->full = b->next;
		batch_free(b);
	}
	while ((b = f->empty) != NULL) {
		f->empty = b->next;
		batch_free(b);
	}
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->lock);
	free(f);
}
