-- Operations (issue 6): a written order (surat perintah) becomes a planned operation with a team,
-- an area drawn on the map or built from chosen kecamatan (GeoJSON Polygon / MultiPolygon in WGS84,
-- validated by pora_store::area), and the planner's status. Kept column-for-column equal to the
-- other backend's 0008_operations.sql.
ALTER TABLE written_orders ADD COLUMN area_geojson TEXT;
-- Kecamatan codes (PP.KK.CC, comma-separated) the area was built from, when it was.
ALTER TABLE written_orders ADD COLUMN area_kecamatan TEXT;
-- planned (the default, also for orders made before this migration), closed, cancelled; whether a
-- planned operation is under way follows from its dates.
ALTER TABLE written_orders ADD COLUMN status TEXT NOT NULL DEFAULT 'planned'
    CHECK (status IN ('planned', 'closed', 'cancelled'));
ALTER TABLE written_orders ADD COLUMN updated_at BIGINT;

-- The team: officers named on the order.
CREATE TABLE operation_officers (
    order_id BIGINT NOT NULL REFERENCES written_orders (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    PRIMARY KEY (order_id, user_id)
);

-- An operation's results read its checks; the audit search filters by actor and action.
CREATE INDEX check_reports_order ON check_reports (written_order_id);
CREATE INDEX audit_log_actor ON audit_log (actor_id, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
-- The monthly report counts workflow steps (BAP, closing) by when they happened.
CREATE INDEX alert_events_at ON alert_events (at);
