//! Shared builders for the store tests.

use pora_store::model::*;
use pora_store::repo::{self, NewForeigner, NewPermit};
use pora_store::{Conn, Store};

pub const T0: i64 = 1_790_000_000;

pub fn d(s: &str) -> Date {
    Date::parse("date", s).unwrap()
}

pub async fn office(store: &Store) -> i64 {
    let mut tx = store.tx().await.unwrap();
    let id = repo::create_office(&mut tx, "BKS", "Kantor Imigrasi Bekasi", "32.16", T0)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

pub async fn foreigner(c: &mut Conn, office: i64, niora: &str, name: &str) -> i64 {
    repo::create_foreigner(
        c,
        &NewForeigner {
            niora: Niora::parse("niora", niora).unwrap(),
            full_name: name.into(),
            mrz_name: name.to_uppercase(),
            sex: Sex::F,
            birth_place: "Osaka".into(),
            birth_date: d("1988-04-02"),
            nationality: Nationality::parse("nationality", "JPN").unwrap(),
            occupation: Some("Production engineer".into()),
            office_id: office,
        },
        T0,
    )
    .await
    .unwrap()
}

pub async fn permit(c: &mut Conn, office: i64, foreigner: i64, number: &str, until: &str) -> i64 {
    let visa = repo::visa_index(c, "E23", None, d("2026-01-10"))
        .await
        .unwrap();
    repo::issue_permit(
        c,
        &NewPermit {
            number: PermitNumber::parse("number", number).unwrap(),
            permit_type: PermitType::Itas,
            foreigner_id: foreigner,
            passport_id: None,
            visa_index_id: visa.id,
            visa_code: visa.code.clone(),
            sponsor_id: None,
            employer_id: None,
            occupation: None,
            address_id: None,
            port_of_entry: Some("CGK".into()),
            entry_date: Some(d("2026-01-05")),
            valid_from: d("2026-01-10"),
            valid_until: d(until),
            issuing_office_id: office,
            document_serial: format!("DOC-{number}"),
            previous_permit_id: None,
            status: PermitStatus::Active,
        },
        None,
        T0,
    )
    .await
    .unwrap()
}
