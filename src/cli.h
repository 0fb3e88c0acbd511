/*
 * cli.h - the command line: option tables, --help texts, and one handler
 * per command.  Returns the exit status main() exits with.
 */
#ifndef CLI_H
#define CLI_H

#include <signal.h>

enum exit_code {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* the operation failed, or damage found */
	EXIT_USAGE = 2,		/* bad command line, unknown operation */
	EXIT_PARTIAL = 3,	/* completed, but some files not compared */
	EXIT_INTERRUPTED = 130	/* stopped; resumable */
};

int	cli_main(int, char **, volatile sig_atomic_t *);

#endif /* CLI_H */
