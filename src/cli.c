/*
 * cli.c - parse the command line and run one command.
 *
 * Usage errors (unknown option, bad number, missing root, unknown id) are
 * one line on stderr and exit 2, before any operation is created.  Each
 * command has an option table and a handler; the options every command
 * takes (-q, -v, --state-dir, --help) are handled by common_opt().
 */
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "apply.h"
#include "export.h"
#include "history.h"
#include "import.h"
#include "log.h"
#include "pool.h"
#include "report.h"
#include "scan.h"
#include "store.h"
#include "tracker.h"
#include "util.h"

enum {
	OPT_STATE_DIR = 256,
	OPT_JSON,
	OPT_EMPTY,
	OPT_MIN_SIZE,
	OPT_MAX_SIZE,
	OPT_EXCLUDE,
	OPT_HIDDEN,
	OPT_NO_HIDDEN,
	OPT_INTERVAL,
	OPT_NO_DETAIL,
	OPT_NO_REUSE,
	OPT_ACTIVE_ONLY,
	OPT_APPLY,
	OPT_DRY_RUN,
	OPT_BACKUP_DIR,
	OPT_NO_BACKUP,
	OPT_ACTION,
	OPT_KEEP,
	OPT_KEEP_PATH,
	OPT_FORMAT,
	OPT_OUTPUT,
	OPT_OLDER_THAN,
	OPT_INCLUDE_INTERRUPTED
};

#define APPLY_OPTS							\
	{ "apply", no_argument, NULL, OPT_APPLY },			\
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },			\
	{ "backup-dir", required_argument, NULL, OPT_BACKUP_DIR },	\
	{ "no-backup", no_argument, NULL, OPT_NO_BACKUP },		\
	{ "action", required_argument, NULL, OPT_ACTION },		\
	{ "keep", required_argument, NULL, OPT_KEEP },			\
	{ "keep-path", required_argument, NULL, OPT_KEEP_PATH }

#define COMMON_OPTS							\
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },	\
	{ "quiet", no_argument, NULL, 'q' },				\
	{ "verbose", no_argument, NULL, 'v' },				\
	{ "help", no_argument, NULL, 'h' },				\
	{ NULL, 0, NULL, 0 }
#define COMMON_SHORT	"qvh"

struct common {
	const char	*state_dir;
	int		 verbosity;
	int		 help;
	int		 json;
	enum report_format format;
	int		 conflict;	/* both --json and -0 */
	volatile sig_atomic_t *stop;
};

struct command {
	const char	*name;
	int		(*fn)(int, char **, struct common *);
	const char	*args;
	const char	*help;
};

static const struct command *find_command(const char *);

static int
usage_error(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "roo-duplicates: %s%s", cmd != NULL ? cmd : "",
	    cmd != NULL ? ": " : "");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see 'roo-duplicates %s%s--help')\n",
	    cmd != NULL ? cmd : "", cmd != NULL ? " " : "");
	return EXIT_USAGE;
}

/* A request refused (unknown id, wrong state): one line, exit 2. */
static int
refuse(const char *cmd, const char *fmt, const char *arg)
{
	fprintf(stderr, "roo-duplicates: %s: ", cmd);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return EXIT_USAGE;
}

/* Handle an option every command takes; 1 when handled. */
static int
common_opt(int c, struct common *co)
{
	switch (c) {
	case OPT_STATE_DIR:
		co->state_dir = optarg;
		return 1;
	case 'q':
		co->verbosity = -100;
		return 1;
	case 'v':
		if (co->verbosity >= 0)
			co->verbosity++;
		return 1;
	case 'h':
		co->help = 1;
		return 1;
	}
	return 0;
}

/* The one-line error for what getopt_long() rejected. */
static int
bad_option(const char *cmd, char **argv, int c)
{
	char	 opt[3];

	if (c == ':') {
		return usage_error(cmd, "option '%s' needs a value",
		    argv[optind - 1]);
	}
	if (optopt != 0 && optopt < 256) {
		snprintf(opt, sizeof(opt), "-%c", optopt);
		return usage_error(cmd, "unknown option '%s'", opt);
	}
	return usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
}

static void
apply_verbosity(const struct common *co)
{
	if (co->verbosity < 0)
		log_set_level(LOG_ERROR);
	else
		log_set_level(LOG_DEFAULT + co->verbosity);
}

static const char *
state_dir(const struct common *co)
{
	const char	*env;

	if (co->state_dir != NULL)
		return co->state_dir;
	env = getenv("ROOCODE_STATE_DIR");
	return env != NULL && *env != '\0' ? env : ".";
}

/*
 * Say how to continue an interrupted command: "roo-duplicates [--state-dir
 * DIR] CMD ID", with DIR when it was given on the command line (quoted for
 * the shell when it needs to be).
 */
static void
continue_hint(const struct common *co, const char *cmd, const char *id)
{
	const char	*p;
	char		*dir, *q;
	int		 plain;

	dir = NULL;
	if (co->state_dir != NULL) {
		plain = *co->state_dir != '\0';
		for (p = co->state_dir; *p != '\0'; p++)
			if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
			    "QRSTUVWXYZ0123456789/._-+,:@", *p) == NULL)
				plain = 0;
		if (plain)
			dir = xasprintf(" --state-dir %s", co->state_dir);
		else {
			/* 'it'\''s' */
			q = xcalloc(1, 4 * strlen(co->state_dir) + 3);
			*q = '\'';
			for (p = co->state_dir; *p != '\0'; p++) {
				if (*p == '\'')
					strcat(q, "'\\''");
				else
					strncat(q, p, 1);
			}
			strcat(q, "'");
			dir = xasprintf(" --state-dir %s", q);
			free(q);
		}
	}
	log_error("interrupted; continue with: roo-duplicates%s %s %s",
	    dir != NULL ? dir : "", cmd, id);
	free(dir);
}

/* 0 with *db, 1 when create is unset and there is no database, -1. */
static int
open_db(const struct common *co, int create, struct roo_db **db)
{
	return tracker_open(state_dir(co), create, db);
}

/* "1 file", "2 files". */
static const char *
plural(uint64_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static int
print_help(const char *name)
{
	const struct command *c;

	c = find_command(name);
	printf("usage: roo-duplicates %s %s\n\n%s", c->name, c->args, c->help);
	printf("\nCommon options: --state-dir DIR (default $ROOCODE_STATE_DIR "
	    "or .), -q/--quiet,\n-v/--verbose (repeat for more), "
	    "-h/--help.  See roo-duplicates(1).\n");
	return EXIT_OK;
}

/* Options shared by find and resume: how the groups are printed. */
static int
output_opt(int c, struct common *co)
{
	switch (c) {
	case OPT_JSON:
	case '0':
		if (co->format != REPORT_TEXT)
			co->conflict = 1;
		co->format = c == '0' ? REPORT_NUL : REPORT_JSON;
		return 1;
	}
	return 0;
}

/* What --apply, --dry-run and their companions asked for. */
struct apply_args {
	int		 apply;
	int		 dry_run;
	int		 no_backup;
	int		 given;		/* any of the options */
	const char	*backup_dir;
	const char	*action;
	const char	*keep;
	char		**keep_paths;
	size_t		 nkeep_paths;
};

static int
apply_opt(int c, struct apply_args *aa)
{
	switch (c) {
	case OPT_APPLY:
		aa->apply = 1;
		return 1;
	case OPT_DRY_RUN:
		aa->dry_run = 1;
		return 1;
	case OPT_BACKUP_DIR:
		aa->backup_dir = optarg;
		break;
	case OPT_NO_BACKUP:
		aa->no_backup = 1;
		break;
	case OPT_ACTION:
		aa->action = optarg;
		break;
	case OPT_KEEP:
		aa->keep = optarg;
		break;
	case OPT_KEEP_PATH:
		aa->keep_paths = xrealloc(aa->keep_paths,
		    (aa->nkeep_paths + 1) * sizeof(*aa->keep_paths));
		aa->keep_paths[aa->nkeep_paths++] = optarg;
		break;
	default:
		return 0;
	}
	aa->given = 1;
	return 1;
}

static int
backup_needed(const char *cmd, const struct apply_opts *ao)
{
	return usage_error(cmd, "--apply with --action %s needs --backup-dir "
	    "DIR (or an explicit --no-backup; hardlink and reflink need "
	    "neither)", apply_kind_name(ao->kind));
}

/*
 * Check the apply options and resolve their paths into *ao.  --apply
 * alone (no other apply option) is checked by the caller: for resume it
 * may mean "finish the apply under way".
 */
static int
apply_resolve(const struct apply_args *aa, struct apply_opts *ao,
    const char *cmd, volatile sig_atomic_t *stop)
{
	char	*real;
	size_t	 i;

	memset(ao, 0, sizeof(*ao));
	ao->stop = stop;
	ao->dry_run = aa->dry_run;
	if (aa->given && !aa->apply && !aa->dry_run)
		return usage_error(cmd, "%s", "--action, --keep, --keep-path, "
		    "--backup-dir and --no-backup go with --apply or "
		    "--dry-run");
	if (aa->action != NULL && apply_kind_parse(aa->action, &ao->kind) != 0)
		return usage_error(cmd, "unknown --action '%s' (remove, "
		    "hardlink, symlink, reflink)", aa->action);
	if (aa->keep != NULL && keep_rule_parse(aa->keep, &ao->keep) != 0)
		return usage_error(cmd, "unknown --keep '%s' (first, oldest, "
		    "newest, shortest-path)", aa->keep);
	if (aa->backup_dir != NULL && aa->no_backup)
		return usage_error(cmd, "%s", "--backup-dir and --no-backup "
		    "exclude each other");
	if (aa->apply && aa->given && aa->backup_dir == NULL &&
	    !aa->no_backup && ao->kind != APPLY_HARDLINK &&
	    ao->kind != APPLY_REFLINK)
		return backup_needed(cmd, ao);
	for (i = 0; i < aa->nkeep_paths; i++) {
		real = realpath(aa->keep_paths[i], NULL);
		if (real == NULL) {
			apply_opts_release(ao);
			return usage_error(cmd, "no directory '%s' for "
			    "--keep-path", aa->keep_paths[i]);
		}
		ao->keep_paths = xrealloc(ao->keep_paths,
		    (ao->nkeep_paths + 1) * sizeof(*ao->keep_paths));
		ao->keep_paths[ao->nkeep_paths++] = real;
	}
	if (aa->backup_dir != NULL) {
		if (mkdir(aa->backup_dir, 0700) != 0 && errno != EEXIST) {
			apply_opts_release(ao);
			return usage_error(cmd, "cannot create backup "
			    "directory '%s'", aa->backup_dir);
		}
		ao->backup_dir = realpath(aa->backup_dir, NULL);
		if (ao->backup_dir == NULL) {
			apply_opts_release(ao);
			return usage_error(cmd, "no directory '%s' for "
			    "--backup-dir", aa->backup_dir);
		}
	}
	return 0;
}

/*
 * Apply (or print the plan of) a completed scan; print what was done.
 * Returns the exit status.
 */
static int
run_apply(struct roo_db *db, struct roo_op *op, const struct apply_opts *ao,
    const struct common *co)
{
	struct apply_stats	 st;
	char			 bytes[16];
	int			 rc;

	if (ao->dry_run)
		return apply_plan(op, ao, stdout) == 0 ? EXIT_OK : EXIT_FAIL;
	if ((strcmp(op->state, "running") != 0 &&
	    tracker_op_claim(op) != 0) ||
	    (strcmp(op->apply_state, "none") == 0 &&
	    apply_plan(op, ao, NULL) != 0))
		return EXIT_FAIL;
	rc = apply_run(op, ao, &st);
	if (rc == APPLY_INTERRUPTED) {
		if (tracker_finish(op, "interrupted") != 0)
			return EXIT_FAIL;
		continue_hint(co, "resume --apply", op->id);
		return EXIT_INTERRUPTED;
	}
	if (rc != APPLY_DONE || tracker_finish(op, "completed") != 0) {
		(void)tracker_finish(op, "failed");
		log_error("applying operation %s failed", op->id);
		return EXIT_FAIL;
	}
	if (export_finals(db, op->key, op->id) != 0 ||
	    report_groups(db, op->key, co->format, stdout) != 0)
		return EXIT_FAIL;
	format_bytes(st.reclaimed, bytes, sizeof(bytes));
	log_info("%llu %s acted on, %llu skipped, %llu failed, %s reclaimed",
	    (unsigned long long)st.done, plural(st.done, "file", "files"),
	    (unsigned long long)st.skipped, (unsigned long long)st.failed,
	    bytes);
	return st.skipped + st.failed > 0 ? EXIT_PARTIAL : EXIT_OK;
}

/* Print the groups and the summary line; return the exit status. */
static int
finish_run(struct roo_db *db, struct roo_op *op, int rc,
    const struct common *co)
{
	struct roo_summary	 s;
	char			 bytes[16], reused[64];

	if (rc == SCAN_INTERRUPTED) {
		/* JSON readers get a document that says what happened. */
		if (co->format == REPORT_JSON)
			(void)report_groups(db, op->key, REPORT_JSON, stdout);
		continue_hint(co, "resume", op->id);
		return EXIT_INTERRUPTED;
	}
	if (rc != SCAN_DONE) {
		log_error("operation %s failed", op->id);
		return EXIT_FAIL;
	}
	if (export_finals(db, op->key, op->id) != 0 ||
	    report_groups(db, op->key, co->format, stdout) != 0)
		return EXIT_FAIL;
	if (roo_op_summary(db, op->id, &s) != 1)
		return EXIT_FAIL;
	format_bytes(s.reclaimable_bytes, bytes, sizeof(bytes));
	snprintf(reused, sizeof(reused), " (%llu earlier %s reused)",
	    (unsigned long long)s.reused, plural(s.reused, "hash", "hashes"));
	log_info("%llu %s scanned, %llu %s, %llu redundant %s, %s could be "
	    "reclaimed%s%s", (unsigned long long)s.files,
	    plural(s.files, "file", "files"), (unsigned long long)s.groups,
	    plural(s.groups, "group", "groups"),
	    (unsigned long long)s.redundant_files,
	    plural(s.redundant_files, "file", "files"), bytes,
	    s.reused > 0 ? reused : "",
	    s.errors > 0 ? "; some files could not be compared" : "");
	return s.errors > 0 ? EXIT_PARTIAL : EXIT_OK;
}

/*
 * Test hooks, read from the environment: ROOCODE_TEST_STOP_AFTER=N acts
 * as if SIGINT came after N file results; ROOCODE_TEST_PAUSE_AFTER=N
 * stops the process (SIGSTOP) there, for a test to signal it;
 * ROOCODE_TEST_PAUSE_AT_BYTES=N stops it once N bytes were hashed.
 */
static uint64_t
test_hook(const char *name)
{
	const char	*s;
	uint64_t	 n;

	s = getenv(name);
	if (s == NULL || parse_uint(s, 1, UINT64_MAX, &n) != 0)
		return 0;
	return n;
}

static void
test_hooks(struct scan_opts *o)
{
	o->stop_after = test_hook("ROOCODE_TEST_STOP_AFTER");
	o->pause_after = test_hook("ROOCODE_TEST_PAUSE_AFTER");
	o->pause_bytes = test_hook("ROOCODE_TEST_PAUSE_AT_BYTES");
}

static int
check_roots(char **roots, size_t n)
{
	struct stat	 sb;
	size_t		 i;

	for (i = 0; i < n; i++) {
		if (stat(roots[i], &sb) != 0) {
			char *q = path_quote(roots[i]);

			fprintf(stderr, "roo-duplicates: find: cannot scan "
			    "'%s': %s\n", q, strerror(errno));
			free(q);
			return -1;
		}
	}
	return 0;
}

static const struct option find_longopts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "null", no_argument, NULL, '0' },
	{ "empty", no_argument, NULL, OPT_EMPTY },
	{ "min-size", required_argument, NULL, OPT_MIN_SIZE },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "exclude", required_argument, NULL, OPT_EXCLUDE },
	{ "hidden", no_argument, NULL, OPT_HIDDEN },
	{ "no-hidden", no_argument, NULL, OPT_NO_HIDDEN },
	{ "one-file-system", no_argument, NULL, 'x' },
	{ "follow-symlinks", no_argument, NULL, 'L' },
	{ "jobs", required_argument, NULL, 'j' },
	{ "checkpoint-interval", required_argument, NULL, OPT_INTERVAL },
	{ "no-detailed-logging", no_argument, NULL, OPT_NO_DETAIL },
	{ "no-reuse", no_argument, NULL, OPT_NO_REUSE },
	APPLY_OPTS,
	COMMON_OPTS
};

struct find_args {
	struct scan_opts	 scan;
	struct apply_args	 apply;
	char			**exclude;
	size_t			 nexclude;
	uint64_t		 interval;
	int			 detailed;
	int			 reuse;
};

static int
find_opt(int c, struct find_args *a, const char *cmd)
{
	uint64_t	 n;

	switch (c) {
	case OPT_EMPTY:
		a->scan.walk.empty = 1;
		break;
	case OPT_MIN_SIZE:
		if (parse_size(optarg, &a->scan.walk.min_size) != 0)
			return usage_error(cmd, "bad size '%s' for --min-size",
			    optarg);
		break;
	case OPT_MAX_SIZE:
		if (parse_size(optarg, &a->scan.walk.max_size) != 0)
			return usage_error(cmd, "bad size '%s' for --max-size",
			    optarg);
		break;
	case OPT_EXCLUDE:
		/* XXX(#2): options are stored as JSON: patterns must be
		 * valid UTF-8. */
		if (!utf8_valid((const unsigned char *)optarg, strlen(optarg)))
			return usage_error(cmd, "--exclude pattern '%s' is not "
			    "valid UTF-8", optarg);
		a->exclude = xrealloc(a->exclude,
		    (a->nexclude + 1) * sizeof(*a->exclude));
		a->exclude[a->nexclude++] = optarg;
		break;
	case OPT_HIDDEN:
		a->scan.walk.hidden = 1;
		break;
	case OPT_NO_HIDDEN:
		a->scan.walk.hidden = 0;
		break;
	case 'x':
		a->scan.walk.one_file_system = 1;
		break;
	case 'L':
		a->scan.walk.follow_symlinks = 1;
		break;
	case 'j':
		if (parse_uint(optarg, 1, 256, &n) != 0)
			return usage_error(cmd, "bad number '%s' for --jobs "
			    "(1 to 256)", optarg);
		a->scan.jobs = (int)n;
		break;
	case OPT_INTERVAL:
		if (parse_uint(optarg, 1, 1000000000, &a->interval) != 0)
			return usage_error(cmd, "bad number '%s' for "
			    "--checkpoint-interval", optarg);
		break;
	case OPT_NO_DETAIL:
		a->detailed = 0;
		break;
	case OPT_NO_REUSE:
		a->reuse = 0;
		break;
	default:
		return -1;
	}
	return 0;
}

/* Parse find's command line into a; returns 0 or the exit status. */
static int
find_args(int argc, char **argv, struct common *co, struct find_args *a)
{
	int	 c, rc;

	a->scan.walk.hidden = 1;
	a->scan.walk.max_size = UINT64_MAX;
	a->scan.jobs = pool_cores();
	a->scan.stop = co->stop;
	test_hooks(&a->scan);
	a->interval = 10;
	a->detailed = 1;
	a->reuse = 1;
	while ((c = getopt_long(argc, argv, ":0xLj:" COMMON_SHORT,
	    find_longopts, NULL)) != -1) {
		if (common_opt(c, co) || output_opt(c, co) ||
		    apply_opt(c, &a->apply))
			continue;
		if (c == '?' || c == ':')
			return bad_option("find", argv, c);
		if ((rc = find_opt(c, a, "find")) != 0)
			return rc;
	}
	if (co->help)
		return print_help("find");
	apply_verbosity(co);
	a->scan.walk.exclude = a->exclude;
	a->scan.walk.nexclude = a->nexclude;
	if (a->scan.walk.min_size > a->scan.walk.max_size)
		return usage_error("find", "%s", "--min-size is larger than "
		    "--max-size");
	if (co->conflict)
		return usage_error("find", "%s", "--json and -0 exclude each "
		    "other");
	return 0;
}

static int
cmd_find(int argc, char **argv, struct common *co)
{
	struct tracker_start	 ts;
	struct apply_opts	 ao;
	struct find_args	 a;
	struct roo_db		*db;
	struct roo_op		*op;
	char			 cwd[4096];
	char			*dot[] = { ".", NULL };
	char			**roots, *options;
	size_t			 nroots;
	int			 rc;

	memset(&a, 0, sizeof(a));
	memset(&ao, 0, sizeof(ao));
	db = NULL;
	op = NULL;
	options = NULL;
	if ((rc = find_args(argc, argv, co, &a)) != 0 || co->help ||
	    (rc = apply_resolve(&a.apply, &ao, "find", co->stop)) != 0)
		goto out;
	if (a.apply.apply && !a.apply.given) {
		rc = backup_needed("find", &ao);
		goto out;
	}
	if (a.apply.dry_run && co->format != REPORT_TEXT) {
		rc = usage_error("find", "%s", "--dry-run prints the plan as "
		    "text: no --json or -0");
		goto out;
	}
	roots = optind < argc ? argv + optind : dot;
	nroots = optind < argc ? (size_t)(argc - optind) : 1;
	rc = EXIT_USAGE;
	if (check_roots(roots, nroots) != 0)
		goto out;
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		rc = error("cannot get the working directory: %s",
		    strerror(errno)) == -1 ? EXIT_FAIL : EXIT_FAIL;
		goto out;
	}
	rc = EXIT_FAIL;
	/* Backups never take part in the scan that makes them. */
	a.scan.skip_dir = ao.backup_dir;
	if (open_db(co, 1, &db) != 0 || tracker_options_json(db, &a.scan.walk,
	    (int)a.interval, a.detailed, a.reuse, &options) != 0)
		goto out;
	memset(&ts, 0, sizeof(ts));
	ts.roots = roots;
	ts.nroots = nroots;
	ts.cwd = cwd;
	ts.options = options;
	ts.interval = (int)a.interval;
	ts.detailed = a.detailed;
	ts.reuse = a.reuse;
	if (tracker_op_start(db, &ts, &op) != 0)
		goto out;
	log_info("operation: %s", op->id);
	rc = scan_run(op, &a.scan);
	if (rc == SCAN_DONE && (a.apply.apply || a.apply.dry_run))
		rc = run_apply(db, op, &ao, co);
	else
		rc = finish_run(db, op, rc, co);
out:
	free(options);
	apply_opts_release(&ao);
	roo_op_free(op);
	roo_close(db);
	free(a.exclude);
	free(a.apply.keep_paths);
	return rc;
}

/* Rebuild a find's scan options from what its operation recorded. */
static int
scan_opts_load(struct roo_op *op, struct scan_opts *o)
{
	int64_t		 v;
	char		**ex;
	size_t		 n;

	o->walk.hidden = tracker_opt_int(op, "$.hidden", &v) == 1 ? v != 0 : 1;
	o->walk.empty = tracker_opt_int(op, "$.empty", &v) == 1 && v != 0;
	o->walk.one_file_system = tracker_opt_int(op, "$.oneFileSystem",
	    &v) == 1 && v != 0;
	o->walk.follow_symlinks = tracker_opt_int(op, "$.followSymlinks",
	    &v) == 1 && v != 0;
	o->walk.min_size = tracker_opt_int(op, "$.minSize", &v) == 1 &&
	    v > 0 ? (uint64_t)v : 0;
	o->walk.max_size = tracker_opt_int(op, "$.maxSize", &v) == 1 &&
	    v >= 0 ? (uint64_t)v : UINT64_MAX;
	if (tracker_opt_list(op, "$.exclude", &ex, &n) != 0)
		return -1;
	o->walk.exclude = ex;
	o->walk.nexclude = n;
	return 0;
}

static void
scan_opts_release(struct scan_opts *o)
{
	size_t	 i;

	for (i = 0; i < o->walk.nexclude; i++)
		free(o->walk.exclude[i]);
	free((char **)o->walk.exclude);
}

/*
 * What resume does before continuing: check the database and the
 * operation, roll damaged checkpoints back, backfill the log.
 */
static int
check_before_resume(struct roo_db *db, struct roo_op *op)
{
	struct buf	 msgs;
	char		*msg, *saved;
	uint64_t	 added, lines;
	int64_t		 from;
	int		 rc;

	rc = store_quick_check(tracker_store(db), &msg);
	if (rc != 0) {
		if (rc > 0)
			log_error("the state database is damaged (%s); run "
			    "'roo-duplicates verify' and start a new find",
			    msg);
		free(msg);
		return EXIT_FAIL;
	}
	buf_init(&msgs);
	buf_addstr(&msgs, "");
	rc = tracker_verify(db, op->id, &msgs, &from);
	if (rc > 0)
		log_warn("operation %s is damaged:\n%s", op->id, msgs.p);
	buf_release(&msgs);
	if (rc < 0)
		return EXIT_FAIL;
	if (rc > 0 && from > 0) {
		if (tracker_repair(op, from, &saved) != 0) {
			free(saved);
			return EXIT_FAIL;
		}
		log_warn("saved checkpoint %lld and later in '%s'; continuing "
		    "from checkpoint %lld", (long long)from, saved,
		    (long long)from - 1);
		free(saved);
	} else if (rc > 0 && tracker_recount_fix(op) != 0)
		return EXIT_FAIL;
	if (tracker_backfill(db, op->key, &added) != 0 ||
	    tracker_log_sync(db, op->key, op->id, &lines) != 0)
		return EXIT_FAIL;
	if (added > 0)
		log_verbose("backfilled %llu log entries",
		    (unsigned long long)added);
	return EXIT_OK;
}

static const struct option resume_longopts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "null", no_argument, NULL, '0' },
	{ "jobs", required_argument, NULL, 'j' },
	APPLY_OPTS,
	COMMON_OPTS
};

/* Refuse to act on recorded groups that do not verify. */
static int
sound(struct roo_db *db, struct roo_op *op)
{
	struct buf	 msgs;
	int64_t		 from;
	int		 rc;

	buf_init(&msgs);
	buf_addstr(&msgs, "");
	rc = tracker_verify(db, op->id, &msgs, &from);
	if (rc == 1)
		log_error("operation %s is damaged; not acting on it (see "
		    "'roo-duplicates verify %s'):\n%s", op->id, op->id,
		    msgs.p);
	buf_release(&msgs);
	return rc == 0;
}

/*
 * resume of an operation whose scan is done: an apply to start or to
 * finish.  Returns the exit status.
 */
static int
resume_apply(struct roo_db *db, struct roo_op *op,
    const struct apply_args *aa, struct apply_opts *ao,
    const struct common *co)
{
	const char	*as;

	as = op->apply_state;
	if (strcmp(as, "applying") == 0) {
		if (!aa->apply)
			return refuse("resume", "operation '%s' was "
			    "interrupted while applying: finish it with "
			    "--apply, or undo it", op->id);
		if (aa->given)
			return refuse("resume", "the apply of '%s' goes on "
			    "with the options it began with; give --apply "
			    "alone",
			    op->id);
		apply_opts_release(ao);
		if (apply_opts_load(op, ao) != 0)
			return EXIT_FAIL;
		ao->stop = co->stop;
	} else if (!aa->apply && !aa->dry_run)
		return refuse("resume", "operation '%s' is already completed; "
		    "nothing to resume", op->id);
	else if (strcmp(as, "none") != 0)
		return refuse("resume", "operation '%s' was already applied",
		    op->id);
	else if (aa->apply && !aa->given)
		return backup_needed("resume", ao);
	if (!sound(db, op))
		return EXIT_FAIL;
	log_info("operation: %s (%s)", op->id, ao->dry_run ? "plan" :
	    "applying");
	return run_apply(db, op, ao, co);
}

static int
cmd_resume(int argc, char **argv, struct common *co)
{
	struct apply_args	 aa;
	struct apply_opts	 ao;
	struct scan_opts	 so;
	struct roo_db		*db;
	struct roo_op		*op;
	uint64_t		 jobs;
	int			 c, rc, busy;

	jobs = (uint64_t)pool_cores();
	memset(&aa, 0, sizeof(aa));
	memset(&ao, 0, sizeof(ao));
	memset(&so, 0, sizeof(so));
	db = NULL;
	op = NULL;
	rc = 0;
	while (rc == 0 && (c = getopt_long(argc, argv, ":0j:" COMMON_SHORT,
	    resume_longopts, NULL)) != -1) {
		if (common_opt(c, co) || output_opt(c, co) ||
		    apply_opt(c, &aa))
			continue;
		if (c == 'j' && parse_uint(optarg, 1, 256, &jobs) != 0)
			rc = usage_error("resume", "bad number '%s' for --jobs "
			    "(1 to 256)", optarg);
		else if (c != 'j')
			rc = bad_option("resume", argv, c);
	}
	if (rc != 0 || (co->help && (rc = print_help("resume")) == 0) ||
	    co->help)
		goto out;
	apply_verbosity(co);
	if (optind != argc - 1) {
		rc = usage_error("resume", "%s", "needs one operation id");
		goto out;
	}
	if (co->conflict) {
		rc = usage_error("resume", "%s", "--json and -0 exclude each "
		    "other");
		goto out;
	}
	if ((rc = apply_resolve(&aa, &ao, "resume", co->stop)) != 0)
		goto out;
	if (aa.dry_run && co->format != REPORT_TEXT) {
		rc = usage_error("resume", "%s", "--dry-run prints the plan as "
		    "text: no --json or -0");
		goto out;
	}
	if ((rc = open_db(co, 0, &db)) != 0) {
		rc = rc > 0 ? refuse("resume", "no operation '%s'",
		    argv[optind]) : EXIT_FAIL;
		goto out;
	}
	rc = tracker_op_load(db, argv[optind], 1, &op, &busy);
	if (rc <= 0) {
		rc = rc == 0 ? refuse("resume", "no operation '%s'",
		    argv[optind]) : busy ? refuse("resume", "operation '%s' "
		    "is still running in another process", argv[optind]) :
		    EXIT_FAIL;
		goto out;
	}
	rc = EXIT_FAIL;
	if (chdir(op->cwd) != 0) {
		log_error("cannot enter the operation's directory '%s': %s",
		    op->cwd, strerror(errno));
		goto out;
	}
	if (strcmp(op->state, "completed") == 0 ||
	    strcmp(op->apply_state, "none") != 0) {
		rc = resume_apply(db, op, &aa, &ao, co);
		goto out;
	}
	if ((c = check_before_resume(db, op)) != EXIT_OK) {
		rc = c;
		goto out;
	}
	if (scan_opts_load(op, &so) != 0 || tracker_op_claim(op) != 0 ||
	    tracker_state_log(op, "resumed", NULL) != 0 ||
	    tracker_commit(op) != 0)
		goto out;
	so.jobs = (int)jobs;
	so.stop = co->stop;
	so.skip_dir = ao.backup_dir;
	test_hooks(&so);
	log_info("operation: %s (resumed)", op->id);
	rc = scan_run(op, &so);
	if (rc == SCAN_DONE && aa.apply && !aa.given)
		rc = backup_needed("resume", &ao);
	else if (rc == SCAN_DONE && (aa.apply || aa.dry_run))
		rc = run_apply(db, op, &ao, co);
	else
		rc = finish_run(db, op, rc, co);
out:
	scan_opts_release(&so);
	apply_opts_release(&ao);
	free(aa.keep_paths);
	roo_op_free(op);
	roo_close(db);
	return rc;
}

static const struct option undo_longopts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "null", no_argument, NULL, '0' },
	COMMON_OPTS
};

static int
cmd_undo(int argc, char **argv, struct common *co)
{
	struct apply_stats	 st;
	struct roo_db		*db;
	struct roo_op		*op;
	int			 c, rc, busy;

	while ((c = getopt_long(argc, argv, ":0" COMMON_SHORT, undo_longopts,
	    NULL)) != -1)
		if (!common_opt(c, co) && !output_opt(c, co))
			return bad_option("undo", argv, c);
	if (co->help)
		return print_help("undo");
	apply_verbosity(co);
	if (optind != argc - 1)
		return usage_error("undo", "%s", "needs one operation id");
	if ((rc = open_db(co, 0, &db)) != 0)
		return rc > 0 ? refuse("undo", "no operation '%s'",
		    argv[optind]) : EXIT_FAIL;
	op = NULL;
	rc = tracker_op_load(db, argv[optind], 1, &op, &busy);
	if (rc <= 0) {
		rc = rc == 0 ? refuse("undo", "no operation '%s'",
		    argv[optind]) : busy ? refuse("undo", "operation '%s' is "
		    "still running in another process", argv[optind]) :
		    EXIT_FAIL;
		goto out;
	}
	if (strcmp(op->apply_state, "applying") != 0 &&
	    strcmp(op->apply_state, "applied") != 0 &&
	    strcmp(op->apply_state, "undoing") != 0) {
		rc = refuse("undo", strcmp(op->apply_state, "undone") == 0 ?
		    "operation '%s' was already undone" : "operation '%s' was "
		    "never applied: nothing to undo", op->id);
		goto out;
	}
	rc = EXIT_FAIL;
	if (tracker_op_claim(op) != 0)
		goto out;
	c = apply_undo(op, co->stop, &st);
	if (c == APPLY_INTERRUPTED) {
		if (tracker_finish(op, "interrupted") == 0)
			continue_hint(co, "undo", op->id);
		rc = EXIT_INTERRUPTED;
		goto out;
	}
	if (c != APPLY_DONE || tracker_finish(op, "completed") != 0) {
		(void)tracker_finish(op, "failed");
		goto out;
	}
	if (export_finals(db, op->key, op->id) != 0 ||
	    report_groups(db, op->key, co->format, stdout) != 0)
		goto out;
	log_info("%llu %s restored%s", (unsigned long long)st.restored,
	    plural(st.restored, "file", "files"), st.refused > 0 ?
	    "; some could not be (see above), run undo again once fixed" :
	    st.restored == 0 ? ": the apply had changed no file" : "");
	rc = st.refused > 0 ? EXIT_PARTIAL : EXIT_OK;
out:
	roo_op_free(op);
	roo_close(db);
	return rc;
}

static const struct option list_longopts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "active-only", no_argument, NULL, OPT_ACTIVE_ONLY },
	COMMON_OPTS
};

static int
cmd_list(int argc, char **argv, struct common *co)
{
	struct roo_db	*db;
	int		 c, active, rc;

	active = 0;
	while ((c = getopt_long(argc, argv, ":" COMMON_SHORT, list_longopts,
	    NULL)) != -1) {
		if (common_opt(c, co))
			continue;
		if (c == OPT_JSON)
			co->json = 1;
		else if (c == OPT_ACTIVE_ONLY)
			active = 1;
		else
			return bad_option("list", argv, c);
	}
	if (co->help)
		return print_help("list");
	apply_verbosity(co);
	if (optind != argc)
		return usage_error("list", "unexpected argument '%s'",
		    argv[optind]);
	if ((rc = open_db(co, 0, &db)) != 0) {
		if (rc < 0)
			return EXIT_FAIL;
		if (co->json)
			printf("[]\n");
		log_info("no operations in %s", state_dir(co));
		return EXIT_OK;
	}
	rc = report_list(db, active, co->json, stdout) == 0 ? EXIT_OK :
	    EXIT_FAIL;
	roo_close(db);
	return rc;
}

static const struct option status_longopts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	COMMON_OPTS
};

static int
cmd_status(int argc, char **argv, struct common *co)
{
	struct roo_db	*db;
	int		 c, rc;

	while ((c = getopt_long(argc, argv, ":" COMMON_SHORT, status_longopts,
	    NULL)) != -1) {
		if (common_opt(c, co))
			continue;
		if (c == OPT_JSON)
			co->json = 1;
		else
			return bad_option("status", argv, c);
	}
	if (co->help)
		return print_help("status");
	apply_verbosity(co);
	if (optind != argc - 1)
		return usage_error("status", "%s", "needs one operation id");
	if ((rc = open_db(co, 0, &db)) != 0)
		return rc > 0 ? refuse("status", "no operation '%s'",
		    argv[optind]) : EXIT_FAIL;
	rc = report_status(db, argv[optind], co->json, stdout);
	roo_close(db);
	if (rc == 1)
		return refuse("status", "no operation '%s'",
		    argv[optind]);
	return rc == 0 ? EXIT_OK : EXIT_FAIL;
}

static const struct option verify_longopts[] = {
	COMMON_OPTS
};

/* Verify one operation; print its verdict; 1 when damaged. */
static int
verify_one(struct roo_db *db, const char *id)
{
	struct buf	 msgs;
	int64_t		 from;
	int		 rc;

	buf_init(&msgs);
	buf_addstr(&msgs, "");
	rc = tracker_verify(db, id, &msgs, &from);
	if (rc == 0)
		printf("%s: ok\n", id);
	else if (rc == 1)
		printf("%s: DAMAGED\n%s", id, msgs.p);
	buf_release(&msgs);
	return rc;
}

static int
cmd_verify(int argc, char **argv, struct common *co)
{
	struct roo_db	*db;
	char		*msg, **ids;
	size_t		 i, n;
	int		 c, rc, damaged, db_lost;

	while ((c = getopt_long(argc, argv, ":" COMMON_SHORT, verify_longopts,
	    NULL)) != -1)
		if (!common_opt(c, co))
			return bad_option("verify", argv, c);
	if (co->help)
		return print_help("verify");
	apply_verbosity(co);
	if (optind < argc - 1)
		return usage_error("verify", "%s", "takes at most one id");
	if ((rc = open_db(co, 0, &db)) != 0) {
		if (rc < 0)
			return EXIT_FAIL;
		if (optind < argc)
			return refuse("verify", "no operation '%s'",
			    argv[optind]);
		log_info("no state database in %s: nothing to verify",
		    state_dir(co));
		return EXIT_OK;
	}
	damaged = 0;
	if (db->quarantined != NULL) {
		printf("database: DAMAGED, moved to %s\n", db->quarantined);
		damaged = 1;
	}
	rc = store_quick_check(tracker_store(db), &msg);
	if (rc != 0) {
		printf("database: DAMAGED\n%s\n", msg != NULL ? msg : "");
		damaged = 1;
	}
	free(msg);
	if (rc == 0 && (rc = store_fk_check(tracker_store(db), &msg)) != 0) {
		printf("database: foreign keys broken\n%s\n",
		    msg != NULL ? msg : "");
		damaged = 1;
		free(msg);
	}
	ids = NULL;
	n = 0;
	if (optind < argc) {
		ids = xcalloc(1, sizeof(*ids));
		ids[n++] = xstrdup(argv[optind]);
	} else if (tracker_op_ids(db, &ids, &n) != 0)
		damaged = -1;
	for (i = 0; i < n && damaged >= 0; i++) {
		rc = verify_one(db, ids[i]);
		if (rc == 2 && optind < argc) {
			damaged = -2;
			break;
		}
		if (rc != 0)
			damaged = 1;
	}
	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
	db_lost = db->quarantined != NULL;
	roo_close(db);
	if (damaged == -2 && db_lost)
		return EXIT_FAIL;
	if (damaged == -2)
		return refuse("verify", "no operation '%s'",
		    argv[optind]);
	return damaged != 0 ? EXIT_FAIL : EXIT_OK;
}

static const struct option backfill_longopts[] = {
	COMMON_OPTS
};

static int
cmd_backfill(int argc, char **argv, struct common *co)
{
	struct roo_db	*db;
	struct roo_op	*op;
	uint64_t	 added, lines;
	int		 c, rc, busy;

	while ((c = getopt_long(argc, argv, ":" COMMON_SHORT,
	    backfill_longopts, NULL)) != -1)
		if (!common_opt(c, co))
			return bad_option("backfill", argv, c);
	if (co->help)
		return print_help("backfill");
	apply_verbosity(co);
	if (optind != argc - 1)
		return usage_error("backfill", "%s", "needs one operation id");
	if ((rc = open_db(co, 0, &db)) != 0)
		return rc > 0 ? refuse("backfill", "no operation '%s'",
		    argv[optind]) : EXIT_FAIL;
	rc = tracker_op_load(db, argv[optind], 0, &op, &busy);
	if (rc == 0) {
		roo_close(db);
		return refuse("backfill", "no operation '%s'",
		    argv[optind]);
	}
	rc = EXIT_FAIL;
	if (op != NULL && tracker_backfill(db, op->key, &added) == 0 &&
	    tracker_log_sync(db, op->key, op->id, &lines) == 0) {
		log_info("%s: backfilled %llu log entries; appended %llu lines "
		    "to %s/logs/%s.log", op->id, (unsigned long long)added,
		    (unsigned long long)lines, db->dot, op->id);
		rc = EXIT_OK;
	}
	roo_op_free(op);
	roo_close(db);
	return rc;
}

static const struct option export_longopts[] = {
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ "output", required_argument, NULL, 'o' },
	COMMON_OPTS
};

static int
cmd_export(int argc, char **argv, struct common *co)
{
	enum export_format	 f;
	struct roo_db		*db;
	struct roo_op		*op;
	const char		*format, *output;
	int			 c, rc, busy;

	format = output = NULL;
	while ((c = getopt_long(argc, argv, ":o:" COMMON_SHORT,
	    export_longopts, NULL)) != -1) {
		if (common_opt(c, co))
			continue;
		if (c == OPT_FORMAT)
			format = optarg;
		else if (c == 'o')
			output = optarg;
		else
			return bad_option("export", argv, c);
	}
	if (co->help)
		return print_help("export");
	apply_verbosity(co);
	if (optind != argc - 1)
		return usage_error("export", "%s", "needs one operation id");
	if (format == NULL)
		return usage_error("export", "%s", "needs --format "
		    "(checkpoint, log, progress, summary, groups, csv)");
	if (export_format_parse(format, &f) != 0)
		return usage_error("export", "unknown format '%s' (checkpoint, "
		    "log, progress, summary, groups, csv)", format);
	if ((rc = open_db(co, 0, &db)) != 0)
		return rc > 0 ? refuse("export", "no operation '%s'",
		    argv[optind]) : EXIT_FAIL;
	rc = tracker_op_load(db, argv[optind], 0, &op, &busy);
	if (rc <= 0) {
		roo_close(db);
		return rc == 0 ? refuse("export", "no operation '%s'",
		    argv[optind]) : EXIT_FAIL;
	}
	if (op->archived && f != EXPORT_GROUPS && f != EXPORT_CSV)
		log_warn("operation %s is archived: its files, checkpoints "
		    "and log are in %s/checkpoints/completed/%s.json", op->id,
		    db->dot, op->id);
	rc = output != NULL ? export_file(db, op->key, f, output) :
	    export_op(db, op->key, f, stdout);
	roo_op_free(op);
	roo_close(db);
	return rc == 0 ? EXIT_OK : EXIT_FAIL;
}

static const struct option import_longopts[] = {
	COMMON_OPTS
};

static int
cmd_import(int argc, char **argv, struct common *co)
{
	struct roo_db	*db;
	char		*id;
	int		 c, rc, failed;

	while ((c = getopt_long(argc, argv, ":" COMMON_SHORT, import_longopts,
	    NULL)) != -1)
		if (!common_opt(c, co))
			return bad_option("import", argv, c);
	if (co->help)
		return print_help("import");
	apply_verbosity(co);
	if (optind >= argc)
		return usage_error("import", "%s", "needs at least one file");
	if (open_db(co, 1, &db) != 0)
		return EXIT_FAIL;
	failed = 0;
	for (; optind < argc; optind++) {
		rc = import_file(db, argv[optind], &id);
		if (rc == 0)
			printf("%s\n", id);
		else
			failed = 1;
		free(id);
	}
	roo_close(db);
	return failed ? EXIT_FAIL : EXIT_OK;
}

static const struct option report_longopts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	COMMON_OPTS
};

static int
cmd_report(int argc, char **argv, struct common *co)
{
	struct roo_db	*db;
	int		 c, rc;

	while ((c = getopt_long(argc, argv, ":" COMMON_SHORT, report_longopts,
	    NULL)) != -1) {
		if (common_opt(c, co))
			continue;
		if (c == OPT_JSON)
			co->json = 1;
		else
			return bad_option("report", argv, c);
	}
	if (co->help)
		return print_help("report");
	apply_verbosity(co);
	if (optind != argc - 1)
		return usage_error("report", "%s", "needs one operation id");
	if ((rc = open_db(co, 0, &db)) != 0)
		return rc > 0 ? refuse("report", "no operation '%s'",
		    argv[optind]) : EXIT_FAIL;
	rc = history_report(db, argv[optind], co->json, stdout);
	roo_close(db);
	if (rc == 1)
		return refuse("report", "no operation '%s'", argv[optind]);
	return rc == 0 ? EXIT_OK : EXIT_FAIL;
}

/* --older-than DAYS: a whole number of days, 0 allowed. */
static int
older_than(const char *cmd, const char *arg, int64_t *ns)
{
	uint64_t	 days;

	if (parse_uint(arg, 0, 1000000, &days) != 0)
		return usage_error(cmd, "bad number of days '%s' for "
		    "--older-than", arg);
	*ns = (int64_t)days * 86400 * NS_PER_SEC;
	return 0;
}

static const struct option clean_longopts[] = {
	{ "older-than", required_argument, NULL, OPT_OLDER_THAN },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "include-interrupted", no_argument, NULL, OPT_INCLUDE_INTERRUPTED },
	COMMON_OPTS
};

static int
cmd_clean(int argc, char **argv, struct common *co)
{
	struct clean_opts o;
	struct roo_db	*db;
	int		 c, rc;

	memset(&o, 0, sizeof(o));
	o.older_ns = 30LL * 86400 * NS_PER_SEC;
	while ((c = getopt_long(argc, argv, ":" COMMON_SHORT, clean_longopts,
	    NULL)) != -1) {
		if (common_opt(c, co))
			continue;
		if (c == OPT_OLDER_THAN) {
			rc = older_than("clean", optarg, &o.older_ns);
			if (rc != 0)
				return rc;
		} else if (c == OPT_DRY_RUN)
			o.dry_run = 1;
		else if (c == OPT_INCLUDE_INTERRUPTED)
			o.include_interrupted = 1;
		else
			return bad_option("clean", argv, c);
	}
	if (co->help)
		return print_help("clean");
	apply_verbosity(co);
	if (optind != argc)
		return usage_error("clean", "unexpected argument '%s'",
		    argv[optind]);
	if ((rc = open_db(co, 0, &db)) != 0) {
		if (rc < 0)
			return EXIT_FAIL;
		log_info("no operations in %s", state_dir(co));
		return EXIT_OK;
	}
	rc = history_clean(db, &o, stdout);
	roo_close(db);
	return rc == 0 ? EXIT_OK : EXIT_FAIL;
}

static const struct option archive_longopts[] = {
	{ "older-than", required_argument, NULL, OPT_OLDER_THAN },
	COMMON_OPTS
};

static int
cmd_archive(int argc, char **argv, struct common *co)
{
	struct roo_db	*db;
	int64_t		 older;
	int		 c, rc;

	older = 30LL * 86400 * NS_PER_SEC;
	while ((c = getopt_long(argc, argv, ":" COMMON_SHORT, archive_longopts,
	    NULL)) != -1) {
		if (common_opt(c, co))
			continue;
		if (c == OPT_OLDER_THAN) {
			if ((rc = older_than("archive", optarg, &older)) != 0)
				return rc;
		} else
			return bad_option("archive", argv, c);
	}
	if (co->help)
		return print_help("archive");
	apply_verbosity(co);
	if ((rc = open_db(co, 0, &db)) != 0) {
		if (rc < 0)
			return EXIT_FAIL;
		if (optind < argc)
			return refuse("archive", "no operation '%s'",
			    argv[optind]);
		log_info("no operations in %s", state_dir(co));
		return EXIT_OK;
	}
	rc = history_archive(db, argv + optind, (size_t)(argc - optind), older,
	    stdout);
	roo_close(db);
	return rc == 0 ? EXIT_OK : rc > 0 ? EXIT_USAGE : EXIT_FAIL;
}

static const struct command commands[] = {
	{ "find", cmd_find, "[OPTIONS] [PATH...]",
	"Find duplicate files under each PATH (default .), recording the\n"
	"operation in the state database so that it can be resumed.\n\n"
	"  --json                print the groups as one JSON document\n"
	"  -0, --null            print each path followed by a NUL, each "
	"group by one more\n"
	"  --empty               group empty files too (default: left out)\n"
	"  --min-size SIZE       only files of at least SIZE (k, M, G, T: "
	"powers of 1024)\n"
	"  --max-size SIZE       only files of at most SIZE\n"
	"  --exclude GLOB        leave out paths or names matching GLOB "
	"(repeatable)\n"
	"  --hidden              include names starting with '.' (the "
	"default)\n"
	"  --no-hidden           leave out names starting with '.'\n"
	"  -x, --one-file-system stay on the file system of each root\n"
	"  -L, --follow-symlinks follow symbolic links (never loops)\n"
	"  -j, --jobs N          hashing threads (default: one per core)\n"
	"  --checkpoint-interval N  commit a checkpoint every N file "
	"results (default 10)\n"
	"  --no-detailed-logging skip the per-file log entries (backfill "
	"adds them)\n"
	"  --no-reuse            read every file, even those whose hashes "
	"an earlier\n"
	"                        operation recorded unchanged\n\n"
	"Acting on the groups (each redundant copy is re-checked and hashed "
	"again first):\n"
	"  --apply               act: keep one copy per group, act on the "
	"others\n"
	"  --dry-run             print the plan (keep/action per file); "
	"change nothing\n"
	"  --action KIND         remove (move into the backup dir; the "
	"default),\n"
	"                        hardlink, symlink, reflink (share extents)\n"
	"  --backup-dir DIR      save every copy acted on under "
	"DIR/ID/<absolute path>\n"
	"  --no-backup           allow remove and symlink without a backup\n"
	"  --keep RULE           first (root given first, then path; the "
	"default),\n"
	"                        oldest, newest, shortest-path\n"
	"  --keep-path DIR       keep every copy under DIR (repeatable); a "
	"group all\n"
	"                        under such directories is left alone\n\n"
	"Exit status: 0 done, 3 done but some files could not be compared "
	"or\nacted on, 130 interrupted (resumable), 2 usage error, 1 "
	"failure.\n" },
	{ "resume", cmd_resume, "[OPTIONS] ID",
	"Verify an interrupted operation, backfill its log and continue it "
	"where it\nstopped.  Files already done and unchanged are not read "
	"again.  With --apply,\nact on a completed operation's groups, or "
	"finish an interrupted apply.\n\n"
	"  --json, -0, --null    output as for find\n"
	"  -j, --jobs N          hashing threads\n"
	"  --apply, --dry-run, --action, --backup-dir, --no-backup, --keep, "
	"--keep-path\n"
	"                        as for find\n" },
	{ "undo", cmd_undo, "[--json|-0] ID",
	"Take back an apply: put every file it moved or replaced back, "
	"checking its\ndigest; a path that now holds other content is left "
	"alone and reported.\nCan be interrupted and run again.\n\n"
	"  --json, -0, --null    print the groups afterwards as for find\n" },
	{ "list", cmd_list, "[--active-only] [--json]",
	"List every operation with its state, phase, progress and roots.\n\n"
	"  --active-only         only running and interrupted operations\n"
	"  --json                a JSON array of objects\n" },
	{ "status", cmd_status, "[--json] ID",
	"Show one operation in detail: phase, counters, checkpoints, "
	"errors, groups.\n\n"
	"  --json                one JSON object\n" },
	{ "verify", cmd_verify, "[ID]",
	"Check the state database (SQLite quick_check, foreign keys) and "
	"one operation\nor all: the checkpoint digest chain, the counters "
	"against the rows, that\nevery group member has a hashed file "
	"row.  Exit status 1 names the damage.\n" },
	{ "backfill", cmd_backfill, "ID",
	"Insert the log entries that the checkpointed rows prove happened "
	"but the log\nlacks (flagged backfilled), and append the missing "
	"lines to\n.roocode/logs/ID.log.  Running it twice adds nothing.\n" },
	{ "export", cmd_export, "ID --format F [--output FILE]",
	"Write an operation in one of the documented formats "
	"(docs/formats.md):\n"
	"  checkpoint  the checkpoint document (everything import needs)\n"
	"  log         the log, one JSON object per line\n"
	"  progress    the final progress state\n"
	"  summary     the operation summary\n"
	"  groups      the groups, as find --json prints them\n"
	"  csv         one row per group member: group,size,hash,path\n\n"
	"  --format F            the format (required)\n"
	"  -o, --output FILE     write FILE atomically instead of stdout\n" },
	{ "import", cmd_import, "FILE...",
	"Read checkpoint documents (export --format checkpoint, or those of "
	"earlier\nprogress trackers) into the database as operations; print "
	"each new id.  A\nmalformed document is an error naming the file and "
	"the place, and imports\nnothing.\n" },
	{ "report", cmd_report, "[--json] ID",
	"The summary of an operation with its timeline: each phase (walk, "
	"size, prefix,\nfull, group, apply) with start, end, duration and "
	"checkpoints; files in and\nout of each stage and how many it "
	"eliminated; errors and skips by kind;\ninterruptions and resumes; "
	"groups, bytes reclaimable and reclaimed; the ten\nlargest "
	"groups.\n\n"
	"  --json                one JSON object\n" },
	{ "clean", cmd_clean, "[--older-than DAYS] [--dry-run] "
	"[--include-interrupted]",
	"Remove finished (completed, failed, cancelled) operations that ended "
	"more than\nDAYS ago (default 30; 0: every finished one), with all "
	"their rows and their\nfiles under .roocode/logs/.  Running operations "
	"are never removed, interrupted\nones only with "
	"--include-interrupted.  Compacts the database (VACUUM) when\nthat "
	"freed more than a quarter of it.\n\n"
	"  --older-than DAYS     age in whole days (default 30)\n"
	"  --dry-run             list what would go and the space it would "
	"free\n"
	"  --include-interrupted also interrupted operations\n" },
	{ "archive", cmd_archive, "[--older-than DAYS] [ID...]",
	"Write each completed operation's checkpoint document to\n"
	".roocode/checkpoints/completed/ID.json, then drop its per-file rows "
	"and log\nfrom the database, keeping the operation, its groups and "
	"summary.  Without\nids, archives those completed more than DAYS ago "
	"(default 30).\n\n"
	"  --older-than DAYS     age in whole days (default 30)\n" },
	{ NULL, NULL, NULL, NULL }
};

static const struct command *
find_command(const char *name)
{
	const struct command *c;

	for (c = commands; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

static int
main_usage(FILE *fp)
{
	const struct command *c;

	fprintf(fp, "usage: roo-duplicates [--state-dir DIR] [-q] [-v] "
	    "COMMAND [OPTIONS] [ARGS]\n\nCommands:\n");
	for (c = commands; c->name != NULL; c++)
		fprintf(fp, "  %-9s %s\n", c->name, c->args);
	fprintf(fp, "\n'roo-duplicates COMMAND --help' describes one "
	    "command; roo-duplicates(1) all.\n"
	    "--version prints the version.\n");
	return fp == stdout ? EXIT_OK : EXIT_USAGE;
}

static const struct option main_longopts[] = {
	{ "version", no_argument, NULL, 'V' },
	COMMON_OPTS
};

int
cli_main(int argc, char **argv, volatile sig_atomic_t *stop)
{
	const struct command	*cmd;
	struct common		 co;
	int			 c;

	memset(&co, 0, sizeof(co));
	co.stop = stop;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:" COMMON_SHORT, main_longopts,
	    NULL)) != -1) {
		if (c == 'V') {
			printf("roo-duplicates %s\n", PACKAGE_VERSION);
			return EXIT_OK;
		}
		if (!common_opt(c, &co))
			return bad_option(NULL, argv, c);
	}
	if (optind >= argc)
		return co.help ? main_usage(stdout) : main_usage(stderr);
	cmd = find_command(argv[optind]);
	if (cmd == NULL) {
		fprintf(stderr, "roo-duplicates: unknown command '%s' (see "
		    "'roo-duplicates --help')\n", argv[optind]);
		return EXIT_USAGE;
	}
	argc -= optind;
	argv += optind;
	optind = 0;
	return cmd->fn(argc, argv, &co);
}
