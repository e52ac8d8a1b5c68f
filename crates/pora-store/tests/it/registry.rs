//! Registry and permit lifecycle queries.

use pora_store::model::*;
use pora_store::repo::{self, NewSponsor, PermitFilter};
use pora_store::testing::on_both;
use pora_store::StoreError;

use super::fixtures::*;

#[tokio::test]
async fn permit_lifecycle_keeps_history() {
    on_both(|store| async move {
        let office = office(&store).await;
        let mut tx = store.tx().await.unwrap();
        let f = foreigner(&mut tx, office, "100200300", "Sato Hanako").await;
        let p1 = permit(&mut tx, office, f, "2C11AB0001", "2026-12-31").await;
        let p2 = permit(&mut tx, office, f, "2C11AB0002", "2027-06-30").await;
        tx.commit().await.unwrap();

        let mut c = store.conn().await.unwrap();
        let a = repo::permit_by_id(&mut c, p1).await.unwrap();
        let b = repo::permit_by_id(&mut c, p2).await.unwrap();
        assert_eq!(
            (a.status_list_index, b.status_list_index),
            (0, 1),
            "indices allocated in order"
        );
        assert_eq!(a.visa_code, "E23");
        assert_eq!(a.visa_table, "2025");
        drop(c);

        let mut tx = store.tx().await.unwrap();
        let ext = repo::extend_permit(&mut tx, p1, d("2027-12-31"), None, T0 + 10)
            .await
            .unwrap();
        assert_eq!(ext.valid_until, "2027-12-31");
        let err = repo::extend_permit(&mut tx, p1, d("2027-01-01"), None, T0 + 11)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Invalid {
                    field: "valid_until",
                    ..
                }
            ),
            "{err:?}"
        );
        let s = repo::change_status(
            &mut tx,
            p1,
            PermitStatus::Suspended,
            "suspended",
            None,
            Some("case"),
            T0 + 20,
        )
        .await
        .unwrap();
        assert_eq!(s.status, PermitStatus::Suspended);
        let s = repo::change_status(
            &mut tx,
            p1,
            PermitStatus::Exited,
            "exited",
            None,
            Some("EPO"),
            T0 + 30,
        )
        .await
        .unwrap();
        assert_eq!(s.status, PermitStatus::Exited);
        let err = repo::change_status(
            &mut tx,
            p1,
            PermitStatus::Active,
            "resumed",
            None,
            None,
            T0 + 40,
        )
        .await
        .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "left a final status: {err:?}"
        );
        tx.commit().await.unwrap();

        let mut c = store.conn().await.unwrap();
        let events = repo::permit_events(&mut c, p1).await.unwrap();
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["issued", "extended", "suspended", "exited"]);
        let statuses = repo::status_entries(&mut c, office).await.unwrap();
        assert_eq!(
            statuses,
            vec![(0, PermitStatus::Exited), (1, PermitStatus::Active)]
        );
    })
    .await;
}

#[tokio::test]
async fn search_and_expiry() {
    on_both(|store| async move {
        let office = office(&store).await;
        let mut tx = store.tx().await.unwrap();
        let f = foreigner(&mut tx, office, "555", "Kim Min-jun").await;
        let g = foreigner(&mut tx, office, "556", "Sato Kenji").await;
        permit(&mut tx, office, f, "A1", "2026-03-01").await;
        permit(&mut tx, office, g, "A2", "2026-09-01").await;
        permit(&mut tx, office, g, "A3", "2027-09-01").await;
        tx.commit().await.unwrap();

        let mut c = store.conn().await.unwrap();
        let page = Page::new(Some(10), None).unwrap();
        let (rows, total) = repo::search_permits(
            &mut c,
            &PermitFilter {
                q: Some("sato".into()),
                ..Default::default()
            },
            page,
        )
        .await
        .unwrap();
        assert_eq!(total, 2);
        assert_eq!(
            rows.iter().map(|p| p.number.as_str()).collect::<Vec<_>>(),
            ["A3", "A2"]
        );
        let (rows, total) = repo::search_permits(
            &mut c,
            &PermitFilter {
                q: Some("A1".into()),
                office_id: Some(office),
                ..Default::default()
            },
            page,
        )
        .await
        .unwrap();
        assert_eq!((rows.len(), total), (1, 1));
        let (rows, _) = repo::search_permits(
            &mut c,
            &PermitFilter {
                q: None,
                ..Default::default()
            },
            Page::new(Some(1), Some(1)).unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(rows[0].number, "A2", "second row of the page");
        drop(c);

        let mut tx = store.tx().await.unwrap();
        // Week-ahead reminders: A1 ends 2026-03-01; raised once, not twice.
        assert_eq!(
            repo::raise_expiry_alerts(&mut tx, d("2026-02-24"), 7, T0)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            repo::raise_expiry_alerts(&mut tx, d("2026-02-25"), 7, T0)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            repo::raise_expiry_alerts(&mut tx, d("2026-02-01"), 7, T0)
                .await
                .unwrap(),
            0
        );
        let n = repo::expire_due(&mut tx, d("2026-10-01"), T0)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert_eq!(n, 2);
        let mut c = store.conn().await.unwrap();
        let (_, expired) = repo::search_permits(
            &mut c,
            &PermitFilter {
                status: Some(PermitStatus::Expired),
                ..Default::default()
            },
            page,
        )
        .await
        .unwrap();
        assert_eq!(expired, 2);
    })
    .await;
}

#[tokio::test]
async fn sponsors_and_unique_identifiers() {
    on_both(|store| async move {
        let office = office(&store).await;
        let mut tx = store.tx().await.unwrap();
        let company = NewSponsor::Company {
            name: "PT Contoh Presisi Cikarang".into(),
            nib: Nib::parse("nib", "9120301234567").unwrap(),
            npwp: Npwp::parse("npwp", "012345678901234").unwrap(),
        };
        let id = repo::create_sponsor(&mut tx, &company, None, office, T0)
            .await
            .unwrap();
        let s = repo::sponsor_by_id(&mut tx, id).await.unwrap();
        assert_eq!(s.kind, "company");
        let dup = repo::create_sponsor(&mut tx, &company, None, office, T0)
            .await
            .unwrap_err();
        assert!(matches!(dup, StoreError::Conflict(_)), "{dup:?}");
    })
    .await;
}
