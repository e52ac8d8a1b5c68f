//! The issuance page's server side on both backends: the visa index, the sponsor picker (a
//! person's NIK masked, each person shown audited), refusals that name the field (a value already
//! taken, the `missing` list of an incomplete permit), documents that are never cached, and the
//! person page's corrections filter and check details in the timeline.

use axum::http::header;
use pora_store::model::Role::*;
use pora_store::testing::on_both;
use serde_json::json;

use super::app::{foreigner_body, TestApp};

const PURPOSE: [(&str, &str); 1] = [("x-pora-purpose", "issuance:W11-2026-0042")];

#[tokio::test]
async fn the_issuance_form_is_served_and_refusals_name_the_field() {
    on_both(|store| async move {
        let app = TestApp::new(store).await;

        // The visa index, with the table each code belongs to and its period.
        let v = app.get("/api/v1/visa-index", IssuingOfficer, &[]).await;
        assert_eq!(v.status, 200, "{}", v.body);
        let items = v.body["items"].as_array().unwrap();
        assert!(items.iter().any(|i| i["code"] == "E23" && i["table_version"] == "2025" && i["valid_until"].is_null() && i["max_months"] == 24), "{}", v.body);
        assert!(items.iter().any(|i| i["code"] == "C312" && i["valid_until"] == "2023-05-31"));
        assert_eq!(app.get("/api/v1/visa-index", Foreigner, &[]).await.status, 403);

        // A person without a passport, and a NIORA that is taken.
        let mut body = foreigner_body("8100000001");
        body.as_object_mut().unwrap().remove("passport");
        assert_eq!(app.post("/api/v1/foreigners", IssuingOfficer, body.clone()).await.status, 201);
        let again = app.post("/api/v1/foreigners", IssuingOfficer, body).await;
        assert_eq!((again.status.as_u16(), again.body["code"].as_str(), again.body["field"].as_str()), (409, Some("conflict"), Some("niora")), "{}", again.body);

        // Sponsors: a taken NIB is named; a person sponsor's NIK is masked in the picker.
        let company = json!({ "kind": "company", "name": "PT Contoh Presisi Cikarang", "nib": "9120301234567", "npwp": "012345678901234" });
        let s = app.post("/api/v1/sponsors", IssuingOfficer, company.clone()).await;
        assert_eq!(s.status, 201, "{}", s.body);
        let dup = app.post("/api/v1/sponsors", IssuingOfficer, company).await;
        assert_eq!((dup.status.as_u16(), dup.body["field"].as_str()), (409, Some("nib")), "{}", dup.body);
        let person = app.post("/api/v1/sponsors", IssuingOfficer, json!({ "kind": "person", "name": "Budi Santoso", "nik": "3216061708900001" })).await;
        assert_eq!(person.status, 201, "{}", person.body);
        let found = app.get("/api/v1/sponsors?q=contoh", IssuingOfficer, &PURPOSE).await;
        assert_eq!(found.status, 200, "{}", found.body);
        assert_eq!(found.body["items"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect::<Vec<_>>(), ["PT Contoh Presisi Cikarang"]);
        let by_nik = app.get("/api/v1/sponsors?q=3216061708900001", IssuingOfficer, &PURPOSE).await;
        assert_eq!(by_nik.body["items"][0]["name"], "Budi Santoso");
        assert_eq!(by_nik.body["items"][0]["nik"], "••••••••••••0001");
        assert!(!by_nik.bytes.windows(16).any(|w| w == b"3216061708900001"), "the NIK never leaves whole");
        let seen = app.state.store.audit_for_subject("sponsor", &person.body["id"].to_string(), pora_store::model::Page::default()).await.unwrap();
        assert_eq!(seen.iter().filter(|e| e.action == "sponsor.search").map(|e| e.purpose_ref.as_str()).collect::<Vec<_>>(), ["W11-2026-0042"]);
        assert_eq!(app.get("/api/v1/sponsors", IssuingOfficer, &[]).await.body["code"], "purpose_required");
        assert_eq!(app.get("/api/v1/sponsors", FieldOfficer, &PURPOSE).await.status, 403);
        assert_eq!(app.get(&format!("/api/v1/sponsors?q={}", "x".repeat(101)), IssuingOfficer, &PURPOSE).await.body["field"], "q");

        // Issuing: no sponsor and no passport are both listed; nothing is issued.
        let today = pora_store::model::Date::from_unix(pora_store::model::now_unix());
        let permit = |number: &str, sponsor: Option<i64>| json!({ "niora": "8100000001", "number": number, "permit_type": "ITAS", "visa_code": "E23",
            "valid_from": today.to_string(), "valid_until": today.add_months(12).to_string(), "sponsor_id": sponsor });
        let r = app.post("/api/v1/permits", IssuingOfficer, permit("2C21BKS8101", None)).await;
        assert_eq!((r.status.as_u16(), r.body["code"].as_str(), r.body["field"].as_str()), (422, Some("incomplete"), Some("passport")), "{}", r.body);
        assert_eq!(r.body["missing"], json!(["passport", "sponsor_id"]));
        assert_eq!(app.get("/api/v1/permits/2C21BKS8101", IssuingOfficer, &PURPOSE).await.status, 404);
        let pp = app.post("/api/v1/foreigners/8100000001/passports", IssuingOfficer, json!({ "number": "X81000001", "issuing_state": "KOR", "expiry_date": "2033-01-01" })).await;
        assert_eq!(pp.status, 201, "{}", pp.body);
        let pp = app.post("/api/v1/foreigners/8100000001/passports", IssuingOfficer, json!({ "number": "X81000001", "issuing_state": "KOR", "expiry_date": "2033-01-01" })).await;
        assert_eq!((pp.status.as_u16(), pp.body["field"].as_str()), (409, Some("number")), "{}", pp.body);
        let r = app.post("/api/v1/permits", IssuingOfficer, permit("2C21BKS8101", None)).await;
        assert_eq!((r.body["field"].as_str(), &r.body["missing"]), (Some("sponsor_id"), &json!(["sponsor_id"])), "{}", r.body);
        let sponsor = s.body["id"].as_i64();
        let r = app.post("/api/v1/permits", IssuingOfficer, permit("2C21BKS8101", sponsor)).await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert!(r.body.get("missing").is_none());
        let taken = app.post("/api/v1/permits", IssuingOfficer, permit("2C21BKS8101", sponsor)).await;
        assert_eq!((taken.status.as_u16(), taken.body["field"].as_str()), (409, Some("number")), "{}", taken.body);

        // The card is personal data that changes with the permit: never cached.
        let card = app.get("/api/v1/permits/2C21BKS8101/document?kind=card&format=png&dpi=100&v=1", IssuingOfficer, &PURPOSE).await;
        assert_eq!(card.status, 200, "{}", card.body);
        assert_eq!(card.headers[header::CACHE_CONTROL], "no-store");
    })
    .await;
}

#[tokio::test]
async fn a_persons_corrections_and_checks_for_the_person_page() {
    on_both(|store| async move {
        let app = TestApp::new(store).await;
        let one = super::flows::issue(&app, "8200000001", "2C21BKS8201").await;
        assert!(one["credential"].is_string());
        let mut device = super::reports::enrol(&app, pora_core::Algorithm::EdDSA, 82).await;
        let caught = || pora_core::report::Basis::CaughtInAct;
        let first = device.next("2C21BKS8201", caught(), "valid", (-6.3, 107.15));
        let second = device.next("2C21BKS8201", caught(), "valid", (-6.3, 107.15));
        let r = app
            .post(
                "/api/v1/field/reports",
                FieldOfficer,
                super::reports::b64(&[&first.1, &second.1]),
            )
            .await;
        assert_eq!(
            r.body["accepted"].as_array().map(Vec::len),
            Some(2),
            "{}",
            r.body
        );
        let k = app
            .post(
                &format!("/api/v1/field/reports/{}/corrections", first.0),
                FieldOfficer,
                json!({ "corrections": [{ "occupation": "Production head" }] }),
            )
            .await;
        assert_eq!(k.status, 201, "{}", k.body);
        let all = app
            .get(
                "/api/v1/corrections?state=all",
                Supervisor,
                &[("x-pora-purpose", "check")],
            )
            .await;
        assert_eq!(all.body["items"].as_array().unwrap().len(), 1);
        let mine = app
            .get(
                "/api/v1/corrections?state=all&niora=8200000001",
                Supervisor,
                &[("x-pora-purpose", "check")],
            )
            .await;
        assert_eq!(
            mine.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|k| k["new_value"].as_str().unwrap())
                .collect::<Vec<_>>(),
            ["Production head"]
        );
        let none = app
            .get(
                &format!(
                    "/api/v1/corrections?state=all&niora={}",
                    app.foreigner_niora
                ),
                Supervisor,
                &[("x-pora-purpose", "check")],
            )
            .await;
        assert_eq!(none.body["items"], json!([]));
        assert_eq!(
            app.get(
                "/api/v1/corrections?niora=12x",
                Supervisor,
                &[("x-pora-purpose", "check")]
            )
            .await
            .body["field"],
            "niora"
        );
        assert_eq!(
            app.get(
                "/api/v1/corrections?niora=9999999999",
                Supervisor,
                &[("x-pora-purpose", "check")]
            )
            .await
            .status,
            404
        );

        // The timeline says who checked, the outcome, and that no written order was behind it.
        let mv = app
            .get(
                "/api/v1/foreigners/8200000001/movements",
                Supervisor,
                &[("x-pora-purpose", "check")],
            )
            .await;
        let items = mv.body["items"].as_array().unwrap();
        let checks: Vec<_> = items.iter().filter(|m| m["kind"] == "check").collect();
        assert_eq!(checks.len(), 2, "{}", mv.body);
        assert!(
            checks
                .iter()
                .all(|c| c["by"] == "field_officer" && c["order_number"].is_null()),
            "{}",
            mv.body
        );
        assert!(
            checks
                .iter()
                .any(|c| c["outcome"] == "ok" && c["detail"] == "valid"),
            "{}",
            mv.body
        );
        let address = items.iter().find(|m| m["kind"] == "address").unwrap();
        assert_eq!(
            (address["by"].as_str(), address["until"].as_str()),
            (Some("declared"), None)
        );
    })
    .await;
}
