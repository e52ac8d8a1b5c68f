-- Signed check reports keep their COSE_Sign1 bytes as BYTEA (was hex TEXT, twice the size and an
-- encoding step per report on the ingest path). Kept column-for-column equal to
-- ../sqlite/0009_report_bytes.sql.
ALTER TABLE field_reports ALTER COLUMN cose TYPE BYTEA USING decode(cose, 'hex');

-- The unsigned check upload (POST /api/v1/checks) is retired: every check now derives from a signed
-- report, idempotent by report id, so the upload's client reference and its index go.
DROP INDEX check_reports_client_ref;
ALTER TABLE check_reports DROP COLUMN client_ref;
