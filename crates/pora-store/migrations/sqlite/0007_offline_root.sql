-- The national root kept offline: the root holder certifies office signer keys and signs the trust
-- list with the CLI; the server imports the certificates with the keys and publishes the imported,
-- root-signed trust list unchanged.
ALTER TABLE signer_keys ADD COLUMN certificate TEXT;

CREATE TABLE trust_publications (
    id INTEGER PRIMARY KEY,
    version BIGINT NOT NULL UNIQUE,
    root_algorithm TEXT NOT NULL,
    root_public_key TEXT NOT NULL,
    trust_list TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    next_update BIGINT NOT NULL,
    imported_at BIGINT NOT NULL
);
