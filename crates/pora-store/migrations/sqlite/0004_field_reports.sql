-- Field checks (issue 5): device keys, per-office document-hash keys, signed check reports with
-- their per-device chain, the alert workflow, and decisions on corrections. Kept column-for-column
-- equal to ../postgres/0004_field_reports.sql.

-- A device's key: COSE algorithm name ('ES256' or 'EdDSA') and kid = pora_core::trust::kid_of (hex).
ALTER TABLE devices ADD COLUMN algorithm TEXT;
ALTER TABLE devices ADD COLUMN kid TEXT;
CREATE UNIQUE INDEX devices_kid ON devices (kid);

-- The HMAC key under which an office's devices hash document numbers (sealed by the server's KEK),
-- and the permits hashed so far under it (covered_permit_id: highest permits.id already hashed).
CREATE TABLE doc_hash_keys (
    office_id BIGINT PRIMARY KEY REFERENCES offices (id),
    sealed_key TEXT NOT NULL,
    kek_id TEXT NOT NULL,
    covered_permit_id BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE permit_doc_hashes (
    office_id BIGINT NOT NULL REFERENCES offices (id),
    doc_hash TEXT NOT NULL,
    permit_id BIGINT NOT NULL REFERENCES permits (id),
    PRIMARY KEY (office_id, doc_hash)
);

-- Signed check reports exactly as received (COSE_Sign1, hex), one row per report id.
-- chain: 'first' (seq 0), 'linked' (prev = hash of the stored seq-1), 'gap' (seq-1 not received yet),
-- 'broken' (prev differs from the stored seq-1), 'fork' (another report already holds this seq).
CREATE TABLE field_reports (
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
    cose TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX field_reports_device_seq ON field_reports (device_id, seq);
CREATE INDEX field_reports_permit ON field_reports (permit_id);

-- The check derived from a signed report names it (the report is the evidence for the check).
ALTER TABLE check_reports ADD COLUMN report_id TEXT;
CREATE UNIQUE INDEX check_reports_report ON check_reports (report_id);

-- Alerts get a workflow (open -> investigating -> bap -> closed), a reason, and more kinds. SQLite
-- cannot change a CHECK constraint in place, so the table is rebuilt (nothing references it).
CREATE TABLE alerts_v4 (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('expiring', 'overstay', 'forged', 'unknown_permit', 'revoked_seen',
        'incomplete', 'check_without_order', 'away_from_address', 'sponsor_mismatch', 'device_chain',
        'officer_outside_area', 'lookup_without_scan', 'repeated_lookup', 'device_clock')),
    office_id BIGINT NOT NULL REFERENCES offices (id),
    permit_id BIGINT REFERENCES permits (id),
    foreigner_id BIGINT REFERENCES foreigners (id),
    check_id BIGINT REFERENCES check_reports (id),
    created_at BIGINT NOT NULL,
    resolved_at BIGINT,
    details TEXT NOT NULL DEFAULT '{}',
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'investigating', 'bap', 'closed')),
    reason TEXT NOT NULL DEFAULT '',
    device_id BIGINT REFERENCES devices (id),
    officer_id BIGINT REFERENCES users (id),
    report_id TEXT,
    updated_at BIGINT
);
INSERT INTO alerts_v4 (id, kind, office_id, permit_id, foreigner_id, check_id, created_at, resolved_at, details, state)
    SELECT id, kind, office_id, permit_id, foreigner_id, check_id, created_at, resolved_at, details,
           CASE WHEN resolved_at IS NULL THEN 'open' ELSE 'closed' END FROM alerts;
DROP TABLE alerts;
ALTER TABLE alerts_v4 RENAME TO alerts;
CREATE INDEX alerts_open ON alerts (office_id, resolved_at);
CREATE INDEX alerts_state ON alerts (office_id, state, kind);
CREATE INDEX alerts_foreigner ON alerts (foreigner_id);

-- Who moved an alert from which state to which, when, and why.
CREATE TABLE alert_events (
    id INTEGER PRIMARY KEY,
    alert_id BIGINT NOT NULL REFERENCES alerts (id),
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    actor_id BIGINT NOT NULL REFERENCES users (id),
    at BIGINT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX alert_events_alert ON alert_events (alert_id);

-- Corrections (pendataan ulang) attached to a signed report, and the supervisor's decision.
ALTER TABLE corrections ADD COLUMN report_id TEXT;
ALTER TABLE corrections ADD COLUMN decided_by BIGINT REFERENCES users (id);
ALTER TABLE corrections ADD COLUMN decided_at BIGINT;
ALTER TABLE corrections ADD COLUMN decision_note TEXT;
CREATE INDEX corrections_state ON corrections (state, foreigner_id);

-- Facts a correction may change that the registry did not hold.
ALTER TABLE foreigners ADD COLUMN phone TEXT;
ALTER TABLE foreigners ADD COLUMN civil_status TEXT;
