-- Statements of the reports (src/report.c): group listings, list and
-- status.  JSON is built here with SQLite's JSON functions; a path is
-- carried as text ("path", invalid UTF-8 bytes as U+FFFD) plus, when the
-- name is not valid UTF-8, its exact bytes in hex ("pathHex").

-- name: members
-- :op  (every group member in listing order)
SELECT m.group_seq, f.path
FROM dup_member AS m
JOIN file AS f ON f.id = m.file_id
WHERE m.op_key = :op
ORDER BY m.group_seq, f.root_idx, f.path;

-- name: doc_head
-- :op
SELECT json_object('operationId', id, 'state', state)
FROM operation
WHERE op_key = :op;

-- name: groups_json
-- :op  (each file says, once an apply planned or acted, whether it was
-- kept and what became of each of its names)
SELECT json_object('group', g.seq, 'size', g.size,
    'hash', lower(hex(g.hash)), 'wasted', g.wasted,
    'files', (SELECT json_group_array(json(x.obj)) FROM (
	SELECT json_patch(CASE WHEN path_utf8(f.path)
	    THEN json_object('path', path_text(f.path), 'device', f.dev,
		'inode', f.ino, 'links', f.nlink,
		'mtime', iso_time(f.mtime))
	    ELSE json_object('path', path_text(f.path),
		'pathHex', lower(hex(f.path)), 'device', f.dev,
		'inode', f.ino, 'links', f.nlink,
		'mtime', iso_time(f.mtime))
	    END,
	    json_object(
		'kept', CASE WHEN EXISTS (SELECT 1 FROM action AS k
		    WHERE k.op_key = g.op_key AND k.keep_id = f.id)
		    THEN json('true') END,
		'actions', (SELECT json_group_array(json_patch(json_object(
		    'action', a.kind, 'state', a.state,
		    'path', path_text(a.path),
		    'reclaimedBytes', a.reclaimed), json_object(
		    'backupPath', path_text(a.backup_path),
		    'reason', a.reason)))
		    FROM action AS a WHERE a.file_id = f.id
		    HAVING count(*) > 0))) AS obj
	FROM dup_member AS m
	JOIN file AS f ON f.id = m.file_id
	WHERE m.op_key = g.op_key AND m.group_seq = g.seq
	ORDER BY f.root_idx, f.path) AS x))
FROM dup_group AS g
WHERE g.op_key = :op
ORDER BY g.seq;

-- name: has_actions
-- :op
SELECT EXISTS (SELECT 1 FROM action WHERE op_key = :op);

-- name: summary_json
-- :op
SELECT json_object('files', s.files, 'bytes', s.bytes, 'groups', s.groups,
    'redundantFiles', s.redundant_files,
    'reclaimableBytes', s.reclaimable_bytes, 'errors', s.errors,
    'bytesRead', s.bytes_read, 'reusedHashes', s.reused,
    'startTime', iso_time(o.start_time), 'endTime', iso_time(o.end_time),
    'durationMs', o.end_time / 1000000 - o.start_time / 1000000,
    'applyState', o.apply_state, 'appliedFiles', s.applied_files,
    'skippedFiles', s.skipped_files, 'reclaimedBytes', s.reclaimed_bytes)
FROM summary AS s
JOIN operation AS o ON o.op_key = s.op_key
WHERE s.op_key = :op;

-- name: ops
SELECT op_key, id, state
FROM operation
ORDER BY start_time, op_key;

-- name: op_json
-- :op :state  (:state as list shows it)
SELECT json_patch(json_object('operationId', id, 'state', :state,
    'phase', phase,
    'startTime', iso_time(start_time), 'updateTime', iso_time(update_time),
    'endTime', iso_time(end_time), 'totalFiles', total_files,
    'processedFiles', processed_files, 'totalBytes', total_bytes,
    'processedBytes', processed_bytes, 'bytesRead', bytes_read,
    'errors', errors, 'checkpoints', checkpoints, 'runs', runs,
    'archived', json(CASE WHEN archived THEN 'true' ELSE 'false' END),
    'applyState', apply_state,
    'ownerPid', owner_pid, 'ownerHost', owner_host,
    'roots', (SELECT json_group_array(path_text(r.path)) FROM (
	SELECT path FROM root WHERE op_key = :op ORDER BY idx) AS r)),
    json_object('rootsHex', CASE WHEN EXISTS (SELECT 1 FROM root
	WHERE op_key = :op AND NOT path_utf8(path))
	THEN (SELECT json_group_array(lower(hex(r.path))) FROM (
	    SELECT path FROM root WHERE op_key = :op ORDER BY idx) AS r) END))
FROM operation
WHERE op_key = :op;

-- name: op_row
-- :op
SELECT id, phase, start_time, update_time, end_time, total_files,
    processed_files, total_bytes, processed_bytes, bytes_read, errors,
    checkpoints, runs, owner_pid, owner_host, archived, options,
    apply_state
FROM operation
WHERE op_key = :op;

-- name: roots
-- :op
SELECT path FROM root WHERE op_key = :op ORDER BY idx;

-- name: ckpt_health
-- :op  (rows, highest seq, time of the last, whether its digest is the
-- operation's)
SELECT count(*), coalesce(max(c.seq), 0), max(c.time),
    coalesce((SELECT c2.digest = o.last_digest FROM checkpoint AS c2
	WHERE c2.op_key = o.op_key AND c2.seq = o.checkpoints), 0)
FROM operation AS o
LEFT JOIN checkpoint AS c ON c.op_key = o.op_key
WHERE o.op_key = :op;

-- name: status_json
-- :op :state :healthy
SELECT json_patch(json_object('operationId', o.id, 'state', :state,
    'phase', o.phase, 'startTime', iso_time(o.start_time),
    'updateTime', iso_time(o.update_time), 'endTime', iso_time(o.end_time),
    'totalFiles', o.total_files, 'processedFiles', o.processed_files,
    'totalBytes', o.total_bytes, 'processedBytes', o.processed_bytes,
    'bytesRead', o.bytes_read, 'errors', o.errors,
    'checkpoints', o.checkpoints,
    'lastCheckpointTime', (SELECT iso_time(max(time)) FROM checkpoint
	WHERE op_key = o.op_key),
    'checkpointChainIntact',
	json(CASE WHEN :healthy THEN 'true' ELSE 'false' END),
    'runs', o.runs, 'ownerPid', o.owner_pid, 'ownerHost', o.owner_host,
    'applyState', o.apply_state,
    'archived', json(CASE WHEN o.archived THEN 'true' ELSE 'false' END),
    'options', json(o.options),
    'roots', (SELECT json_group_array(path_text(r.path)) FROM (
	SELECT path FROM root WHERE op_key = o.op_key ORDER BY idx) AS r),
    'groups', (SELECT count(*) FROM dup_group WHERE op_key = o.op_key)),
    json_object('rootsHex', CASE WHEN EXISTS (SELECT 1 FROM root
	WHERE op_key = o.op_key AND NOT path_utf8(path))
	THEN (SELECT json_group_array(lower(hex(r.path))) FROM (
	    SELECT path FROM root WHERE op_key = o.op_key ORDER BY idx) AS r)
	END,
	'summary', (SELECT json(json_object('files', s.files,
	'groups', s.groups, 'redundantFiles', s.redundant_files,
	'reclaimableBytes', s.reclaimable_bytes, 'errors', s.errors,
	'bytesRead', s.bytes_read))
	FROM summary AS s WHERE s.op_key = o.op_key)))
FROM operation AS o
WHERE o.op_key = :op;

-- name: trouble
-- :op  (files that could not be compared, for status)
SELECT status, count(*)
FROM file
WHERE op_key = :op AND status IN ('error', 'vanished', 'changed', 'special')
GROUP BY status
ORDER BY status;

-- name: group_stats
-- :op
SELECT count(*), coalesce(sum(files - 1), 0), CAST(total(wasted) AS INTEGER)
FROM dup_group
WHERE op_key = :op;
