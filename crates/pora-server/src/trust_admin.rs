//! Offline national root administration: importing the root-signed trust list and the office
//! document signers the root certified. Used by `pora trust import` / `pora keys import` (the
//! operator at the server's console, with the key-encryption key) and, for a new trust list, by
//! `POST /api/v1/trust-list`. Each import is one audited transaction.

use pora_core::PublicKey;
use pora_store::audit::{Actor, NewEntry};
use pora_store::model::now_unix;
use pora_store::model::Purpose;
use pora_store::{repo, Store};
use serde_json::json;

use crate::signing::{KeyRing, SigningError};

/// What an import did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Imported {
    /// `trust_list` or `signer`.
    pub what: &'static str,
    /// Trust list version, or the signer's kid.
    pub id: String,
    /// For a signer: whether the current trust list names it (else the office cannot issue yet).
    pub listed: Option<bool>,
}

fn entry(actor: Actor, action: &str, kind: &str, id: &str, details: serde_json::Value) -> NewEntry {
    NewEntry {
        actor,
        action: action.into(),
        subject_kind: kind.into(),
        subject_id: id.into(),
        purpose: Purpose::system("administration"),
        details,
    }
}

/// Imports a trust list signed by `root` into the store and makes it current in `keys`.
pub async fn import_trust_list(
    store: &Store,
    keys: &KeyRing,
    actor: Actor,
    bytes: &[u8],
    root: &PublicKey,
) -> Result<Imported, SigningError> {
    let mut tx = store.begin_audited().await?;
    let list = keys
        .import_trust_list(tx.conn(), bytes, root, now_unix())
        .await?;
    let version = list.version.to_string();
    tx.append(entry(
        actor,
        "trust_list.import",
        "trust_list",
        &version,
        json!({
            "signers": list.signers.iter().map(|s| hex::encode(&s.kid)).collect::<Vec<_>>(),
            "issued_at": list.issued_at,
            "next_update": list.next_update,
        }),
    ))
    .await?;
    tx.commit().await?;
    keys.activate_trust_list(bytes, root.clone(), list);
    Ok(Imported {
        what: "trust_list",
        id: version,
        listed: None,
    })
}

/// Imports an office's document signer (PKCS#8 PEM private key and the root's certificate).
pub async fn import_signer(
    store: &Store,
    keys: &KeyRing,
    actor: Actor,
    office_code: &str,
    pem: &str,
    certificate: &[u8],
) -> Result<Imported, SigningError> {
    let mut tx = store.begin_audited().await?;
    let office = match repo::office_by_code(tx.conn(), office_code).await {
        Err(pora_store::StoreError::NotFound { .. }) => {
            return Err(SigningError::Import(format!(
                "unknown office {office_code}"
            )))
        }
        other => other?,
    };
    let (kid, listed) = keys
        .import_signer(
            tx.conn(),
            office.id,
            &office.code,
            pem,
            certificate,
            now_unix(),
        )
        .await?;
    tx.append(entry(
        actor,
        "key.import",
        "key",
        &kid,
        json!({ "office": office.code, "listed": listed }),
    ))
    .await?;
    tx.commit().await?;
    keys.invalidate_status(&office.code);
    Ok(Imported {
        what: "signer",
        id: kid,
        listed: Some(listed),
    })
}

/// What the console operator imports.
#[derive(Debug)]
pub enum ConsoleImport<'a> {
    /// A trust list signed by `root`.
    TrustList {
        bytes: &'a [u8],
        root: &'a PublicKey,
    },
    /// An office document signer: PKCS#8 PEM private key and the root's certificate.
    Signer {
        office: &'a str,
        pem: &'a str,
        certificate: &'a [u8],
    },
}

/// Runs one import at the console: opens `db_url` with the KEK from `data_dir` (or `PORA_KEK`),
/// imports as the `console` actor, and closes the store.
pub async fn console_import(
    db_url: &str,
    data_dir: &std::path::Path,
    what: ConsoleImport<'_>,
) -> anyhow::Result<Imported> {
    let store = Store::open(db_url).await?;
    let keys = KeyRing::new(crate::signing::Kek::load(None, data_dir)?);
    let done = match keys.load(&store).await {
        Err(e) => Err(e),
        Ok(_) => match what {
            ConsoleImport::TrustList { bytes, root } => {
                import_trust_list(&store, &keys, console_actor(), bytes, root).await
            }
            ConsoleImport::Signer {
                office,
                pem,
                certificate,
            } => import_signer(&store, &keys, console_actor(), office, pem, certificate).await,
        },
    };
    store.close().await;
    Ok(done?)
}

/// The console operator as an audit actor.
pub fn console_actor() -> Actor {
    Actor {
        user_id: None,
        role: "console".into(),
        office: String::new(),
    }
}
