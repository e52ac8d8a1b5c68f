-- Offline uploads: a device-chosen reference per check, so a retried upload does not duplicate it.
ALTER TABLE check_reports ADD COLUMN client_ref TEXT;
CREATE UNIQUE INDEX check_reports_client_ref ON check_reports (officer_id, client_ref);
