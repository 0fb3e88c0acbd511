/*
 * feed.h - a walk run on its own thread, its entries handed over in
 * batches, so that listing directories overlaps recording what they hold.
 *
 * The thread walks ahead of the reader by at most FEED_QUEUE batches; the
 * entries come out in the order walk_next() gives them.
 */
#ifndef FEED_H
#define FEED_H

#include "walk.h"

struct feed;

/* Start walking w on a new thread; NULL when no thread can be made. */
struct feed	*feed_start(struct walk *);

/*
 * The next entry, as walk_next() would give it: 1 with *e filled (its
 * path valid until the next call), 0 at the end.
 */
int		 feed_next(struct feed *, struct walk_entry *);

/* Stop the walk wherever it is, wait for the thread, free the feed.  The
 * walk itself is left to walk_free(). */
void		 feed_stop(struct feed *);

#endif /* FEED_H */
