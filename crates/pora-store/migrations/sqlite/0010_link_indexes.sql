-- Indexes for the look-ups that ingest makes for every batch of signed check reports linked to
-- permits (kept equal in ../sqlite and ../postgres):
-- * a permit's facts ask whether a successor permit exists (previous_permit_id = the permit):
--   without an index every linked permit scanned the whole permits table;
-- * the open `expiring` alerts of the linked permits: without an index every batch scanned the
--   whole alerts table, which grows with the reports (caught-in-the-act checks raise one each).
CREATE INDEX permits_previous ON permits (previous_permit_id);
CREATE INDEX alerts_permit ON alerts (permit_id, kind);
