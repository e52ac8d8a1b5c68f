//! The dashboard's aggregates against the rows they summarise, on both backends.

use pora_server::demo::generate;
use pora_store::model::{now_unix, Date, Page, PermitStatus, PermitType};
use pora_store::repo::{PermitFilter, PermitSort};
use pora_store::testing::{on_both, TempDir};
use pora_store::{repo, stats};

use super::demo::demo_state;

#[tokio::test]
async fn overview_counts_match_the_permit_rows() {
    on_both(|store| async move {
        let dir = TempDir::new("dash");
        let state = demo_state(store.clone(), &dir).await;
        generate(&state, 11, 0.02).await.unwrap();
        let now = now_unix();
        let today = Date::from_unix(now);
        let mut c = store.conn().await.unwrap();
        let (rows, total) = repo::search_permits(
            &mut c,
            &Default::default(),
            Page::new(Some(500), None).unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(rows.len() as i64, total, "all rows in one page");
        let t = today.to_string();
        let active = |ty: PermitType| {
            rows.iter()
                .filter(|p| {
                    p.status == PermitStatus::Active && p.permit_type == ty && p.valid_until >= t
                })
                .count() as i64
        };
        let expiring = |days: i64| {
            let until = today.add_days(days).to_string();
            rows.iter()
                .filter(|p| {
                    p.status == PermitStatus::Active && p.valid_until >= t && p.valid_until <= until
                })
                .count() as i64
        };
        let o = stats::overview(&mut c, None, today, now).await.unwrap();
        assert!(o.active_itas > 0 && o.active_itap > 0, "{o:?}");
        assert_eq!(o.active_itas, active(PermitType::Itas));
        assert_eq!(o.active_itap, active(PermitType::Itap));
        assert_eq!(o.expiring_30, expiring(30));
        assert_eq!(o.expiring_60, expiring(60));
        assert_eq!(o.expiring_90, expiring(90));
        assert!(o.expiring_30 <= o.expiring_60 && o.expiring_60 <= o.expiring_90);
        let overstays = rows
            .iter()
            .filter(|p| p.status == PermitStatus::Active && p.valid_until < t)
            .count() as i64;
        assert!(overstays > 0, "the demo has overstays");
        assert_eq!(o.overstays, overstays);
        let open = repo::open_alerts(&mut c, None, Page::new(Some(500), None).unwrap())
            .await
            .unwrap();
        assert_eq!(o.open_alerts, open.len() as i64);

        // The trends: 12 months ending with this one; the current month's permits in force are
        // today's (active or suspended, valid today); issued = validity starting in the window.
        assert_eq!(o.months.len(), 12);
        let (y, m, _) = today.ymd();
        assert_eq!(o.months[11].month, format!("{y:04}-{m:02}"));
        let in_force_today = |ty: PermitType| {
            rows.iter()
                .filter(|p| {
                    matches!(p.status, PermitStatus::Active | PermitStatus::Suspended)
                        && p.permit_type == ty
                        && p.valid_from <= t
                        && p.valid_until >= t
                })
                .count() as i64
        };
        assert_eq!(o.months[11].active_itas, in_force_today(PermitType::Itas));
        assert_eq!(o.months[11].active_itap, in_force_today(PermitType::Itap));
        let window_start = format!("{}-01", o.months[0].month);
        let issued = rows
            .iter()
            .filter(|p| p.valid_from >= window_start && p.valid_from <= t)
            .count() as i64;
        assert_eq!(o.months.iter().map(|m| m.issued).sum::<i64>(), issued);
        assert!(o.months.iter().map(|m| m.checks).sum::<i64>() > 0, "{o:?}");
        assert!(o.months.iter().all(|m| m.findings <= m.checks));

        // Office scope: an office with no data sees zeros.
        let other = stats::overview(&mut c, Some(999_999), today, now)
            .await
            .unwrap();
        assert_eq!(
            (
                other.active_itas,
                other.overstays,
                other.open_alerts,
                other.checks_7d
            ),
            (0, 0, 0, 0)
        );
        assert!(other.months.iter().all(|m| m.issued == 0 && m.checks == 0));
    })
    .await;
}

#[tokio::test]
async fn permit_filters_and_sorts_match_the_rows() {
    on_both(|store| async move {
        let dir = TempDir::new("dash-filter");
        let state = demo_state(store.clone(), &dir).await;
        generate(&state, 12, 0.02).await.unwrap();
        let mut c = store.conn().await.unwrap();
        let all_page = Page::new(Some(500), None).unwrap();
        let (all, _) = repo::search_permits(&mut c, &Default::default(), all_page)
            .await
            .unwrap();
        let search = |f: PermitFilter| {
            let store = store.clone();
            async move {
                let mut c = store.conn().await.unwrap();
                repo::search_permits(&mut c, &f, Page::new(Some(500), None).unwrap())
                    .await
                    .unwrap()
            }
        };
        // Type and visa code.
        let (rows, total) = search(PermitFilter {
            permit_type: Some(PermitType::Itap),
            ..Default::default()
        })
        .await;
        assert_eq!(
            total,
            all.iter()
                .filter(|p| p.permit_type == PermitType::Itap)
                .count() as i64
        );
        assert!(total > 0 && rows.iter().all(|p| p.permit_type == PermitType::Itap));
        let visa = all[0].visa_code.clone();
        let (_, total) = search(PermitFilter {
            visa_code: Some(visa.to_lowercase()),
            ..Default::default()
        })
        .await;
        assert_eq!(
            total,
            all.iter().filter(|p| p.visa_code == visa).count() as i64
        );
        // Expiry window.
        let today = Date::from_unix(now_unix());
        let (from, to) = (today.to_string(), today.add_days(60).to_string());
        let (_, total) = search(PermitFilter {
            valid_until_after: Some(today),
            valid_until_before: Some(today.add_days(60)),
            ..Default::default()
        })
        .await;
        assert_eq!(
            total,
            all.iter()
                .filter(|p| p.valid_until >= from && p.valid_until <= to)
                .count() as i64
        );
        // Region of the current address: every row's holder lives there, and the desa total adds up.
        let map = repo::map_counts(&mut c, None, 0).await.unwrap();
        let busiest = map.iter().max_by_key(|r| r.residents).unwrap();
        let (rows, _) = search(PermitFilter {
            region_prefix: Some(busiest.region_code.clone()),
            ..Default::default()
        })
        .await;
        let holders: std::collections::BTreeSet<_> = rows.iter().map(|p| p.foreigner_id).collect();
        assert_eq!(holders.len() as i64, busiest.residents);
        let kec = &busiest.region_code[..8];
        let (rows_kec, _) = search(PermitFilter {
            region_prefix: Some(kec.to_owned()),
            ..Default::default()
        })
        .await;
        assert!(rows_kec.len() >= rows.len());
        for p in &rows_kec {
            let addr = repo::addresses_of(&mut c, p.foreigner_id).await.unwrap();
            assert!(
                addr.iter()
                    .any(|a| a.valid_until.is_none() && a.region_code.starts_with(kec)),
                "{}",
                p.number
            );
        }
        // A passport number finds its holder's permits.
        let pass = repo::passports_of(&mut c, all[0].foreigner_id)
            .await
            .unwrap();
        let (rows, _) = search(PermitFilter {
            q: Some(pass[0].number.to_lowercase()),
            ..Default::default()
        })
        .await;
        assert!(rows.iter().any(|p| p.foreigner_id == all[0].foreigner_id));
        // Sorts, both ways.
        let (asc, _) = search(PermitFilter {
            sort: PermitSort::ValidUntil,
            ..Default::default()
        })
        .await;
        assert!(asc.windows(2).all(|w| w[0].valid_until <= w[1].valid_until));
        let (desc, _) = search(PermitFilter {
            sort: PermitSort::Name,
            descending: true,
            ..Default::default()
        })
        .await;
        assert!(desc.windows(2).all(|w| w[0].full_name >= w[1].full_name));
        let (newest, _) = search(PermitFilter::default()).await;
        assert!(newest.windows(2).all(|w| w[0].id > w[1].id));
        assert!(PermitSort::parse("sort", "shoe_size").is_err());
    })
    .await;
}

#[tokio::test]
async fn officers_activity_adds_up_to_the_checks() {
    on_both(|store| async move {
        let dir = TempDir::new("dash-officers");
        let state = demo_state(store.clone(), &dir).await;
        generate(&state, 13, 0.02).await.unwrap();
        let mut c = store.conn().await.unwrap();
        let all = stats::officers(&mut c, None, 0).await.unwrap();
        assert_eq!(all.len(), 12, "the demo's twelve field officers");
        let checks = repo::table_counts(&mut c).await.unwrap();
        let total = checks
            .iter()
            .find(|(t, _)| *t == "check_reports")
            .unwrap()
            .1;
        assert_eq!(all.iter().map(|o| o.checks).sum::<i64>(), total);
        assert!(all
            .iter()
            .all(|o| o.findings <= o.checks && o.without_order <= o.checks));
        assert!(all.iter().any(|o| o.last_check_at.is_some()));
        // A cut-off in the future counts nothing; another office sees nobody.
        let none = stats::overview(&mut c, None, Date::from_unix(now_unix()), now_unix())
            .await
            .unwrap();
        let later = stats::officers(&mut c, None, now_unix() + 86_400)
            .await
            .unwrap();
        assert!(later.iter().all(|o| o.checks == 0), "{none:?}");
        assert!(stats::officers(&mut c, Some(999_999), 0)
            .await
            .unwrap()
            .is_empty());
    })
    .await;
}
