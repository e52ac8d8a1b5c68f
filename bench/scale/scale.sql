-- Grows a pora demo database on PostgreSQL to 1 M permits and 20 M check events, timing the ingest
-- and the supervision queries. Run by bench/scale/run.sh; figures go to docs/SCALING.md.
\timing on
\set ON_ERROR_STOP on
SELECT id AS office FROM offices WHERE code = 'BKS' \gset
SELECT min(id) AS officer FROM users WHERE role = 'field_officer' \gset
SELECT min(id) AS visa FROM visa_index WHERE code = 'E23' \gset
SELECT coalesce(max(status_list_index), 0) + 1 AS idx0 FROM permits WHERE issuing_office_id = :office \gset

\echo '== 1 M foreigners'
INSERT INTO foreigners (niora, full_name, mrz_name, sex, birth_place, birth_date, nationality, occupation, office_id, created_at)
SELECT '9' || lpad(g::text, 9, '0'), 'Scale Person ' || g, 'PERSON<<SCALE', CASE WHEN g % 2 = 0 THEN 'M' ELSE 'F' END,
       'Osaka', '1985-01-01', (ARRAY['JPN','KOR','CHN','IND','TWN'])[1 + g % 5], 'Engineer', :office, 1790000000
FROM generate_series(1, :n_permits) g;

\echo '== 1 M permits (each with a 310-character credential)'
INSERT INTO permits (number, permit_type, foreigner_id, visa_index_id, visa_code, valid_from, valid_until,
                     issuing_office_id, status, status_list_index, document_serial, credential, created_at, updated_at)
SELECT '2C9' || lpad(g::text, 9, '0'), 'ITAS', f.id, :visa, 'E23',
       to_char(date '2026-01-01' + (g % 300), 'YYYY-MM-DD'), to_char(date '2026-12-01' + (g % 400), 'YYYY-MM-DD'),
       :office, 'active', :idx0 + g, lpad(to_hex(g), 8, '0'), 'PR1:' || repeat('A', 306), 1790000000, 1790000000
FROM generate_series(1, :n_permits) g JOIN foreigners f ON f.niora = '9' || lpad(g::text, 9, '0');

\echo '== check events, in batches of 1 M'
SELECT min(id) AS p0, max(id) AS p1 FROM permits \gset
SELECT set_config('pora.p0', :'p0', false), set_config('pora.p1', :'p1', false),
       set_config('pora.office', :'office', false), set_config('pora.officer', :'officer', false);
DO $$
DECLARE
  b int;
  t0 timestamptz;
  p0 bigint := current_setting('pora.p0')::bigint;
  p1 bigint := current_setting('pora.p1')::bigint;
BEGIN
  FOR b IN 1 .. current_setting('pora.batches')::int LOOP
    t0 := clock_timestamp();
    INSERT INTO check_reports (at, officer_id, office_id, permit_id, foreigner_id, verdict, outcome, caught_in_act, lat, lng, region_code)
    SELECT 1767200000 + (g * 1.57)::bigint % 31536000, current_setting('pora.officer')::bigint, current_setting('pora.office')::bigint,
           p.id, p.foreigner_id, 'valid', 'ok', 1, -6.3 + (g % 1000) / 10000.0, 107.1 + (g % 997) / 10000.0,
           '32.16.' || lpad((1 + g % 23)::text, 2, '0') || '.2001'
    FROM generate_series((b - 1)::bigint * 1000000 + 1, b::bigint * 1000000) g
    JOIN permits p ON p.id = p0 + (g * 7919) % (p1 - p0 + 1);
    RAISE NOTICE 'batch % of 1 M checks: % ms', b, round(extract(epoch FROM clock_timestamp() - t0) * 1000);
    COMMIT;
  END LOOP;
END $$;
ANALYZE;

\echo '== sizes'
SELECT (SELECT count(*) FROM permits) AS permits, (SELECT count(*) FROM check_reports) AS checks,
       pg_size_pretty(pg_total_relation_size('permits')) AS permits_size,
       pg_size_pretty(pg_total_relation_size('check_reports')) AS checks_size;

\echo '== query: a permit by number'
SELECT id, valid_until FROM permits WHERE number = '2C9000500000';
\echo '== query: active permits expiring in the next 30 days (count)'
SELECT count(*) FROM permits WHERE status = 'active' AND valid_until BETWEEN '2026-12-01' AND '2026-12-31';
\echo '== query: one foreigner''s movement history (checks with position)'
SELECT count(*), min(at), max(at) FROM check_reports WHERE foreigner_id = (SELECT foreigner_id FROM permits WHERE number = '2C9000500000');
\echo '== query: checks of the office in one week'
SELECT count(*) FROM check_reports WHERE office_id = :office AND at BETWEEN 1780000000 AND 1780604800;
\echo '== query: supervision map, checks per kecamatan over 30 days'
SELECT substr(region_code, 1, 8) AS kecamatan, count(*) FROM check_reports
WHERE office_id = :office AND at BETWEEN 1780000000 AND 1782592000 GROUP BY 1 ORDER BY 2 DESC LIMIT 3;
