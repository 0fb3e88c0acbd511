-- Statements of integrity checking and repair (src/verify.c).

-- name: log_beyond
-- :op :seq  (committed log rows that no checkpoint covers)
SELECT count(*), min(ckpt)
FROM log
WHERE op_key = :op AND ckpt > :seq AND backfilled = 0;

-- name: counters_of
-- :op  (the counters as the operation row has them)
SELECT total_files, total_bytes, processed_files, processed_bytes
FROM operation
WHERE op_key = :op;

-- name: bad_members
-- :op  (group members without a hashed file row of the group's content)
SELECT count(*)
FROM dup_member AS m
LEFT JOIN file AS f ON f.id = m.file_id
LEFT JOIN dup_group AS g ON g.op_key = m.op_key AND g.seq = m.group_seq
WHERE m.op_key = :op
    AND (f.id IS NULL OR f.op_key <> m.op_key OR f.status <> 'hashed'
	OR f.full_hash IS NOT g.hash OR f.size <> g.size);

-- name: bad_group_counts
-- :op
SELECT count(*)
FROM dup_group AS g
WHERE g.op_key = :op
    AND g.files <> (SELECT count(*) FROM dup_member AS m
	WHERE m.op_key = g.op_key AND m.group_seq = g.seq);

-- name: file_log_mismatch
-- :op  (hashed files whose row disagrees with the entry that settled it)
SELECT count(*), min(l.ckpt)
FROM log AS l
JOIN file AS f ON f.id = l.file_id
WHERE l.op_key = :op AND l.type = 'OPERATION' AND l.backfilled = 0
    AND f.settle_ckpt = l.ckpt
    AND (f.full_hash IS NOT l.hash OR f.size <> l.size);

-- name: bad_states
-- :op  (rows whose state no CHECK would have let in)
SELECT (SELECT count(*) FROM operation WHERE op_key = :op
	AND (state NOT IN ('running', 'interrupted', 'completed', 'failed',
	    'cancelled') OR phase NOT IN ('walk', 'size', 'prefix', 'full',
	    'group', 'done', 'apply', 'undo')))
    + (SELECT count(*) FROM file WHERE op_key = :op
	AND status NOT IN ('pending', 'unique', 'hashed', 'error',
	    'vanished', 'changed', 'special', 'gone'))
    + (SELECT count(*) FROM log WHERE op_key = :op
	AND type NOT IN ('OPERATION', 'GROUP', 'CHECKPOINT', 'STATE',
	    'ERROR'));

-- name: export_checkpoints
-- :op :from
SELECT json_group_array(json_object('seq', seq, 'time', iso_time(time),
    'phase', phase, 'processedFiles', processed_files,
    'processedBytes', processed_bytes, 'results', results,
    'logCount', log_count, 'logDigest', lower(hex(log_digest)),
    'digest', lower(hex(digest))))
FROM (SELECT * FROM checkpoint WHERE op_key = :op AND seq >= :from
    ORDER BY seq);

-- name: export_log
-- :op :from
SELECT json_group_array(json(json_patch(json_object('id', id,
    'checkpoint', ckpt,
    'time', iso_time(time), 'type', type, 'operation', operation,
    'fileId', file_id, 'groupSeq', group_seq,
    'path', path_text(path), 'size', size,
    'hash', CASE WHEN hash IS NOT NULL THEN lower(hex(hash)) END,
    'details', json(details),
    'backfilled', json(CASE WHEN backfilled THEN 'true' ELSE 'false' END)),
    json_object('pathHex', CASE WHEN NOT path_utf8(path)
	THEN lower(hex(path)) END))))
FROM (SELECT * FROM log WHERE op_key = :op AND ckpt >= :from ORDER BY id);

-- name: export_files
-- :op :from  (file rows holding results of the damaged checkpoints)
SELECT json_group_array(json_object('id', id, 'path', path_text(path),
    'pathHex', lower(hex(path)), 'device', dev, 'inode', ino, 'size', size,
    'status', status,
    'prefixHash', CASE WHEN prefix_hash IS NOT NULL
	THEN lower(hex(prefix_hash)) END,
    'fullHash', CASE WHEN full_hash IS NOT NULL
	THEN lower(hex(full_hash)) END, 'walkCheckpoint', walk_ckpt,
    'prefixCheckpoint', prefix_ckpt, 'settleCheckpoint', settle_ckpt))
FROM (SELECT * FROM file WHERE op_key = :op
    AND (walk_ckpt >= :from OR prefix_ckpt >= :from OR settle_ckpt >= :from)
    ORDER BY id);

-- name: export_head
-- :op :from :reason :now
SELECT json_object('operationId', id, 'damagedFrom', :from,
    'reason', :reason, 'movedAt', iso_time(:now), 'state', state,
    'phase', phase, 'checkpointsRecorded', checkpoints)
FROM operation
WHERE op_key = :op;

-- name: drop_checkpoints
-- :op :from
DELETE FROM checkpoint WHERE op_key = :op AND seq >= :from;

-- name: drop_log
-- :op :from
DELETE FROM log WHERE op_key = :op AND ckpt >= :from;

-- name: drop_groups
-- :op :from
DELETE FROM dup_group WHERE op_key = :op AND ckpt >= :from;

-- name: drop_files
-- :op :from
DELETE FROM file WHERE op_key = :op AND walk_ckpt >= :from;

-- name: revert_settled
-- :op :from
UPDATE file
SET status = 'pending', settle_ckpt = NULL, error = NULL, seal = NULL,
    full_hash = CASE WHEN prefix_ckpt < :from AND size <= 4096
	THEN prefix_hash END
WHERE op_key = :op AND settle_ckpt >= :from;

-- name: revert_prefix
-- :op :from
UPDATE file
SET prefix_hash = NULL, prefix_ckpt = NULL, seal = NULL,
    full_hash = CASE WHEN settle_ckpt < :from THEN full_hash END
WHERE op_key = :op AND prefix_ckpt >= :from;

-- name: bad_seals
-- :op  (rows changed by something other than this program; the damaged
-- checkpoint is the one whose result no longer matches: the walk's or
-- the prefix phase's when pseal fails, else the one that settled it)
SELECT count(*), min(CASE
    WHEN pseal IS NULL OR pseal <> file_seal(op_key, dev, ino, size, mtime,
	ctime, NULL, prefix_hash, NULL, walk_ckpt, prefix_ckpt, NULL)
    THEN coalesce(prefix_ckpt, walk_ckpt)
    ELSE coalesce(settle_ckpt, prefix_ckpt, walk_ckpt) END)
FROM file
WHERE op_key = :op AND (seal IS NULL OR pseal IS NULL
    OR seal <> file_seal(op_key, dev, ino, size, mtime, ctime, status,
	prefix_hash, full_hash, walk_ckpt, prefix_ckpt, settle_ckpt)
    OR pseal <> file_seal(op_key, dev, ino, size, mtime, ctime, NULL,
	prefix_hash, NULL, walk_ckpt, prefix_ckpt, NULL));

-- name: drop_summary
-- :op
DELETE FROM summary WHERE op_key = :op;

-- name: rewind_op
-- :op :seq  (the operation as it stood at checkpoint :seq)
UPDATE operation
SET checkpoints = :seq,
    last_digest = (SELECT digest FROM checkpoint
	WHERE op_key = :op AND seq = :seq),
    phase = coalesce((SELECT phase FROM checkpoint
	WHERE op_key = :op AND seq = :seq), 'walk'),
    end_time = NULL
WHERE op_key = :op;

-- name: recount_op
-- :op  (counters from the rows)
UPDATE operation
SET (total_files, total_bytes, processed_files, processed_bytes) = (
    SELECT count(*), CAST(total(size) AS INTEGER),
	coalesce(sum(status <> 'pending'), 0),
	CAST(total(CASE WHEN status <> 'pending' THEN size END) AS INTEGER)
    FROM file
    WHERE op_key = :op AND status <> 'gone' AND kind <> 'dir')
WHERE op_key = :op;
