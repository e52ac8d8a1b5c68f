-- pora schema v1, SQLite dialect. Kept column-for-column equal to ../postgres/0001_init.sql
-- (a test compares both). Portable types only: BIGINT ids and instants (unix seconds), TEXT dates
-- (YYYY-MM-DD), DOUBLE PRECISION positions, TEXT hex for binary data.

CREATE TABLE offices (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    region_code TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE regions (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('provinsi', 'kabupaten_kota', 'kecamatan', 'desa_kelurahan'))
);

CREATE TABLE foreigners (
    id INTEGER PRIMARY KEY,
    niora TEXT NOT NULL UNIQUE,
    full_name TEXT NOT NULL,
    mrz_name TEXT NOT NULL,
    sex TEXT NOT NULL CHECK (sex IN ('M', 'F', 'X')),
    birth_place TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    nationality TEXT NOT NULL CHECK (length(nationality) = 3),
    occupation TEXT,
    office_id BIGINT NOT NULL REFERENCES offices (id),
    created_at BIGINT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'issuing_officer', 'field_officer', 'supervisor', 'auditor', 'foreigner')),
    office_id BIGINT REFERENCES offices (id),
    foreigner_id BIGINT REFERENCES foreigners (id),
    password_hash TEXT NOT NULL,
    disabled BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    CHECK (role <> 'foreigner' OR foreigner_id IS NOT NULL)
);

CREATE TABLE devices (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL,
    public_key TEXT NOT NULL UNIQUE,
    officer_id BIGINT NOT NULL REFERENCES users (id),
    office_id BIGINT NOT NULL REFERENCES offices (id),
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'revoked')),
    created_at BIGINT NOT NULL,
    decided_by BIGINT REFERENCES users (id),
    decided_at BIGINT
);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('session', 'api_token')),
    user_id BIGINT NOT NULL REFERENCES users (id),
    device_id BIGINT REFERENCES devices (id),
    csrf_token TEXT,
    label TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);

CREATE TABLE passports (
    id INTEGER PRIMARY KEY,
    foreigner_id BIGINT NOT NULL REFERENCES foreigners (id),
    number TEXT NOT NULL CHECK (length(number) <= 9),
    issuing_state TEXT NOT NULL CHECK (length(issuing_state) = 3),
    expiry_date TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (issuing_state, number)
);

CREATE TABLE addresses (
    id INTEGER PRIMARY KEY,
    foreigner_id BIGINT REFERENCES foreigners (id),
    line TEXT NOT NULL,
    region_code TEXT NOT NULL CHECK (length(region_code) = 13),
    lat DOUBLE PRECISION,
    lng DOUBLE PRECISION,
    source TEXT NOT NULL CHECK (source IN ('declared', 'field_check', 'stay_report', 'sponsor')),
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE sponsors (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('company', 'person')),
    name TEXT NOT NULL,
    nib TEXT,
    npwp TEXT,
    nik TEXT,
    address_id BIGINT REFERENCES addresses (id),
    office_id BIGINT NOT NULL REFERENCES offices (id),
    created_at BIGINT NOT NULL,
    CHECK ((kind = 'company' AND nib IS NOT NULL AND npwp IS NOT NULL AND nik IS NULL)
        OR (kind = 'person' AND nik IS NOT NULL AND nib IS NULL))
);
CREATE UNIQUE INDEX sponsors_nib ON sponsors (nib);
CREATE UNIQUE INDEX sponsors_nik ON sponsors (nik);

CREATE TABLE employers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    nib TEXT,
    sponsor_id BIGINT REFERENCES sponsors (id),
    address_id BIGINT REFERENCES addresses (id),
    created_at BIGINT NOT NULL
);

CREATE TABLE visa_index (
    id INTEGER PRIMARY KEY,
    table_version TEXT NOT NULL,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    permit_type TEXT NOT NULL CHECK (permit_type IN ('ITAS', 'ITAP')),
    max_months BIGINT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    UNIQUE (table_version, code)
);

CREATE TABLE permits (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE CHECK (length(number) <= 20),
    permit_type TEXT NOT NULL CHECK (permit_type IN ('ITAS', 'ITAP')),
    foreigner_id BIGINT NOT NULL REFERENCES foreigners (id),
    passport_id BIGINT REFERENCES passports (id),
    visa_index_id BIGINT NOT NULL REFERENCES visa_index (id),
    visa_code TEXT NOT NULL,
    sponsor_id BIGINT REFERENCES sponsors (id),
    employer_id BIGINT REFERENCES employers (id),
    occupation TEXT,
    address_id BIGINT REFERENCES addresses (id),
    port_of_entry TEXT,
    entry_date TEXT,
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    issuing_office_id BIGINT NOT NULL REFERENCES offices (id),
    status TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'expired', 'cancelled', 'converted', 'exited', 'deported', 'deceased')),
    status_list_index BIGINT NOT NULL,
    document_serial TEXT NOT NULL,
    previous_permit_id BIGINT REFERENCES permits (id),
    credential TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK (valid_from <= valid_until),
    UNIQUE (issuing_office_id, status_list_index)
);
CREATE INDEX permits_foreigner ON permits (foreigner_id);
CREATE INDEX permits_status_until ON permits (status, valid_until);

CREATE TABLE permit_events (
    id INTEGER PRIMARY KEY,
    permit_id BIGINT NOT NULL REFERENCES permits (id),
    at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    actor_id BIGINT REFERENCES users (id),
    from_status TEXT,
    to_status TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    reason TEXT,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX permit_events_permit ON permit_events (permit_id);

CREATE TABLE signer_keys (
    id INTEGER PRIMARY KEY,
    kid TEXT NOT NULL UNIQUE,
    office_id BIGINT NOT NULL REFERENCES offices (id),
    usage TEXT NOT NULL CHECK (usage IN ('document_signer', 'trust_root')),
    algorithm TEXT NOT NULL,
    public_key TEXT NOT NULL,
    sealed_private_key TEXT NOT NULL,
    kek_id TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('active', 'retired', 'compromised')),
    created_at BIGINT NOT NULL
);

CREATE TABLE written_orders (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    office_id BIGINT NOT NULL REFERENCES offices (id),
    title TEXT NOT NULL,
    area_region_code TEXT,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at BIGINT NOT NULL
);

CREATE TABLE check_reports (
    id INTEGER PRIMARY KEY,
    at BIGINT NOT NULL,
    officer_id BIGINT NOT NULL REFERENCES users (id),
    device_id BIGINT REFERENCES devices (id),
    office_id BIGINT NOT NULL REFERENCES offices (id),
    permit_id BIGINT REFERENCES permits (id),
    foreigner_id BIGINT REFERENCES foreigners (id),
    verdict TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'incomplete', 'finding', 'not_found', 'forged')),
    written_order_id BIGINT REFERENCES written_orders (id),
    caught_in_act BIGINT NOT NULL DEFAULT 0,
    lat DOUBLE PRECISION,
    lng DOUBLE PRECISION,
    region_code TEXT,
    notes TEXT,
    details TEXT NOT NULL DEFAULT '{}',
    CHECK (written_order_id IS NOT NULL OR caught_in_act = 1)
);
CREATE INDEX check_reports_at ON check_reports (office_id, at);
CREATE INDEX check_reports_foreigner ON check_reports (foreigner_id);

CREATE TABLE stay_reports (
    id INTEGER PRIMARY KEY,
    foreigner_id BIGINT NOT NULL REFERENCES foreigners (id),
    reporter_kind TEXT NOT NULL CHECK (reporter_kind IN ('hotel', 'kost', 'landlord', 'self')),
    reporter_name TEXT NOT NULL,
    check_in TEXT NOT NULL,
    check_out TEXT,
    region_code TEXT NOT NULL,
    lat DOUBLE PRECISION,
    lng DOUBLE PRECISION,
    created_at BIGINT NOT NULL
);
CREATE INDEX stay_reports_foreigner ON stay_reports (foreigner_id);

CREATE TABLE corrections (
    id INTEGER PRIMARY KEY,
    check_id BIGINT REFERENCES check_reports (id),
    foreigner_id BIGINT NOT NULL REFERENCES foreigners (id),
    field TEXT NOT NULL,
    old_value TEXT,
    new_value TEXT NOT NULL,
    officer_id BIGINT NOT NULL REFERENCES users (id),
    state TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'rejected')),
    created_at BIGINT NOT NULL
);

CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('expiring', 'overstay', 'forged', 'unknown_permit', 'revoked_seen', 'incomplete', 'check_without_order')),
    office_id BIGINT NOT NULL REFERENCES offices (id),
    permit_id BIGINT REFERENCES permits (id),
    foreigner_id BIGINT REFERENCES foreigners (id),
    check_id BIGINT REFERENCES check_reports (id),
    created_at BIGINT NOT NULL,
    resolved_at BIGINT,
    details TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX alerts_open ON alerts (office_id, resolved_at);

-- The audit log: append-only and hash-chained (see src/audit.rs for the canonical encoding).
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor_role TEXT NOT NULL,
    actor_office TEXT NOT NULL,
    action TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    purpose_kind TEXT NOT NULL,
    purpose_ref TEXT NOT NULL,
    details TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_subject ON audit_log (subject_kind, subject_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- Chain heads signed by the server's audit key (Ed25519), so truncation of the tail is caught.
CREATE TABLE audit_heads (
    id INTEGER PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL,
    at BIGINT NOT NULL,
    key_id TEXT NOT NULL,
    signature TEXT NOT NULL
);

CREATE TABLE audit_keys (
    key_id TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
