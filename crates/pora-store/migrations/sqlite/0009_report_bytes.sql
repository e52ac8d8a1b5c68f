-- Signed check reports keep their COSE_Sign1 bytes as a BLOB (was hex TEXT, twice the size and an
-- encoding step per report on the ingest path). SQLite cannot change a column's type in place, so
-- the table is rebuilt with its indexes; nothing references it by foreign key. Kept column-for-column
-- equal to ../postgres/0009_report_bytes.sql.
CREATE TABLE field_reports_v9 (
    id INTEGER PRIMARY KEY,
    report_id TEXT NOT NULL UNIQUE,
    device_id BIGINT NOT NULL REFERENCES devices (id),
    officer_id BIGINT NOT NULL REFERENCES users (id),
    office_id BIGINT NOT NULL REFERENCES offices (id),
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    prev TEXT,
    chain TEXT NOT NULL CHECK (chain IN ('first', 'linked', 'gap', 'broken', 'fork')),
    device_time BIGINT NOT NULL,
    gnss_time BIGINT,
    outcome_code TEXT NOT NULL,
    doc_hash TEXT NOT NULL,
    permit_id BIGINT REFERENCES permits (id),
    cose BLOB NOT NULL,
    received_at BIGINT NOT NULL
);
INSERT INTO field_reports_v9 (id, report_id, device_id, officer_id, office_id, seq, hash, prev, chain,
    device_time, gnss_time, outcome_code, doc_hash, permit_id, cose, received_at)
    SELECT id, report_id, device_id, officer_id, office_id, seq, hash, prev, chain, device_time, gnss_time,
           outcome_code, doc_hash, permit_id, unhex(cose), received_at FROM field_reports;
DROP TABLE field_reports;
ALTER TABLE field_reports_v9 RENAME TO field_reports;
CREATE INDEX field_reports_device_seq ON field_reports (device_id, seq);
CREATE INDEX field_reports_permit ON field_reports (permit_id);

-- The unsigned check upload (POST /api/v1/checks) is retired: every check now derives from a signed
-- report, idempotent by report id, so the upload's client reference and its index go.
DROP INDEX check_reports_client_ref;
ALTER TABLE check_reports DROP COLUMN client_ref;
