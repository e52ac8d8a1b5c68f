//! Operations, the monthly Tim PORA report and the audit search, on both backends: planning with a
//! drawn or kecamatan-built area (and the refusals), signed reports naming the operation, its
//! results with point-in-polygon, the "outside the area" alert, the report's counts and PDF, and the
//! server-side audit filters with paging.

use pora_core::report::Basis;
use pora_core::Algorithm;
use pora_store::model::Role::*;
use pora_store::model::{now_unix, Date};
use pora_store::testing::{count, on_both};
use serde_json::{json, Value};

use super::app::TestApp;
use super::flows::issue;
use super::reports::{b64, enrol};

/// A square of 0.1° around (-6.30, 107.15), in Kabupaten Bekasi.
fn square() -> Value {
    json!({ "type": "Polygon", "coordinates": [[[107.1, -6.35], [107.2, -6.35], [107.2, -6.25], [107.1, -6.25], [107.1, -6.35]]] })
}

fn today() -> Date {
    Date::from_unix(now_unix())
}

async fn field_officer_id(app: &TestApp) -> i64 {
    count(
        &app.state.store,
        "SELECT id FROM users WHERE username = 'field_officer'",
    )
    .await
}

async fn plan(app: &TestApp, body: Value) -> super::app::Resp {
    app.post("/api/v1/operations", Supervisor, body).await
}

#[tokio::test]
async fn operations_are_planned_checked_and_counted() {
    on_both(|store| async move {
        let app = TestApp::new(store).await;
        let officer = field_officer_id(&app).await;
        let supervisor = count(&app.state.store, "SELECT id FROM users WHERE username = 'supervisor'").await;
        let t = today();
        let base = json!({
            "number": "SP-07/PORA/2026", "title": "Operasi gabungan Cikarang", "starts_on": t.add_days(-1).to_string(),
            "ends_on": t.add_days(6).to_string(), "team": [officer], "area": square(),
        });
        let with = |k: &str, v: Value| {
            let mut b = base.clone();
            b[k] = v;
            b
        };
        let without = |k: &str| {
            let mut b = base.clone();
            b.as_object_mut().unwrap().remove(k);
            b
        };
        // Refusals name the field.
        let jakarta = json!({ "type": "Polygon", "coordinates": [[[106.80, -6.15], [106.85, -6.15], [106.85, -6.10], [106.80, -6.15]]] });
        let open = json!({ "type": "Polygon", "coordinates": [[[107.1, -6.35], [107.2, -6.35], [107.2, -6.25]]] });
        let bow = json!({ "type": "Polygon", "coordinates": [[[107.1, -6.35], [107.2, -6.25], [107.2, -6.35], [107.1, -6.25], [107.1, -6.35]]] });
        for (body, field) in [
            (with("area", open), "area"),
            (with("area", bow), "area"),
            (with("area", jakarta), "area"),
            (with("area_kecamatan", json!(["32.16.06"])), "area"),
            (with("area", Value::Null), "area"),
            (with("team", json!([supervisor])), "team"),
            (with("ends_on", json!(t.add_days(-3).to_string())), "ends_on"),
            (with("number", json!("SP:1")), "number"),
            (without("number"), "number"),
            (with("status", json!("done")), "status"),
        ] {
            let r = plan(&app, body.clone()).await;
            assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (422, Some(field)), "{body} → {}", r.body);
        }
        let r = plan(&app, without("area").as_object().map(|o| {
            let mut o = o.clone();
            o.insert("area_kecamatan".into(), json!(["99.99.99"]));
            Value::Object(o)
        }).unwrap()).await;
        assert_eq!(r.body["field"], "area_kecamatan", "{}", r.body);
        let r = app.post("/api/v1/operations", FieldOfficer, base.clone()).await;
        assert_eq!(r.status, 403);

        // Planned with a drawn area.
        let r = plan(&app, base.clone()).await;
        assert_eq!(r.status, 201, "{}", r.body);
        let id = r.body["id"].as_i64().unwrap();
        assert_eq!((r.body["status"].as_str(), r.body["phase"].as_str()), (Some("planned"), Some("active")));
        assert_eq!(r.body["area"]["type"], "Polygon");
        assert_eq!(r.body["team"][0]["username"], "field_officer");
        assert_eq!(plan(&app, base.clone()).await.status, 409, "the number is unique");

        // A second one built from kecamatan.
        let kec = &pora_server::demo::geo::kecamatan_index()[0];
        let r = plan(&app, json!({ "number": "SP-08/PORA/2026", "title": "Operasi kecamatan", "starts_on": t.to_string(),
                                   "ends_on": t.to_string(), "area_kecamatan": [kec.code, kec.code] })).await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.body["area_kecamatan"], json!([kec.code]));
        let kec_op = r.body["id"].as_i64().unwrap();
        assert_eq!(r.body["area"]["type"].as_str().map(|s| s.ends_with("Polygon")), Some(true));

        // Three signed checks name the first: two inside (one expired permit shown), one outside.
        issue(&app, "7500000001", "2C21BKS0501").await;
        let mut d = enrol(&app, Algorithm::ES256, 61).await;
        let basis = || Basis::Order("SP-07/PORA/2026".into());
        let a = d.next("2C21BKS0501", basis(), "valid", (-6.30, 107.15)).1;
        let b = d.next("2C21BKS0501", basis(), "expired", (-6.27, 107.12)).1;
        let c = d.next("2C21BKS0501", basis(), "valid", (-6.20, 107.15)).1;
        let r = app.post("/api/v1/field/reports", FieldOfficer, b64(&[&a, &b, &c])).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["accepted"].as_array().unwrap().len(), 3, "{}", r.body);

        let r = app.get(&format!("/api/v1/operations/{id}/results"), Supervisor, &[]).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!((r.body["checks"].as_i64(), r.body["findings"].as_i64(), r.body["outside_area"].as_i64()), (Some(3), Some(1), Some(1)), "{}", r.body);
        assert_eq!(r.body["findings_by_code"], json!([{ "code": "expired", "outcome": "finding", "count": 1 }]));
        let officers = r.body["by_officer"].as_array().unwrap();
        assert_eq!(officers.len(), 1, "{}", r.body);
        assert_eq!((officers[0]["officer"].as_str(), officers[0]["on_team"].as_bool(), officers[0]["checks"].as_i64(), officers[0]["outside_area"].as_i64()),
                   (Some("field_officer"), Some(true), Some(3), Some(1)));
        let outside: Vec<bool> = r.body["points"].as_array().unwrap().iter().map(|p| p["outside"].as_bool().unwrap()).collect();
        assert_eq!(outside, [false, false, true]);
        assert!(r.body["points"][0].get("niora").is_none(), "no person named");
        // The alert engine used the polygon: one alert, for the check outside it.
        assert_eq!(count(&app.state.store, "SELECT COUNT(*) FROM alerts WHERE kind = 'officer_outside_area'").await, 1);
        assert_eq!(count(&app.state.store, "SELECT COUNT(*) FROM audit_log WHERE action = 'operation.results'").await, 1);

        // Changes: status and title; the number stays.
        let r = app.post(&format!("/api/v1/operations/{id}"), Supervisor, json!({ "status": "closed", "title": "Operasi gabungan Cikarang (selesai)" })).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!((r.body["phase"].as_str(), r.body["team"].as_array().map(Vec::len)), (Some("completed"), Some(1)));
        assert_eq!(r.body["area"]["type"], "Polygon", "the area is kept");
        let r = app.post(&format!("/api/v1/operations/{id}"), Supervisor, json!({ "number": "SP-99" })).await;
        assert_eq!(r.body["field"], "number");
        let r = app.post("/api/v1/operations/999999", Supervisor, json!({ "status": "closed" })).await;
        assert_eq!(r.status, 404);

        let r = app.get("/api/v1/operations?limit=1", Supervisor, &[]).await;
        assert_eq!((r.body["total"].as_i64(), r.body["items"].as_array().map(Vec::len), r.body["next_offset"].as_i64()), (Some(2), Some(1), Some(1)), "{}", r.body);
        let r = app.get("/api/v1/operations?status=closed", Supervisor, &[]).await;
        assert_eq!(r.body["items"][0]["number"], "SP-07/PORA/2026");
        assert_eq!(app.get("/api/v1/operations?status=x", Supervisor, &[]).await.body["field"], "status");
        assert_eq!(count(&app.state.store, "SELECT COUNT(*) FROM audit_log WHERE action IN ('operation.create', 'operation.update')").await, 3);

        // A cancelled order covers nothing: no read names it as purpose, and a check that names
        // it is kept but raised as a check without an order. A closed one still covers its days.
        let r = app.post(&format!("/api/v1/operations/{kec_op}"), Supervisor, json!({ "status": "cancelled" })).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let read = |order: &'static str| {
            let app = &app;
            async move {
                app.get("/api/v1/foreigners/7500000001", Supervisor, &[("x-pora-purpose", &format!("operation:{order}"))]).await
            }
        };
        let r = read("SP-08/PORA/2026").await;
        assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (422, Some("purpose")), "{}", r.body);
        assert!(r.body["message"].as_str().unwrap().contains("cancelled"), "{}", r.body);
        assert_eq!(read("SP-07/PORA/2026").await.status, 200);
        let without = "SELECT COUNT(*) FROM alerts WHERE kind = 'check_without_order'";
        let before = count(&app.state.store, without).await;
        let e = d.next("2C21BKS0501", Basis::Order("SP-08/PORA/2026".into()), "valid", (-6.30, 107.15)).1;
        let f = d.next("2C21BKS0501", basis(), "valid", (-6.30, 107.15)).1;
        let r = app.post("/api/v1/field/reports", FieldOfficer, b64(&[&e, &f])).await;
        assert_eq!(r.body["accepted"].as_array().unwrap().len(), 2, "{}", r.body);
        assert_eq!(count(&app.state.store, without).await, before + 1, "only the check under the cancelled order");
    })
    .await;
}

#[tokio::test]
async fn the_monthly_report_counts_the_month_and_prints() {
    on_both(|store| async move {
        let app = TestApp::new(store).await;
        let t = today();
        let officer = field_officer_id(&app).await;
        let r = plan(&app, json!({ "number": "SP-09/PORA/2026", "title": "Operasi bulanan", "starts_on": t.to_string(),
                                   "ends_on": t.to_string(), "team": [officer], "area": square() })).await;
        assert_eq!(r.status, 201, "{}", r.body);
        issue(&app, "7500000002", "2C21BKS0502").await;
        let mut d = enrol(&app, Algorithm::EdDSA, 62).await;
        let a = d.next("2C21BKS0502", Basis::Order("SP-09/PORA/2026".into()), "valid", (-6.27, 107.05)).1;
        let b = d.next("2C21BKS0502", Basis::CaughtInAct, "expired", (-6.27, 107.05)).1;
        let r = app.post("/api/v1/field/reports", FieldOfficer, b64(&[&a, &b])).await;
        assert_eq!(r.body["accepted"].as_array().unwrap().len(), 2, "{}", r.body);
        // One alert worked to an examination report.
        let alert = count(&app.state.store, "SELECT MIN(id) FROM alerts").await;
        for to in ["investigating", "bap"] {
            let r = app.post(&format!("/api/v1/alerts/{alert}/transition"), Supervisor, json!({ "to": to, "note": "x" })).await;
            assert_eq!(r.status, 200, "{}", r.body);
        }

        let (y, m, _) = t.ymd();
        let month = format!("{y:04}-{m:02}");
        let r = app.get(&format!("/api/v1/reports/monthly?month={month}"), Supervisor, &[]).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let v = &r.body;
        assert_eq!(v["month"], month.as_str());
        assert_eq!((v["totals"]["checks"].as_i64(), v["totals"]["findings"].as_i64(), v["totals"]["caught_in_act"].as_i64(), v["totals"]["persons_checked"].as_i64()),
                   (Some(2), Some(1), Some(1), Some(1)), "{v}");
        // The permit is valid from 10 days ago: issued this month unless that was last month.
        let issued = i64::from(t.add_days(-10).ymd().1 == m);
        assert_eq!((v["totals"]["itas"].as_i64(), v["totals"]["issued"].as_i64()), (Some(1), Some(issued)), "{v}");
        let kor = v["by_nationality"].as_array().unwrap().iter().find(|n| n["nationality"] == "KOR").expect("KOR");
        assert_eq!((kor["itas"].as_i64(), kor["checks"].as_i64(), kor["findings"].as_i64()), (Some(1), Some(2), Some(1)));
        let kec = v["by_kecamatan"].as_array().unwrap().iter().find(|k| k["code"] == "32.16.06").expect("the holder's kecamatan");
        assert_eq!(kec["residents"], 1);
        assert!(kec["name"].is_string(), "{kec}");
        assert_eq!(v["findings"], json!([{ "code": "expired", "outcome": "finding", "count": 1 }]));
        assert_eq!((v["actions"]["bap"].as_i64(), v["actions"]["operations_held"].as_i64()), (Some(1), Some(1)), "{v}");
        assert!(v["actions"]["alerts_opened"].as_i64().unwrap() >= 2, "{v}");
        assert_eq!(v["operations"][0]["checks"], 1);
        assert_eq!(v["operations"][0]["team"], 1);
        // A month with nothing in it counts nothing.
        let r = app.get("/api/v1/reports/monthly?month=2024-01", Supervisor, &[]).await;
        assert_eq!((r.body["totals"]["checks"].as_i64(), r.body["actions"]["operations_held"].as_i64()), (Some(0), Some(0)));

        for (q, field) in [("month=2026-13", "month"), ("month=26-01", "month"), ("month=2999-01", "month"), (&format!("month={month}&format=doc") as &str, "format")] {
            let r = app.get(&format!("/api/v1/reports/monthly?{q}"), Supervisor, &[]).await;
            assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (422, Some(field)), "{q}: {}", r.body);
        }
        assert_eq!(app.get("/api/v1/reports/monthly", FieldOfficer, &[]).await.status, 403);

        let r = app.get(&format!("/api/v1/reports/monthly?month={month}&format=pdf"), Supervisor, &[]).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.headers["content-type"], "application/pdf");
        assert!(r.headers["content-disposition"].to_str().unwrap().contains(&format!("laporan-tim-pora-bks-{month}.pdf")));
        assert!(r.bytes.starts_with(b"%PDF-"));
        // The same report as page images, to look at.
        let mut c = app.state.store.conn().await.unwrap();
        let office = count(&app.state.store, "SELECT id FROM offices WHERE code = 'BKS'").await;
        let first = Date::parse("m", &format!("{month}-01")).unwrap();
        let stats = pora_store::stats::monthly(&mut c, Some(office), first).await.unwrap();
        let doc = pora_server::api::monthly::report(&stats, "Kantor Imigrasi Bekasi", "2026-11-25 03:00 UTC · supervisor");
        let (png, pages) = pora_card::report_png(&doc, 0, 100).unwrap();
        assert!(pages >= 1);
        if let Ok(dir) = std::env::var("PORA_REPORT_PNG_DIR") {
            for i in 0..pages {
                let (png, _) = pora_card::report_png(&doc, i, 110).unwrap();
                std::fs::write(format!("{dir}/monthly-{:?}-{i}.png", app.state.store.backend()), png).unwrap();
            }
        }
        assert!(png.starts_with(b"\x89PNG"));
    })
    .await;
}

#[tokio::test]
async fn the_audit_log_is_searched_on_the_server() {
    on_both(|store| async move {
        let app = TestApp::new(store).await;
        let niora = app.foreigner_niora.clone();
        issue(&app, "7500000003", "2C21BKS0503").await;
        for _ in 0..3 {
            let r = app
                .get(
                    "/api/v1/permits/2C21BKS0503",
                    FieldOfficer,
                    &[("x-pora-purpose", "check")],
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
        }
        let r = app
            .get(
                &format!("/api/v1/foreigners/{niora}"),
                Supervisor,
                &[("x-pora-purpose", "case:K-77")],
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let search = |q: String| {
            let app = &app;
            async move {
                let r = app.get(&format!("/api/v1/audit?{q}"), Auditor, &[]).await;
                assert_eq!(r.status, 200, "{q}: {}", r.body);
                r.body
            }
        };
        let actions = |b: &Value| -> Vec<String> {
            b["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["action"].as_str().unwrap().to_owned())
                .collect()
        };

        let b = search("actor=field_officer".into()).await;
        assert_eq!(b["total"], 3, "{b}");
        assert!(b["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["actor_role"] == "field_officer"));
        let officer = field_officer_id(&app).await;
        assert_eq!(search(format!("actor={officer}")).await["total"], 3);
        assert_eq!(search("actor=nobody".into()).await["total"], 0);
        let b = search("person=7500000003&action=permit".into()).await;
        assert_eq!(
            actions(&b),
            ["permit.read", "permit.read", "permit.read", "permit.issue"],
            "{b}"
        );
        let b = search("person=7500000003&action=person".into()).await;
        assert_eq!(actions(&b), ["person.register"], "{b}");
        let b = search("purpose=case:K-77".into()).await;
        assert_eq!(
            (b["total"].as_i64(), actions(&b)),
            (Some(1), vec!["person.read".to_owned()])
        );
        assert_eq!(search("purpose=case".into()).await["total"], 1);
        assert_eq!(
            search("role=supervisor&action=person.read".into()).await["total"],
            1
        );
        let t = today().to_string();
        assert_eq!(
            search(format!("from={t}&to={t}&actor=field_officer")).await["total"],
            3
        );
        assert_eq!(
            search("from=2020-01-01&to=2020-12-31".into()).await["total"],
            0
        );
        // Paging: newest first, with the next offset.
        let b = search("actor=field_officer&limit=2".into()).await;
        let page2 = search("actor=field_officer&limit=2&offset=2".into()).await;
        assert_eq!(
            (b["next_offset"].as_i64(), page2["next_offset"].as_i64()),
            (Some(2), None)
        );
        assert!(b["items"][1]["seq"].as_i64() > page2["items"][0]["seq"].as_i64());
        // The searches themselves are in the log, with their filters.
        let b = search("action=audit.list&limit=1".into()).await;
        assert!(
            b["items"][0]["details"]
                .as_str()
                .unwrap()
                .contains("field_officer"),
            "{b}"
        );

        for (q, field) in [
            ("person=abc", "person"),
            ("action=PERMIT", "action"),
            ("action=permit.", "action"),
            ("purpose=fun", "purpose"),
            ("role=chief", "role"),
            ("from=2026-02-30", "from"),
            ("from=2026-03-02&to=2026-03-01", "to"),
            ("limit=0", "limit"),
        ] {
            let r = app.get(&format!("/api/v1/audit?{q}"), Auditor, &[]).await;
            assert_eq!(
                (r.status.as_u16(), r.body["field"].as_str()),
                (422, Some(field)),
                "{q}: {}",
                r.body
            );
        }
        assert_eq!(
            app.get("/api/v1/audit?actor=field_officer", Supervisor, &[])
                .await
                .status,
            403
        );
    })
    .await;
}
