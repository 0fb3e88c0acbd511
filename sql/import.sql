-- Statements of import (src/import.c): a checkpoint document, bound whole
-- as :doc, becomes an operation.  Documents written by export carry
-- files, groups and actions; those of earlier progress trackers carry
-- only checkpoints with their operations, from which files are rebuilt.

-- name: shape
-- :doc  (the JSON types of the fields import needs)
SELECT json_type(:doc, '$.operationId'), json_type(:doc, '$.startTime'),
    json_type(:doc, '$.totalFiles'), json_type(:doc, '$.processedFiles'),
    json_type(:doc, '$.state'), json_type(:doc, '$.checkpoints'),
    json_type(:doc, '$.files'), json_extract(:doc, '$.operationId'),
    iso_ns(json_extract(:doc, '$.startTime'));

-- name: bad_checkpoint
-- :doc  (the first checkpoint without a usable timestamp or count)
SELECT key
FROM json_each(:doc, '$.checkpoints')
WHERE json_type(value) <> 'object'
    OR iso_ns(json_extract(value, '$.timestamp')) IS NULL
    OR json_type(value, '$.processedFiles') NOT IN ('integer')
    OR coalesce(json_type(value, '$.operations'), 'array') <> 'array'
ORDER BY key
LIMIT 1;

-- name: exists
-- :id
SELECT count(*) FROM operation WHERE id = :id;

-- name: op
-- :doc :host
INSERT INTO operation (id, kind, state, phase, cwd, options, total_files,
    total_bytes, processed_files, processed_bytes, bytes_read, errors,
    checkpoints, start_time, update_time, end_time, owner_pid, owner_host,
    runs, apply_state, apply_options, imported)
SELECT json_extract(:doc, '$.operationId'),
    coalesce(json_extract(:doc, '$.operationType'), 'duplicate-detection'),
    CASE WHEN json_extract(:doc, '$.state') IN ('completed', 'failed',
	'cancelled') THEN json_extract(:doc, '$.state')
	ELSE 'interrupted' END,
    CASE WHEN json_extract(:doc, '$.phase') IN ('walk', 'size', 'prefix',
	'full', 'group', 'done', 'apply', 'undo')
	THEN json_extract(:doc, '$.phase')
	WHEN json_extract(:doc, '$.state') = 'completed' THEN 'done'
	ELSE 'walk' END,
    coalesce(hex_blob(json_extract(:doc, '$.cwdHex')),
	CAST(coalesce(json_extract(:doc, '$.cwd'), '/') AS BLOB)),
    coalesce(json_extract(:doc, '$.options'), '{}'),
    json_extract(:doc, '$.totalFiles'),
    coalesce(json_extract(:doc, '$.totalBytes'), 0),
    json_extract(:doc, '$.processedFiles'),
    coalesce(json_extract(:doc, '$.processedBytes'), 0),
    coalesce(json_extract(:doc, '$.bytesRead'), 0),
    coalesce(json_extract(:doc, '$.errors'), 0),
    0,
    iso_ns(json_extract(:doc, '$.startTime')),
    coalesce(iso_ns(json_extract(:doc, '$.lastCheckpointTime')),
	iso_ns(json_extract(:doc, '$.startTime'))),
    iso_ns(json_extract(:doc, '$.endTime')),
    json_extract(:doc, '$.ownerPid'),
    coalesce(json_extract(:doc, '$.ownerHost'), :host),
    coalesce(json_extract(:doc, '$.runs'), 1),
    coalesce(json_extract(:doc, '$.applyState'), 'none'),
    json_extract(:doc, '$.applyOptions'), 1;

-- name: roots
-- :op :doc
INSERT INTO root (op_key, idx, path, real)
SELECT :op, key,
    coalesce(hex_blob(json_extract(:doc, '$.rootsHex[' || key || ']')),
	CAST(value AS BLOB)),
    coalesce(hex_blob(json_extract(:doc, '$.realRootsHex[' || key || ']')),
	CAST(json_extract(:doc, '$.realRoots[' || key || ']') AS BLOB))
FROM json_each(:doc, '$.roots');

-- name: files
-- :op :doc :base  (files of an exported document; ids moved by :base)
INSERT INTO file (id, op_key, root_idx, path, kind, dev, ino, size, mtime,
    ctime, nlink, mode, status, error, prefix_hash, full_hash, reused,
    walk_ckpt, prefix_ckpt, settle_ckpt, seal, pseal)
SELECT :base + x.id, :op, x.root, x.path, x.kind, x.dev, x.ino, x.size,
    x.mtime, x.ctime, x.links, x.mode, x.status, x.error, x.prefix, x.full,
    x.reused, x.walk, x.pck, x.sck,
    file_seal(:op, x.dev, x.ino, x.size, x.mtime, x.ctime, x.status,
	x.prefix, x.full, x.walk, x.pck, x.sck),
    file_seal(:op, x.dev, x.ino, x.size, x.mtime, x.ctime, NULL, x.prefix,
	NULL, x.walk, x.pck, NULL)
FROM (SELECT json_extract(value, '$.id') AS id,
    coalesce(json_extract(value, '$.root'), 0) AS root,
    coalesce(hex_blob(json_extract(value, '$.pathHex')),
	CAST(json_extract(value, '$.path') AS BLOB)) AS path,
    coalesce(json_extract(value, '$.kind'), 'file') AS kind,
    json_extract(value, '$.device') AS dev,
    json_extract(value, '$.inode') AS ino,
    json_extract(value, '$.size') AS size,
    coalesce(json_extract(value, '$.mtime'), 0) AS mtime,
    coalesce(json_extract(value, '$.ctime'), 0) AS ctime,
    coalesce(json_extract(value, '$.links'), 1) AS links,
    coalesce(json_extract(value, '$.mode'), 0) AS mode,
    json_extract(value, '$.status') AS status,
    json_extract(value, '$.error') AS error,
    hex_blob(json_extract(value, '$.prefixHash')) AS prefix,
    hex_blob(json_extract(value, '$.fullHash')) AS full,
    coalesce(json_extract(value, '$.reused'), 0) AS reused,
    coalesce(json_extract(value, '$.walkCheckpoint'), 1) AS walk,
    json_extract(value, '$.prefixCheckpoint') AS pck,
    json_extract(value, '$.settleCheckpoint') AS sck
    FROM json_each(:doc, '$.files')) AS x;

-- name: entries_create
CREATE TEMP TABLE IF NOT EXISTS import_entry (
	seq	INTEGER NOT NULL,
	ord	INTEGER NOT NULL,
	obj	TEXT NOT NULL
);

-- name: entries_clear
DELETE FROM temp.import_entry;

-- name: entries
-- :doc  (every log entry with the checkpoint it belongs to; those outside
-- any checkpoint go with the last)
INSERT INTO temp.import_entry (seq, ord, obj)
SELECT c.key + 1, o.key, o.value
FROM json_each(:doc, '$.checkpoints') AS c,
    json_each(c.value, '$.operations') AS o
UNION ALL
SELECT max(1, json_array_length(:doc, '$.checkpoints')), 1000000000 + key,
    value
FROM json_each(:doc, '$.operations');

-- name: seed_files
-- :op  (files of an earlier tracker's document: one per path its file
-- operations name; no device or inode is known)
INSERT INTO file (op_key, root_idx, path, kind, dev, ino, size, mtime, ctime,
    nlink, mode, status, full_hash, walk_ckpt, settle_ckpt, seal, pseal)
SELECT :op, 0, CAST(p AS BLOB), 'file', 0, -row_number() OVER (ORDER BY p),
    coalesce(sz, 0), 0, 0, 1, 0,
    CASE WHEN h IS NOT NULL THEN 'hashed' ELSE 'unique' END, h, 1, seq,
    file_seal(:op, 0, -row_number() OVER (ORDER BY p), coalesce(sz, 0), 0,
	0, CASE WHEN h IS NOT NULL THEN 'hashed' ELSE 'unique' END, NULL, h,
	1, NULL, seq),
    file_seal(:op, 0, -row_number() OVER (ORDER BY p), coalesce(sz, 0), 0,
	0, NULL, NULL, NULL, 1, NULL, NULL)
FROM (SELECT json_extract(obj, '$.filePath') AS p,
    max(json_extract(obj, '$.details.fileSize')) AS sz,
    hex_blob(max(coalesce(json_extract(obj, '$.details.fullHash'),
	json_extract(obj, '$.details.hash')))) AS h,
    min(seq) AS seq
    FROM temp.import_entry
    WHERE json_type(obj, '$.filePath') = 'text'
    GROUP BY p);

-- name: log
-- :op :base  (our entries carry type and data; earlier trackers' are the
-- operation itself: filePath or groupId, operation, details)
INSERT INTO log (op_key, ckpt, time, type, operation, file_id, group_seq,
    path, size, hash, details, backfilled)
SELECT :op, e.seq, coalesce(iso_ns(json_extract(e.obj, '$.timestamp')), 0),
    CASE WHEN json_extract(e.obj, '$.type') IN ('OPERATION', 'GROUP',
	'CHECKPOINT', 'STATE', 'ERROR') THEN json_extract(e.obj, '$.type')
	WHEN json_extract(e.obj, '$.type') = 'GROUP_OPERATION'
	    OR json_type(e.obj, '$.groupId') IS NOT NULL THEN 'GROUP'
	WHEN json_extract(e.obj, '$.type') IS NULL
	    OR json_extract(e.obj, '$.type') = 'FILE_OPERATION'
	    THEN 'OPERATION'
	ELSE 'STATE' END,
    coalesce(json_extract(e.obj, '$.data.operation'),
	json_extract(e.obj, '$.operation'),
	lower(json_extract(e.obj, '$.type')), 'unknown'),
    coalesce(:base + json_extract(e.obj, '$.data.fileId'),
	(SELECT f.id FROM file AS f WHERE f.op_key = :op
	    AND f.path = CAST(json_extract(e.obj, '$.filePath') AS BLOB))),
    CASE WHEN json_type(e.obj, '$.data.groupId') = 'integer'
	THEN json_extract(e.obj, '$.data.groupId') END,
    CASE WHEN json_extract(e.obj, '$.data.fileId') IS NULL
	THEN coalesce(hex_blob(json_extract(e.obj, '$.data.filePathHex')),
	    CAST(json_extract(e.obj, '$.data.filePath') AS BLOB)) END,
    coalesce(json_extract(e.obj, '$.data.details.fileSize'),
	json_extract(e.obj, '$.details.fileSize')),
    hex_blob(coalesce(json_extract(e.obj, '$.data.details.fullHash'),
	json_extract(e.obj, '$.details.fullHash'))),
    nullif(json_remove(coalesce(json_extract(e.obj, '$.data.details'),
	json_extract(e.obj, '$.details'), '{}'),
	'$.fileSize', '$.fileType', '$.fullHash'), '{}'),
    CASE WHEN json_extract(e.obj, '$.backfilled') THEN 1 ELSE 0 END
FROM temp.import_entry AS e
ORDER BY e.seq, e.ord;

-- name: checkpoints
-- :op :doc
INSERT INTO checkpoint (op_key, seq, time, phase, processed_files,
    processed_bytes, results, log_count, log_digest, digest)
SELECT :op, key + 1, iso_ns(json_extract(value, '$.timestamp')),
    CASE WHEN json_extract(value, '$.phase') IN ('walk', 'size', 'prefix',
	'full', 'group', 'done', 'apply', 'undo')
	THEN json_extract(value, '$.phase')
	ELSE (SELECT phase FROM operation WHERE op_key = :op) END,
    json_extract(value, '$.processedFiles'),
    coalesce(json_extract(value, '$.processedBytes'), 0),
    coalesce(json_extract(value, '$.results'),
	json_array_length(value, '$.operations'), 0),
    0, zeroblob(32), zeroblob(32)
FROM json_each(:doc, '$.checkpoints');

-- name: ckpt_seal
-- :op :seq :count :log :digest
UPDATE checkpoint
SET log_count = :count, log_digest = :log, digest = :digest
WHERE op_key = :op AND seq = :seq;

-- name: ckpt_row
-- :op :seq
SELECT time, phase, processed_files, processed_bytes, results
FROM checkpoint
WHERE op_key = :op AND seq = :seq;

-- name: op_seal
-- :op :count :digest
UPDATE operation SET checkpoints = :count, last_digest = :digest
WHERE op_key = :op;

-- name: aliases
-- :doc :base
INSERT OR IGNORE INTO alias (file_id, path)
SELECT :base + json_extract(value, '$.file'),
    coalesce(hex_blob(json_extract(value, '$.pathHex')),
	CAST(json_extract(value, '$.path') AS BLOB))
FROM json_each(:doc, '$.aliases');

-- name: groups
-- :op :doc
INSERT INTO dup_group (op_key, seq, size, hash, files, wasted, ckpt)
SELECT :op, json_extract(value, '$.group'), json_extract(value, '$.size'),
    hex_blob(json_extract(value, '$.hash')),
    json_array_length(value, '$.files'),
    json_extract(value, '$.size') *
	(json_array_length(value, '$.files') - 1),
    coalesce(json_extract(value, '$.checkpoint'), 1)
FROM json_each(:doc, '$.groups');

-- name: members
-- :op :doc :base
INSERT INTO dup_member (op_key, group_seq, file_id)
SELECT :op, json_extract(g.value, '$.group'), :base + f.value
FROM json_each(:doc, '$.groups') AS g, json_each(g.value, '$.files') AS f;

-- name: actions
-- :op :doc :base
INSERT INTO action (op_key, group_seq, file_id, keep_id, kind, path,
    keep_path, backup_path, size, hash, mode, uid, gid, atime, mtime, state,
    reason, reclaimed, ckpt, time)
SELECT :op, json_extract(value, '$.group'),
    :base + json_extract(value, '$.file'),
    :base + json_extract(value, '$.keep'), json_extract(value, '$.action'),
    coalesce(hex_blob(json_extract(value, '$.pathHex')),
	CAST(json_extract(value, '$.path') AS BLOB)),
    coalesce(hex_blob(json_extract(value, '$.keepPathHex')),
	CAST(json_extract(value, '$.keepPath') AS BLOB)),
    coalesce(hex_blob(json_extract(value, '$.backupPathHex')),
	CAST(json_extract(value, '$.backupPath') AS BLOB)),
    json_extract(value, '$.size'), hex_blob(json_extract(value, '$.hash')),
    json_extract(value, '$.mode'), json_extract(value, '$.uid'),
    json_extract(value, '$.gid'), json_extract(value, '$.atime'),
    json_extract(value, '$.mtime'), json_extract(value, '$.state'),
    json_extract(value, '$.reason'), json_extract(value, '$.reclaimed'),
    json_extract(value, '$.checkpoint'),
    iso_ns(json_extract(value, '$.time'))
FROM json_each(:doc, '$.actions');

-- name: summary
-- :op :doc
INSERT INTO summary (op_key, files, bytes, groups, redundant_files,
    reclaimable_bytes, errors, bytes_read, reused, applied_files,
    skipped_files, reclaimed_bytes, time)
SELECT :op, json_extract(:doc, '$.summary.files'),
    json_extract(:doc, '$.summary.bytes'),
    json_extract(:doc, '$.summary.groups'),
    json_extract(:doc, '$.summary.redundantFiles'),
    json_extract(:doc, '$.summary.reclaimableBytes'),
    json_extract(:doc, '$.summary.errors'),
    json_extract(:doc, '$.summary.bytesRead'),
    coalesce(json_extract(:doc, '$.summary.reusedHashes'), 0),
    coalesce(json_extract(:doc, '$.summary.appliedFiles'), 0),
    coalesce(json_extract(:doc, '$.summary.skippedFiles'), 0),
    coalesce(json_extract(:doc, '$.summary.reclaimedBytes'), 0),
    coalesce(iso_ns(json_extract(:doc, '$.endTime')), 0)
WHERE json_type(:doc, '$.summary.files') = 'integer';

-- name: max_file
SELECT coalesce(max(id), 0) FROM file;

-- name: ckpt_count
-- :op
SELECT count(*) FROM checkpoint WHERE op_key = :op;
