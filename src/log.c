/*
 * log.c - leveled messages on stderr and the progress bar.
 *
 * One mutex serializes every write so lines from worker threads never
 * interleave, and so the progress bar can be erased before a message and
 * redrawn after it.
 */
#include "config.h"

#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

int log_level = LOG_DEFAULT;

static pthread_mutex_t	 log_lock = PTHREAD_MUTEX_INITIALIZER;
static int		 bar_shown;
static int64_t		 bar_last;
static int		 bar_tty = -1;

void
log_set_level(int level)
{
	if (level < LOG_ERROR)
		level = LOG_ERROR;
	if (level > LOG_TRACE)
		level = LOG_TRACE;
	log_level = level;
}

int
log_progress_enabled(void)
{
	if (bar_tty == -1)
		bar_tty = isatty(STDERR_FILENO);
	return bar_tty && log_level >= LOG_DEFAULT;
}

/* Called with log_lock held. */
static void
bar_erase(void)
{
	if (bar_shown) {
		fputs("\r\033[K", stderr);
		bar_shown = 0;
	}
}

static void
vlog(int level, const char *prefix, const char *fmt, va_list ap)
{
	if (level > log_level)
		return;
	pthread_mutex_lock(&log_lock);
	bar_erase();
	fputs("roo-duplicates: ", stderr);
	if (prefix != NULL)
		fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
}

#define LOG_FN(name, level, prefix)			\
void							\
name(const char *fmt, ...)				\
{							\
	va_list	 ap;					\
							\
	if ((level) > log_level)			\
		return;					\
	va_start(ap, fmt);				\
	vlog((level), (prefix), fmt, ap);		\
	va_end(ap);					\
}

LOG_FN(log_error, LOG_ERROR, NULL)
LOG_FN(log_warn, LOG_WARN, NULL)
LOG_FN(log_info, LOG_INFO, NULL)
LOG_FN(log_verbose, LOG_VERBOSE, NULL)
LOG_FN(log_debug, LOG_DEBUG, NULL)
LOG_FN(log_trace, LOG_TRACE, NULL)

int
error(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_ERROR, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

void
die(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_ERROR, "fatal: ", fmt, ap);
	va_end(ap);
	exit(1);
}

void
log_progress(int force, const char *fmt, ...)
{
	va_list	 ap;
	int64_t	 now;

	if (!log_progress_enabled())
		return;
	now = time_mono_ns();
	if (!force && now - bar_last < NS_PER_SEC / 5)
		return;
	bar_last = now;
	pthread_mutex_lock(&log_lock);
	fputs("\r\033[K", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fflush(stderr);
	bar_shown = 1;
	pthread_mutex_unlock(&log_lock);
}

void
log_progress_clear(void)
{
	pthread_mutex_lock(&log_lock);
	bar_erase();
	fflush(stderr);
	pthread_mutex_unlock(&log_lock);
}
