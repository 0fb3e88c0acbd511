-- Statements of report, clean and archive (src/history.c).

-- name: report
-- :op :state  (the report of one operation as one JSON object; :state as
-- list shows it.  Times count in whole milliseconds, as exported, so an
-- imported operation reports the same)
WITH ev AS (
    SELECT id, time,
	CASE WHEN operation IN ('started', 'resumed') THEN 'walk'
	    -- after a walk the operation goes on in the phase it was in
	    WHEN operation = 'walked'
		THEN coalesce(json_extract(details, '$.phase'), 'size')
	    WHEN operation = 'phase' THEN json_extract(details, '$.phase')
	END AS starts
    FROM log
    WHERE op_key = :op AND type = 'STATE' AND operation IN ('started',
	'resumed', 'walked', 'phase', 'interrupted', 'completed', 'failed')
),
iv AS (
    SELECT id, starts AS phase, time / 1000000 AS t0,
	lead(time / 1000000) OVER (ORDER BY id) AS t1
    FROM ev
),
ph AS (
    SELECT phase, min(t0) AS t0, max(t1) AS t1, total(t1 - t0) AS ms,
	count(*) AS runs, min(id) AS first,
	(SELECT count(*) FROM checkpoint AS c
	    WHERE c.op_key = :op AND c.phase = iv.phase) AS ckpts
    FROM iv
    WHERE phase IS NOT NULL AND phase <> 'done' AND t1 IS NOT NULL
    GROUP BY phase
),
f AS (
    SELECT count(*) FILTER (WHERE kind <> 'dir' AND status <> 'gone') AS files,
	CAST(total(size) FILTER (WHERE kind <> 'dir' AND status <> 'gone')
	    AS INTEGER) AS bytes,
	count(*) FILTER (WHERE status IN ('pending', 'unique', 'hashed'))
	    AS live,
	count(*) FILTER (WHERE status = 'unique' AND prefix_hash IS NULL)
	    AS size_unique,
	count(*) FILTER (WHERE prefix_hash IS NOT NULL) AS prefixed,
	-- Files up to 64 KiB (HASH_WHOLE_MAX) are read whole by the prefix
	-- stage; larger ones for their first 4 KiB, then whole by the full
	-- stage.
	CAST(total(CASE WHEN size <= 65536 AND full_hash IS NOT NULL
	    THEN size ELSE min(size, 4096) END) FILTER (WHERE prefix_hash
	    IS NOT NULL AND reused = 0) AS INTEGER) AS prefix_bytes,
	count(*) FILTER (WHERE status = 'unique' AND prefix_hash IS NOT NULL)
	    AS prefix_unique,
	count(*) FILTER (WHERE status = 'hashed') AS hashed,
	count(*) FILTER (WHERE status = 'hashed' AND size > 65536)
	    AS full_in,
	CAST(total(size) FILTER (WHERE status = 'hashed' AND size > 65536
	    AND reused = 0) AS INTEGER) AS full_bytes,
	count(*) FILTER (WHERE reused = 1) AS reused
    FROM file
    WHERE op_key = :op
),
m AS (
    SELECT count(*) AS members,
	count(*) FILTER (WHERE f2.size > 65536) AS big_members
    FROM dup_member AS dm
    JOIN file AS f2 ON f2.id = dm.file_id
    WHERE dm.op_key = :op
)
SELECT json_object(
    'operationId', o.id, 'state', :state, 'phase', o.phase,
    'applyState', o.apply_state, 'archived',
	json(CASE WHEN o.archived THEN 'true' ELSE 'false' END),
    'startTime', iso_time(o.start_time), 'endTime', iso_time(o.end_time),
    'durationMs', coalesce(o.end_time, o.update_time) / 1000000
	- o.start_time / 1000000,
    'runs', o.runs,
    'timeline', (SELECT json_group_array(json_object('phase', p.phase,
	'start', iso_time(p.t0 * 1000000), 'end', iso_time(p.t1 * 1000000),
	'durationMs', CAST(p.ms AS INTEGER), 'runs', p.runs,
	'checkpoints', p.ckpts,
	'checkpointsPerSecond', CASE WHEN p.ms > 0
	    THEN round(p.ckpts * 1e3 / p.ms, 1) ELSE 0 END))
	FROM (SELECT * FROM ph ORDER BY t0, first) AS p),
    'stages', json_object(
	'walk', json_object('filesOut', f.files, 'bytesOut', f.bytes,
	    'errors', o.errors),
	'size', json_object('filesIn', f.live, 'filesOut',
	    f.live - f.size_unique, 'eliminated', f.size_unique),
	'prefix', json_object('filesIn', f.prefixed,
	    'filesOut', f.prefixed - f.prefix_unique,
	    'eliminated', f.prefix_unique, 'bytesRead', f.prefix_bytes),
	'full', json_object('filesIn', f.full_in, 'filesOut', m.big_members,
	    'eliminated', f.full_in - m.big_members,
	    'bytesRead', f.full_bytes, 'reusedHashes', f.reused),
	'group', json_object('filesIn', f.hashed, 'filesOut', m.members,
	    'eliminated', f.hashed - m.members, 'groups', (SELECT count(*) FROM dup_group WHERE op_key = :op)),
	'apply', json_object(
	    'actions', (SELECT count(*) FROM action WHERE op_key = :op),
	    'done', (SELECT count(*) FROM action
		WHERE op_key = :op AND state = 'done'),
	    'skipped', (SELECT count(*) FROM action
		WHERE op_key = :op AND state = 'skipped'),
	    'failed', (SELECT count(*) FROM action
		WHERE op_key = :op AND state = 'failed'),
	    'undone', (SELECT count(*) FROM action
		WHERE op_key = :op AND state = 'undone'))),
    'checkpoints', o.checkpoints,
    'checkpointsPerSecond', CASE WHEN coalesce(o.end_time, o.update_time)
	/ 1000000 > o.start_time / 1000000 THEN round(o.checkpoints * 1e3 /
	(coalesce(o.end_time, o.update_time) / 1000000
	- o.start_time / 1000000), 1) ELSE 0 END,
    'errors', (SELECT json_group_object(status, n) FROM (
	SELECT status, count(*) AS n FROM file
	WHERE op_key = :op AND status IN ('error', 'vanished', 'changed',
	    'special')
	GROUP BY status)),
    'skips', (SELECT json_group_object(reason, n) FROM (
	SELECT coalesce(reason, state) AS reason, count(*) AS n FROM action
	WHERE op_key = :op AND state IN ('skipped', 'failed')
	GROUP BY 1)),
    'interruptions', (SELECT count(*) FROM log WHERE op_key = :op
	AND type = 'STATE' AND operation = 'interrupted'),
    'resumes', (SELECT count(*) FROM log WHERE op_key = :op
	AND type = 'STATE' AND operation = 'resumed'),
    'repairs', (SELECT count(*) FROM log WHERE op_key = :op
	AND type = 'STATE' AND operation = 'repaired'),
    'events', (SELECT json_group_array(json_object('time', iso_time(time),
	'event', operation))
	FROM (SELECT time, operation FROM log WHERE op_key = :op
	    AND type = 'STATE' AND operation IN ('started', 'resumed',
		'interrupted', 'repaired', 'failed', 'completed')
	    ORDER BY id)),
    'groups', (SELECT count(*) FROM dup_group WHERE op_key = :op),
    'redundantFiles', (SELECT coalesce(sum(files - 1), 0) FROM dup_group
	WHERE op_key = :op),
    'reclaimableBytes', (SELECT CAST(total(wasted) AS INTEGER)
	FROM dup_group WHERE op_key = :op),
    'reclaimedBytes', (SELECT CAST(total(reclaimed) AS INTEGER)
	FROM action WHERE op_key = :op AND state = 'done'),
    'largestGroups', (SELECT json_group_array(json(x.obj)) FROM (
	SELECT json_patch(json_object('group', g.seq,
	'size', g.size, 'files', g.files, 'wasted', g.wasted,
	'hash', lower(hex(g.hash)),
	'paths', (SELECT json_group_array(path_text(f3.path)) FROM (
	    SELECT f4.path FROM dup_member AS d4
	    JOIN file AS f4 ON f4.id = d4.file_id
	    WHERE d4.op_key = g.op_key AND d4.group_seq = g.seq
	    ORDER BY f4.root_idx, f4.path) AS f3)),
	json_object('pathsHex', CASE WHEN EXISTS (SELECT 1
	    FROM dup_member AS d5 JOIN file AS f5 ON f5.id = d5.file_id
	    WHERE d5.op_key = g.op_key AND d5.group_seq = g.seq
	    AND NOT path_utf8(f5.path))
	    THEN (SELECT json_group_array(lower(hex(f3.path))) FROM (
	    SELECT f4.path FROM dup_member AS d4
	    JOIN file AS f4 ON f4.id = d4.file_id
	    WHERE d4.op_key = g.op_key AND d4.group_seq = g.seq
	    ORDER BY f4.root_idx, f4.path) AS f3) END)) AS obj
	FROM (SELECT * FROM dup_group WHERE op_key = :op ORDER BY seq
	    LIMIT 10) AS g) AS x))
FROM operation AS o, f, m
WHERE o.op_key = :op;

-- name: get
-- :json :path
SELECT json_extract(:json, :path), json_type(:json, :path);

-- name: each
-- :json :path
SELECT key, value, type FROM json_each(:json, :path) ORDER BY id;

-- name: clean_candidates
-- :cutoff :interrupted  (finished operations that ended before :cutoff;
-- with :interrupted also interrupted ones and running ones, whose owner
-- the caller checks)
SELECT op_key, id, state, coalesce(end_time, update_time)
FROM operation
WHERE coalesce(end_time, update_time) <= :cutoff
    AND (state IN ('completed', 'failed', 'cancelled')
	OR (:interrupted AND state IN ('interrupted', 'running')))
ORDER BY start_time, op_key;

-- name: drop_op
-- :op
DELETE FROM operation WHERE op_key = :op;

-- name: pages
SELECT (SELECT page_count FROM pragma_page_count()),
    (SELECT freelist_count FROM pragma_freelist_count()),
    (SELECT page_size FROM pragma_page_size());

-- name: archive_candidates
-- :cutoff
SELECT op_key, id
FROM operation
WHERE state = 'completed' AND archived = 0
    AND coalesce(end_time, update_time) <= :cutoff
ORDER BY start_time, op_key;

-- name: archive_log
-- :op
DELETE FROM log WHERE op_key = :op;

-- name: archive_checkpoints
-- :op
DELETE FROM checkpoint WHERE op_key = :op;

-- name: archive_files
-- :op  (per-file rows, but the groups' members and what apply acted on)
DELETE FROM file
WHERE op_key = :op
    AND id NOT IN (SELECT file_id FROM dup_member WHERE op_key = :op)
    AND id NOT IN (SELECT file_id FROM action WHERE op_key = :op)
    AND id NOT IN (SELECT keep_id FROM action WHERE op_key = :op);

-- name: archive_mark
-- :op :report
UPDATE operation
SET archived = 1,
    archived_report = json_set(:report, '$.archived', json('true'))
WHERE op_key = :op;

-- name: archived_report
-- :op
SELECT archived_report FROM operation
WHERE op_key = :op AND archived AND archived_report IS NOT NULL;
