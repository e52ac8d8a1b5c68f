//! Regenerates the checked-in vector set: `cargo run -p pora-testkit --bin pora-vectors`.

fn main() -> std::io::Result<()> {
    let world = pora_testkit::World::new();
    let (context, vectors) = pora_testkit::vectors::generate(&world);
    let dir = pora_testkit::vectors::dir();
    std::fs::create_dir_all(dir.join("png"))?;
    std::fs::write(
        dir.join("context.json"),
        serde_json::to_string_pretty(&context)? + "\n",
    )?;
    let list: Vec<_> = vectors.iter().map(|(v, _)| v).collect();
    std::fs::write(
        dir.join("vectors.json"),
        serde_json::to_string_pretty(&list)? + "\n",
    )?;
    // The same world as files, for the CLI tests (fixture keys: test use only).
    let keys = dir.join("keys");
    std::fs::create_dir_all(&keys)?;
    for (name, key, role) in [
        ("root", &world.root, "root"),
        ("bks-es256", &world.signer("bks-es256").key, "signer"),
    ] {
        std::fs::write(
            keys.join(format!("{name}.key")),
            key.to_pkcs8_pem().expect("pem").as_bytes(),
        )?;
        std::fs::write(
            keys.join(format!("{name}.pub")),
            pora_testkit::public_key_json(key, role) + "\n",
        )?;
    }
    let signer = world.signer("bks-es256");
    let cert = pora_core::trust::certify(&world.root, signer.record.as_ref().expect("record"))
        .expect("certify");
    std::fs::write(keys.join("bks-es256.cert"), cert)?;
    std::fs::write(dir.join("trust-list.cbor"), &world.trust_bytes)?;
    for (token, bytes) in world.status.iter().zip(&world.status_bytes) {
        std::fs::write(dir.join(format!("status-{}.cbor", token.office)), bytes)?;
    }
    let reports = pora_testkit::reports::generate();
    std::fs::write(
        dir.join("reports.json"),
        serde_json::to_string_pretty(&reports)? + "\n",
    )?;
    for c in &reports.cases {
        println!(
            "{:32} {:20} {}",
            c.name,
            c.expect.verify,
            c.expect.link.as_deref().unwrap_or("")
        );
    }
    for (v, _) in &vectors {
        std::fs::write(
            dir.join("png").join(&v.layers.qr_png),
            pora_testkit::vectors::qr_png(&v.layers.qr_text),
        )?;
        println!(
            "{:32} {:20} {}",
            v.name,
            v.expect.code,
            v.expect.warnings.join(",")
        );
    }
    Ok(())
}
