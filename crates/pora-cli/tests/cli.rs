//! End-to-end tests of the `pora` binary: every named vector through `verify` (as text and as a QR
//! photo), the issuance flow from fresh keys, private-key hygiene, and precise errors.

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use pora_testkit::vectors;

fn pora(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pora"))
        .args(args)
        .output()
        .expect("run pora")
}

fn vdir() -> PathBuf {
    vectors::dir()
}

fn p(rel: &str) -> String {
    vdir().join(rel).display().to_string()
}

fn trust_args(now: i64) -> Vec<String> {
    vec![
        "--trust-list".into(),
        p("trust-list.cbor"),
        "--root".into(),
        p("keys/root.pub"),
        "--status-list".into(),
        p("status-BKS.cbor"),
        "--status-list".into(),
        p("status-JKT.cbor"),
        "--now".into(),
        now.to_string(),
        "--json".into(),
    ]
}

fn expected_exit(code: &str) -> i32 {
    match code {
        "valid" => 0,
        "trust_list_stale" | "status_list_stale" => 2,
        _ => 1,
    }
}

fn json_of(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

#[test]
fn every_vector_text_verifies_to_its_expected_code_and_exit() {
    let (_, vs) = vectors::load();
    for v in &vs {
        let mut args: Vec<String> = vec!["verify".into(), v.layers.qr_text.clone()];
        args.extend(trust_args(v.now));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = pora(&args);
        let j = json_of(&out);
        assert_eq!(j["code"], v.expect.code.as_str(), "{}", v.name);
        assert_eq!(
            out.status.code(),
            Some(expected_exit(&v.expect.code)),
            "{}",
            v.name
        );
        let warnings: Vec<&str> = j["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["code"].as_str().unwrap())
            .collect();
        assert_eq!(warnings, v.expect.warnings, "{}", v.name);
    }
}

#[test]
fn every_vector_qr_png_reads_and_verifies_to_the_same_code() {
    let (_, vs) = vectors::load();
    for v in vs.iter().filter(|v| v.layers.qr_text.len() > 40) {
        let png = p(&format!("png/{}", v.layers.qr_png));
        let mut args: Vec<String> = vec!["verify".into(), "--image".into(), png];
        args.extend(trust_args(v.now));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = pora(&args);
        let j = json_of(&out);
        assert_eq!(
            j["code"],
            v.expect.code.as_str(),
            "{}: {}",
            v.name,
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn text_from_stdin_and_file() {
    let (_, vs) = vectors::load();
    let v = vs.iter().find(|v| v.name == "valid-itas-es256").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("qr.txt");
    std::fs::write(&f, format!("{}\n", v.layers.qr_text)).unwrap();
    let mut args = vec![
        "verify".to_string(),
        "--file".into(),
        f.display().to_string(),
    ];
    args.extend(trust_args(v.now));
    let out = pora(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(json_of(&out)["code"], "valid");
    use std::io::Write as _;
    let mut args = vec!["verify".to_string()];
    args.extend(trust_args(v.now));
    let mut child = Command::new(env!("CARGO_BIN_EXE_pora"))
        .args(&args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(v.layers.qr_text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(json_of(&out)["code"], "valid");
}

fn run_ok(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_pora"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn issue_flow_from_fresh_keys_with_png_and_svg() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    run_ok(dir, &["keygen", "--role", "root", "--out", "root"]);
    run_ok(
        dir,
        &[
            "keygen", "--role", "signer", "--alg", "EdDSA", "--out", "bks",
        ],
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        assert_eq!(
            std::fs::metadata(dir.join("bks.key"))
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o600
        );
    }
    // Keys are never overwritten, and never printed.
    let again = Command::new(env!("CARGO_BIN_EXE_pora"))
        .current_dir(dir)
        .args(["keygen", "--role", "root", "--out", "root"])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(73));
    let pem = std::fs::read_to_string(dir.join("bks.key")).unwrap();
    let secret_line = pem.lines().nth(1).unwrap();
    run_ok(
        dir,
        &[
            "certify",
            "--root-key",
            "root.key",
            "--signer-pub",
            "bks.pub",
            "--office",
            "BKS",
            "--usage-from",
            "2026-01-01",
            "--usage-until",
            "2028-12-31",
            "--out",
            "bks.cert",
        ],
    );
    run_ok(
        dir,
        &[
            "trust-list",
            "build",
            "--root-key",
            "root.key",
            "--version",
            "3",
            "--now",
            "2026-11-20",
            "--next-update",
            "2026-12-20",
            "--out",
            "trust.cbor",
            "bks.cert",
        ],
    );
    let shown = run_ok(
        dir,
        &["trust-list", "show", "trust.cbor", "--root", "root.pub"],
    );
    assert!(
        shown.contains("\"office\": \"BKS\"") && shown.contains("EdDSA"),
        "{shown}"
    );
    run_ok(
        dir,
        &[
            "status-list",
            "build",
            "--office",
            "BKS",
            "--size",
            "128",
            "--key",
            "bks.key",
            "--now",
            "2026-11-24",
            "--out",
            "bks.status",
        ],
    );
    let permit = serde_json::to_string(&pora_testkit::itas()).unwrap();
    std::fs::write(dir.join("permit.json"), permit).unwrap();
    let text = run_ok(
        dir,
        &[
            "issue",
            "--permit",
            "permit.json",
            "--key",
            "bks.key",
            "--cert",
            "bks.cert",
            "--root",
            "root.pub",
            "--png",
            "qr.png",
            "--svg",
            "qr.svg",
            "--now",
            "2026-11-24T09:00",
        ],
    );
    let text = text.trim();
    assert!(text.starts_with("PR1:") && text.len() <= 311, "{text}");
    assert!(std::fs::read_to_string(dir.join("qr.svg"))
        .unwrap()
        .contains("<svg"));
    let common = [
        "--trust-list",
        "trust.cbor",
        "--root",
        "root.pub",
        "--status-list",
        "bks.status",
        "--now",
        "2026-11-24T10:00",
    ];
    let mut args = vec!["verify", text];
    args.extend(common);
    let out = run_ok(dir, &args);
    assert!(out.starts_with("SAH / VALID  [valid]"), "{out}");
    let mut args = vec!["verify", "--image", "qr.png"];
    args.extend(common);
    assert!(run_ok(dir, &args).contains("[valid]"));
    // Revoke it: the same text is now rejected with exit code 1.
    run_ok(
        dir,
        &[
            "status-list",
            "set",
            "bks.status",
            "--index",
            "17",
            "--status",
            "revoked",
            "--key",
            "bks.key",
            "--now",
            "2026-11-24T09:30",
        ],
    );
    let mut args = vec!["verify", text];
    args.extend(common);
    let out = Command::new(env!("CARGO_BIN_EXE_pora"))
        .current_dir(dir)
        .args(&args)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("DICABUT / REVOKED"));
    // No command ever printed the private key.
    assert!(!shown.contains(secret_line) && !text.contains(secret_line));
}

#[test]
fn errors_name_what_and_where() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path();
    let missing = Command::new(env!("CARGO_BIN_EXE_pora"))
        .current_dir(dir)
        .args([
            "verify",
            "X",
            "--trust-list",
            "nope.cbor",
            "--root",
            "nope.pub",
        ])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(66));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nope.pub"));
    std::fs::write(dir.join("bad.pub"), "{}").unwrap();
    let bad = Command::new(env!("CARGO_BIN_EXE_pora"))
        .current_dir(dir)
        .args(["trust-list", "show", "x", "--root", "bad.pub"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(65));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("bad.pub: not a pora public key file"));
    let usage = pora(&[
        "verify",
        "--now",
        "yesterday",
        "--trust-list",
        "a",
        "--root",
        "b",
    ]);
    assert_eq!(usage.status.code(), Some(64));
    let unknown = pora(&["frobnicate"]);
    assert_eq!(unknown.status.code(), Some(64));
    // An invalid permit field is named.
    std::fs::write(
        dir.join("permit.json"),
        r#"{"office":"BKS","valid_from":"2026-02-30"}"#,
    )
    .unwrap();
    let k = p("keys/bks-es256.key");
    let c = p("keys/bks-es256.cert");
    let r = p("keys/root.pub");
    let out = Command::new(env!("CARGO_BIN_EXE_pora"))
        .current_dir(dir)
        .args([
            "issue",
            "--permit",
            "permit.json",
            "--key",
            &k,
            "--cert",
            &c,
            "--root",
            &r,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("permit.json") && err.contains("no such calendar date"),
        "{err}"
    );
    // A non-image file given as an image.
    std::fs::write(dir.join("notes.png"), "hello").unwrap();
    let mut args = vec![
        "verify".to_string(),
        "--image".into(),
        dir.join("notes.png").display().to_string(),
    ];
    args.extend(trust_args(pora_testkit::now()));
    let out = pora(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(65));
    assert_eq!(json_of(&out)["code"], "bad_image");
}

#[test]
fn inspect_shows_every_layer() {
    let (_, vs) = vectors::load();
    let v = vs.iter().find(|v| v.name == "valid-itas-es256").unwrap();
    let out = pora(&[
        "inspect",
        &v.layers.qr_text,
        "--trust-list",
        &p("trust-list.cbor"),
        "--root",
        &p("keys/root.pub"),
    ]);
    assert!(out.status.success());
    let j = json_of(&out);
    assert_eq!(j["prefix"]["ok"], true);
    assert_eq!(j["cose"]["protected"]["alg"], "ES256");
    assert_eq!(j["cose"]["deterministic"], true);
    assert_eq!(
        j["claims"]["permit"]["name"],
        "WIRYAWAN<SANTOSO<<MARIA<KATHARINA<ANNELI"
    );
    assert_eq!(j["signature"]["ok"], true);
    assert_eq!(j["qr_version_m"], 10);
    let bad = vs
        .iter()
        .find(|v| v.name == "bad-signature-flipped-bit")
        .unwrap();
    let out = pora(&[
        "inspect",
        &bad.layers.qr_text,
        "--trust-list",
        &p("trust-list.cbor"),
        "--root",
        &p("keys/root.pub"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json_of(&out)["signature"]["ok"], false);
}
