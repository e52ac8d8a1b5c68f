//! Regenerates the checked-in vector set: `cargo run -p pora-testkit --bin pora-vectors`.

fn main() -> std::io::Result<()> {
    let world = pora_testkit::World::new();
    let (context, vectors) = pora_testkit::vectors::generate(&world);
    let dir = pora_testkit::vectors::dir();
    std::fs::create_dir_all(dir.join("png"))?;
    std::fs::write(dir.join("context.json"), serde_json::to_string_pretty(&context)? + "\n")?;
    let list: Vec<_> = vectors.iter().map(|(v, _)| v).collect();
    std::fs::write(dir.join("vectors.json"), serde_json::to_string_pretty(&list)? + "\n")?;
    for (v, _) in &vectors {
        std::fs::write(dir.join("png").join(&v.layers.qr_png), pora_testkit::vectors::qr_png(&v.layers.qr_text))?;
        println!("{:32} {:20} {}", v.name, v.expect.code, v.expect.warnings.join(","));
    }
    Ok(())
}
