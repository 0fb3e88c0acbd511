-- The roocode state database, current version.  A new database is created
-- from this file; older ones are moved forward by migrate-NNN.sql.
-- Times are integer nanoseconds since the Unix epoch, UTC.  Paths are BLOBs
-- holding the exact bytes of the name.  Value lists in CHECK constraints
-- are written as OR chains: SQLite builds a temporary b-tree for an IN list
-- of three or more values each time a statement runs, which doubled the
-- cost of recording a file result.
-- version: 2

-- One row per operation (a find, with its resumes and applies).
CREATE TABLE operation (
	op_key		INTEGER PRIMARY KEY,
	id		TEXT NOT NULL UNIQUE,
	kind		TEXT NOT NULL DEFAULT 'duplicate-detection',
	state		TEXT NOT NULL CHECK (state = 'running' OR
			    state = 'interrupted' OR state = 'completed' OR
			    state = 'failed' OR state = 'cancelled'),
	phase		TEXT NOT NULL CHECK (phase = 'walk' OR
			    phase = 'size' OR phase = 'prefix' OR
			    phase = 'full' OR phase = 'group' OR
			    phase = 'done' OR phase = 'apply' OR
			    phase = 'undo'),
	-- What was done to the files: nothing, or an apply and its undo.
	apply_state	TEXT NOT NULL DEFAULT 'none' CHECK (
			    apply_state = 'none' OR apply_state = 'applying' OR
			    apply_state = 'applied' OR
			    apply_state = 'undoing' OR apply_state = 'undone'),
	apply_options	TEXT CHECK (apply_options IS NULL
			    OR json_valid(apply_options)),
	cwd		BLOB NOT NULL,
	options		TEXT NOT NULL DEFAULT '{}'
			    CHECK (json_valid(options)),
	total_files	INTEGER NOT NULL DEFAULT 0 CHECK (total_files >= 0),
	total_bytes	INTEGER NOT NULL DEFAULT 0 CHECK (total_bytes >= 0),
	processed_files	INTEGER NOT NULL DEFAULT 0
			    CHECK (processed_files >= 0),
	processed_bytes	INTEGER NOT NULL DEFAULT 0
			    CHECK (processed_bytes >= 0),
	bytes_read	INTEGER NOT NULL DEFAULT 0 CHECK (bytes_read >= 0),
	errors		INTEGER NOT NULL DEFAULT 0 CHECK (errors >= 0),
	checkpoints	INTEGER NOT NULL DEFAULT 0 CHECK (checkpoints >= 0),
	last_digest	BLOB CHECK (last_digest IS NULL
			    OR length(last_digest) = 32),
	start_time	INTEGER NOT NULL,
	update_time	INTEGER NOT NULL,
	end_time	INTEGER,
	owner_pid	INTEGER,
	owner_host	TEXT,
	runs		INTEGER NOT NULL DEFAULT 1 CHECK (runs >= 1),
	archived	INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
	-- Read from a checkpoint document: its row checksums were computed
	-- by the import, so find takes no hashes from it.
	imported	INTEGER NOT NULL DEFAULT 0 CHECK (imported IN (0, 1)),
	-- The report as it was when archived: archive drops the rows it is
	-- computed from.
	archived_report	TEXT CHECK (archived_report IS NULL
			    OR json_valid(archived_report)),
	-- logs/ID.log holds every entry up to log_synced, log_size bytes.
	log_synced	INTEGER NOT NULL DEFAULT 0,
	log_size	INTEGER NOT NULL DEFAULT 0,
	CHECK (processed_files <= total_files)
);

-- The roots given on the command line, in order, and what each resolved
-- to when the operation began (an apply acts below that, following no
-- symlink, so a root swapped for a link later cannot redirect it).
CREATE TABLE root (
	op_key		INTEGER NOT NULL
			    REFERENCES operation (op_key) ON DELETE CASCADE,
	idx		INTEGER NOT NULL CHECK (idx >= 0),
	path		BLOB NOT NULL,
	real		BLOB,
	PRIMARY KEY (op_key, idx)
) WITHOUT ROWID;

-- One row per committed checkpoint.  digest = SHA-256 over the previous
-- digest, this row's fields and log_digest (the non-backfilled log rows
-- committed with it); see src/tracker.c.
CREATE TABLE checkpoint (
	op_key		INTEGER NOT NULL
			    REFERENCES operation (op_key) ON DELETE CASCADE,
	seq		INTEGER NOT NULL CHECK (seq >= 1),
	time		INTEGER NOT NULL,
	phase		TEXT NOT NULL CHECK (phase = 'walk' OR
			    phase = 'size' OR phase = 'prefix' OR
			    phase = 'full' OR phase = 'group' OR
			    phase = 'done' OR phase = 'apply' OR
			    phase = 'undo'),
	processed_files	INTEGER NOT NULL CHECK (processed_files >= 0),
	processed_bytes	INTEGER NOT NULL CHECK (processed_bytes >= 0),
	results		INTEGER NOT NULL CHECK (results >= 0),
	log_count	INTEGER NOT NULL CHECK (log_count >= 0),
	log_digest	BLOB NOT NULL CHECK (length(log_digest) = 32),
	digest		BLOB NOT NULL CHECK (length(digest) = 32),
	PRIMARY KEY (op_key, seq)
) WITHOUT ROWID;

-- One row per file (device + inode) an operation met.  Every other name
-- of the same inode is in alias.  *_ckpt name the checkpoint that
-- committed each result.  seal is a checksum of the row's identity and
-- results (the program's file_seal() SQL function), rewritten by every
-- statement that changes them.
CREATE TABLE file (
	id		INTEGER PRIMARY KEY,
	op_key		INTEGER NOT NULL
			    REFERENCES operation (op_key) ON DELETE CASCADE,
	root_idx	INTEGER NOT NULL CHECK (root_idx >= 0),
	path		BLOB NOT NULL,
	kind		TEXT NOT NULL CHECK (kind = 'file' OR
			    kind = 'dir' OR kind = 'other'),
	dev		INTEGER NOT NULL,
	ino		INTEGER NOT NULL,
	size		INTEGER NOT NULL CHECK (size >= 0),
	mtime		INTEGER NOT NULL,
	ctime		INTEGER NOT NULL,
	nlink		INTEGER NOT NULL CHECK (nlink >= 0),
	mode		INTEGER NOT NULL,
	status		TEXT NOT NULL CHECK (status = 'pending' OR
			    status = 'unique' OR status = 'hashed' OR
			    status = 'error' OR status = 'vanished' OR
			    status = 'changed' OR status = 'special' OR
			    status = 'gone'),
	error		TEXT,
	prefix_hash	BLOB CHECK (prefix_hash IS NULL
			    OR length(prefix_hash) = 32),
	full_hash	BLOB CHECK (full_hash IS NULL
			    OR length(full_hash) = 32),
	reused		INTEGER NOT NULL DEFAULT 0 CHECK (reused IN (0, 1)),
	walk_ckpt	INTEGER NOT NULL,
	prefix_ckpt	INTEGER,
	settle_ckpt	INTEGER,
	-- file_seal() of the columns above: a row changed by hand shows;
	-- pseal covers only what the walk and the prefix phase wrote.
	seal		INTEGER,
	pseal		INTEGER,
	CHECK (status <> 'hashed' OR full_hash IS NOT NULL),
	CHECK ((status = 'pending') = (settle_ckpt IS NULL)),
	-- The only index: the phases read an operation's files by size, and
	-- find looks a file up in earlier operations by size, device and
	-- inode.  A walk inserts its files in this order, so the index is
	-- filled at its end rather than at random places.  That an inode has
	-- one row per operation is kept by the walk (src/tracker.c).
	UNIQUE (op_key, size, dev, ino)
);

-- Other names of a file's inode (hard links, overlapping roots).
CREATE TABLE alias (
	file_id		INTEGER NOT NULL
			    REFERENCES file (id) ON DELETE CASCADE,
	path		BLOB NOT NULL,
	PRIMARY KEY (file_id, path)
) WITHOUT ROWID;

-- The operation log.  File-level entries (OPERATION, and ERROR for a file)
-- point at their file row, GROUP entries at their group; size and hash are
-- the values recorded (hash: the full SHA-256 when one was computed).
CREATE TABLE log (
	id		INTEGER PRIMARY KEY,
	op_key		INTEGER NOT NULL
			    REFERENCES operation (op_key) ON DELETE CASCADE,
	ckpt		INTEGER NOT NULL CHECK (ckpt >= 0),
	time		INTEGER NOT NULL,
	type		TEXT NOT NULL CHECK (type = 'OPERATION' OR
			    type = 'GROUP' OR type = 'CHECKPOINT' OR
			    type = 'STATE' OR type = 'ERROR'),
	operation	TEXT NOT NULL,
	file_id		INTEGER,
	group_seq	INTEGER,
	path		BLOB,
	size		INTEGER,
	hash		BLOB CHECK (hash IS NULL OR length(hash) = 32),
	details		TEXT CHECK (details IS NULL OR json_valid(details)),
	backfilled	INTEGER NOT NULL DEFAULT 0 CHECK (backfilled IN (0, 1))
);
CREATE INDEX log_ckpt ON log (op_key, ckpt);

-- Duplicate groups; seq 1 wastes the most space.
CREATE TABLE dup_group (
	op_key		INTEGER NOT NULL
			    REFERENCES operation (op_key) ON DELETE CASCADE,
	seq		INTEGER NOT NULL CHECK (seq >= 1),
	size		INTEGER NOT NULL CHECK (size >= 0),
	hash		BLOB NOT NULL CHECK (length(hash) = 32),
	files		INTEGER NOT NULL CHECK (files >= 2),
	wasted		INTEGER NOT NULL CHECK (wasted >= 0),
	ckpt		INTEGER NOT NULL,
	PRIMARY KEY (op_key, seq),
	UNIQUE (op_key, size, hash)
) WITHOUT ROWID;

CREATE TABLE dup_member (
	op_key		INTEGER NOT NULL,
	group_seq	INTEGER NOT NULL,
	file_id		INTEGER NOT NULL REFERENCES file (id) ON DELETE CASCADE,
	PRIMARY KEY (op_key, group_seq, file_id),
	FOREIGN KEY (op_key, group_seq)
	    REFERENCES dup_group (op_key, seq) ON DELETE CASCADE
) WITHOUT ROWID;
CREATE INDEX dup_member_file ON dup_member (file_id);

-- One row per name an apply acts on: a redundant copy and what becomes
-- of it.  Each state change is committed (a checkpoint, synchronous) before
-- the file system is touched and again after, so a crash at any point can
-- be finished or undone: planned -> backing-up -> backed-up -> replacing
-- -> done, or skipped / failed (nothing changed); undo: undoing -> undone.
CREATE TABLE action (
	id		INTEGER PRIMARY KEY,
	op_key		INTEGER NOT NULL
			    REFERENCES operation (op_key) ON DELETE CASCADE,
	group_seq	INTEGER NOT NULL,
	file_id		INTEGER NOT NULL REFERENCES file (id) ON DELETE CASCADE,
	keep_id		INTEGER NOT NULL REFERENCES file (id) ON DELETE CASCADE,
	kind		TEXT NOT NULL CHECK (kind = 'remove' OR
			    kind = 'hardlink' OR kind = 'symlink' OR
			    kind = 'reflink'),
	-- Absolute paths, directories resolved when planned.
	path		BLOB NOT NULL,
	keep_path	BLOB NOT NULL,
	backup_path	BLOB,
	size		INTEGER NOT NULL,
	hash		BLOB NOT NULL CHECK (length(hash) = 32),
	mode		INTEGER NOT NULL,
	uid		INTEGER NOT NULL,
	gid		INTEGER NOT NULL,
	atime		INTEGER NOT NULL,
	mtime		INTEGER NOT NULL,
	state		TEXT NOT NULL CHECK (state = 'planned' OR
			    state = 'backing-up' OR state = 'backed-up' OR
			    state = 'replacing' OR state = 'done' OR
			    state = 'skipped' OR state = 'failed' OR
			    state = 'undoing' OR state = 'undone' OR
			    state = 'kept'),
	reason		TEXT,
	reclaimed	INTEGER NOT NULL DEFAULT 0 CHECK (reclaimed >= 0),
	ckpt		INTEGER NOT NULL,
	time		INTEGER NOT NULL
);
CREATE INDEX action_op ON action (op_key, group_seq);
CREATE INDEX action_file ON action (file_id);
CREATE INDEX action_keep ON action (keep_id);

-- Written when an operation completes.
CREATE TABLE summary (
	op_key		INTEGER PRIMARY KEY
			    REFERENCES operation (op_key) ON DELETE CASCADE,
	files		INTEGER NOT NULL,
	bytes		INTEGER NOT NULL,
	groups		INTEGER NOT NULL,
	redundant_files	INTEGER NOT NULL,
	reclaimable_bytes INTEGER NOT NULL,
	errors		INTEGER NOT NULL,
	bytes_read	INTEGER NOT NULL,
	reused		INTEGER NOT NULL DEFAULT 0,
	-- Filled by an apply: files acted on, skipped, and bytes freed.
	applied_files	INTEGER NOT NULL DEFAULT 0,
	skipped_files	INTEGER NOT NULL DEFAULT 0,
	reclaimed_bytes	INTEGER NOT NULL DEFAULT 0,
	time		INTEGER NOT NULL
);

-- Every member of every group, for people writing SQL.
CREATE VIEW dup_file (operation_id, group_id, size, hash, path) AS
SELECT o.id, g.seq, g.size, lower(hex(g.hash)), f.path
FROM dup_group AS g
JOIN operation AS o ON o.op_key = g.op_key
JOIN dup_member AS m ON m.op_key = g.op_key AND m.group_seq = g.seq
JOIN file AS f ON f.id = m.file_id;

-- Bytes that removing every redundant copy would free, per operation.
CREATE VIEW wasted_bytes (operation_id, groups, redundant_files, bytes) AS
SELECT o.id, count(g.seq), coalesce(sum(g.files - 1), 0),
    coalesce(sum(g.wasted), 0)
FROM operation AS o
LEFT JOIN dup_group AS g ON g.op_key = o.op_key
GROUP BY o.op_key;

-- The timeline of an operation: its checkpoints and state changes.
CREATE VIEW timeline (operation_id, time, event, phase, processed_files) AS
SELECT o.id, c.time, 'checkpoint ' || c.seq, c.phase, c.processed_files
FROM checkpoint AS c
JOIN operation AS o ON o.op_key = c.op_key
UNION ALL
SELECT o.id, l.time, l.operation, json_extract(l.details, '$.phase'), NULL
FROM log AS l
JOIN operation AS o ON o.op_key = l.op_key
WHERE l.type = 'STATE';
