-- Version 1 to 2.
-- An operation read from a checkpoint document is marked: its row
-- checksums were computed by the import, so they prove nothing about the
-- files, and find never takes hashes from it.
ALTER TABLE operation ADD COLUMN imported INTEGER NOT NULL DEFAULT 0
    CHECK (imported IN (0, 1));
-- The report of an operation as it was when archived: archive drops the
-- rows it is computed from.
ALTER TABLE operation ADD COLUMN archived_report TEXT
    CHECK (archived_report IS NULL OR json_valid(archived_report));
-- The file table is read by size: the index version 2 creates with the
-- table, for databases made before it.
CREATE UNIQUE INDEX IF NOT EXISTS file_op_size ON file (op_key, size, dev, ino);
DROP INDEX IF EXISTS file_size;
