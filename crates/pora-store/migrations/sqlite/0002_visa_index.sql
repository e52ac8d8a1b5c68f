-- Visa index reference data, versioned by table. A permit keeps the (table, code) it was issued under,
-- so later tables never rewrite history. Titles are short English glosses; max_months is the longest
-- single grant of an ITAS under that code (ITAP grants are 60 months whatever the code).
INSERT INTO visa_index (table_version, code, title, permit_type, max_months, valid_from, valid_until) VALUES
('legacy', '312', 'Limited stay for work (pre-2021 sticker index)', 'ITAS', 12, '2014-01-01', '2021-03-31'),
('legacy', '313', 'Limited stay for investment (pre-2021 index)', 'ITAS', 24, '2014-01-01', '2021-03-31'),
('legacy', '317', 'Limited stay joining family (pre-2021 index)', 'ITAS', 12, '2014-01-01', '2021-03-31'),
('2021', 'C312', 'Limited stay for work', 'ITAS', 12, '2021-04-01', '2023-05-31'),
('2021', 'C313', 'Limited stay for investment', 'ITAS', 24, '2021-04-01', '2023-05-31'),
('2021', 'C317', 'Limited stay joining family', 'ITAS', 12, '2021-04-01', '2023-05-31'),
('2023', 'E23', 'Worker', 'ITAS', 24, '2023-06-01', '2025-06-30'),
('2023', 'E28A', 'Foreign investor', 'ITAS', 24, '2023-06-01', '2025-06-30'),
('2023', 'E31A', 'Family of an Indonesian citizen', 'ITAS', 24, '2023-06-01', '2025-06-30'),
('2023', 'E33G', 'Remote worker', 'ITAS', 12, '2023-06-01', '2025-06-30'),
('2025', 'E23', 'Worker', 'ITAS', 24, '2025-07-01', NULL),
('2025', 'E28A', 'Foreign investor', 'ITAS', 120, '2025-07-01', NULL),
('2025', 'E31A', 'Family of an Indonesian citizen', 'ITAS', 24, '2025-07-01', NULL),
('2025', 'E33G', 'Remote worker', 'ITAS', 12, '2025-07-01', NULL);
