//! Signed check reports on both backends: enrolment with a device key, batch upload (idempotent by
//! report id), the per-device chain (gap, reorder, fork, altered), the alert engine and workflow,
//! corrections and their decisions, and the movement timeline.

use base64::Engine as _;
use pora_core::report::{self, Basis, CheckReport, Position, Unsigned};
use pora_core::{Algorithm, Signer as _};
use pora_crypto::SigningKey;
use pora_store::model::Role::*;
use pora_store::model::{now_unix, Date};
use pora_store::testing::on_both;
use serde_json::{json, Value};

use super::app::TestApp;
use super::flows::issue;

/// A device enrolled and approved through the API.
pub struct Device {
    pub key: SigningKey,
    pub id: String,
    pub doc_key: Vec<u8>,
    pub seq: u64,
    pub prev: Option<[u8; 32]>,
}

pub async fn enrol(app: &TestApp, alg: Algorithm, seed: u8) -> Device {
    let key = SigningKey::from_seed(alg, &[seed; 32]).unwrap();
    let public = hex::encode(key.public_key().as_bytes());
    let r = app
        .post(
            "/api/v1/devices",
            FieldOfficer,
            json!({ "label": format!("Reader {seed}"), "public_key": public }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let id = r.body["id"].as_i64().unwrap();
    let e = app
        .get(
            &format!("/api/v1/devices/{id}/enrolment"),
            FieldOfficer,
            &[],
        )
        .await;
    assert_eq!(
        (e.status.as_u16(), e.body["state"].as_str()),
        (200, Some("pending")),
        "{}",
        e.body
    );
    assert!(e.body["doc_hash_key"].is_null(), "no key before approval");
    let a = app
        .post(
            &format!("/api/v1/devices/{id}/approve"),
            Supervisor,
            json!({}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    let e = app
        .get(
            &format!("/api/v1/devices/{id}/enrolment"),
            FieldOfficer,
            &[],
        )
        .await;
    let doc_key = hex::decode(e.body["doc_hash_key"].as_str().unwrap()).unwrap();
    assert_eq!(doc_key.len(), 32);
    Device {
        key,
        id: e.body["device"].as_str().unwrap().to_owned(),
        doc_key,
        seq: 0,
        prev: None,
    }
}

impl Device {
    /// The next report of this device's chain (not yet uploaded).
    pub fn next(
        &mut self,
        permit: &str,
        basis: Basis,
        outcome: &str,
        pos: (f64, f64),
    ) -> (String, Vec<u8>) {
        let r = CheckReport {
            report_id: pora_crypto::random_bytes().unwrap(),
            device: self.id.clone(),
            officer: "field_officer".into(),
            seq: self.seq,
            prev: self.prev,
            basis,
            device_time: now_unix(),
            gnss_time: Some(now_unix()),
            position: Position::from_degrees(pos.0, pos.1, 8.0),
            outcome: outcome.into(),
            warnings: vec![],
            trust_list_version: 1,
            status_list_at: None,
            doc_hash: report::doc_hash(&self.doc_key, permit),
            permit_number: None,
            note: Some("Pemeriksaan rutin".into()),
        };
        let bytes = Unsigned::new(&r, &self.key.public_key())
            .unwrap()
            .sign(&self.key)
            .unwrap();
        self.prev = Some(report::hash(&bytes));
        self.seq += 1;
        (hex::encode(r.report_id), bytes)
    }
}

pub fn b64(reports: &[&Vec<u8>]) -> Value {
    json!({ "reports": reports.iter().map(|r| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(r)).collect::<Vec<_>>() })
}

async fn upload(app: &TestApp, reports: &[&Vec<u8>]) -> Value {
    let r = app
        .post("/api/v1/field/reports", FieldOfficer, b64(reports))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body
}

async fn alerts(app: &TestApp, query: &str) -> Vec<Value> {
    let r = app
        .get(
            &format!("/api/v1/alerts?{query}"),
            Supervisor,
            &[("x-pora-purpose", "audit:review-5")],
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"].as_array().unwrap().clone()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    pora_store::testing::count(&app.state.store, sql).await
}

#[tokio::test]
async fn signed_reports_are_verified_chained_and_idempotent() {
    on_both(|store| async move {
        let app = TestApp::new(store).await;
        issue(&app, "7400000001", "2C21BKS0401").await;
        let order = app.post("/api/v1/orders", Supervisor, json!({ "number": "SP-5/2026", "title": "Operasi PORA Cikarang",
            "starts_on": Date::from_unix(now_unix()).add_days(-1).to_string(), "ends_on": Date::from_unix(now_unix()).add_days(1).to_string() })).await;
        assert_eq!(order.status, 201, "{}", order.body);
        let mut d = enrol(&app, Algorithm::ES256, 41).await;
        let at = (-6.30, 107.15);
        let ord = || Basis::Order("SP-5/2026".into());
        let r0 = d.next("2C21BKS0401", ord(), "valid", at);
        let r1 = d.next("2C21BKS0401", ord(), "valid", at);
        let r2 = d.next("2C21BKS0401", ord(), "valid", at);
        let b = upload(&app, &[&r0.1, &r1.1, &r2.1]).await;
        assert_eq!(b["accepted"], json!([r0.0, r1.0, r2.0]), "{b}");
        assert_eq!(b["rejected"], json!([]));
        // The whole batch again, and a partial one: duplicates, nothing stored twice.
        let again = upload(&app, &[&r0.1, &r1.1, &r2.1]).await;
        assert_eq!((again["accepted"].as_array().unwrap().len(), again["duplicates"].as_array().unwrap().len()), (0, 3), "{again}");
        let r3 = d.next("2C21BKS0401", ord(), "valid", at);
        let partial = upload(&app, &[&r2.1, &r3.1]).await;
        assert_eq!((partial["accepted"].clone(), partial["duplicates"].clone()), (json!([r3.0]), json!([r2.0])), "{partial}");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM field_reports").await, 4);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM check_reports WHERE report_id IS NOT NULL AND permit_id IS NOT NULL").await, 4, "each linked to its permit by the document hash");
        assert!(alerts(&app, "kind=device_chain").await.is_empty(), "a clean chain raises nothing");

        // A gap: report 5 arrives without 4.
        let r4 = d.next("2C21BKS0401", ord(), "valid", at);
        let r5 = d.next("2C21BKS0401", ord(), "valid", at);
        upload(&app, &[&r5.1]).await;
        let chain = alerts(&app, "kind=device_chain").await;
        assert_eq!(chain.len(), 1, "{chain:?}");
        assert_eq!(chain[0]["details"]["problem"], "gap");
        assert_eq!((chain[0]["details"]["missing_from"].as_i64(), chain[0]["details"]["missing_to"].as_i64()), (Some(4), Some(4)));
        // The late report 4 fills it (a reorder, raised) and settles 5 as linked.
        upload(&app, &[&r4.1]).await;
        let chain = alerts(&app, "kind=device_chain").await;
        assert_eq!(chain[0]["details"]["problem"], "reorder", "{chain:?}");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM field_reports WHERE chain IN ('gap', 'broken')").await, 0);

        // A fork: another report 2, properly chained to 1. Stored and raised.
        let mut fork = Device { key: SigningKey::from_seed(Algorithm::ES256, &[41; 32]).unwrap(), id: d.id.clone(), doc_key: d.doc_key.clone(), seq: 2, prev: Some(report::hash(&r1.1)) };
        let f2 = fork.next("2C21BKS0401", ord(), "valid", at);
        let b = upload(&app, &[&f2.1]).await;
        assert_eq!(b["accepted"], json!([f2.0]));
        let chain = alerts(&app, "kind=device_chain").await;
        assert_eq!(chain[0]["details"]["problem"], "fork", "{chain:?}");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM field_reports WHERE chain = 'fork'").await, 1);

        // Altered: different bytes under a known report id are refused and raised.
        let mut altered = r0.1.clone();
        let n = altered.len();
        altered[n - 1] ^= 1;
        let b = upload(&app, &[&altered]).await;
        assert_eq!(b["rejected"][0]["code"], "bad_signature", "a flipped signature bit: {b}");
        // A report that fails under its enrolled device's key is raised too, with the evidence.
        let chain = alerts(&app, "kind=device_chain").await;
        assert_eq!(chain[0]["details"]["problem"], "bad_signature", "{chain:?}");
        assert_eq!(chain[0]["device_id"].to_string(), d.id, "{chain:?}");
        assert!(chain[0]["report_id"].is_null(), "a refused report is not stored, so not referenced");
        assert_eq!(chain[0]["details"]["reports"][0]["report_id"], r0.0.as_str());
        assert_eq!(chain[0]["details"]["reports"][0]["code"], "bad_signature");
        assert_eq!(chain[0]["details"]["first_received"], hex::encode(&altered));
        // A broken link: report 7 that names a wrong predecessor.
        let r6 = d.next("2C21BKS0401", ord(), "valid", at);
        upload(&app, &[&r6.1]).await;
        d.prev = Some([0; 32]);
        let r7 = d.next("2C21BKS0401", ord(), "valid", at);
        upload(&app, &[&r7.1]).await;
        let chain = alerts(&app, "kind=device_chain").await;
        assert_eq!(chain[0]["details"]["problem"], "broken", "{chain:?}");

        // Garbage, an unknown device, and a revoked device are rejected with codes.
        let stranger = SigningKey::from_seed(Algorithm::EdDSA, &[42; 32]).unwrap();
        let mut s = Device { key: stranger, id: d.id.clone(), doc_key: d.doc_key.clone(), seq: 0, prev: None };
        let x = s.next("2C21BKS0401", ord(), "valid", at);
        let b = upload(&app, &[&vec![1, 2, 3], &x.1]).await;
        assert_eq!(b["rejected"][0]["code"], "not_cose", "{b}");
        assert_eq!(b["rejected"][1]["code"], "unknown_device", "{b}");
        let chain = alerts(&app, "kind=device_chain").await;
        assert_eq!(
            (chain[0]["details"]["problem"].as_str(), chain[0]["details"]["reports"][0]["code"].as_str()),
            (Some("bad_signature"), Some("unknown_device")),
            "a report in an enrolled device's name signed by another key: {chain:?}"
        );
        assert_eq!(chain[0]["details"]["reports"][0]["report_id"], x.0.as_str());
        let rv = app.post(&format!("/api/v1/devices/{}/revoke", d.id), Supervisor, json!({})).await;
        assert_eq!(rv.status, 200, "{}", rv.body);
        let r8 = d.next("2C21BKS0401", ord(), "valid", at);
        let b = upload(&app, &[&r8.1]).await;
        assert_eq!(b["rejected"][0]["code"], "device_not_approved", "{b}");
        let bad = app.post("/api/v1/field/reports", FieldOfficer, json!({ "reports": ["!!"] })).await;
        assert_eq!((bad.status.as_u16(), bad.body["field"].as_str()), (422, Some("reports[0]")), "{}", bad.body);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM field_reports").await, 9);
        let chain = pora_store::audit::verify_chain(&app.state.store, None).await.unwrap();
        assert!(chain.fault.is_none(), "{chain:?}");
    })
    .await;
}

#[tokio::test]
async fn alerts_have_reasons_evidence_and_a_workflow() {
    on_both(|store| async move {
        let app = TestApp::new(store).await;
        issue(&app, "7400000002", "2C21BKS0402").await;
        let mut d = enrol(&app, Algorithm::EdDSA, 43).await;
        // Caught in the act, 40 km from the registered address (-6.27, 107.05), with a forged code too.
        let far = (-6.60, 107.30);
        let r0 = d.next("2C21BKS0402", Basis::CaughtInAct, "valid", far);
        let r1 = d.next(
            "PR1:SOMETHING",
            Basis::Order("SP-404".into()),
            "bad_signature",
            far,
        );
        let b = upload(&app, &[&r0.1, &r1.1]).await;
        assert_eq!(b["accepted"].as_array().unwrap().len(), 2, "{b}");
        let all = alerts(&app, "").await;
        let kinds: Vec<&str> = all.iter().map(|a| a["kind"].as_str().unwrap()).collect();
        for k in ["check_without_order", "away_from_address", "forged"] {
            assert!(kinds.contains(&k), "{k} in {kinds:?}");
        }
        let away = all
            .iter()
            .find(|a| a["kind"] == "away_from_address")
            .unwrap();
        assert!(away["reason"].as_str().unwrap().contains("km"), "{away}");
        assert!(
            away["details"]["distance_m"].as_f64().unwrap() > 30_000.0,
            "{away}"
        );
        assert_eq!(away["niora"], "7400000002");
        // An alert about a stored report names the report and the check derived from it.
        let check = count(&app, &format!("SELECT id FROM check_reports WHERE report_id = '{}'", r0.0)).await;
        assert_eq!(away["report_id"], r0.0.as_str());
        assert_eq!(away["check_id"].as_i64(), Some(check), "{away}");
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM alerts a JOIN check_reports k ON k.report_id = a.report_id \
                WHERE a.check_id IS NULL OR a.check_id <> k.id").await,
            0,
            "every alert of a report with a check names that check"
        );
        let unknown_order = all
            .iter()
            .find(|a| a["kind"] == "check_without_order" && a["report_id"] == r1.0.as_str())
            .unwrap();
        assert!(
            unknown_order["reason"]
                .as_str()
                .unwrap()
                .contains("unknown written order"),
            "{unknown_order}"
        );
        // Filters.
        assert_eq!(alerts(&app, "kind=forged").await.len(), 1);
        assert_eq!(
            alerts(&app, "niora=7400000002&kind=away_from_address")
                .await
                .len(),
            1
        );
        let r = app
            .get(
                "/api/v1/alerts?state=done",
                Supervisor,
                &[("x-pora-purpose", "audit:x")],
            )
            .await;
        assert_eq!(
            (r.status.as_u16(), r.body["field"].as_str()),
            (422, Some("state"))
        );
        // Workflow: open → investigating → bap → closed, each step recorded; no skipping back.
        let id = away["id"].as_i64().unwrap();
        let path = format!("/api/v1/alerts/{id}/transition");
        let r = app
            .post(&path, Supervisor, json!({ "to": "bap", "note": "BAP-1" }))
            .await;
        assert_eq!(r.status, 409, "open cannot jump to bap: {}", r.body);
        for (to, note) in [
            ("investigating", ""),
            ("bap", "BAP-12/2026"),
            ("closed", "Diberi peringatan"),
        ] {
            let r = app
                .post(&path, Supervisor, json!({ "to": to, "note": note }))
                .await;
            assert_eq!(
                (r.status.as_u16(), r.body["state"].as_str()),
                (200, Some(to)),
                "{}",
                r.body
            );
        }
        let r = app
            .post(&path, Supervisor, json!({ "to": "investigating" }))
            .await;
        assert_eq!(r.status, 409, "a closed alert stays closed: {}", r.body);
        let r = app
            .get(
                &format!("/api/v1/alerts/{id}"),
                Supervisor,
                &[("x-pora-purpose", "audit:x")],
            )
            .await;
        assert_eq!(r.body["events"].as_array().unwrap().len(), 3, "{}", r.body);
        assert_eq!(r.body["events"][1]["note"], "BAP-12/2026");
        assert_eq!(r.body["events"][2]["actor"], "supervisor");
        assert!(r.body["resolved_at"].is_i64());
        assert!(
            alerts(&app, "kind=away_from_address").await.is_empty(),
            "closed alerts leave the default list"
        );
        assert_eq!(alerts(&app, "state=closed").await.len(), 1);
        // A stay report 40 km away raises it too; one near the address does not.
        let r = app.post("/api/v1/stay-reports", FieldOfficer, json!({ "niora": "7400000002", "reporter_kind": "hotel",
            "reporter_name": "Hotel Contoh Karawang", "check_in": "2026-11-20", "region_code": "32.16.06.2002", "lat": -6.60, "lng": 107.30 })).await;
        assert_eq!(r.status, 201, "{}", r.body);
        let stay = alerts(&app, "kind=away_from_address").await;
        assert_eq!(stay.len(), 1, "{stay:?}");
        assert!(stay[0]["reason"].as_str().unwrap().starts_with("stay report"), "{stay:?}");
        let r = app.post("/api/v1/stay-reports", FieldOfficer, json!({ "niora": "7400000002", "reporter_kind": "kost",
            "reporter_name": "Kost Dekat", "check_in": "2026-11-21", "region_code": "32.16.06.2002", "lat": -6.271, "lng": 107.051 })).await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(alerts(&app, "kind=away_from_address").await.len(), 1, "a stay near the address raises nothing");
    })
    .await;
}

#[tokio::test]
async fn corrections_are_decided_and_change_the_record_with_history() {
    on_both(|store| async move {
        let app = TestApp::new(store).await;
        issue(&app, "7400000003", "2C21BKS0403").await;
        let mut d = enrol(&app, Algorithm::ES256, 44).await;
        let r0 = d.next("2C21BKS0403", Basis::CaughtInAct, "valid", (-6.27, 107.05));
        upload(&app, &[&r0.1]).await;
        let path = format!("/api/v1/field/reports/{}/corrections", r0.0);
        let bad = app.post(&path, FieldOfficer, json!({ "corrections": [{ "phone": "12ab" }] })).await;
        assert_eq!((bad.status.as_u16(), bad.body["field"].as_str()), (422, Some("corrections[0].phone")), "{}", bad.body);
        let bad = app.post(&path, FieldOfficer, json!({ "corrections": [{ "phone": "+6281234567", "occupation": "x" }] })).await;
        assert_eq!(bad.body["field"], "corrections[0]", "{}", bad.body);
        let r = app.post(&path, FieldOfficer, json!({ "corrections": [
            { "address": { "line": "Jl. Kenari 3", "region_code": "32.16.06.2002", "lat": -6.281, "lng": 107.06 } },
            { "employer": "PT Lain Sekali" },
            { "phone": "+6281234567" },
        ] })).await;
        assert_eq!(r.status, 201, "{}", r.body);
        let ids: Vec<i64> = r.body["ids"].as_array().unwrap().iter().map(|v| v.as_i64().unwrap()).collect();
        let mismatch = alerts(&app, "kind=sponsor_mismatch").await;
        assert_eq!(mismatch.len(), 1, "{mismatch:?}");
        assert!(mismatch[0]["reason"].as_str().unwrap().contains("PT Lain Sekali"));
        let list = app.get("/api/v1/corrections", Supervisor, &[("x-pora-purpose", "audit:x")]).await;
        assert_eq!(list.body["items"].as_array().unwrap().len(), 3, "{}", list.body);
        // Accept the address and phone, reject the employer (with a reason).
        let r = app.post(&format!("/api/v1/corrections/{}/decide", ids[0]), Supervisor, json!({ "decision": "accept" })).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = app.post(&format!("/api/v1/corrections/{}/decide", ids[1]), Supervisor, json!({ "decision": "reject" })).await;
        assert_eq!((r.status.as_u16(), r.body["field"].as_str()), (422, Some("note")));
        let r = app.post(&format!("/api/v1/corrections/{}/decide", ids[1]), Supervisor, json!({ "decision": "reject", "note": "Sponsor dikonfirmasi" })).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = app.post(&format!("/api/v1/corrections/{}/decide", ids[2]), Supervisor, json!({ "decision": "accept" })).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let again = app.post(&format!("/api/v1/corrections/{}/decide", ids[2]), Supervisor, json!({ "decision": "reject", "note": "x" })).await;
        assert_eq!(again.status, 409, "{}", again.body);
        let rec = app.get("/api/v1/foreigners/7400000003", Supervisor, &[("x-pora-purpose", "audit:x")]).await;
        let addresses = rec.body["addresses"].as_array().unwrap();
        assert_eq!(addresses.len(), 2, "the old address stays as history: {}", rec.body);
        assert_eq!(addresses[0]["line"], "Jl. Kenari 3");
        assert_eq!(addresses[0]["source"], "field_check");
        assert_eq!(rec.body["foreigner"]["phone"], Value::Null, "phone is not in the record view; checked below");
        assert_eq!(count(&app, "SELECT COUNT(*) FROM foreigners WHERE phone = '+6281234567'").await, 1);
        // The movement timeline: the check, both addresses, with kecamatan.
        let m = app.get("/api/v1/foreigners/7400000003/movements", Supervisor, &[]).await;
        assert_eq!(m.body["code"], "purpose_required");
        let m = app.get("/api/v1/foreigners/7400000003/movements", Supervisor, &[("x-pora-purpose", "case:K-1")]).await;
        assert_eq!(m.status, 200, "{}", m.body);
        let kinds: Vec<&str> = m.body["items"].as_array().unwrap().iter().map(|i| i["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds.iter().filter(|k| **k == "address").count(), 2, "{kinds:?}");
        assert_eq!(kinds.iter().filter(|k| **k == "check").count(), 1, "{kinds:?}");
        assert!(m.body["items"].as_array().unwrap().iter().all(|i| i["kecamatan"].as_str().is_some_and(|k| k.starts_with("32.16"))), "{}", m.body);
        let log = app.get("/api/v1/audit?limit=500", Auditor, &[]).await;
        let actions: Vec<&str> = log.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
        for a in ["person.correction", "person.correction.accept", "person.correction.reject", "person.movements", "field.reports.ingest"] {
            assert!(actions.contains(&a), "{a} in the audit log");
        }
    })
    .await;
}

#[tokio::test]
async fn officer_anomalies_come_from_the_audit_log() {
    on_both(|store| async move {
        let app = TestApp::new(store).await;
        issue(&app, "7400000004", "2C21BKS0404").await;
        for _ in 0..5 {
            let r = app
                .get(
                    "/api/v1/permits/2C21BKS0404",
                    FieldOfficer,
                    &[("x-pora-purpose", "check")],
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
        }
        let mut c = app.state.store.conn().await.unwrap();
        let now = now_unix();
        // Four lookups are not yet "repeated"; five are, once.
        assert_eq!(
            pora_store::field::raise_officer_anomalies(&mut c, now - 3600, now, 6)
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            pora_store::field::raise_officer_anomalies(&mut c, now - 3600, now, 5)
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            pora_store::field::raise_officer_anomalies(&mut c, now - 3600, now, 5)
                .await
                .unwrap(),
            0,
            "not twice"
        );
        // A day later the lookups without any check of the person are raised too.
        let later = now + 86_400 + 60;
        assert_eq!(
            pora_store::field::raise_officer_anomalies(&mut c, now - 3600, later, 5)
                .await
                .unwrap(),
            1
        );
        drop(c);
        let kinds: Vec<String> = alerts(&app, "niora=7400000004")
            .await
            .iter()
            .map(|a| a["kind"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            kinds,
            ["lookup_without_scan", "repeated_lookup"],
            "{kinds:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn a_full_batch_is_above_the_json_body_limit_and_accepted() {
    on_both(|store| async move {
        let app = TestApp::new(store).await;
        let mut d = enrol(&app, Algorithm::EdDSA, 45).await;
        let reports: Vec<Vec<u8>> = (0..300)
            .map(|_| {
                d.next("2C21BKS0499", Basis::CaughtInAct, "valid", (-6.3, 107.15))
                    .1
            })
            .collect();
        let body = b64(&reports.iter().collect::<Vec<_>>());
        assert!(
            body.to_string().len() > 64 * 1024,
            "the general 64 KiB limit would refuse it"
        );
        let b = upload(&app, &reports.iter().collect::<Vec<_>>()).await;
        assert_eq!(
            b["accepted"].as_array().unwrap().len(),
            300,
            "{}",
            b["rejected"]
        );
        let too_many = json!({ "reports": vec!["AA"; 1001] });
        let r = app
            .post("/api/v1/field/reports", FieldOfficer, too_many)
            .await;
        assert_eq!(
            (r.status.as_u16(), r.body["field"].as_str()),
            (422, Some("reports")),
            "{}",
            r.body
        );
    })
    .await;
}
