-- Statements of the exports (src/export.c).  Every document is built by
-- SQLite's JSON functions; large arrays are streamed one element per row.
-- Times are ISO 8601 UTC with milliseconds; hashes lowercase hex; a path
-- is "path" (text, invalid UTF-8 as U+FFFD) plus "pathHex" (its exact
-- bytes) when it is not valid UTF-8.

-- name: head
-- :op :state  (the checkpoint document's scalar fields; :state as list
-- shows it)
SELECT json_object('operationId', o.id, 'operationType', o.kind,
    'startTime', iso_time(o.start_time),
    'lastCheckpointTime', (SELECT iso_time(max(time)) FROM checkpoint
	WHERE op_key = o.op_key),
    'endTime', iso_time(o.end_time),
    'totalFiles', o.total_files, 'processedFiles', o.processed_files,
    'state', :state, 'checkpointIndex', o.checkpoints,
    'phase', o.phase, 'totalBytes', o.total_bytes,
    'processedBytes', o.processed_bytes, 'bytesRead', o.bytes_read,
    'errors', o.errors, 'runs', o.runs, 'applyState', o.apply_state,
    'applyOptions', json(o.apply_options), 'options', json(o.options),
    'cwd', path_text(o.cwd), 'ownerPid', o.owner_pid,
    'ownerHost', o.owner_host,
    'roots', (SELECT json_group_array(path_text(r.path)) FROM (
	SELECT path FROM root WHERE op_key = o.op_key ORDER BY idx) AS r),
    'realRoots', (SELECT json_group_array(path_text(r.real)) FROM (
	SELECT real FROM root WHERE op_key = o.op_key ORDER BY idx) AS r))
FROM operation AS o
WHERE o.op_key = :op;

-- name: head_hex
-- :op  (exact bytes of the names above that are not valid UTF-8; the
-- patch drops the fields that are not needed)
SELECT json_patch('{}', json_object(
    'cwdHex', CASE WHEN NOT path_utf8(o.cwd) THEN lower(hex(o.cwd)) END,
    'rootsHex', CASE WHEN EXISTS (SELECT 1 FROM root
	WHERE op_key = o.op_key AND NOT path_utf8(path))
	THEN (SELECT json_group_array(lower(hex(r.path))) FROM (
	    SELECT path FROM root WHERE op_key = o.op_key ORDER BY idx) AS r)
	END,
    'realRootsHex', CASE WHEN EXISTS (SELECT 1 FROM root
	WHERE op_key = o.op_key AND NOT path_utf8(real))
	THEN (SELECT json_group_array(CASE WHEN r.real IS NOT NULL
	    THEN lower(hex(r.real)) END) FROM (
	    SELECT real FROM root WHERE op_key = o.op_key ORDER BY idx) AS r)
	END))
FROM operation AS o
WHERE o.op_key = :op;

-- name: checkpoints
-- :op
SELECT seq, json_object('index', seq, 'timestamp', iso_time(time),
    'processedFiles', processed_files, 'processedBytes', processed_bytes,
    'phase', phase, 'results', results, 'digest', lower(hex(digest)))
FROM checkpoint
WHERE op_key = :op
ORDER BY seq;

-- name: entries
-- :op :ckpt  (one checkpoint's log entries, as in the log format)
SELECT json_object('id', l.id, 'timestamp', iso_time(l.time),
    'type', l.type, 'checkpoint', l.ckpt,
    'data', json_patch(json_object('operation', l.operation),
	json_object(
	    'filePath', path_text(coalesce(f.path, l.path)),
	    'filePathHex', CASE WHEN NOT path_utf8(coalesce(f.path, l.path))
		THEN lower(hex(coalesce(f.path, l.path))) END,
	    'fileId', l.file_id,
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
WHERE l.op_key = :op AND l.ckpt = :ckpt
ORDER BY l.id;

-- name: files
-- :op
SELECT json_patch(json_object('id', id, 'path', path_text(path),
    'root', root_idx, 'kind', kind, 'device', dev, 'inode', ino,
    'size', size, 'mtime', mtime, 'ctime', ctime, 'links', nlink,
    'mode', mode, 'status', status, 'walkCheckpoint', walk_ckpt),
    json_object('pathHex', CASE WHEN NOT path_utf8(path)
	THEN lower(hex(path)) END,
    'error', error,
    'prefixHash', CASE WHEN prefix_hash IS NOT NULL
	THEN lower(hex(prefix_hash)) END,
    'fullHash', CASE WHEN full_hash IS NOT NULL
	THEN lower(hex(full_hash)) END,
    'prefixCheckpoint', prefix_ckpt, 'settleCheckpoint', settle_ckpt,
    'reused', CASE WHEN reused THEN json('true') END))
FROM file
WHERE op_key = :op
ORDER BY id;

-- name: aliases
-- :op
SELECT json_patch(json_object('file', a.file_id,
    'path', path_text(a.path)), json_object('pathHex',
    CASE WHEN NOT path_utf8(a.path) THEN lower(hex(a.path)) END))
FROM alias AS a
JOIN file AS f ON f.id = a.file_id
WHERE f.op_key = :op
ORDER BY a.file_id, a.path;

-- name: groups
-- :op  (groups with their members' file ids)
SELECT json_object('group', g.seq, 'size', g.size,
    'hash', lower(hex(g.hash)), 'files', (SELECT json_group_array(file_id)
	FROM (SELECT file_id FROM dup_member
	    WHERE op_key = g.op_key AND group_seq = g.seq
	    ORDER BY file_id)),
    'checkpoint', g.ckpt)
FROM dup_group AS g
WHERE g.op_key = :op
ORDER BY g.seq;

-- name: progress
-- :op :state  (the final progress state)
SELECT json_object('operationId', o.id, 'operationType', o.kind,
    'startTime', iso_time(o.start_time), 'endTime', iso_time(o.end_time),
    'durationMs', coalesce(o.end_time, o.update_time) / 1000000
	- o.start_time / 1000000,
    'state', :state, 'phase', o.phase, 'totalFiles', o.total_files,
    'processedFiles', o.processed_files, 'totalBytes', o.total_bytes,
    'processedBytes', o.processed_bytes, 'bytesRead', o.bytes_read,
    'percentage', CASE WHEN o.total_files > 0
	THEN round(100.0 * o.processed_files / o.total_files, 2)
	ELSE 100.0 END,
    'checkpoints', o.checkpoints,
    'lastCheckpointTime', (SELECT iso_time(max(time)) FROM checkpoint
	WHERE op_key = o.op_key),
    'errors', o.errors, 'runs', o.runs)
FROM operation AS o
WHERE o.op_key = :op;

-- name: summary
-- :op :state  (the operation summary)
SELECT json_object('operationId', o.id, 'operationType', o.kind,
    'startTime', iso_time(o.start_time), 'endTime', iso_time(o.end_time),
    'durationMs', coalesce(o.end_time, o.update_time) / 1000000
	- o.start_time / 1000000,
    'state', :state, 'totalFiles', o.total_files,
    'processedFiles', o.processed_files,
    'checkpointCount', o.checkpoints,
    'operations', (SELECT count(*) FROM log WHERE op_key = o.op_key),
    'files', coalesce(s.files, 0), 'bytes', coalesce(s.bytes, 0),
    'groups', coalesce(s.groups, 0),
    'redundantFiles', coalesce(s.redundant_files, 0),
    'reclaimableBytes', coalesce(s.reclaimable_bytes, 0),
    'errors', coalesce(s.errors, o.errors),
    'bytesRead', coalesce(s.bytes_read, o.bytes_read),
    'reusedHashes', coalesce(s.reused, 0),
    'applyState', o.apply_state,
    'appliedFiles', coalesce(s.applied_files, 0),
    'skippedFiles', coalesce(s.skipped_files, 0),
    'reclaimedBytes', coalesce(s.reclaimed_bytes, 0))
FROM operation AS o
LEFT JOIN summary AS s ON s.op_key = o.op_key
WHERE o.op_key = :op;

-- name: csv
-- :op  (group, size, hash, path; the path as raw bytes)
SELECT m.group_seq, g.size, lower(hex(g.hash)), f.path
FROM dup_member AS m
JOIN dup_group AS g ON g.op_key = m.op_key AND g.seq = m.group_seq
JOIN file AS f ON f.id = m.file_id
WHERE m.op_key = :op
ORDER BY m.group_seq, f.root_idx, f.path;

-- name: actions
-- :op
SELECT json_patch(json_object('id', id, 'group', group_seq, 'file', file_id,
    'keep', keep_id, 'action', kind, 'state', state,
    'path', path_text(path), 'keepPath', path_text(keep_path),
    'size', size, 'hash', lower(hex(hash)), 'mode', mode, 'uid', uid,
    'gid', gid, 'atime', atime, 'mtime', mtime, 'reclaimed', reclaimed,
    'checkpoint', ckpt, 'time', iso_time(time)),
    json_object('backupPath', path_text(backup_path), 'reason', reason,
	'pathHex', CASE WHEN NOT path_utf8(path) THEN lower(hex(path)) END,
	'keepPathHex', CASE WHEN NOT path_utf8(keep_path)
	    THEN lower(hex(keep_path)) END,
	'backupPathHex', CASE WHEN NOT path_utf8(backup_path)
	    THEN lower(hex(backup_path)) END))
FROM action
WHERE op_key = :op
ORDER BY id;

-- name: archived
-- :op
SELECT archived FROM operation WHERE op_key = :op;

-- name: id
-- :op
SELECT id, state FROM operation WHERE op_key = :op;
