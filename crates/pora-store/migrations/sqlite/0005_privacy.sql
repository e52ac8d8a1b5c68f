-- Privacy (issue 8): retention with statistics kept after deletion, signed anchors that let the
-- oldest audit entries go while the rest of the chain stays verifiable, anonymised persons, and
-- correction requests filed by the person. Kept column-for-column equal to ../postgres/0005_privacy.sql.

-- Counts kept when retention deletes rows: per kind of data, month, kecamatan, nationality and a label
-- (check outcome, reporter kind, alert kind, audit action, ...).
CREATE TABLE retention_stats (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    month TEXT NOT NULL,
    region_code TEXT NOT NULL,
    nationality TEXT NOT NULL,
    label TEXT NOT NULL,
    count BIGINT NOT NULL,
    UNIQUE (kind, month, region_code, nationality, label)
);

-- A signed statement that the audit chain now starts after entry `seq`, whose hash was `hash`.
-- Written by the retention job only, in the transaction that deletes the entries up to `seq`.
CREATE TABLE audit_anchors (
    id INTEGER PRIMARY KEY,
    seq BIGINT NOT NULL UNIQUE,
    hash TEXT NOT NULL,
    at BIGINT NOT NULL,
    cutoff BIGINT NOT NULL,
    removed BIGINT NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL
);

CREATE TRIGGER audit_anchors_no_update BEFORE UPDATE ON audit_anchors
BEGIN SELECT RAISE(ABORT, 'audit_anchors is append-only'); END;
CREATE TRIGGER audit_anchors_no_delete BEFORE DELETE ON audit_anchors
BEGIN SELECT RAISE(ABORT, 'audit_anchors is append-only'); END;

-- The append-only rule stays for normal use; the only way past it is a signed anchor covering the
-- entry (the retention path writes the anchor, then deletes what it covers, in one transaction).
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN OLD.seq > (SELECT COALESCE(MAX(seq), 0) FROM audit_anchors)
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Set when retention anonymised an exited person's record.
ALTER TABLE foreigners ADD COLUMN anonymised_at BIGINT;

-- Corrections asked for by the person (the officers' own field corrections live in `corrections`).
CREATE TABLE correction_requests (
    id INTEGER PRIMARY KEY,
    foreigner_id BIGINT NOT NULL REFERENCES foreigners (id),
    field TEXT NOT NULL,
    current_value TEXT,
    requested_value TEXT NOT NULL,
    reason TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
    created_at BIGINT NOT NULL,
    decided_by BIGINT REFERENCES users (id),
    decided_at BIGINT,
    decision_reason TEXT
);
CREATE INDEX correction_requests_state ON correction_requests (state, created_at);
CREATE INDEX correction_requests_foreigner ON correction_requests (foreigner_id);
CREATE INDEX audit_log_at ON audit_log (at);
