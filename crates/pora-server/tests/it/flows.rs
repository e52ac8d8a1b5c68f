//! Main flows on both backends: registry with edge validation, issuance with a real signed credential,
//! verification, lifecycle, publications with ETags, purposes, the data subject's view, field checks,
//! and the audit chain.

use axum::body::Body;
use axum::http::{header, Request};
use pora_store::model::Role::{self, *};
use pora_store::testing::on_both;
use serde_json::json;

use super::app::{foreigner_body, TestApp};

#[tokio::test]
async fn edge_validation_names_the_field() {
    on_both(|store| async move {
        let app = TestApp::new(store).await;
        let cases = [
            ("nationality", { let mut b = foreigner_body("1001"); b["nationality"] = json!("Korea"); b }),
            ("birth_date", { let mut b = foreigner_body("1002"); b["birth_date"] = json!("1990-02-30"); b }),
            ("address.region_code", { let mut b = foreigner_body("1003"); b["address"]["region_code"] = json!("32.16.6.2002"); b }),
            ("passport.number", { let mut b = foreigner_body("1004"); b["passport"]["number"] = json!("TOO-LONG-NUMBER"); b }),
            ("niora", { let mut b = foreigner_body("1005"); b["niora"] = json!("12a"); b }),
            ("sex", { let mut b = foreigner_body("1006"); b["sex"] = json!("male"); b }),
            ("full_name", { let mut b = foreigner_body("1007"); b.as_object_mut().unwrap().remove("full_name"); b }),
        ];
        for (field, body) in cases {
            let r = app.post("/api/v1/foreigners", IssuingOfficer, body).await;
            assert_eq!(r.status, 422, "{field}: {}", r.body);
            assert_eq!(r.body["field"], field, "{}", r.body);
            assert!(r.body["message"].is_string());
        }
        for (field, body) in [
            ("nik", json!({ "kind": "person", "name": "Budi", "nik": "12345" })),
            ("nib", json!({ "kind": "company", "name": "PT X", "nib": "123", "npwp": "012345678901234" })),
            ("npwp", json!({ "kind": "company", "name": "PT X", "nib": "9120301234567", "npwp": "12" })),
        ] {
            let r = app.post("/api/v1/sponsors", IssuingOfficer, body).await;
            assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (422, Some(field)), "{}", r.body);
        }
        // Not JSON, and too large.
        let r = app
            .send(Request::builder().method("POST").uri("/api/v1/foreigners").header(header::AUTHORIZATION, format!("Bearer {}", app.token(IssuingOfficer))).header(header::CONTENT_TYPE, "application/json").body(Body::from("{nope")).unwrap())
            .await;
        assert_eq!((r.status.as_u16(), r.body["code"].as_str()), (400, Some("bad_json")));
        let big = json!({ "qr_text": "x".repeat(100_000) });
        let r = app.post("/api/v1/verify", FieldOfficer, big).await;
        assert_eq!(r.status, 413, "{}", r.body);
    })
    .await;
}

pub(crate) async fn issue(app: &TestApp, niora: &str, number: &str) -> serde_json::Value {
    let r = app
        .post("/api/v1/foreigners", IssuingOfficer, foreigner_body(niora))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let s = app.post("/api/v1/sponsors", IssuingOfficer, json!({ "kind": "company", "name": "PT Contoh Presisi", "nib": format!("91203012345{:02}", niora.len()), "npwp": "012345678901234" })).await;
    assert_eq!(s.status, 201, "{}", s.body);
    let today = pora_store::model::Date::from_unix(pora_store::model::now_unix());
    let r = app
        .post(
            "/api/v1/permits",
            IssuingOfficer,
            json!({ "niora": niora, "number": number, "permit_type": "ITAS", "visa_code": "E23",
                    "valid_from": today.add_days(-10).to_string(), "valid_until": today.add_months(12).to_string(),
                    "sponsor_id": s.body["id"], "occupation": "Quality engineer" }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

#[tokio::test]
async fn issue_verify_revoke_and_publish() {
    on_both(|store| async move {
        let app = TestApp::new(store).await;
        let issued = issue(&app, "7100000001", "2C21BKS0001").await;
        let qr = issued["credential"].as_str().unwrap().to_owned();
        assert!(qr.starts_with("PR1:"), "{qr}");
        assert_eq!(issued["permit"]["visa_code"], "E23");
        assert_eq!(issued["permit"]["visa_table"], "2025");

        let v = app
            .post("/api/v1/verify", FieldOfficer, json!({ "qr_text": qr }))
            .await;
        assert_eq!(v.status, 200, "{}", v.body);
        assert_eq!(v.body["code"], "valid", "{}", v.body);
        assert_eq!(v.body["permit"]["permit_number"], "2C21BKS0001");
        let forged = format!("{}A", &qr[..qr.len() - 1]);
        let v2 = app
            .post("/api/v1/verify", FieldOfficer, json!({ "qr_text": forged }))
            .await;
        assert_ne!(v2.body["code"], "valid");

        // Publications with ETags.
        let tl = app.call("GET", "/api/v1/trust-list", None, None, &[]).await;
        assert_eq!(tl.status, 200);
        let etag = tl.headers[header::ETAG].to_str().unwrap().to_owned();
        assert!(tl.headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("public"));
        let root = app.call("GET", "/api/v1/trust-root", None, None, &[]).await;
        let root_key = pora_core::PublicKey::from_bytes(
            pora_core::Algorithm::ES256,
            &hex::decode(root.body["public_key"].as_str().unwrap()).unwrap(),
        )
        .unwrap();
        let list =
            pora_core::TrustList::verify(&tl.bytes, &root_key, pora_crypto::default_provider())
                .unwrap();
        assert!(list.signers.iter().any(|s| s.office == "BKS"));
        let again = app
            .call(
                "GET",
                "/api/v1/trust-list",
                None,
                None,
                &[("if-none-match", &etag)],
            )
            .await;
        assert_eq!(again.status, 304);
        assert!(again.bytes.is_empty());
        let sl = app
            .call("GET", "/api/v1/status-list/BKS", None, None, &[])
            .await;
        assert_eq!(sl.status, 200);
        let sl_etag = sl.headers[header::ETAG].to_str().unwrap().to_owned();
        let token =
            pora_core::StatusListToken::verify(&sl.bytes, &list, pora_crypto::default_provider())
                .unwrap();
        assert_eq!(token.list.get(0), Some(0), "index 0 valid");
        assert_eq!(
            app.call(
                "GET",
                "/api/v1/status-list/BKS",
                None,
                None,
                &[("if-none-match", &sl_etag)]
            )
            .await
            .status,
            304
        );
        assert_eq!(
            app.call("GET", "/api/v1/status-list/bad!", None, None, &[])
                .await
                .body["field"],
            "office"
        );

        // Suspension shows as suspended and can be lifted.
        let r = app
            .post(
                "/api/v1/permits/2C21BKS0001/suspend",
                IssuingOfficer,
                json!({ "reason": "case 3/2026" }),
            )
            .await;
        assert_eq!(r.body["permit"]["status"], "suspended", "{}", r.body);
        assert_eq!(
            app.post("/api/v1/verify", FieldOfficer, json!({ "qr_text": qr }))
                .await
                .body["code"],
            "suspended"
        );
        let r = app
            .post(
                "/api/v1/permits/2C21BKS0001/resume",
                IssuingOfficer,
                json!({}),
            )
            .await;
        assert_eq!(r.body["permit"]["status"], "active", "{}", r.body);
        assert_eq!(
            app.post("/api/v1/verify", FieldOfficer, json!({ "qr_text": qr }))
                .await
                .body["code"],
            "valid"
        );

        // Revocation shows at once.
        let r = app
            .post("/api/v1/permits/2C21BKS0001/cancel", Supervisor, json!({}))
            .await;
        assert_eq!(
            (r.status.as_u16(), r.body["field"].as_str()),
            (422, Some("reason"))
        );
        let r = app
            .post(
                "/api/v1/permits/2C21BKS0001/cancel",
                Supervisor,
                json!({ "reason": "fictitious sponsor, BAP 12/2026" }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["permit"]["status"], "cancelled");
        let v = app
            .post("/api/v1/verify", FieldOfficer, json!({ "qr_text": qr }))
            .await;
        assert_eq!(v.body["code"], "revoked", "{}", v.body);
        let sl2 = app
            .call(
                "GET",
                "/api/v1/status-list/BKS",
                None,
                None,
                &[("if-none-match", &sl_etag)],
            )
            .await;
        assert_eq!(sl2.status, 200, "a changed list is sent again");
        let r = app
            .post("/api/v1/permits/2C21BKS0001/resume", Supervisor, json!({}))
            .await;
        assert_eq!(r.status, 409, "a cancelled permit stays cancelled");
        let h = app
            .get(
                "/api/v1/permits/2C21BKS0001/history",
                Supervisor,
                &[("x-pora-purpose", "case:BAP-12/2026")],
            )
            .await;
        let kinds: Vec<&str> = h.body["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["kind"].as_str().unwrap())
            .collect();
        assert_eq!(kinds, ["issued", "suspended", "resumed", "cancelled"]);
    })
    .await;
}

#[tokio::test]
async fn concurrent_verifications_build_an_empty_status_list_once() {
    on_both(|store| async move {
        let app = TestApp::new(store).await;
        issue(&app, "7100000002", "2C21BKS0002").await;
        let keys = &app.state.keys;
        let (id, code) = keys
            .signing_offices()
            .into_iter()
            .find(|(_, c)| c == "BKS")
            .unwrap();
        keys.invalidate_status(&code);
        let before = keys.status_builds();
        let now = pora_store::model::now_unix();
        let ttl = app.state.config.status_ttl_secs;
        let mut calls = tokio::task::JoinSet::new();
        for _ in 0..32 {
            let (state, code) = (app.state.clone(), code.clone());
            calls.spawn(async move {
                let (published, _) = state
                    .keys
                    .status_list(&state.store, id, &code, now, ttl)
                    .await
                    .unwrap();
                published.etag
            });
        }
        let etags: std::collections::BTreeSet<String> =
            calls.join_all().await.into_iter().collect();
        assert_eq!(keys.status_builds() - before, 1, "one build for 32 callers");
        assert_eq!(etags.len(), 1, "every caller got the same token");
        // A cached, fresh list is served without a build.
        keys.status_list(&app.state.store, id, &code, now, ttl)
            .await
            .unwrap();
        assert_eq!(keys.status_builds() - before, 1);
        // The count is published for monitoring.
        let metrics = app.call("GET", "/metrics", None, None, &[]).await;
        let text = String::from_utf8(metrics.bytes).unwrap();
        let line = format!("pora_status_list_builds_total {}\n", keys.status_builds());
        assert!(text.contains(&line), "{text}");
    })
    .await;
}

#[tokio::test]
async fn lifecycle_extend_convert_exit() {
    on_both(|store| async move {
        let app = TestApp::new(store).await;
        issue(&app, "7200000001", "2C21BKS0002").await;
        let too_early = app
            .post(
                "/api/v1/permits/2C21BKS0002/extend",
                IssuingOfficer,
                json!({ "valid_until": "2030-01-01" }),
            )
            .await;
        assert_eq!(
            (too_early.status.as_u16(), too_early.body["field"].as_str()),
            (422, Some("valid_until")),
            "{}",
            too_early.body
        );
        let c = app
            .post(
                "/api/v1/permits/2C21BKS0002/convert",
                IssuingOfficer,
                json!({ "new_number": "2D21BKS0002" }),
            )
            .await;
        assert_eq!(c.status, 201, "{}", c.body);
        assert_eq!(c.body["permit"]["permit_type"], "ITAP");
        assert!(c.body["credential"].as_str().unwrap().starts_with("PR1:"));
        let old = app
            .get(
                "/api/v1/permits/2C21BKS0002",
                IssuingOfficer,
                &[("x-pora-purpose", "issuance:T-1")],
            )
            .await;
        assert_eq!(old.body["status"], "converted");
        let e = app
            .post(
                "/api/v1/permits/2D21BKS0002/exit",
                IssuingOfficer,
                json!({ "reason": "EPO" }),
            )
            .await;
        assert_eq!(e.body["permit"]["status"], "exited");
        let again = app
            .post(
                "/api/v1/permits/2D21BKS0002/deceased",
                IssuingOfficer,
                json!({}),
            )
            .await;
        assert_eq!(again.status, 409);
        let missing = app
            .post("/api/v1/permits/NOPE/exit", IssuingOfficer, json!({}))
            .await;
        assert_eq!(missing.status, 404);
    })
    .await;
}

#[tokio::test]
async fn purposes_scope_and_the_subjects_view() {
    on_both(|store| async move {
        let app = TestApp::new(store).await;
        let niora = app.foreigner_niora.clone();
        let path = format!("/api/v1/foreigners/{niora}");
        let r = app.get(&path, FieldOfficer, &[]).await;
        assert_eq!((r.status.as_u16(), r.body["code"].as_str(), r.body["field"].as_str()), (400, Some("purpose_required"), Some("purpose")));
        let r = app.get(&path, FieldOfficer, &[("x-pora-purpose", "operation:SP-404/2026")]).await;
        assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (422, Some("purpose")));
        let today = pora_store::model::Date::from_unix(pora_store::model::now_unix());
        let o = app
            .post("/api/v1/orders", Supervisor, json!({ "number": "SP-77/2026", "title": "Operasi Wira Waspada", "area_region_code": "32.16.06.2002",
                   "starts_on": today.add_days(-1).to_string(), "ends_on": today.add_days(7).to_string() }))
            .await;
        assert_eq!(o.status, 201, "{}", o.body);
        let r = app.get(&format!("{path}?purpose=operation:SP-77/2026"), FieldOfficer, &[]).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["foreigner"]["niora"], niora.as_str());

        // A user of another office is out of scope.
        let jku = {
            let mut c = app.state.store.conn().await.unwrap();
            pora_store::repo::office_by_code(&mut c, "JKU").await.unwrap().id
        };
        let uid = app.state.create_user("jku_officer", "JKU", Role::FieldOfficer, Some(jku), None, "correct horse battery").await.unwrap();
        let secret = pora_server::auth::new_secret();
        {
            let mut tx = app.state.store.tx().await.unwrap();
            pora_store::repo::create_session(&mut tx, &pora_store::repo::NewSession { token_hash: &pora_server::auth::secret_hash(&secret), kind: "api_token", user_id: uid, device_id: None, csrf_token: None, label: None, expires_at: pora_store::model::now_unix() + 600 }, 0).await.unwrap();
            tx.commit().await.unwrap();
        }
        let r = app
            .send(Request::builder().uri(&path).header(header::AUTHORIZATION, format!("Bearer {secret}")).header("x-pora-purpose", "check").body(Body::empty()).unwrap())
            .await;
        assert_eq!((r.status.as_u16(), r.body["code"].as_str()), (403, Some("out_of_scope")));

        // The person sees who read their data and why.
        let log = app.get("/api/v1/me/access-log", Foreigner, &[]).await;
        assert_eq!(log.status, 200);
        let items = log.body["items"].as_array().unwrap();
        let read = items.iter().find(|e| e["action"] == "person.read").expect("the read is in the log");
        assert_eq!(read["purpose"], "operation");
        assert_eq!(read["purpose_ref"], "SP-77/2026");
        assert_eq!(read["by_role"], "field_officer");
        assert_eq!(read["by_office"], "BKS");
        let mine = app.get("/api/v1/me/permits", Foreigner, &[]).await;
        assert_eq!(mine.body["person"]["niora"], niora.as_str());
    })
    .await;
}

#[tokio::test]
async fn field_checks_raise_alerts_and_the_audit_chain_holds() {
    on_both(|store| async move {
        let app = TestApp::new(store).await;
        issue(&app, "7300000001", "2C21BKS0003").await;
        // Checks reach the server only as signed, chained reports from an enrolled device.
        let mut device = super::reports::enrol(&app, pora_core::Algorithm::EdDSA, 51).await;
        let caught = || pora_core::report::Basis::CaughtInAct;
        let ok = device.next("2C21BKS0003", caught(), "valid", (-6.3, 107.15));
        let forged = device.next("2C21BKS9999", caught(), "bad_signature", (-6.3, 107.15));
        let unknown = device.next("NOTREAL", caught(), "not_our_format", (-6.3, 107.15));
        let r = app.post("/api/v1/field/reports", FieldOfficer, super::reports::b64(&[&ok.1, &forged.1, &unknown.1])).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["accepted"], json!([ok.0, forged.0, unknown.0]), "{}", r.body);
        let retry = app.post("/api/v1/field/reports", FieldOfficer, super::reports::b64(&[&ok.1])).await;
        assert_eq!(retry.body["duplicates"], json!([ok.0]), "a resent report is stored once: {}", retry.body);
        let unsigned = app.post("/api/v1/checks", FieldOfficer, json!({ "permit_number": "2C21BKS0003", "caught_in_act": true, "lat": -6.3, "lng": 107.15 })).await;
        assert!([403, 405].contains(&unsigned.status.as_u16()), "unsigned checks are no longer taken: {}", unsigned.status);
        let alerts = app.get("/api/v1/alerts", Supervisor, &[("x-pora-purpose", "check")]).await;
        let kinds: Vec<&str> = alerts.body["items"].as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap()).collect();
        assert!(kinds.contains(&"forged") && kinds.contains(&"check_without_order"), "{kinds:?}");
        let checks = app.get("/api/v1/checks", Supervisor, &[("x-pora-purpose", "audit:review-1")]).await;
        let seen = app.state.store.audit_for_subject("person", "7300000001", pora_store::model::Page::default()).await.unwrap();
        let listed = seen.iter().find(|e| e.action == "check.list").expect("the supervisor's listing is audited");
        assert_eq!((listed.purpose_kind.as_str(), listed.purpose_ref.as_str()), ("audit", "review-1"));
        assert_eq!(app.get("/api/v1/checks", Supervisor, &[]).await.body["code"], "purpose_required");
        let items = checks.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 3);
        let outcomes: Vec<&str> = items.iter().map(|k| k["outcome"].as_str().unwrap()).collect();
        assert_eq!(outcomes, ["not_found", "forged", "ok"], "newest first: {items:?}");
        assert_eq!(items[2]["lat"], json!(-6.3));
        assert_eq!(items[2]["niora"], "7300000001");

        let m = app.get("/api/v1/map", Supervisor, &[]).await;
        assert_eq!(m.status, 200, "{}", m.body);
        assert_eq!(app.get("/api/v1/map?since_days=0", Supervisor, &[]).await.body["field"], "since_days");

        let v = app.get("/api/v1/audit/verify", Auditor, &[]).await;
        assert_eq!(v.status, 200);
        assert_eq!(v.body["intact"], true, "{}", v.body);
        assert!(v.body["report"]["entries"].as_i64().unwrap() >= 6);
        let list = app.get("/api/v1/audit?limit=5", Auditor, &[]).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 5);
        let metrics = app.call("GET", "/metrics", None, None, &[]).await;
        let text = String::from_utf8(metrics.bytes).unwrap();
        assert!(text.contains("route=\"/api/v1/checks\""), "{text}");
        assert_eq!(app.call("GET", "/healthz", None, None, &[]).await.body["status"], "ok");
    })
    .await;
}

#[tokio::test]
async fn card_and_epermit_render_and_their_qr_scans_back() {
    on_both(|store| async move {
        let app = TestApp::new(store).await;
        let issued = issue(&app, "7100000042", "2C21BKS0042").await;
        let qr = issued["credential"].as_str().unwrap().to_owned();
        let path = "/api/v1/permits/2C21BKS0042/document";
        let purpose = [("x-pora-purpose", "issuance:print-2C21BKS0042")];
        // The card as PNG at 300 dpi: the ID-1 size, and its QR code reads back to the credential.
        let png = app
            .get(
                &format!("{path}?kind=card&format=png"),
                IssuingOfficer,
                &purpose,
            )
            .await;
        assert_eq!(png.status, 200);
        assert_eq!(png.headers[header::CONTENT_TYPE], "image/png");
        let img = image::load_from_memory(&png.bytes).unwrap();
        assert_eq!((img.width(), img.height()), (1011, 638));
        let codes =
            pora_reader::read_image(&png.bytes, &pora_reader::ReadOptions::default()).unwrap();
        assert_eq!(codes[0].text, qr);
        // The e-permit PNG too, and both PDFs are PDFs.
        let epng = app
            .get(
                &format!("{path}?kind=epermit&format=png"),
                Supervisor,
                &purpose,
            )
            .await;
        let codes =
            pora_reader::read_image(&epng.bytes, &pora_reader::ReadOptions::default()).unwrap();
        assert_eq!(codes[0].text, qr);
        for kind in ["card", "epermit"] {
            let pdf = app
                .get(&format!("{path}?kind={kind}"), IssuingOfficer, &purpose)
                .await;
            assert_eq!(pdf.headers[header::CONTENT_TYPE], "application/pdf");
            assert!(pdf.bytes.starts_with(b"%PDF"), "{kind}");
        }
        // Bad parameters name the field; a field officer may not print.
        let bad = app
            .get(&format!("{path}?kind=passport"), IssuingOfficer, &purpose)
            .await;
        assert_eq!(
            (bad.status.as_u16(), bad.body["field"].as_str()),
            (422, Some("kind"))
        );
        let bad = app
            .get(
                &format!("{path}?format=png&dpi=5"),
                IssuingOfficer,
                &purpose,
            )
            .await;
        assert_eq!(
            (bad.status.as_u16(), bad.body["field"].as_str()),
            (422, Some("dpi"))
        );
        let denied = app
            .get(&format!("{path}?format=png"), FieldOfficer, &purpose)
            .await;
        assert_eq!(denied.status, 403);
        // Every rendering is an audited read of the person.
        let log = app
            .get(
                "/api/v1/audit?limit=200",
                Auditor,
                &[("x-pora-purpose", "audit:print-check")],
            )
            .await;
        let printed = log.body["items"].as_array().map_or(0, |items| {
            items
                .iter()
                .filter(|e| e["action"] == "permit.document")
                .count()
        });
        assert_eq!(printed, 4, "{}", log.body);
    })
    .await;
}
