/*
 * log.h - diagnostics on stderr: levels, the progress bar, die().
 *
 * This is not the operation log (that is data, written by tracker).  Every
 * line is written whole under one lock, so threads may call these freely.
 * Levels: -q shows errors only; the default adds warnings and the final
 * summary (info); -v adds phases and counts; -vv per-file decisions; -vvv
 * SQL statements and timings.
 */
#ifndef LOG_H
#define LOG_H

enum log_level {
	LOG_ERROR = 0,
	LOG_WARN,
	LOG_INFO,
	LOG_VERBOSE,
	LOG_DEBUG,
	LOG_TRACE
};

#define LOG_DEFAULT	LOG_INFO

extern int log_level;

void	log_set_level(int);
/* Whether the progress bar is drawn: stderr is a terminal and not -q. */
int	log_progress_enabled(void);

void	log_error(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_verbose(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_trace(const char *, ...) __attribute__((format(printf, 1, 2)));

/* log_error() and return -1, so a failing branch is one statement. */
int	error(const char *, ...) __attribute__((format(printf, 1, 2)));

/* Out of memory or a broken invariant: report and exit(1). */
void	die(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/*
 * Redraw the one-line progress bar (no newline) when enabled and at most
 * five times a second, or always when force is set.  log_progress_clear()
 * erases it; every other message erases it first.
 */
void	log_progress(int, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_progress_clear(void);

#endif /* LOG_H */
