-- Statements of apply and undo (src/apply.c).

-- name: members
-- :op  (every group member with what the keep rules need, by group)
SELECT m.group_seq, g.hash, f.id, f.root_idx, f.path, f.dev, f.ino, f.size,
    f.mtime, f.ctime, f.nlink
FROM dup_member AS m
JOIN dup_group AS g ON g.op_key = m.op_key AND g.seq = m.group_seq
JOIN file AS f ON f.id = m.file_id
WHERE m.op_key = :op
ORDER BY m.group_seq, f.root_idx, f.path;

-- name: aliases
-- :file
SELECT path FROM alias WHERE file_id = :file ORDER BY path;

-- name: insert
-- :op :group :file :keep :kind :path :keep_path :size :hash :mode :uid
-- :gid :atime :mtime :state :reason :ckpt :time
INSERT INTO action (op_key, group_seq, file_id, keep_id, kind, path,
    keep_path, size, hash, mode, uid, gid, atime, mtime, state, reason,
    ckpt, time)
VALUES (:op, :group, :file, :keep, :kind, :path, :keep_path, :size, :hash,
    :mode, :uid, :gid, :atime, :mtime, :state, :reason, :ckpt, :time);

-- name: set
-- :id :state :backup :reason :reclaimed :mode :uid :gid :atime :mtime :ckpt
-- :time
UPDATE action
SET state = :state, backup_path = coalesce(:backup, backup_path),
    reason = :reason, reclaimed = :reclaimed, mode = :mode, uid = :uid,
    gid = :gid, atime = :atime, mtime = :mtime, ckpt = :ckpt, time = :time
WHERE id = :id;

-- name: todo
-- :op :undo :after  (the actions to carry on with, in order, after id
-- :after; for undo, those to take back, newest first, before :after)
SELECT a.id, a.group_seq, a.kind, a.path, a.keep_path, a.backup_path,
    a.size, a.hash, a.mode, a.uid, a.gid, a.atime, a.mtime, a.state,
    r.dev, r.ino, r.mtime, r.ctime, k.dev, k.ino, k.size, k.mtime, k.ctime,
    a.file_id, r.nlink
FROM action AS a
JOIN file AS r ON r.id = a.file_id
JOIN file AS k ON k.id = a.keep_id
WHERE a.op_key = :op
    AND ((:undo = 0 AND a.state IN ('planned', 'backing-up', 'backed-up',
	'replacing'))
    OR (:undo = 1 AND a.state IN ('backing-up', 'backed-up', 'replacing',
	'done', 'undoing')))
    AND ((:undo = 0 AND a.id > :after) OR (:undo = 1 AND a.id < :after))
ORDER BY CASE WHEN :undo THEN -a.id ELSE a.id END;

-- name: count
-- :op
SELECT count(*) FROM action WHERE op_key = :op;

-- name: names_done
-- :file  (names of an inode already acted on; when all are, it is freed)
SELECT count(*) FROM action WHERE file_id = :file AND state = 'done';

-- name: set_state
-- :op :state :options
UPDATE operation
SET apply_state = :state, apply_options = coalesce(:options, apply_options)
WHERE op_key = :op;

-- name: summary
-- :op
UPDATE summary
SET applied_files = (SELECT count(*) FROM action
	WHERE op_key = :op AND state = 'done'),
    skipped_files = (SELECT count(*) FROM action
	WHERE op_key = :op AND state IN ('skipped', 'failed')),
    reclaimed_bytes = (SELECT coalesce(sum(reclaimed), 0) FROM action
	WHERE op_key = :op AND state = 'done')
WHERE op_key = :op;

-- name: listing
-- :op  (every group member with its actions, for the outputs; the first
-- action of a file is on its recorded name, later ones on its aliases,
-- whose absolute path is shown relative to the working directory of the
-- scan when the recorded name is relative and below it)
SELECT m.group_seq, f.path, a.kind, a.state,
    CASE WHEN a.id > (SELECT min(b.id) FROM action AS b
	WHERE b.file_id = f.id) THEN
	CASE WHEN substr(f.path, 1, 1) <> x'2f'
	    AND substr(a.path, 1, length(o.cwd) + 1)
		= CAST(o.cwd || '/' AS BLOB)
	THEN substr(a.path, length(o.cwd) + 2) ELSE a.path END END,
    a.backup_path, a.reason
FROM dup_member AS m
JOIN operation AS o ON o.op_key = m.op_key
JOIN file AS f ON f.id = m.file_id
LEFT JOIN action AS a ON a.op_key = m.op_key AND a.file_id = f.id
WHERE m.op_key = :op
ORDER BY m.group_seq, f.root_idx, f.path, a.id;

-- name: opts_json
-- :kind :keep :backup :keep_paths
SELECT json_object('action', :kind, 'keep', :keep, 'backupDir', :backup,
    'keepPaths', json(:keep_paths));

-- name: json_text
-- :json :path
SELECT json_extract(:json, :path);

-- name: roots
-- :op
SELECT idx, path, real FROM root WHERE op_key = :op ORDER BY idx;

-- name: undone_sibling
-- :file :id  (another name of the same original inode already put back
-- by this undo: the name to link to, so that names that were one file
-- are one file again)
SELECT path FROM action
WHERE file_id = :file AND id <> :id AND state = 'undone'
ORDER BY id
LIMIT 1;
