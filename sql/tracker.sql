-- Statements of the operation tracker (src/tracker.c): operations,
-- checkpoints, file results, the log, groups and summaries.

-- name: op_insert
-- :id :state :phase :cwd :options :time :pid :host
INSERT INTO operation (id, state, phase, cwd, options, start_time,
    update_time, owner_pid, owner_host)
VALUES (:id, :state, :phase, :cwd, :options, :time, :time, :pid, :host);

-- name: root_insert
-- :op :idx :path :real
INSERT INTO root (op_key, idx, path, real)
VALUES (:op, :idx, :path, :real);

-- name: op_by_id
-- :id
SELECT op_key, id, state, phase, cwd, options, total_files, total_bytes,
    processed_files, processed_bytes, bytes_read, errors, checkpoints,
    last_digest, start_time, update_time, end_time, owner_pid, owner_host,
    runs, archived, apply_state, apply_options
FROM operation
WHERE id = :id;

-- name: roots_of
-- :op
SELECT path FROM root WHERE op_key = :op ORDER BY idx;

-- name: op_claim
-- :op :pid :host :time  (a resume takes the operation over)
UPDATE operation
SET state = 'running', owner_pid = :pid, owner_host = :host,
    update_time = :time, end_time = NULL, runs = runs + 1
WHERE op_key = :op;

-- name: op_update
-- :op :state :phase :total_files :total_bytes :processed_files
-- :processed_bytes :bytes_read :errors :checkpoints :digest :time :end
UPDATE operation
SET state = :state, phase = :phase, total_files = :total_files,
    total_bytes = :total_bytes, processed_files = :processed_files,
    processed_bytes = :processed_bytes, bytes_read = :bytes_read,
    errors = :errors, checkpoints = :checkpoints, last_digest = :digest,
    update_time = :time, end_time = nullif(:end, 0)
WHERE op_key = :op;

-- name: checkpoint_insert
-- :op :seq :time :phase :processed_files :processed_bytes :results
-- :log_count :log_digest :digest
INSERT INTO checkpoint (op_key, seq, time, phase, processed_files,
    processed_bytes, results, log_count, log_digest, digest)
VALUES (:op, :seq, :time, :phase, :processed_files, :processed_bytes,
    :results, :log_count, :log_digest, :digest);

-- name: checkpoints_of
-- :op
SELECT seq, time, phase, processed_files, processed_bytes, results,
    log_count, log_digest, digest
FROM checkpoint
WHERE op_key = :op
ORDER BY seq;

-- name: log_insert
-- :op :ckpt :time :type :operation :file_id :group_seq :path :size :hash
-- :details
INSERT INTO log (op_key, ckpt, time, type, operation, file_id, group_seq,
    path, size, hash, details)
VALUES (:op, :ckpt, :time, :type, :operation, nullif(:file_id, 0),
    nullif(:group_seq, 0), :path, CASE WHEN :size >= 0 THEN :size END, :hash,
    :details);

-- name: log_of_ckpt
-- :op :ckpt  (the rows a checkpoint digest covers, in digest order)
SELECT id, ckpt, time, type, operation, file_id, group_seq, path, size,
    hash, details
FROM log
WHERE op_key = :op AND ckpt = :ckpt AND backfilled = 0
ORDER BY id;

-- name: log_max_ckpt
-- :op
SELECT coalesce(max(ckpt), 0) FROM log WHERE op_key = :op;

-- name: file_settle
-- :id :status :prefix :full :error :ckpt :read  (the seal sees the new
-- values: SET expressions read the old row; a prefix given here was hashed
-- in the same checkpoint.  A file read now is no longer counted as reused,
-- though its prefix hash may have been)
UPDATE file
SET status = :status, full_hash = coalesce(:full, full_hash),
    reused = CASE WHEN :read OR (:status <> 'unique' AND :status <> 'hashed')
	THEN 0 ELSE reused END,
    prefix_hash = coalesce(:prefix, prefix_hash),
    prefix_ckpt = CASE WHEN :prefix IS NOT NULL AND prefix_hash IS NULL
	THEN :ckpt ELSE prefix_ckpt END,
    error = :error, settle_ckpt = :ckpt,
    seal = file_seal(op_key, dev, ino, size, mtime, ctime, :status,
	coalesce(:prefix, prefix_hash), coalesce(:full, full_hash),
	walk_ckpt, CASE WHEN :prefix IS NOT NULL AND prefix_hash IS NULL
	THEN :ckpt ELSE prefix_ckpt END, :ckpt),
    pseal = file_seal(op_key, dev, ino, size, mtime, ctime, NULL,
	coalesce(:prefix, prefix_hash), NULL, walk_ckpt,
	CASE WHEN :prefix IS NOT NULL AND prefix_hash IS NULL
	THEN :ckpt ELSE prefix_ckpt END, NULL)
WHERE id = :id;

-- name: file_prefix
-- :id :prefix :full :ckpt
UPDATE file
SET prefix_hash = :prefix, full_hash = coalesce(:full, full_hash),
    prefix_ckpt = :ckpt,
    seal = file_seal(op_key, dev, ino, size, mtime, ctime, status,
	:prefix, coalesce(:full, full_hash), walk_ckpt, :ckpt, settle_ckpt),
    pseal = file_seal(op_key, dev, ino, size, mtime, ctime, NULL, :prefix,
	NULL, walk_ckpt, :ckpt, NULL)
WHERE id = :id;

-- name: file_insert
-- :op :root :path :kind :dev :ino :size :mtime :ctime :nlink :mode :status
-- :error :ckpt :settle :full
INSERT INTO file (op_key, root_idx, path, kind, dev, ino, size, mtime,
    ctime, nlink, mode, status, error, full_hash, walk_ckpt, settle_ckpt,
    seal, pseal)
VALUES (:op, :root, :path, :kind, :dev, :ino, :size, :mtime, :ctime,
    :nlink, :mode, :status, :error, :full, :ckpt, :settle,
    file_seal(:op, :dev, :ino, :size, :mtime, :ctime, :status, NULL, :full,
	:ckpt, NULL, :settle),
    file_seal(:op, :dev, :ino, :size, :mtime, :ctime, NULL, NULL, NULL,
	:ckpt, NULL, NULL));

-- name: reseal
-- :op  (after a bulk statement that left seal NULL on the rows it changed)
UPDATE file
SET seal = file_seal(op_key, dev, ino, size, mtime, ctime, status,
    prefix_hash, full_hash, walk_ckpt, prefix_ckpt, settle_ckpt),
    pseal = file_seal(op_key, dev, ino, size, mtime, ctime, NULL,
    prefix_hash, NULL, walk_ckpt, prefix_ckpt, NULL)
WHERE op_key = :op AND seal IS NULL;

-- name: counters
-- :op  (the counters as the rows give them)
SELECT count(*),
    CAST(total(size) AS INTEGER),
    coalesce(sum(status <> 'pending'), 0),
    CAST(total(CASE WHEN status <> 'pending' THEN size END) AS INTEGER)
FROM file
WHERE op_key = :op AND status <> 'gone' AND kind <> 'dir';

-- name: trouble_count
-- :op
SELECT count(*)
FROM file
WHERE op_key = :op
    AND status IN ('error', 'vanished', 'changed', 'special');

-- name: stage_create
CREATE TEMP TABLE IF NOT EXISTS staging (
	seq		INTEGER PRIMARY KEY,
	root_idx	INTEGER NOT NULL,
	path		BLOB NOT NULL,
	kind		TEXT NOT NULL,
	dev		INTEGER,
	ino		INTEGER,
	size		INTEGER,
	mtime		INTEGER,
	ctime		INTEGER,
	nlink		INTEGER,
	mode		INTEGER,
	status		TEXT NOT NULL,
	error		TEXT,
	what		TEXT,
	via_link	INTEGER NOT NULL
);

-- name: stage_clear
DELETE FROM temp.staging;

-- name: stage_index
-- (the names of each inode, the preferred first: not through a symlink,
-- then the first met)
CREATE INDEX IF NOT EXISTS temp.staging_ino ON staging (dev, ino, via_link,
    seq);

-- name: old_create
-- (the operation's files before a new walk, by device and inode)
CREATE TEMP TABLE IF NOT EXISTS old (
	id		INTEGER PRIMARY KEY,
	dev		INTEGER NOT NULL,
	ino		INTEGER NOT NULL,
	size		INTEGER NOT NULL,
	mtime		INTEGER NOT NULL,
	ctime		INTEGER NOT NULL,
	status		TEXT NOT NULL,
	walk_ckpt	INTEGER NOT NULL
);

-- name: old_clear
DELETE FROM temp.old;

-- name: old_fill
-- :op
INSERT INTO temp.old (id, dev, ino, size, mtime, ctime, status, walk_ckpt)
SELECT id, dev, ino, size, mtime, ctime, status, walk_ckpt
FROM file
WHERE op_key = :op;

-- name: old_index
CREATE INDEX IF NOT EXISTS temp.old_ino ON old (dev, ino);

-- name: stage_insert
-- :root :path :kind :dev :ino :size :mtime :ctime :nlink :mode :status
-- :error :what :via_link
INSERT INTO temp.staging (root_idx, path, kind, dev, ino, size, mtime,
    ctime, nlink, mode, status, error, what, via_link)
VALUES (:root, :path, :kind, :dev, :ino, :size, :mtime, :ctime, :nlink,
    :mode, :status, :error, :what, :via_link);

-- name: stage_vanished
-- :op :ckpt  (files of the operation the new walk did not meet)
UPDATE file
SET status = 'gone', settle_ckpt = :ckpt, seal = NULL, reused = 0
WHERE op_key = :op AND status <> 'gone'
    AND NOT EXISTS (SELECT 1 FROM temp.staging AS s
	WHERE s.dev = file.dev AND s.ino = file.ino);

-- name: stage_affected_create
CREATE TEMP TABLE IF NOT EXISTS affected (size INTEGER PRIMARY KEY)
    WITHOUT ROWID;

-- name: stage_affected_clear
DELETE FROM temp.affected;

-- name: stage_affected_gone
-- :op :ckpt
INSERT OR IGNORE INTO temp.affected (size)
SELECT size FROM file
WHERE op_key = :op AND status = 'gone' AND settle_ckpt = :ckpt;

-- name: stage_affected_changed
-- :op  (old and new sizes of files whose stat changed, or new files)
INSERT OR IGNORE INTO temp.affected (size)
SELECT s.size FROM temp.staging AS s
LEFT JOIN temp.old AS f ON f.dev = s.dev AND f.ino = s.ino
WHERE s.dev IS NOT NULL AND s.kind = 'file'
    AND (f.id IS NULL OR f.status NOT IN ('pending', 'unique', 'hashed')
	OR f.size <> s.size OR f.mtime <> s.mtime OR f.ctime <> s.ctime
	OR f.ctime >= (SELECT c.time - racy_ns(f.ctime) FROM checkpoint AS c
	    WHERE c.op_key = :op AND c.seq = f.walk_ckpt))
UNION
SELECT f.size FROM temp.staging AS s
JOIN temp.old AS f ON f.dev = s.dev AND f.ino = s.ino
WHERE f.size <> s.size OR f.mtime <> s.mtime OR f.ctime <> s.ctime
    OR f.status NOT IN ('pending', 'unique', 'hashed', 'special')
    OR f.ctime >= (SELECT c.time - racy_ns(f.ctime) FROM checkpoint AS c
	WHERE c.op_key = :op AND c.seq = f.walk_ckpt);

-- name: stage_changed
-- :op :ckpt  (files met again: new stat; results dropped when it changed,
-- or when its ctime was so close to the walk that recorded it that it may
-- have changed since within the same timestamp tick (racy_ns(): 2 s on
-- file systems with whole-second times, 20 ms otherwise), so it is read
-- again)
UPDATE file
SET root_idx = s.root_idx, path = s.path, kind = s.kind, size = s.size,
    mtime = s.mtime, ctime = s.ctime, nlink = s.nlink, mode = s.mode,
    status = s.status, error = s.error,
    prefix_hash = NULL, full_hash = NULL, prefix_ckpt = NULL,
    reused = 0, seal = NULL,
    settle_ckpt = CASE WHEN s.status = 'pending' THEN NULL ELSE :ckpt END
FROM temp.staging AS s
WHERE file.op_key = :op AND s.dev = file.dev AND s.ino = file.ino
    AND s.seq = (SELECT t.seq FROM temp.staging AS t
	WHERE t.dev = s.dev AND t.ino = s.ino
	ORDER BY t.via_link, t.seq LIMIT 1)
    AND (file.size <> s.size OR file.mtime <> s.mtime
	OR file.ctime <> s.ctime OR file.kind <> s.kind
	OR file.status NOT IN ('pending', 'unique', 'hashed', 'special')
	OR file.ctime >= (SELECT c.time - racy_ns(file.ctime)
	    FROM checkpoint AS c
	    WHERE c.op_key = file.op_key AND c.seq = file.walk_ckpt));

-- name: stage_renamed
-- :op  (same file, unchanged, met under another first name)
UPDATE file
SET root_idx = s.root_idx, path = s.path, nlink = s.nlink
FROM temp.staging AS s
WHERE file.op_key = :op AND s.dev = file.dev AND s.ino = file.ino
    AND s.seq = (SELECT t.seq FROM temp.staging AS t
	WHERE t.dev = s.dev AND t.ino = s.ino
	ORDER BY t.via_link, t.seq LIMIT 1)
    AND (file.path <> s.path OR file.root_idx <> s.root_idx);

-- name: stage_reopen
-- :op  (settled files whose size class changed are looked at again)
UPDATE file
SET status = 'pending', settle_ckpt = NULL, seal = NULL
WHERE op_key = :op AND status IN ('unique', 'hashed')
    AND size IN (SELECT size FROM temp.affected);

-- name: stage_copy
-- :op :ckpt :all  (new files; the first name met not through a symlink
-- wins, else the first name met (only an inode with several links, or any
-- when :all, can have several names); rows go in size order because the
-- phases work in size order: each checkpoint then updates a few
-- neighbouring pages rather than scattered ones, and the file index is
-- filled at its end.  The unary + keeps SQLite from reading staging in
-- index order, one random row at a time)
INSERT OR IGNORE INTO file (op_key, root_idx, path, kind, dev, ino, size,
    mtime, ctime, nlink, mode, status, error, walk_ckpt, settle_ckpt, seal,
    pseal)
SELECT :op, root_idx, path, kind, dev, ino, size, mtime, ctime, nlink, mode,
    status, error, :ckpt,
    CASE WHEN status = 'pending' THEN NULL ELSE :ckpt END,
    file_seal(:op, dev, ino, size, mtime, ctime, status, NULL, NULL, :ckpt,
	NULL, CASE WHEN status = 'pending' THEN NULL ELSE :ckpt END),
    file_seal(:op, dev, ino, size, mtime, ctime, NULL, NULL, NULL, :ckpt,
	NULL, NULL)
-- XXX(#6): a single-link file reached twice (a bind mount) that grew
-- between the two stats keeps both rows, as the unique key holds the size.
FROM temp.staging AS s
WHERE +s.dev IS NOT NULL
    AND ((s.nlink < 2 AND NOT :all)
	OR s.seq = (SELECT t.seq FROM temp.staging AS t
	    WHERE t.dev = s.dev AND t.ino = s.ino
	    ORDER BY t.via_link, t.seq LIMIT 1))
    AND NOT EXISTS (SELECT 1 FROM temp.old AS o
	WHERE o.dev = s.dev AND o.ino = s.ino)
ORDER BY size, dev, ino;

-- name: reuse_create
CREATE TEMP TABLE IF NOT EXISTS reuse (
	id		INTEGER PRIMARY KEY,
	src		INTEGER NOT NULL
);

-- name: reuse_clear
DELETE FROM temp.reuse;

-- name: reuse_sources
-- :op :limit  (operations whose hashes a find may take, newest first:
-- those with per-file rows and a root that is one of ours, or above or
-- below one of ours, as resolved when each began)
SELECT o.op_key
FROM operation AS o
WHERE o.op_key <> :op AND NOT o.archived AND NOT o.imported
    AND EXISTS (SELECT 1 FROM root AS a JOIN root AS b
	WHERE a.op_key = :op AND b.op_key = o.op_key
	    AND a.real IS NOT NULL AND b.real IS NOT NULL
	    AND (a.real = b.real OR a.real = x'2f' OR b.real = x'2f'
		OR substr(a.real, 1, length(b.real) + 1)
		    = CAST(b.real || '/' AS BLOB)
		OR substr(b.real, 1, length(a.real) + 1)
		    = CAST(a.real || '/' AS BLOB)))
ORDER BY o.op_key DESC
LIMIT :limit;

-- name: reuse_find
-- :op :src  (for each file still to read, the row of operation :src that
-- recorded a hash of the same file unchanged: same size, device, inode,
-- mtime and ctime; the row intact (its seal holds); its ctime not so close
-- to the walk that recorded it that a change in the same timestamp tick
-- could have gone unseen (the rule of stage_changed); a full hash, or a
-- prefix hash the phases recorded.  CROSS JOIN: the files to read drive,
-- so the earlier row is examined only when it is the same file)
INSERT OR IGNORE INTO temp.reuse (id, src)
SELECT f.id, o.id
FROM file AS f
CROSS JOIN file AS o ON o.op_key = :src AND o.size = f.size
    AND o.dev = f.dev AND o.ino = f.ino
WHERE f.op_key = :op AND f.status = 'pending' AND f.prefix_hash IS NULL
    AND f.id NOT IN (SELECT id FROM temp.reuse)
    AND o.mtime = f.mtime AND o.ctime = f.ctime
    AND o.prefix_hash IS NOT NULL
    AND (o.status = 'pending' OR o.status = 'unique'
	OR o.status = 'hashed')
    AND o.seal = file_seal(o.op_key, o.dev, o.ino, o.size, o.mtime,
	o.ctime, o.status, o.prefix_hash, o.full_hash, o.walk_ckpt,
	o.prefix_ckpt, o.settle_ckpt)
    AND o.ctime < (SELECT c.time - racy_ns(o.ctime) FROM checkpoint AS c
	WHERE c.op_key = :src AND c.seq = o.walk_ckpt);

-- name: reuse_apply
-- :op :ckpt  (a file whose full hash is known is settled now; the seals
-- are of the new values)
UPDATE file
SET prefix_hash = o.prefix_hash, full_hash = o.full_hash,
    prefix_ckpt = :ckpt, reused = 1,
    status = CASE WHEN o.full_hash IS NOT NULL THEN 'hashed'
	ELSE 'pending' END,
    settle_ckpt = CASE WHEN o.full_hash IS NOT NULL THEN :ckpt END,
    seal = file_seal(file.op_key, file.dev, file.ino, file.size, file.mtime,
	file.ctime, CASE WHEN o.full_hash IS NOT NULL THEN 'hashed'
	ELSE 'pending' END, o.prefix_hash, o.full_hash, file.walk_ckpt,
	:ckpt, CASE WHEN o.full_hash IS NOT NULL THEN :ckpt END),
    pseal = file_seal(file.op_key, file.dev, file.ino, file.size,
	file.mtime, file.ctime, NULL, o.prefix_hash, NULL, file.walk_ckpt,
	:ckpt, NULL)
FROM temp.reuse AS r
JOIN file AS o ON o.id = r.src
WHERE file.id = r.id AND file.op_key = :op;

-- name: reuse_log
-- :op :ckpt :time  (the files settled by a hash of an earlier operation)
INSERT INTO log (op_key, ckpt, time, type, operation, file_id, size, hash,
    details)
SELECT :op, :ckpt, :time, 'OPERATION', 'hashed', f.id, f.size, f.full_hash,
    '{"reused":true}'
FROM temp.reuse AS r
CROSS JOIN file AS f ON f.id = r.id
WHERE f.status = 'hashed'
ORDER BY f.id;

-- name: reuse_count
-- :op  (files whose hashes came from earlier operations, their bytes)
SELECT count(*), CAST(total(size) AS INTEGER)
FROM file
WHERE op_key = :op AND reused = 1;

-- name: alias_clear
-- :op
DELETE FROM alias
WHERE file_id IN (SELECT id FROM file WHERE op_key = :op);

-- name: alias_copy
-- :op :all  (other names of each inode; :all when any file may have them.
-- CROSS JOIN: staging drives, not every file row of the operation)
INSERT OR IGNORE INTO alias (file_id, path)
SELECT f.id, s.path
FROM temp.staging AS s
CROSS JOIN file AS f ON f.op_key = :op AND f.size = s.size
    AND f.dev = s.dev AND f.ino = s.ino
WHERE (s.nlink > 1 OR :all) AND s.path <> f.path;

-- name: stage_errors_log
-- :op :ckpt :time :detailed  (trouble met by the walk)
INSERT INTO log (op_key, ckpt, time, type, operation, file_id, path,
    details)
SELECT :op, :ckpt, :time, 'ERROR', s.what, f.id,
    CASE WHEN f.id IS NULL THEN s.path END,
    json_object('error', s.error, 'status', s.status)
FROM temp.staging AS s
LEFT JOIN file AS f ON f.op_key = :op AND f.size = s.size
    AND f.dev = s.dev AND f.ino = s.ino
WHERE s.status <> 'pending' AND (f.id IS NULL OR :detailed)
ORDER BY s.seq;

-- name: stage_unstat_errors
-- (walk trouble with no file row: counted on the operation)
SELECT count(*) FROM temp.staging WHERE +dev IS NULL;

-- name: page_size
-- :op :after :limit  (live files by size, for the size phase)
SELECT id, size, status
FROM file
WHERE op_key = :op AND size > :after
    AND status IN ('pending', 'unique', 'hashed')
ORDER BY size
LIMIT :limit;

-- name: page_prefix
-- :op :after_size :after_id :limit  (pending files without a prefix hash)
SELECT id, size, status, path, dev, ino, mtime, ctime, prefix_hash,
    full_hash
FROM file
WHERE op_key = :op AND status = 'pending' AND prefix_hash IS NULL
    AND size >= :after_size AND (size > :after_size OR id > :after_id)
ORDER BY size, id
LIMIT :limit;

-- name: page_full
-- :op :before :limit  (pending files and the hashed ones they may equal,
-- largest first: the longest reads start first, so the hashing threads
-- finish together)
SELECT id, size, status, path, dev, ino, mtime, ctime, prefix_hash,
    full_hash
FROM file
WHERE op_key = :op AND size < :before AND status IN ('pending', 'hashed')
ORDER BY size DESC
LIMIT :limit;

-- name: page_full_class
-- :op :size  (one whole size class, when it does not fit in a page)
SELECT id, size, status, path, dev, ino, mtime, ctime, prefix_hash,
    full_hash
FROM file
WHERE op_key = :op AND size = :size AND status IN ('pending', 'hashed');

-- name: todo_prefix
-- :op
SELECT count(*), coalesce(sum(CASE WHEN size <= 65536 THEN size
    ELSE 4096 END), 0)
FROM file
WHERE op_key = :op AND status = 'pending' AND prefix_hash IS NULL;

-- name: todo_pending
-- :op  (pending files, and the bytes of those the full phase must read:
-- a prefix shared with another file of their size)
SELECT count(*), coalesce(sum(CASE WHEN size > 4096 AND full_hash IS NULL
    AND EXISTS (SELECT 1 FROM file AS g WHERE g.op_key = f.op_key
	AND g.size = f.size AND g.prefix_hash = f.prefix_hash
	AND g.id <> f.id AND g.status IN ('pending', 'hashed'))
    THEN size END), 0)
FROM file AS f
WHERE op_key = :op AND status = 'pending';

-- name: todo_live
-- :op
SELECT count(*), 0
FROM file
WHERE op_key = :op AND status IN ('pending', 'unique', 'hashed');

-- name: group_clear
-- :op
DELETE FROM dup_group WHERE op_key = :op;

-- name: group_build
-- :op :ckpt  (seq 1 is the group wasting the most bytes)
INSERT INTO dup_group (op_key, seq, size, hash, files, wasted, ckpt)
SELECT :op,
    row_number() OVER (ORDER BY size * (count(*) - 1) DESC, size DESC,
	full_hash),
    size, full_hash, count(*), size * (count(*) - 1), :ckpt
FROM file
WHERE op_key = :op AND status = 'hashed'
GROUP BY size, full_hash
HAVING count(*) >= 2;

-- name: member_build
-- :op
INSERT INTO dup_member (op_key, group_seq, file_id)
SELECT :op, g.seq, f.id
FROM file AS f
JOIN dup_group AS g ON g.op_key = :op AND g.size = f.size
    AND g.hash = f.full_hash
WHERE f.op_key = :op AND f.status = 'hashed';

-- name: group_log
-- :op :ckpt :time
INSERT INTO log (op_key, ckpt, time, type, operation, group_seq, size, hash,
    details)
SELECT :op, :ckpt, :time, 'GROUP', 'grouped', seq, size, hash,
    json_object('files', files, 'wasted', wasted)
FROM dup_group
WHERE op_key = :op
ORDER BY seq;

-- name: group_insert
-- :op :seq :size :hash :files :ckpt  (one group from the library API)
INSERT INTO dup_group (op_key, seq, size, hash, files, wasted, ckpt)
VALUES (:op, :seq, :size, :hash, :files, :size * (:files - 1), :ckpt);

-- name: member_insert
-- :op :seq :file
INSERT INTO dup_member (op_key, group_seq, file_id) VALUES (:op, :seq, :file);

-- name: group_max_seq
-- :op
SELECT coalesce(max(seq), 0) FROM dup_group WHERE op_key = :op;

-- name: summary_write
-- :op :errors :bytes_read :time  (what an apply wrote is kept)
INSERT INTO summary (op_key, files, bytes, groups, redundant_files,
    reclaimable_bytes, errors, bytes_read, reused, time)
SELECT :op,
    (SELECT count(*) FROM file
	WHERE op_key = :op AND status IN ('unique', 'hashed')),
    (SELECT CAST(total(size) AS INTEGER) FROM file
	WHERE op_key = :op AND status IN ('unique', 'hashed')),
    count(*), coalesce(sum(files - 1), 0), CAST(total(wasted) AS INTEGER),
    :errors, :bytes_read,
    (SELECT count(*) FROM file WHERE op_key = :op AND reused = 1),
    :time
FROM dup_group
WHERE op_key = :op
ON CONFLICT (op_key) DO UPDATE SET files = excluded.files,
    bytes = excluded.bytes, groups = excluded.groups,
    redundant_files = excluded.redundant_files,
    reclaimable_bytes = excluded.reclaimable_bytes,
    errors = excluded.errors, bytes_read = excluded.bytes_read,
    reused = excluded.reused, time = excluded.time;

-- name: summary_of
-- :op
SELECT files, bytes, groups, redundant_files, reclaimable_bytes, errors,
    bytes_read, reused, time, applied_files, skipped_files, reclaimed_bytes
FROM summary
WHERE op_key = :op;

-- name: ops_all
SELECT id FROM operation ORDER BY start_time, op_key;

-- name: json_get
-- :json :path
SELECT json_extract(:json, :path);

-- name: json_list
-- :json :path
SELECT value FROM json_each(:json, :path) ORDER BY key;

-- name: json_append
-- :array :value
SELECT json_insert(:array, '$[#]', :value);

-- name: options_json
-- :min :max :exclude :hidden :empty :xdev :follow :interval :detailed
-- :reuse
SELECT json_object('minSize', :min,
    'maxSize', CASE WHEN :max >= 0 THEN :max END,
    'exclude', json(:exclude),
    'hidden', json(CASE WHEN :hidden THEN 'true' ELSE 'false' END),
    'empty', json(CASE WHEN :empty THEN 'true' ELSE 'false' END),
    'oneFileSystem', json(CASE WHEN :xdev THEN 'true' ELSE 'false' END),
    'followSymlinks', json(CASE WHEN :follow THEN 'true' ELSE 'false' END),
    'checkpointInterval', :interval,
    'detailedLogging', json(CASE WHEN :detailed THEN 'true' ELSE 'false'
	END),
    'reuse', json(CASE WHEN :reuse THEN 'true' ELSE 'false' END));
