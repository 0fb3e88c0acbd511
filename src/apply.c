/*
 * apply.c - keep one copy of each group, back the others up and remove
 * or replace them; undo.
 *
 * Nothing is ever lost:
 * - Right before acting, both the kept copy and the redundant one are
 *   re-examined (device, inode, size, mtime, ctime) and hashed again; any
 *   difference skips the file.  Two names of one inode are never two
 *   copies.  The kept copy of a group is never acted on.
 * - Paths were resolved when planned; at action time every directory on
 *   the way is opened with O_NOFOLLOW, so a directory swapped for a
 *   symlink cannot redirect an action, and files are renamed or unlinked
 *   relative to those directories.
 * - A backup is a rename (or a hard link, for link actions) inside one
 *   file system; across file systems it is a copy that is flushed and
 *   verified before the original goes.  A link replaces a file by rename
 *   from a temporary name in the same directory: the path never vanishes.
 * - Each action's state is committed, with synchronous=FULL, before and
 *   after each file system step, so a crash leaves a journal from which
 *   the step can be finished or undone (see act() and recover()).
 */
#include "config.h"

#include "apply.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef HAVE_LINUX_FS_H
#include <linux/fs.h>
#endif

#include "hash.h"
#include "log.h"
#include "store.h"
#include "tracker.h"
#include "util.h"

#define PAGE	256

static char	*blob_str(struct store_cur *, int);

static const char *const kind_names[] = {
	"remove", "hardlink", "symlink", "reflink"
};

static const char *const keep_names[] = {
	"first", "oldest", "newest", "shortest-path"
};

/* The index of s in names[0..n), or -1. */
static int
name_index(const char *const *names, size_t n, const char *s)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

int
apply_kind_parse(const char *s, enum apply_kind *k)
{
	int	 i;

	i = name_index(kind_names, sizeof(kind_names) / sizeof(kind_names[0]),
	    s);
	if (i < 0)
		return -1;
	*k = (enum apply_kind)i;
	return 0;
}

const char *
apply_kind_name(enum apply_kind k)
{
	return kind_names[k];
}

int
keep_rule_parse(const char *s, enum keep_rule *k)
{
	int	 i;

	i = name_index(keep_names, sizeof(keep_names) / sizeof(keep_names[0]),
	    s);
	if (i < 0)
		return -1;
	*k = (enum keep_rule)i;
	return 0;
}

const char *
keep_rule_name(enum keep_rule k)
{
	return keep_names[k];
}

static char *
json_append(struct store *st, const char *arr, const char *val)
{
	struct store_cur c;
	char		*out;

	out = NULL;
	if (store_query(st, &c, SQL_TRACKER_JSON_APPEND, "tt", arr, val) == 0 &&
	    store_next(&c) == 1)
		out = xstrdup(store_text(&c, 0));
	store_done(&c);
	return out;
}

int
apply_opts_json(struct roo_op *op, const struct apply_opts *o, char **out)
{
	struct store_cur c;
	struct store	*st;
	char		*arr, *next;
	size_t		 i;

	st = tracker_store(op->db);
	*out = NULL;
	arr = xstrdup("[]");
	for (i = 0; i < o->nkeep_paths && arr != NULL; i++) {
		next = json_append(st, arr, o->keep_paths[i]);
		free(arr);
		arr = next;
	}
	if (arr == NULL)
		return -1;
	if (store_query(st, &c, SQL_APPLY_OPTS_JSON, "tttt",
	    kind_names[o->kind], keep_names[o->keep], o->backup_dir,
	    arr) == 0 && store_next(&c) == 1)
		*out = xstrdup(store_text(&c, 0));
	store_done(&c);
	free(arr);
	return *out != NULL ? 0 : -1;
}

static char *
json_text(struct store *st, const char *json, const char *path)
{
	struct store_cur c;
	char		*out;

	out = NULL;
	if (store_query(st, &c, SQL_APPLY_JSON_TEXT, "tt", json, path) == 0 &&
	    store_next(&c) == 1 && !store_isnull(&c, 0))
		out = xstrdup(store_text(&c, 0));
	store_done(&c);
	return out;
}

int
apply_opts_load(struct roo_op *op, struct apply_opts *o)
{
	struct store_cur c;
	struct store	*st;
	char		*s;
	int		 rc;

	st = tracker_store(op->db);
	memset(o, 0, sizeof(*o));
	if (op->apply_options == NULL)
		return error("operation %s has no apply options", op->id);
	s = json_text(st, op->apply_options, "$.action");
	rc = s == NULL || apply_kind_parse(s, &o->kind) != 0;
	free(s);
	s = json_text(st, op->apply_options, "$.keep");
	rc |= s == NULL || keep_rule_parse(s, &o->keep) != 0;
	free(s);
	o->backup_dir = json_text(st, op->apply_options, "$.backupDir");
	if (rc)
		return error("operation %s has bad apply options", op->id);
	if (store_query(st, &c, SQL_TRACKER_JSON_LIST, "tt",
	    op->apply_options, "$.keepPaths") != 0)
		return -1;
	while ((rc = store_next(&c)) == 1) {
		o->keep_paths = xrealloc(o->keep_paths,
		    (o->nkeep_paths + 1) * sizeof(*o->keep_paths));
		o->keep_paths[o->nkeep_paths++] = xstrdup(store_text(&c, 0));
	}
	store_done(&c);
	return rc < 0 ? -1 : 0;
}

void
apply_opts_release(struct apply_opts *o)
{
	size_t	 i;

	for (i = 0; i < o->nkeep_paths; i++)
		free(o->keep_paths[i]);
	free(o->keep_paths);
	free(o->backup_dir);
	o->keep_paths = NULL;
	o->nkeep_paths = 0;
	o->backup_dir = NULL;
}

/* --- Paths ------------------------------------------------------------ */

/*
 * Open the directory at an absolute path, every component with
 * O_NOFOLLOW: a component that is now a symlink fails with ELOOP or
 * ENOTDIR.  Returns the fd or -1 with errno set.
 */
static int
open_dir_nofollow(const char *path)
{
	char	*copy, *comp, *save;
	int	 fd, next, err;

	if (path[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	copy = xstrdup(path);
	for (comp = strtok_r(copy, "/", &save); comp != NULL;
	    comp = strtok_r(NULL, "/", &save)) {
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		err = errno;
		close(fd);
		if (next < 0) {
			free(copy);
			errno = err;
			return -1;
		}
		fd = next;
	}
	free(copy);
	return fd;
}

/* Split an absolute path into its directory's fd and its last name. */
static int
open_parent(const char *path, int *dfd, const char **name)
{
	const char	*slash;
	char		*dir;

	slash = strrchr(path, '/');
	if (slash == NULL || slash[1] == '\0') {
		errno = EINVAL;
		return -1;
	}
	dir = slash == path ? xstrdup("/") :
	    xmemdup(path, (size_t)(slash - path) + 1);
	dir[slash == path ? 1 : (size_t)(slash - path)] = '\0';
	*dfd = open_dir_nofollow(dir);
	free(dir);
	*name = slash + 1;
	return *dfd < 0 ? -1 : 0;
}

static int
fsync_dir(int dfd)
{
	return fsync(dfd) == 0 || errno == EINVAL ? 0 : -1;
}

/* Make the directories of the backup path and open the last one. */
static int
backup_parent(const char *path, int *dfd, const char **name)
{
	char	*copy, *comp, *save, *last;
	int	 fd, next, err;

	last = strrchr(path, '/');
	if (last == NULL)
		return -1;
	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	copy = xmemdup(path, (size_t)(last - path) + 1);
	copy[last - path] = '\0';
	for (comp = strtok_r(copy, "/", &save); comp != NULL;
	    comp = strtok_r(NULL, "/", &save)) {
		if (mkdirat(fd, comp, 0700) != 0 && errno != EEXIST) {
			err = errno;
			close(fd);
			free(copy);
			errno = err;
			return -1;
		}
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		err = errno;
		close(fd);
		if (next < 0) {
			free(copy);
			errno = err;
			return -1;
		}
		fd = next;
	}
	free(copy);
	*dfd = fd;
	*name = last + 1;
	return 0;
}

/* --- Planning ----------------------------------------------------------- */

struct member {
	int64_t		 id;
	int		 root;
	char		*path;		/* as recorded */
	char		*abs;		/* resolved, or NULL */
	int64_t		 mtime;
	uint64_t	 size;
	dev_t		 dev;
	ino_t		 ino;
	int		 protected;
};

struct group {
	int64_t		 seq;
	unsigned char	 hash[HASH_LEN];
	struct member	*m;
	size_t		 n;
	size_t		 cap;
};

static void
group_reset(struct group *g)
{
	size_t	 i;

	for (i = 0; i < g->n; i++) {
		free(g->m[i].path);
		free(g->m[i].abs);
	}
	g->n = 0;
}

static int
under(const char *abs, const char *dir)
{
	size_t	 n;

	n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	return strncmp(abs, dir, n) == 0 && (abs[n] == '/' ||
	    (n == 1 && dir[0] == '/'));
}

/* Whether a is a better copy to keep than b under the rule. */
static int
better(const struct member *a, const struct member *b, enum keep_rule r)
{
	switch (r) {
	case KEEP_OLDEST:
		return a->mtime < b->mtime;
	case KEEP_NEWEST:
		return a->mtime > b->mtime;
	case KEEP_SHORTEST:
		return strlen(a->path) < strlen(b->path);
	default:
		return 0;	/* members come in root, then path order */
	}
}

/*
 * The copy to keep: the best protected one if any, else the best one.
 * Members whose directory is gone cannot be kept.  -1 when none.
 */
static ssize_t
choose(const struct group *g, enum keep_rule rule, int *all_protected)
{
	ssize_t	 k;
	size_t	 i, prot;

	k = -1;
	prot = 0;
	for (i = 0; i < g->n; i++)
		prot += g->m[i].protected;
	*all_protected = prot == g->n;
	for (i = 0; i < g->n; i++) {
		if (g->m[i].abs == NULL || (prot > 0 && !g->m[i].protected))
			continue;
		if (k < 0 || better(&g->m[i], &g->m[k], rule))
			k = (ssize_t)i;
	}
	return k;
}

struct root {
	char		*spelling;	/* as given */
	char		*real;		/* resolved when the scan began */
};

struct planner {
	struct roo_op		*op;
	const struct apply_opts	*o;
	FILE			*dry;
	struct buf		 line;
	int			 first;
	uint64_t		 actions;
	struct root		*roots;
	size_t			 nroots;
	char			 cwd[PATH_MAX];
};

static int
roots_load(struct planner *p)
{
	struct store_cur c;
	int		 rc;

	if (store_query(tracker_store(p->op->db), &c, SQL_APPLY_ROOTS, "i",
	    p->op->key) != 0)
		return -1;
	while ((rc = store_next(&c)) == 1) {
		p->roots = xrealloc(p->roots, (p->nroots + 1) *
		    sizeof(*p->roots));
		p->roots[p->nroots].spelling = blob_str(&c, 1);
		p->roots[p->nroots++].real = blob_str(&c, 2);
	}
	store_done(&c);
	if (getcwd(p->cwd, sizeof(p->cwd)) == NULL)
		snprintf(p->cwd, sizeof(p->cwd), "/");
	return rc < 0 ? -1 : 0;
}

static void
roots_release(struct planner *p)
{
	size_t	 i;

	for (i = 0; i < p->nroots; i++) {
		free(p->roots[i].spelling);
		free(p->roots[i].real);
	}
	free(p->roots);
}

/*
 * The absolute path to act on: the root as it resolved when the scan
 * began, then the path below it as the walk met it.  Nothing is resolved
 * now: a root or a directory swapped for a symlink since must not
 * redirect the action (act() opens every component with O_NOFOLLOW).
 */
static char *
absolute(const struct planner *p, const char *path)
{
	const struct root *r;
	size_t		 i, n;

	for (i = 0; i < p->nroots; i++) {
		r = &p->roots[i];
		n = strlen(r->spelling);
		if (r->real == NULL || strncmp(path, r->spelling, n) != 0 ||
		    (path[n] != '/' && path[n] != '\0' &&
		    (n == 0 || r->spelling[n - 1] != '/')))
			continue;
		if (path[n] == '\0')
			return xstrdup(r->real);
		return xasprintf("%s%s%s", r->real, path[n] == '/' ||
		    strcmp(r->real, "/") == 0 ? "" : "/", path + n);
	}
	if (path[0] == '/')
		return xstrdup(path);
	return xasprintf("%s/%s", p->cwd, path);
}

static void
dry_line(struct planner *p, const char *what, const char *path)
{
	buf_reset(&p->line);
	buf_printf(&p->line, "%-8s ", what);
	path_escape(&p->line, (const unsigned char *)path, strlen(path));
	buf_addch(&p->line, '\n');
	fwrite(p->line.p, 1, p->line.len, p->dry);
}

/* Record (or print) the action on one name of a redundant copy. */
static int
plan_name(struct planner *p, const struct group *g, const struct member *r,
    const struct member *keep, const char *name)
{
	char	*abs;
	int	 rc;

	if (p->dry != NULL) {
		dry_line(p, kind_names[p->o->kind], name);
		p->actions++;
		return 0;
	}
	/* Whether the name still holds the copy is for act() to see, right
	 * before acting; its metadata is taken then too. */
	abs = absolute(p, name);
	rc = store_exec(tracker_store(p->op->db), SQL_APPLY_INSERT,
	    "iiiitbbihiiiiittii", p->op->key, g->seq, r->id, keep->id,
	    kind_names[p->o->kind], abs, strlen(abs), keep->abs,
	    strlen(keep->abs), (int64_t)r->size, g->hash, (int64_t)0,
	    (int64_t)0, (int64_t)0, (int64_t)0, (int64_t)0, "planned",
	    (const char *)NULL, tracker_ckpt(p->op), time_now_ns());
	free(abs);
	p->actions++;
	return rc;
}

static int
plan_aliases(struct planner *p, const struct group *g,
    const struct member *r, const struct member *keep)
{
	struct store_cur c;
	char		*name;
	const void	*v;
	size_t		 n;
	int		 rc;

	/* Every name of the inode goes, or no space is freed. */
	if (store_query(tracker_store(p->op->db), &c, SQL_APPLY_ALIASES, "i",
	    r->id) != 0)
		return -1;
	while ((rc = store_next(&c)) == 1) {
		v = store_blob(&c, 0, &n);
		name = xmalloc(n + 1);
		memcpy(name, v, n);
		name[n] = '\0';
		rc = plan_name(p, g, r, keep, name);
		free(name);
		if (rc != 0)
			break;
	}
	store_done(&c);
	return rc < 0 ? -1 : 0;
}

static int
plan_group(struct planner *p, struct group *g)
{
	const struct apply_opts *o;
	ssize_t		 k;
	size_t		 i, j;
	int		 all;

	o = p->o;
	for (i = 0; i < g->n; i++) {
		g->m[i].abs = absolute(p, g->m[i].path);
		for (j = 0; g->m[i].abs != NULL && j < o->nkeep_paths; j++)
			if (under(g->m[i].abs, o->keep_paths[j]))
				g->m[i].protected = 1;
	}
	k = choose(g, o->keep, &all);
	if (p->dry != NULL && !p->first)
		fputc('\n', p->dry);
	p->first = 0;
	for (i = 0; i < g->n; i++) {
		/* Protected copies stay; a group of only those is left. */
		if ((ssize_t)i == k || g->m[i].protected || all || k < 0) {
			if (p->dry != NULL)
				dry_line(p, "keep", g->m[i].path);
			continue;
		}
		if (plan_name(p, g, &g->m[i], &g->m[k], g->m[i].path) != 0 ||
		    plan_aliases(p, g, &g->m[i], &g->m[k]) != 0)
			return -1;
	}
	return 0;
}

static void
member_read(struct member *m, struct store_cur *c)
{
	const void	*v;
	size_t		 n;

	memset(m, 0, sizeof(*m));
	m->id = store_int(c, 2);
	m->root = (int)store_int(c, 3);
	v = store_blob(c, 4, &n);
	m->path = xmalloc(n + 1);
	memcpy(m->path, v, n);
	m->path[n] = '\0';
	m->dev = (dev_t)store_int(c, 5);
	m->ino = (ino_t)store_int(c, 6);
	m->size = (uint64_t)store_int(c, 7);
	m->mtime = store_int(c, 8);
}

/*
 * Read the groups in one pass; the planner's inserts go to another table,
 * so the cursor stays valid.
 */
static int
plan_all(struct planner *p)
{
	struct store_cur c;
	struct group	 g;
	const void	*h;
	size_t		 n;
	int		 rc;

	memset(&g, 0, sizeof(g));
	if (store_query(tracker_store(p->op->db), &c, SQL_APPLY_MEMBERS, "i",
	    p->op->key) != 0)
		return -1;
	while ((rc = store_next(&c)) == 1) {
		if (g.n > 0 && store_int(&c, 0) != g.seq) {
			if ((rc = plan_group(p, &g)) != 0)
				break;
			group_reset(&g);
		}
		g.seq = store_int(&c, 0);
		h = store_blob(&c, 1, &n);
		if (n == HASH_LEN)
			memcpy(g.hash, h, HASH_LEN);
		if (g.n == g.cap) {
			g.cap = g.cap == 0 ? 8 : g.cap * 2;
			g.m = xrealloc(g.m, g.cap * sizeof(*g.m));
		}
		member_read(&g.m[g.n++], &c);
	}
	store_done(&c);
	if (rc == 0 && g.n > 0)
		rc = plan_group(p, &g);
	group_reset(&g);
	free(g.m);
	return rc;
}

int
apply_plan(struct roo_op *op, const struct apply_opts *o, FILE *dry)
{
	struct planner	 p;
	char		*json;
	int		 rc;

	memset(&p, 0, sizeof(p));
	p.op = op;
	p.o = o;
	p.dry = dry;
	p.first = 1;
	buf_init(&p.line);
	if (roots_load(&p) != 0) {
		roots_release(&p);
		return -1;
	}
	if (dry != NULL) {
		rc = plan_all(&p);
		roots_release(&p);
		buf_release(&p.line);
		if (fflush(dry) != 0)
			rc = error("cannot write output: %s", strerror(errno));
		if (rc == 0)
			log_info("plan: %llu %s to act on; --dry-run changed "
			    "nothing", (unsigned long long)p.actions,
			    p.actions == 1 ? "name" : "names");
		return rc;
	}
	/* The plan and the options commit together: a crash leaves either
	 * nothing or an apply that resume --apply carries out. */
	if (apply_opts_json(op, o, &json) != 0 || tracker_begin(op) != 0) {
		free(json);
		buf_release(&p.line);
		return -1;
	}
	rc = store_exec(tracker_store(op->db), SQL_APPLY_SET_STATE, "itt",
	    op->key, "applying", json);
	if (rc == 0)
		rc = plan_all(&p);
	roots_release(&p);
	buf_release(&p.line);
	if (rc != 0) {
		free(json);
		tracker_abort(op);
		return -1;
	}
	snprintf(op->apply_state, sizeof(op->apply_state), "applying");
	free(op->apply_options);
	op->apply_options = json;
	log_verbose("planned %llu actions", (unsigned long long)p.actions);
	return tracker_end(op);
}

/* --- Acting ------------------------------------------------------------- */

struct act {
	int64_t		 id;
	int64_t		 group;
	int64_t		 file_id;
	enum apply_kind	 kind;
	char		*path;
	char		*keep_path;
	char		*backup;
	uint64_t	 size;
	unsigned char	 hash[HASH_LEN];
	mode_t		 mode;
	uid_t		 uid;
	gid_t		 gid;
	int64_t		 atime;
	int64_t		 mtime;
	char		 state[16];
	dev_t		 dev;		/* the redundant file, at the scan */
	ino_t		 ino;
	int64_t		 r_mtime;
	int64_t		 r_ctime;
	int64_t		 nlink;
	dev_t		 kdev;		/* the kept copy, at the scan */
	ino_t		 kino;
	uint64_t	 ksize;
	int64_t		 k_mtime;
	int64_t		 k_ctime;
	int		 retry;		/* after a crash: ctime may differ */
};

struct applier {
	struct roo_op		*op;
	const struct apply_opts	*o;
	struct hasher		*h;
	struct apply_stats	*st;
	unsigned char		*buf;
};

static char *
blob_str(struct store_cur *c, int col)
{
	const void	*v;
	size_t		 n;
	char		*s;

	if (store_isnull(c, col))
		return NULL;
	v = store_blob(c, col, &n);
	s = xmalloc(n + 1);
	memcpy(s, v, n);
	s[n] = '\0';
	return s;
}

static void
act_read(struct act *x, struct store_cur *c)
{
	const void	*v;
	size_t		 n;

	memset(x, 0, sizeof(*x));
	x->id = store_int(c, 0);
	x->group = store_int(c, 1);
	(void)apply_kind_parse(store_text(c, 2), &x->kind);
	x->path = blob_str(c, 3);
	x->keep_path = blob_str(c, 4);
	x->backup = blob_str(c, 5);
	x->size = (uint64_t)store_int(c, 6);
	v = store_blob(c, 7, &n);
	if (n == HASH_LEN)
		memcpy(x->hash, v, HASH_LEN);
	x->mode = (mode_t)store_int(c, 8);
	x->uid = (uid_t)store_int(c, 9);
	x->gid = (gid_t)store_int(c, 10);
	x->atime = store_int(c, 11);
	x->mtime = store_int(c, 12);
	snprintf(x->state, sizeof(x->state), "%s", store_text(c, 13));
	x->dev = (dev_t)store_int(c, 14);
	x->ino = (ino_t)store_int(c, 15);
	x->r_mtime = store_int(c, 16);
	x->r_ctime = store_int(c, 17);
	x->kdev = (dev_t)store_int(c, 18);
	x->kino = (ino_t)store_int(c, 19);
	x->ksize = (uint64_t)store_int(c, 20);
	x->k_mtime = store_int(c, 21);
	x->k_ctime = store_int(c, 22);
	x->file_id = store_int(c, 23);
	x->nlink = store_int(c, 24);
}

static void
act_release(struct act *x)
{
	free(x->path);
	free(x->keep_path);
	free(x->backup);
}

static int64_t
ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * NS_PER_SEC + ts->tv_nsec;
}

/* Commit the action's new state (durably) with a log entry when final. */
static int
set_state(struct applier *a, struct act *x, const char *state,
    const char *backup, const char *reason, uint64_t reclaimed)
{
	struct roo_op	*op;
	char		*details;
	int		 final, rc;

	op = a->op;
	final = strcmp(state, "done") == 0 || strcmp(state, "skipped") == 0 ||
	    strcmp(state, "failed") == 0 || strcmp(state, "undone") == 0;
	if (tracker_begin(op) != 0)
		return -1;
	rc = store_exec(tracker_store(op->db), SQL_APPLY_SET, "itbtiiiiiiii",
	    x->id, state, backup, backup != NULL ? strlen(backup) : 0,
	    reason, (int64_t)reclaimed, (int64_t)x->mode, (int64_t)x->uid,
	    (int64_t)x->gid, x->atime, x->mtime, tracker_ckpt(op),
	    time_now_ns());
	if (rc == 0 && final) {
		details = xasprintf("{\"actionId\":%lld,\"action\":\"%s\","
		    "\"state\":\"%s\"}", (long long)x->id,
		    kind_names[x->kind], state);
		rc = tracker_log_path(op, strcmp(state, "done") == 0 ?
		    kind_names[x->kind] : state, x->path, strlen(x->path),
		    (int64_t)x->size, details);
		free(details);
	}
	if (rc != 0) {
		tracker_abort(op);
		return -1;
	}
	if (tracker_end(op) != 0)
		return -1;
	snprintf(x->state, sizeof(x->state), "%s", state);
	if (backup != NULL && backup != x->backup) {
		free(x->backup);
		x->backup = xstrdup(backup);
	}
	return 0;
}

static int
skip(struct applier *a, struct act *x, const char *why)
{
	char	*q, *k;

	q = path_quote(x->path);
	/* When the kept copy is the trouble, name it too. */
	if (strncmp(why, "the kept copy", 13) == 0) {
		k = path_quote(x->keep_path);
		log_warn("not acting on '%s': %s ('%s')", q, why, k);
		free(k);
	} else
		log_warn("not acting on '%s': %s", q, why);
	free(q);
	a->st->skipped++;
	return set_state(a, x, "skipped", NULL, why, 0);
}

static int
fail(struct applier *a, struct act *x, const char *what, int err)
{
	char	*q, *why;
	int	 rc;

	q = path_quote(x->path);
	why = err != 0 ? xasprintf("%s: %s", what, strerror(err)) :
	    xstrdup(what);
	log_error("cannot %s '%s': %s", kind_names[x->kind], q, why);
	free(q);
	a->st->failed++;
	rc = set_state(a, x, "failed", NULL, why, 0);
	free(why);
	return rc;
}

/* SHA-256 of a whole open file into out.  0, or -1 with errno. */
static int
hash_all(struct applier *a, int fd, unsigned char *out, uint64_t *n)
{
	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	return hasher_fd(a->h, fd, UINT64_MAX, out, n, NULL) == HASH_OK ?
	    0 : -1;
}

static int
same_stat(const struct stat *sb, dev_t dev, ino_t ino, uint64_t size,
    int64_t mtime, int64_t ctime)
{
	return S_ISREG(sb->st_mode) && sb->st_dev == dev &&
	    sb->st_ino == ino && (uint64_t)sb->st_size == size &&
	    ns(&sb->st_mtim) == mtime && ns(&sb->st_ctim) == ctime;
}

static int64_t
names_done(struct applier *a, const struct act *x)
{
	int64_t	 done;

	if (store_get_int(tracker_store(a->op->db), &done,
	    SQL_APPLY_NAMES_DONE, "i", x->file_id) < 0)
		return 0;
	return done;
}

/* Bytes freed once this name is gone: the inode's, for its last name. */
static uint64_t
freed(struct applier *a, const struct act *x)
{
	if (x->kind == APPLY_REFLINK)
		return x->size;
	return names_done(a, x) + 1 >= x->nlink ? x->size : 0;
}

struct pair {
	int		 kdir, kfd;	/* the kept copy */
	const char	*kname;
	int		 rdir, rfd;	/* the redundant copy */
	const char	*rname;
};

static void
pair_close(struct pair *p)
{
	if (p->kfd >= 0)
		close(p->kfd);
	if (p->kdir >= 0)
		close(p->kdir);
	if (p->rfd >= 0)
		close(p->rfd);
	if (p->rdir >= 0)
		close(p->rdir);
	p->kfd = p->kdir = p->rfd = p->rdir = -1;
}

/*
 * Open the kept copy and check it is the file the scan hashed.  Returns
 * NULL when it is, else why not.
 */
static const char *
open_keep(struct applier *a, struct act *x, struct pair *p)
{
	unsigned char	 h[HASH_LEN];
	struct stat	 sb;
	uint64_t	 n;

	if (open_parent(x->keep_path, &p->kdir, &p->kname) != 0)
		return "the kept copy's directory is gone or changed";
	p->kfd = openat(p->kdir, p->kname, O_RDONLY | O_NOFOLLOW | O_NOCTTY |
	    O_NONBLOCK | O_CLOEXEC);
	if (p->kfd < 0 || fstat(p->kfd, &sb) != 0)
		return "the kept copy vanished";
	/* Not its ctime: links made to it by this apply change that.  Its
	 * content is checked below. */
	if (!same_stat(&sb, x->kdev, x->kino, x->ksize, x->k_mtime,
	    ns(&sb.st_ctim)))
		return "the kept copy changed since the scan";
	if (hash_all(a, p->kfd, h, &n) != 0 ||
	    memcmp(h, x->hash, HASH_LEN) != 0)
		return "the kept copy's content changed";
	return NULL;
}

/*
 * Re-examine both copies right before acting: the kept one unchanged,
 * the redundant one unchanged, both with the group's content, and two
 * distinct files.  Returns NULL when all holds, else why not.
 */
static const char *
verify_pair(struct applier *a, struct act *x, struct pair *p)
{
	unsigned char	 h[HASH_LEN];
	struct stat	 sb;
	const char	*why;
	uint64_t	 n;

	if ((why = open_keep(a, x, p)) != NULL)
		return why;
	if (open_parent(x->path, &p->rdir, &p->rname) != 0)
		return errno == ENOENT ? "vanished since the scan" :
		    "a directory on its path is gone or was replaced";
	p->rfd = openat(p->rdir, p->rname, O_RDONLY | O_NOFOLLOW | O_NOCTTY |
	    O_NONBLOCK | O_CLOEXEC);
	if (p->rfd < 0)
		return errno == ENOENT ? "vanished since the scan" :
		    "cannot be opened safely";
	/* Another name of this inode acted on already changed its ctime;
	 * its content is checked below. */
	if (fstat(p->rfd, &sb) != 0 || !same_stat(&sb, x->dev, x->ino,
	    x->size, x->r_mtime, x->retry || names_done(a, x) > 0 ?
	    ns(&sb.st_ctim) : x->r_ctime))
		return "changed since the scan";
	if (sb.st_dev == x->kdev && sb.st_ino == x->kino)
		return "it is the kept copy itself";
	/* What undo restores when there is no backup to take it from. */
	x->mode = sb.st_mode;
	x->uid = sb.st_uid;
	x->gid = sb.st_gid;
	x->atime = ns(&sb.st_atim);
	x->mtime = ns(&sb.st_mtim);
	if (hash_all(a, p->rfd, h, &n) != 0)
		return "cannot be read";
	if (memcmp(h, x->hash, HASH_LEN) != 0)
		return "its content changed since the scan";
	return NULL;
}

/* DIR/<op id>/<absolute path>, with a suffix when that exists. */
static char *
backup_path_for(struct applier *a, const struct act *x)
{
	struct stat	 sb;
	char		*p;
	int		 i;

	p = xasprintf("%s/%s%s", a->o->backup_dir, a->op->id, x->path);
	for (i = 1; lstat(p, &sb) == 0; i++) {
		free(p);
		p = xasprintf("%s/%s%s.%d", a->o->backup_dir, a->op->id,
		    x->path, i);
	}
	return p;
}

/* Copy an open file into dfd/name; flush it; check its digest. */
static int
copy_verified(struct applier *a, int from, int dfd, const char *name,
    const struct act *x)
{
	unsigned char	 h[HASH_LEN];
	struct timespec	 ts[2];
	char		*tmp;
	ssize_t		 n, w;
	uint64_t	 total;
	int		 out, rc, err;

	tmp = xasprintf("%s.roo-tmp", name);
	(void)unlinkat(dfd, tmp, 0);
	rc = -1;
	err = 0;
	out = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (out < 0) {
		free(tmp);
		return -1;
	}
	if (lseek(from, 0, SEEK_SET) < 0)
		goto out;
	for (;;) {
		n = read(from, a->buf, 256 * 1024);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (w = 0; w < n; ) {
			ssize_t k = write(out, a->buf + w, (size_t)(n - w));

			if (k < 0)
				goto out;
			w += k;
		}
	}
	if (n < 0 || fsync(out) != 0)
		goto out;
	/* The copy must read back as the content: only then is it one. */
	close(out);
	out = openat(dfd, tmp, O_RDONLY | O_CLOEXEC);
	if (out < 0 || hash_all(a, out, h, &total) != 0)
		goto out;
	if (memcmp(h, x->hash, HASH_LEN) != 0 || total != x->size) {
		errno = EIO;
		goto out;
	}
	(void)fchown(out, x->uid, x->gid);
	(void)fchmod(out, x->mode & 07777);
	ts[0].tv_sec = x->atime / NS_PER_SEC;
	ts[0].tv_nsec = x->atime % NS_PER_SEC;
	ts[1].tv_sec = x->mtime / NS_PER_SEC;
	ts[1].tv_nsec = x->mtime % NS_PER_SEC;
	(void)futimens(out, ts);
	if (renameat(dfd, tmp, dfd, name) != 0 || fsync_dir(dfd) != 0)
		goto out;
	rc = 0;
out:
	err = errno;
	if (out >= 0)
		close(out);
	if (rc != 0)
		(void)unlinkat(dfd, tmp, 0);
	free(tmp);
	errno = err;
	return rc;
}

/*
 * Save the original into the backup directory: by rename (remove) or hard
 * link (link actions) on one file system, else by a verified copy.
 * Leaves it in place for the link actions.
 */
static int
backup(struct applier *a, struct act *x, struct pair *p, int *moved)
{
	struct stat	 sb;
	const char	*bname;
	char		*bpath;
	int		 bdir, rc;

	*moved = 0;
	/* A crash after linking the backup: that link is the backup. */
	if (x->backup != NULL && x->kind != APPLY_REMOVE &&
	    lstat(x->backup, &sb) == 0 && sb.st_dev == x->dev &&
	    sb.st_ino == x->ino)
		return 0;
	bpath = backup_path_for(a, x);
	if (set_state(a, x, "backing-up", bpath, NULL, 0) != 0) {
		free(bpath);
		return -1;
	}
	free(bpath);
	if (backup_parent(x->backup, &bdir, &bname) != 0)
		return fail(a, x, "cannot create the backup directory",
		    errno) == 0 ? 1 : -1;
	rc = x->kind == APPLY_REMOVE ?
	    renameat(p->rdir, p->rname, bdir, bname) :
	    x->kind == APPLY_REFLINK ? (errno = EXDEV, -1) :
	    linkat(p->rdir, p->rname, bdir, bname, 0);
	if (rc == 0)
		*moved = x->kind == APPLY_REMOVE;
	else if (errno == EXDEV || errno == EPERM)
		rc = copy_verified(a, p->rfd, bdir, bname, x);
	if (rc == 0 && (fsync_dir(bdir) != 0 || fsync_dir(p->rdir) != 0))
		rc = -1;
	close(bdir);
	if (rc != 0)
		return fail(a, x, "cannot back it up", errno) == 0 ? 1 : -1;
	return 0;
}

/* Unlink the original once its backup is verified, if still unchanged. */
static int
unlink_original(struct act *x, struct pair *p)
{
	struct stat	 sb;

	if (fstat(p->rfd, &sb) != 0 || !same_stat(&sb, x->dev, x->ino,
	    x->size, x->r_mtime, x->r_ctime)) {
		errno = ESTALE;
		return -1;
	}
	if (unlinkat(p->rdir, p->rname, 0) != 0)
		return -1;
	return fsync_dir(p->rdir);
}

/*
 * Replace the name by a link made under a temporary name and renamed over
 * it: a hard link to ldir/lname, else a symlink to the kept copy.
 */
static int
put_link(struct act *x, struct pair *p, int hard, int ldir,
    const char *lname)
{
	char	*tmp;
	int	 rc;

	tmp = xasprintf(".%s.roo-%lld", p->rname, (long long)x->id);
	(void)unlinkat(p->rdir, tmp, 0);
	rc = hard ? linkat(ldir, lname, p->rdir, tmp, 0) :
	    symlinkat(x->keep_path, p->rdir, tmp);
	if (rc == 0 && renameat(p->rdir, tmp, p->rdir, p->rname) != 0) {
		int err = errno;

		(void)unlinkat(p->rdir, tmp, 0);
		errno = err;
		rc = -1;
	}
	free(tmp);
	if (rc == 0)
		rc = fsync_dir(p->rdir);
	return rc;
}

static int
link_over(struct act *x, struct pair *p)
{
	return put_link(x, p, x->kind == APPLY_HARDLINK, p->kdir, p->kname);
}

/* Share the extents of the kept copy; the kernel compares the bytes. */
static int
reflink(struct act *x, struct pair *p)
{
#ifdef FIDEDUPERANGE
	struct file_dedupe_range	*r;
	uint64_t			 off;
	int				 wfd, rc;

	wfd = openat(p->rdir, p->rname, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	if (wfd < 0)
		return -1;
	r = xcalloc(1, sizeof(*r) + sizeof(r->info[0]));
	rc = 0;
	for (off = 0; off < x->size && rc == 0; ) {
		memset(r, 0, sizeof(*r) + sizeof(r->info[0]));
		r->src_offset = off;
		r->src_length = x->size - off;
		r->dest_count = 1;
		r->info[0].dest_fd = wfd;
		r->info[0].dest_offset = off;
		if (ioctl(p->kfd, FIDEDUPERANGE, r) != 0)
			rc = -1;
		else if (r->info[0].status == FILE_DEDUPE_RANGE_DIFFERS) {
			errno = EILSEQ;
			rc = -1;
		} else if (r->info[0].status < 0) {
			errno = -r->info[0].status;
			rc = -1;
		} else if (r->info[0].bytes_deduped == 0) {
			errno = EOPNOTSUPP;
			rc = -1;
		} else
			off += r->info[0].bytes_deduped;
	}
	free(r);
	close(wfd);
	return rc;
#else
	(void)x;
	(void)p;
	errno = EOPNOTSUPP;
	return -1;
#endif
}

/* The name now holds the link the action puts there. */
static int
is_our_link(const struct act *x, struct pair *p)
{
	struct stat	 sb;
	char		 target[PATH_MAX];
	ssize_t		 n;

	if (fstatat(p->rdir, p->rname, &sb, AT_SYMLINK_NOFOLLOW) != 0)
		return 0;
	if (x->kind == APPLY_HARDLINK)
		return sb.st_dev == x->kdev && sb.st_ino == x->kino;
	if (x->kind != APPLY_SYMLINK || !S_ISLNK(sb.st_mode))
		return 0;
	n = readlinkat(p->rdir, p->rname, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = '\0';
	return strcmp(target, x->keep_path) == 0;
}

/* The step after the backup: link, share extents, or nothing. */
static int
replace(struct applier *a, struct act *x, struct pair *p)
{
	int	 rc;

	if (set_state(a, x, "replacing", NULL, NULL, 0) != 0)
		return -1;
	rc = x->kind == APPLY_REFLINK ? reflink(x, p) : link_over(x, p);
	if (rc != 0) {
		int err = errno;

		/* Nothing changed: a backup copy made for it goes again. */
		if (x->kind == APPLY_REFLINK && x->backup != NULL)
			(void)unlink(x->backup);
		return fail(a, x, x->kind == APPLY_REFLINK ?
		    "the file system cannot share extents (FIDEDUPERANGE)" :
		    "cannot put the link in place", err) == 0 ? 1 : -1;
	}
	a->st->done++;
	a->st->reclaimed += freed(a, x);
	return set_state(a, x, "done", NULL, NULL, freed(a, x));
}

/* Carry out a planned action from the start. */
static int
act_planned(struct applier *a, struct act *x, struct pair *p)
{
	const char	*why;
	uint64_t	 gain;
	int		 moved, rc;

	if ((why = verify_pair(a, x, p)) != NULL)
		return skip(a, x, why);
	if (x->kind == APPLY_HARDLINK && x->dev != x->kdev)
		return fail(a, x, "cannot hard link across file systems", 0);
	if (a->o->backup_dir != NULL) {
		if ((rc = backup(a, x, p, &moved)) != 0)
			return rc < 0 ? -1 : 0;
		if (x->kind != APPLY_REMOVE)
			return set_state(a, x, "backed-up", NULL, NULL, 0) ||
			    replace(a, x, p) < 0 ? -1 : 0;
		if (!moved && unlink_original(x, p) != 0)
			return fail(a, x, "cannot remove it after backing it "
			    "up", errno) == 0 ? 0 : -1;
	} else if (x->kind == APPLY_REMOVE) {
		/* --no-backup: a verified copy remains, the kept one. */
		if (set_state(a, x, "backing-up", NULL, NULL, 0) != 0)
			return -1;
		if (unlink_original(x, p) != 0)
			return fail(a, x, "cannot remove it", errno) == 0 ?
			    0 : -1;
	} else
		return replace(a, x, p) < 0 ? -1 : 0;
	gain = freed(a, x);
	a->st->done++;
	a->st->reclaimed += gain;
	return set_state(a, x, "done", NULL, NULL, gain);
}

/* Whether the backup holds the content (a rename, link or copy done). */
static int
backup_good(struct applier *a, const struct act *x)
{
	unsigned char	 h[HASH_LEN];
	uint64_t	 n;
	int		 fd, ok;

	if (x->backup == NULL)
		return 0;
	fd = open(x->backup, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ok = hash_all(a, fd, h, &n) == 0 && n == x->size &&
	    memcmp(h, x->hash, HASH_LEN) == 0;
	close(fd);
	return ok;
}

/*
 * Finish an action a crash interrupted.  The journal says which step was
 * under way; the file system says whether it happened.
 */
static int
recover(struct applier *a, struct act *x, struct pair *p)
{
	struct stat	 sb;
	const char	*why;
	int		 here;

	if (open_parent(x->path, &p->rdir, &p->rname) != 0)
		return fail(a, x, "a directory on its path is gone or was "
		    "replaced during the apply", 0);
	here = fstatat(p->rdir, p->rname, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    sb.st_dev == x->dev && sb.st_ino == x->ino;

	if (strcmp(x->state, "backing-up") == 0) {
		if (x->kind == APPLY_REMOVE && !here) {
			/* Moved or unlinked: done if the content is safe. */
			if (x->backup == NULL || backup_good(a, x))
				return set_state(a, x, "done", NULL, NULL,
				    freed(a, x));
			return fail(a, x, "it vanished during the apply and "
			    "its backup is incomplete", 0);
		}
		if (!here)
			return fail(a, x, "it changed during the apply", 0);
		/* The backup link was made: go on from there. */
		if (x->kind != APPLY_REMOVE && x->backup != NULL &&
		    lstat(x->backup, &sb) == 0 && sb.st_dev == x->dev &&
		    sb.st_ino == x->ino) {
			if (set_state(a, x, "backed-up", NULL, NULL, 0) != 0)
				return -1;
			if ((why = open_keep(a, x, p)) != NULL)
				return skip(a, x, why);
			return replace(a, x, p) < 0 ? -1 : 0;
		}
		/* Nothing happened yet, or only a backup copy: again.  A link
		 * made and undone meanwhile may have moved its ctime. */
		close(p->rdir);
		p->rdir = -1;
		snprintf(x->state, sizeof(x->state), "planned");
		x->retry = 1;
		return act_planned(a, x, p);
	}
	/* backed-up or replacing: the original is in the backup. */
	if (is_our_link(x, p))
		return set_state(a, x, "done", NULL, NULL, freed(a, x));
	if (!here)
		return fail(a, x, "it changed during the apply", 0);
	if ((why = open_keep(a, x, p)) != NULL)
		return skip(a, x, why);
	return replace(a, x, p) < 0 ? -1 : 0;
}

static int
act(struct applier *a, struct act *x)
{
	struct pair	 p;
	int		 rc;

	p.kdir = p.kfd = p.rdir = p.rfd = -1;
	if (strcmp(x->state, "planned") == 0)
		rc = act_planned(a, x, &p);
	else
		rc = recover(a, x, &p);
	pair_close(&p);
	return rc;
}

/* Read the next page of actions to do (or to undo) after *after. */
static int
page(struct applier *a, int undo, int64_t after, struct act *xs, size_t *n)
{
	struct store_cur c;
	int		 rc;

	*n = 0;
	if (store_query(tracker_store(a->op->db), &c, SQL_APPLY_TODO, "idi",
	    a->op->key, undo, after) != 0)
		return -1;
	while (*n < PAGE && (rc = store_next(&c)) == 1)
		act_read(&xs[(*n)++], &c);
	store_done(&c);
	return 0;
}

static int
run_all(struct applier *a, int undo, volatile sig_atomic_t *stop,
    int (*fn)(struct applier *, struct act *))
{
	struct act	*xs;
	size_t		 i, n;
	int64_t		 after;
	int		 rc, interrupted;

	xs = xcalloc(PAGE, sizeof(*xs));
	rc = 0;
	interrupted = 0;
	after = undo ? INT64_MAX : 0;
	while (rc == 0 && !interrupted) {
		if ((rc = page(a, undo, after, xs, &n)) != 0 || n == 0)
			break;
		for (i = 0; i < n; i++) {
			after = xs[i].id;
			if (rc == 0 && stop != NULL && *stop)
				interrupted = 1;
			if (rc == 0 && !interrupted)
				rc = fn(a, &xs[i]);
			act_release(&xs[i]);
		}
	}
	free(xs);
	if (rc != 0)
		return APPLY_FAILED;
	return interrupted ? APPLY_INTERRUPTED : APPLY_DONE;
}

static int
set_apply_state(struct roo_op *op, const char *state, const char *options,
    enum phase phase)
{
	if (tracker_begin(op) != 0)
		return -1;
	if (store_exec(tracker_store(op->db), SQL_APPLY_SET_STATE, "itt",
	    op->key, state, options) != 0) {
		tracker_abort(op);
		return -1;
	}
	snprintf(op->apply_state, sizeof(op->apply_state), "%s", state);
	return tracker_set_phase(op, phase);
}

static int
applier_init(struct applier *a, struct roo_op *op,
    const struct apply_opts *o, struct apply_stats *st)
{
	memset(a, 0, sizeof(*a));
	memset(st, 0, sizeof(*st));
	a->op = op;
	a->o = o;
	a->st = st;
	a->h = hasher_new();
	a->buf = xmalloc(256 * 1024);
	/* The journal must be on disk before the file system changes. */
	return tracker_durable(op, 1);
}

static void
applier_release(struct applier *a)
{
	(void)tracker_durable(a->op, 0);
	hasher_free(a->h);
	free(a->buf);
}

int
apply_run(struct roo_op *op, const struct apply_opts *o,
    struct apply_stats *st)
{
	struct applier	 a;
	int		 rc;

	if (applier_init(&a, op, o, st) != 0)
		return APPLY_FAILED;
	rc = APPLY_FAILED;
	if (op->phase != PHASE_APPLY && tracker_set_phase(op, PHASE_APPLY) != 0)
		goto out;
	rc = run_all(&a, 0, o->stop, act);
	if (rc != APPLY_DONE)
		goto out;
	if (tracker_begin(op) != 0 ||
	    store_exec(tracker_store(op->db), SQL_APPLY_SUMMARY, "i",
	    op->key) != 0) {
		tracker_abort(op);
		rc = APPLY_FAILED;
		goto out;
	}
	if (set_apply_state(op, "applied", NULL, PHASE_DONE) != 0)
		rc = APPLY_FAILED;
out:
	applier_release(&a);
	return rc;
}

/* --- Undo --------------------------------------------------------------- */

/*
 * Put the name back as a hard link to another name of its original inode
 * that this undo restored already, when that still holds the original
 * content: the names were one file and are one file again.  0 when done.
 */
static int
relink_sibling(struct applier *a, struct act *x, struct pair *p)
{
	struct store_cur c;
	struct stat	 sb;
	unsigned char	 h[HASH_LEN];
	const void	*b;
	const char	*sname;
	char		*spath;
	uint64_t	 n;
	size_t		 len;
	int		 sdir, fd, rc;

	spath = NULL;
	sdir = -1;
	if (store_query(tracker_store(a->op->db), &c, SQL_APPLY_UNDONE_SIBLING,
	    "ii", x->file_id, x->id) != 0)
		return -1;
	if (store_next(&c) == 1 && (b = store_blob(&c, 0, &len)) != NULL) {
		spath = xmalloc(len + 1);
		memcpy(spath, b, len);
		spath[len] = '\0';
	}
	store_done(&c);
	if (spath == NULL)
		return -1;
	rc = -1;
	fd = -1;
	if (open_parent(spath, &sdir, &sname) != 0)
		goto out;
	fd = openat(sdir, sname, O_RDONLY | O_NOFOLLOW | O_NOCTTY |
	    O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (uint64_t)sb.st_size != x->size || hash_all(a, fd, h, &n) != 0 ||
	    memcmp(h, x->hash, HASH_LEN) != 0)
		goto out;
	rc = put_link(x, p, 1, sdir, sname);
out:
	if (fd >= 0)
		close(fd);
	if (sdir >= 0)
		close(sdir);
	free(spath);
	return rc;
}

/*
 * Put the original content back at the action's path, from the backup
 * (renamed when it can be, else copied and verified) or, without one, as
 * a copy of the kept file.  Replaces only our link or an empty name.
 */
static int
undo_one(struct applier *a, struct act *x)
{
	struct pair	 p;
	struct stat	 sb;
	const char	*why, *bname;
	char		*q;
	int		 src, bdir, rc, present;

	p.kdir = p.kfd = p.rdir = p.rfd = -1;
	bdir = -1;
	src = -1;
	why = NULL;
	if (open_parent(x->path, &p.rdir, &p.rname) != 0) {
		why = "a directory on its path is gone or was replaced";
		goto refuse;
	}
	present = fstatat(p.rdir, p.rname, &sb, AT_SYMLINK_NOFOLLOW) == 0;
	if (present && sb.st_dev == x->dev && sb.st_ino == x->ino) {
		/* The original never left. */
		rc = set_state(a, x, "undone", NULL, NULL, 0);
		goto out;
	}
	if (present && !is_our_link(x, &p) && x->kind != APPLY_REFLINK) {
		why = "the path now holds another file; the original is kept";
		goto refuse;
	}
	if (x->backup != NULL && !backup_good(a, x)) {
		why = "its backup is missing or damaged";
		goto refuse;
	}
	if (x->backup == NULL && x->kind == APPLY_REFLINK) {
		/* Same bytes, same inode: nothing was taken away. */
		rc = set_state(a, x, "undone", NULL, NULL, 0);
		goto out;
	}
	if (set_state(a, x, "undoing", NULL, NULL, 0) != 0) {
		rc = -1;
		goto out;
	}
	rc = -1;
	if (x->backup != NULL && backup_parent(x->backup, &bdir, &bname) == 0 &&
	    renameat(bdir, bname, p.rdir, p.rname) == 0)
		rc = fsync_dir(p.rdir) == 0 && fsync_dir(bdir) == 0 ? 0 : -1;
	/* Without a backup (or across file systems), another name of the
	 * same original put back already is linked to, else copied. */
	if (rc != 0 && relink_sibling(a, x, &p) == 0)
		rc = 0;
	if (rc != 0) {
		/* Across file systems, or no backup: a verified copy. */
		src = x->backup != NULL ? open(x->backup, O_RDONLY |
		    O_NOFOLLOW | O_CLOEXEC) : (open_keep(a, x, &p) == NULL ?
		    dup(p.kfd) : -1);
		if (src < 0 || copy_verified(a, src, p.rdir, p.rname, x) != 0) {
			why = "cannot copy the original back";
			goto refuse;
		}
		if (x->backup != NULL)
			(void)unlinkat(bdir, bname, 0);
	}
	a->st->restored++;
	rc = set_state(a, x, "undone", NULL, NULL, 0);
	goto out;
refuse:
	q = path_quote(x->path);
	log_warn("cannot restore '%s': %s", q, why);
	free(q);
	a->st->refused++;
	rc = 0;
out:
	if (src >= 0)
		close(src);
	if (bdir >= 0)
		close(bdir);
	pair_close(&p);
	return rc;
}

int
apply_undo(struct roo_op *op, volatile sig_atomic_t *stop,
    struct apply_stats *st)
{
	struct apply_opts o;
	struct applier	 a;
	int		 rc;

	if (apply_opts_load(op, &o) != 0)
		return APPLY_FAILED;
	o.stop = stop;
	rc = APPLY_FAILED;
	if (applier_init(&a, op, &o, st) != 0)
		goto out;
	if (strcmp(op->apply_state, "undoing") != 0 &&
	    set_apply_state(op, "undoing", NULL, PHASE_UNDO) != 0)
		goto done;
	rc = run_all(&a, 1, stop, undo_one);
	if (rc == APPLY_DONE && (tracker_begin(op) != 0 ||
	    store_exec(tracker_store(op->db), SQL_APPLY_SUMMARY, "i",
	    op->key) != 0)) {
		tracker_abort(op);
		rc = APPLY_FAILED;
	}
	if (rc == APPLY_DONE && st->refused == 0 &&
	    set_apply_state(op, "undone", NULL, PHASE_DONE) != 0)
		rc = APPLY_FAILED;
	else if (rc == APPLY_DONE && tracker_end(op) != 0)
		rc = APPLY_FAILED;
done:
	applier_release(&a);
out:
	apply_opts_release(&o);
	return rc;
}
