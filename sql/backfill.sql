-- Statements of backfilling (src/backfill.c): the log entries that the
-- checkpointed rows prove happened, inserted once, flagged backfilled; and
-- the JSON-lines log file.

-- name: logged_create
CREATE TEMP TABLE IF NOT EXISTS logged (
	kind	TEXT NOT NULL,
	id	INTEGER NOT NULL,
	PRIMARY KEY (kind, id)
) WITHOUT ROWID;

-- name: logged_clear
DELETE FROM temp.logged;

-- name: logged_fill
-- :op  (what the log already says, per kind)
INSERT OR IGNORE INTO temp.logged (kind, id)
SELECT CASE WHEN type = 'GROUP' THEN 'group' ELSE 'file' END,
    CASE WHEN type = 'GROUP' THEN group_seq ELSE file_id END
FROM log
WHERE op_key = :op AND (type IN ('OPERATION', 'ERROR') AND file_id IS NOT NULL
    OR type = 'GROUP' AND group_seq IS NOT NULL);

-- name: operation
-- :op  (one entry per file settled without trouble)
INSERT INTO log (op_key, ckpt, time, type, operation, file_id, size, hash,
    details, backfilled)
SELECT f.op_key, f.settle_ckpt, c.time, 'OPERATION',
    CASE WHEN f.status = 'unique' AND f.prefix_hash IS NULL
	THEN 'analyzed' ELSE 'hashed' END,
    f.id, f.size, f.full_hash,
    CASE WHEN f.full_hash IS NULL AND f.prefix_hash IS NOT NULL
	THEN json_object('partialHash', lower(hex(f.prefix_hash)))
	WHEN f.reused AND f.status = 'hashed'
	THEN '{"reused":true}' END,
    1
FROM file AS f
JOIN checkpoint AS c ON c.op_key = f.op_key AND c.seq = f.settle_ckpt
WHERE f.op_key = :op AND f.status IN ('unique', 'hashed')
    AND NOT EXISTS (SELECT 1 FROM temp.logged AS k
	WHERE k.kind = 'file' AND k.id = f.id)
ORDER BY f.settle_ckpt, f.id;

-- name: error
-- :op  (one entry per file that could not be compared)
INSERT INTO log (op_key, ckpt, time, type, operation, file_id, size,
    details, backfilled)
SELECT f.op_key, f.settle_ckpt, c.time, 'ERROR',
    CASE WHEN f.status = 'special' THEN 'special file' ELSE 'read' END,
    f.id, f.size,
    json_object('error', f.error, 'status', f.status), 1
FROM file AS f
JOIN checkpoint AS c ON c.op_key = f.op_key AND c.seq = f.settle_ckpt
WHERE f.op_key = :op
    AND f.status IN ('error', 'vanished', 'changed', 'special')
    AND NOT EXISTS (SELECT 1 FROM temp.logged AS k
	WHERE k.kind = 'file' AND k.id = f.id)
ORDER BY f.settle_ckpt, f.id;

-- name: group
-- :op  (one entry per group)
INSERT INTO log (op_key, ckpt, time, type, operation, group_seq, size, hash,
    details, backfilled)
SELECT g.op_key, g.ckpt, c.time, 'GROUP', 'grouped', g.seq, g.size, g.hash,
    json_object('files', g.files, 'wasted', g.wasted), 1
FROM dup_group AS g
JOIN checkpoint AS c ON c.op_key = g.op_key AND c.seq = g.ckpt
WHERE g.op_key = :op
    AND NOT EXISTS (SELECT 1 FROM temp.logged AS k
	WHERE k.kind = 'group' AND k.id = g.seq)
ORDER BY g.seq;

-- name: state
-- :op  (the start, and the completion of a completed operation)
INSERT INTO log (op_key, ckpt, time, type, operation, backfilled)
SELECT o.op_key, c.seq, CASE WHEN w.what = 'started' THEN o.start_time
    ELSE c.time END, 'STATE', w.what, 1
FROM operation AS o
JOIN (SELECT 'started' AS what UNION ALL SELECT 'completed') AS w
JOIN checkpoint AS c ON c.op_key = o.op_key
    AND c.seq = CASE WHEN w.what = 'started' THEN 1 ELSE o.checkpoints END
WHERE o.op_key = :op
    AND (w.what = 'started' OR o.state = 'completed')
    AND NOT EXISTS (SELECT 1 FROM log AS l WHERE l.op_key = o.op_key
	AND l.type = 'STATE' AND l.operation = w.what);

-- name: seen_create
CREATE TEMP TABLE IF NOT EXISTS log_seen (id INTEGER PRIMARY KEY);

-- name: seen_clear
DELETE FROM temp.log_seen;

-- name: seen_add
-- :id
INSERT OR IGNORE INTO temp.log_seen (id) VALUES (:id);

-- name: synced
-- :op
SELECT log_synced, log_size FROM operation WHERE op_key = :op;

-- name: synced_set
-- :op :size
UPDATE operation
SET log_synced = (SELECT coalesce(max(id), 0) FROM log WHERE op_key = :op),
    log_size = :size
WHERE op_key = :op;

-- name: seen_upto
-- :op :id  (the file is known to hold every entry up to :id)
INSERT OR IGNORE INTO temp.log_seen (id)
SELECT id FROM log WHERE op_key = :op AND id <= :id;

-- name: lines
-- :op  (the log entries the file lacks, as JSON lines)
SELECT json_object('id', l.id, 'timestamp', iso_time(l.time),
    'type', l.type, 'checkpoint', l.ckpt,
    'data', json_patch(json_object('operation', l.operation),
	json_object(
	    'filePath', path_text(coalesce(f.path, l.path)),
	    'filePathHex', CASE WHEN NOT path_utf8(coalesce(f.path, l.path))
		THEN lower(hex(coalesce(f.path, l.path))) END,
	    'groupId', l.group_seq,
	    'details', json_patch(coalesce(l.details, '{}'), json_object(
		'fileSize', l.size,
		'fileType', CASE WHEN f.id IS NOT NULL
		    AND path_ext(f.path) <> '' THEN path_ext(f.path) END,
		'fullHash', CASE WHEN l.hash IS NOT NULL
		    THEN lower(hex(l.hash)) END)))),
    'backfilled', json(CASE WHEN l.backfilled THEN 'true' ELSE 'false'
	END))
FROM log AS l
LEFT JOIN file AS f ON f.id = l.file_id
WHERE l.op_key = :op
    AND NOT EXISTS (SELECT 1 FROM temp.log_seen AS s WHERE s.id = l.id)
ORDER BY l.id;
