//! The person's rights and the office's accountability: correction requests answered by an officer,
//! the export of everything held (by the person, and by an officer with a purpose), and the
//! supervisors' anomaly list.

use axum::http::StatusCode;
use pora_store::model::Role;
use pora_store::testing::on_both;
use serde_json::json;

use super::app::TestApp;

#[tokio::test]
async fn correction_requests_are_filed_answered_and_change_the_record() {
    on_both(|store| async move {
        let app = TestApp::new(store).await;
        let niora = app.foreigner_niora.clone();
        let file = |body| app.post("/api/v1/me/correction-requests", Role::Foreigner, body);

        // Garbage is refused, naming the field.
        for (body, field) in [
            (json!({"field": "niora", "requested_value": "1", "reason": "x"}), "field"),
            (json!({"field": "birth_date", "requested_value": "14-07-1985", "reason": "x"}), "requested_value"),
            (json!({"field": "sex", "requested_value": "male", "reason": "x"}), "requested_value"),
            (json!({"field": "occupation", "requested_value": "Engineer", "reason": "  "}), "reason"),
            (json!({"field": "occupation", "requested_value": "Engineer"}), "reason"),
        ] {
            let r = file(body.clone()).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{body} → {:?}", r.body);
            assert_eq!(r.body["field"], field, "{body} → {:?}", r.body);
        }

        let r = file(json!({"field": "occupation", "requested_value": "General manager", "reason": "Promoted in 2026"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{:?}", r.body);
        assert_eq!((r.body["state"].as_str(), r.body["current_value"].as_str()), (Some("pending"), Some("Plant manager")));
        let accepted_id = r.body["id"].as_i64().unwrap();
        let r = file(json!({"field": "birth_place", "requested_value": "Tokyo", "reason": "Typo at registration"})).await;
        assert_eq!(r.status, StatusCode::CREATED);
        let rejected_id = r.body["id"].as_i64().unwrap();

        // The office's queue needs a purpose and is an audited read.
        let r = app.get("/api/v1/correction-requests", Role::Supervisor, &[]).await;
        assert_eq!((r.status, r.body["code"].as_str()), (StatusCode::BAD_REQUEST, Some("purpose_required")));
        let r = app
            .get("/api/v1/correction-requests", Role::IssuingOfficer, &[("x-pora-purpose", "issuance:KOREKSI-7")])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let ids: Vec<i64> = r.body["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
        assert_eq!(ids, vec![accepted_id, rejected_id]);

        // A field officer may not answer; a supervisor must give a valid decision and a reason.
        let decide = |id: i64| format!("/api/v1/correction-requests/{id}/decide");
        let r = app.post(&decide(accepted_id), Role::FieldOfficer, json!({"decision": "accept", "reason": "ok"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app.post(&decide(accepted_id), Role::Supervisor, json!({"decision": "maybe", "reason": "ok"})).await;
        assert_eq!(r.body["field"], "decision");
        let r = app.post(&decide(999), Role::Supervisor, json!({"decision": "accept", "reason": "ok"})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = app
            .post(&decide(accepted_id), Role::Supervisor, json!({"decision": "accept", "reason": "Surat keterangan kerja diperiksa"}))
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["state"], "accepted");
        let again = app.post(&decide(accepted_id), Role::Supervisor, json!({"decision": "reject", "reason": "no"})).await;
        assert_eq!(again.status, StatusCode::CONFLICT);
        let r = app
            .post(&decide(rejected_id), Role::IssuingOfficer, json!({"decision": "reject", "reason": "Passport shows Nagoya"}))
            .await;
        assert_eq!(r.body["state"], "rejected");

        // Both decision lists take the same `state` filter and name the field when it is wrong.
        for list in ["/api/v1/correction-requests", "/api/v1/corrections"] {
            let h = [("x-pora-purpose", "case:K-1/2026")];
            let bad = app.get(&format!("{list}?state=maybe"), Role::Supervisor, &h).await;
            assert_eq!((bad.status, bad.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("state")), "{list}");
            for st in ["pending", "accepted", "rejected", "all"] {
                let ok = app.get(&format!("{list}?state={st}"), Role::Supervisor, &h).await;
                assert_eq!(ok.status, StatusCode::OK, "{list}?state={st}: {:?}", ok.body);
                assert!(ok.body["items"].as_array().unwrap().iter().all(|r| st == "all" || r["state"] == st), "{list}?state={st}");
            }
        }
        let accepted = app.get("/api/v1/correction-requests?state=accepted", Role::Supervisor, &[("x-pora-purpose", "case:K-1/2026")]).await;
        assert_eq!(accepted.body["items"].as_array().unwrap().len(), 1);

        // The record changed for the accepted request only; the old value stays in the history.
        let rec = app
            .get(&format!("/api/v1/foreigners/{niora}"), Role::Supervisor, &[("x-pora-purpose", "case:K-1/2026")])
            .await;
        assert_eq!(rec.body["foreigner"]["occupation"], "General manager");
        assert_eq!(rec.body["foreigner"]["birth_place"], "Nagoya");
        let mine = app.get("/api/v1/me/correction-requests", Role::Foreigner, &[]).await;
        let answers: Vec<(String, String, String)> = mine.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (i["field"].as_str().unwrap().into(), i["state"].as_str().unwrap().into(), i["decision_reason"].as_str().unwrap().into()))
            .collect();
        assert!(answers.contains(&("occupation".into(), "accepted".into(), "Surat keterangan kerja diperiksa".into())));
        assert!(answers.contains(&("birth_place".into(), "rejected".into(), "Passport shows Nagoya".into())));
        let audit = app.get("/api/v1/audit?limit=50", Role::Auditor, &[]).await;
        let correct = audit.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "person.correct")
            .expect("the correction is audited");
        let details: serde_json::Value = serde_json::from_str(correct["details"].as_str().unwrap()).unwrap();
        assert_eq!((details["old"].as_str(), details["new"].as_str()), (Some("Plant manager"), Some("General manager")));
    })
    .await;
}

#[tokio::test]
async fn the_export_holds_everything_and_every_read_with_role_office_and_purpose() {
    on_both(|store| async move {
        let app = TestApp::new(store).await;
        let niora = app.foreigner_niora.clone();
        // Someone reads the person's record with a purpose; the export must show it.
        let r = app
            .get(&format!("/api/v1/foreigners/{niora}"), Role::FieldOfficer, &[("x-pora-purpose", "check")])
            .await;
        assert_eq!(r.status, StatusCode::OK);
        app.post(
            "/api/v1/me/correction-requests",
            Role::Foreigner,
            json!({"field": "full_name", "requested_value": "Tanaka Hiroshi Kenji", "reason": "Middle name missing"}),
        )
        .await;

        let r = app.get("/api/v1/me/export", Role::Foreigner, &[]).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert!(r.headers["content-disposition"].to_str().unwrap().contains("pora-data-7000000001.json"));
        assert_eq!(r.body["person"]["niora"], niora.as_str());
        assert_eq!(r.body["person"]["full_name"], "Tanaka Hiroshi");
        assert_eq!(r.body["correction_requests"].as_array().unwrap().len(), 1);
        for key in ["passports", "addresses", "permits", "checks", "stay_reports", "corrections"] {
            assert!(r.body[key].is_array(), "{key}");
        }
        let reads = r.body["reads"].as_array().unwrap();
        let officer_read = reads
            .iter()
            .find(|e| e["action"] == "person.read")
            .expect("the field officer's read is listed");
        assert_eq!(
            (officer_read["by_role"].as_str(), officer_read["by_office"].as_str(), officer_read["purpose"].as_str()),
            (Some("field_officer"), Some("BKS"), Some("check"))
        );
        assert!(officer_read["at"].as_i64().unwrap() > 0);
        assert!(reads.iter().any(|e| e["action"] == "self.export"), "the export records itself");
        assert!(officer_read.get("actor_id").is_none(), "officers are not named to the person");

        // The holder's own page reads checks and stay reports without an export: the same rows.
        let own = app.get("/api/v1/me/checks", Role::Foreigner, &[]).await;
        assert_eq!(own.status, StatusCode::OK, "{:?}", own.body);
        assert_eq!(own.body["checks"], r.body["checks"]);
        assert_eq!(own.body["stay_reports"], r.body["stay_reports"]);
        let log = app.get("/api/v1/me/access-log", Role::Foreigner, &[]).await;
        assert_eq!(log.body["items"][0]["action"], "self.read_checks", "the own view is audited too");
        let r2 = app.get("/api/v1/me/checks", Role::FieldOfficer, &[]).await;
        assert_eq!(r2.status, StatusCode::FORBIDDEN);

        // An officer makes the same export on request: needs a purpose, a valid format, the scope.
        let path = format!("/api/v1/foreigners/{niora}/export");
        let r = app.get(&path, Role::IssuingOfficer, &[]).await;
        assert_eq!(r.body["code"], "purpose_required");
        let r = app.get(&format!("{path}?format=xml"), Role::IssuingOfficer, &[("x-pora-purpose", "case:PDP-1")]).await;
        assert_eq!((r.status, r.body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("format")));
        let r = app.get(&path, Role::FieldOfficer, &[("x-pora-purpose", "check")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = app.get(&path, Role::IssuingOfficer, &[("x-pora-purpose", "case:PDP-1")]).await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        assert_eq!(r.body["person"]["niora"], niora.as_str());
        let log = app.get("/api/v1/me/access-log", Role::Foreigner, &[]).await;
        assert!(log.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "person.export" && e["purpose_ref"] == "PDP-1" && e["by_role"] == "issuing_officer"));
        let r = app.get("/api/v1/foreigners/7000000099/export", Role::IssuingOfficer, &[("x-pora-purpose", "case:PDP-1")]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // The same export as a PDF document; its first page rendered to PNG shows the person.
        let r = app.get("/api/v1/me/export?format=pdf", Role::Foreigner, &[]).await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.headers["content-type"], "application/pdf");
        assert!(r.bytes.starts_with(b"%PDF-"));
        assert!(String::from_utf8_lossy(&r.bytes).contains("/Type /Font"));
        let mut c = app.state.store.conn().await.unwrap();
        let f = pora_store::repo::foreigner_by_niora(&mut c, &niora).await.unwrap();
        drop(c);
        let export = pora_server::api::privacy::gather(&app.state, f).await.unwrap();
        assert!(export.reads.len() >= 4, "{}", export.reads.len());
        let (png, pages) = pora_server::export_pdf::render_png(&export, 0, 100).unwrap();
        assert!(pages >= 1);
        let img = image::load_from_memory(&png).unwrap().to_luma8();
        assert_eq!(img.dimensions(), (827, 1169), "A4 at 100 dpi");
        let dark = img.pixels().filter(|p| p.0[0] < 100).count();
        assert!(dark > 5_000, "the page carries text ({dark} dark pixels)");
        if let Ok(dir) = std::env::var("PORA_EXPORT_PNG_DIR") {
            for i in 0..pages {
                let (png, _) = pora_server::export_pdf::render_png(&export, i, 100).unwrap();
                std::fs::write(format!("{dir}/export-{:?}-{i}.png", app.state.store.backend()), png).unwrap();
            }
            std::fs::write(format!("{dir}/export.pdf"), &r.bytes).unwrap();
        }
    })
    .await;
}

#[tokio::test]
async fn supervisors_see_reads_with_nothing_behind_them() {
    on_both(|store| async move {
        let app = TestApp::new(store).await;
        let niora = app.foreigner_niora.clone();
        for _ in 0..5 {
            let r = app
                .get(
                    &format!("/api/v1/foreigners/{niora}"),
                    Role::FieldOfficer,
                    &[("x-pora-purpose", "check")],
                )
                .await;
            assert_eq!(r.status, StatusCode::OK);
        }
        let r = app
            .get(
                &format!("/api/v1/foreigners/{niora}"),
                Role::IssuingOfficer,
                &[("x-pora-purpose", "issuance:T-9")],
            )
            .await;
        assert_eq!(r.status, StatusCode::OK);

        let r = app
            .get("/api/v1/audit/anomalies", Role::Supervisor, &[])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
        let items = r.body["items"].as_array().unwrap();
        let kinds: Vec<(&str, &str, i64)> = items
            .iter()
            .map(|a| {
                (
                    a["kind"].as_str().unwrap(),
                    a["actor_role"].as_str().unwrap(),
                    a["reads"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("check_without_report", "field_officer", 5),
                ("repeated_reads", "field_officer", 5)
            ],
            "the issuing officer's single read for a task is not an anomaly"
        );
        assert_eq!(items[0]["subject_id"], niora.as_str());
        assert_eq!(items[0]["actor_username"], "field_officer");
        assert_eq!(items[0]["purposes"], "check");

        let r = app
            .get("/api/v1/audit/anomalies?min_repeats=6", Role::Auditor, &[])
            .await;
        assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
        let r = app
            .get(
                "/api/v1/audit/anomalies?from=2026-13-01",
                Role::Supervisor,
                &[],
            )
            .await;
        assert_eq!(
            (r.status, r.body["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("from"))
        );
        let r = app
            .get(
                "/api/v1/audit/anomalies?min_repeats=1",
                Role::Supervisor,
                &[],
            )
            .await;
        assert_eq!(r.body["field"], "min_repeats");
        let r = app
            .get("/api/v1/audit/anomalies", Role::FieldOfficer, &[])
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn the_breach_export_lists_who_read_what_in_the_period_only() {
    use pora_server::audit::{export_store, ExportFormat};
    use pora_store::audit::{Actor, NewEntry};
    use pora_store::model::{Purpose, PurposeKind};
    on_both(|store| async move {
        let t0 = 1_790_000_000;
        let mut tx = store.begin_audited().await.unwrap();
        for (i, reference) in ["SP-1/2026", "=HYPERLINK(\"x\")", "a,b"].iter().enumerate() {
            tx.append_at(
                NewEntry {
                    actor: Actor { user_id: Some(7), role: "field_officer".into(), office: "BKS".into() },
                    action: "person.read".into(),
                    subject_kind: "person".into(),
                    subject_id: format!("700000000{i}"),
                    purpose: Purpose { kind: PurposeKind::Operation, reference: (*reference).into() },
                    details: json!({}),
                },
                t0 + i as i64 * 86_400,
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let mut csv = Vec::new();
        let n = export_store(&store, t0 + 86_400, t0 + 3 * 86_400, ExportFormat::Csv, &mut csv).await.unwrap();
        assert_eq!(n, 2, "the first entry is before the period");
        let text = String::from_utf8(csv).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(
            lines[1],
            "2,2026-09-22 14:13,7,,field_officer,BKS,person.read,person,7000000001,operation,\"'=HYPERLINK(\"\"x\"\")\""
        );
        assert!(lines[2].ends_with(",operation,\"a,b\""), "{}", lines[2]);
        let mut js = Vec::new();
        export_store(&store, t0, t0 + 3 * 86_400, ExportFormat::Json, &mut js).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&js).unwrap();
        let subjects: Vec<&str> = v.as_array().unwrap().iter().map(|e| e["subject_id"].as_str().unwrap()).collect();
        assert_eq!(subjects, ["7000000000", "7000000001", "7000000002"]);
        assert_eq!(v[0]["time_utc"], "2026-09-21 14:13");
    })
    .await;
}
