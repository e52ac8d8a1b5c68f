//! Native tests of the reader JSON the page receives (`readImage`, `readRgba`) on the testkit's
//! vector PNGs and on bad input.
// Tests: a panic is the failure report, so unwrap is fine here.
#![allow(clippy::unwrap_used)]

use pora_testkit::vectors;
use pora_wasm::field;
use serde_json::Value;

#[test]
fn reader_json_on_vector_pngs() {
    let (_, cases) = vectors::load();
    for case in &cases {
        let png = std::fs::read(vectors::dir().join("png").join(&case.layers.qr_png)).unwrap();
        let out: Value = serde_json::from_str(&field::read_image(&png)).unwrap();
        let codes = out
            .as_array()
            .unwrap_or_else(|| panic!("{}: {out}", case.name));
        assert_eq!(codes.len(), 1, "{}", case.name);
        assert_eq!(
            codes[0]["text"],
            case.layers.qr_text.as_str(),
            "{}",
            case.name
        );
        assert_eq!(codes[0]["corners"].as_array().unwrap().len(), 4);
        assert!(["L", "M", "Q", "H"].contains(&codes[0]["ecLevel"].as_str().unwrap()));
        assert!((1..=40).contains(&codes[0]["version"].as_u64().unwrap()));
    }
}

#[test]
fn reader_json_on_an_rgba_frame_and_on_errors() {
    let (_, cases) = vectors::load();
    let case = &cases[0];
    let png = std::fs::read(vectors::dir().join("png").join(&case.layers.qr_png)).unwrap();
    let img = image::load_from_memory(&png).unwrap().to_rgba8();
    let (w, h) = img.dimensions();
    let out: Value = serde_json::from_str(&field::read_rgba(w, h, img.as_raw(), false)).unwrap();
    assert_eq!(out[0]["text"], case.layers.qr_text.as_str());

    let out: Value =
        serde_json::from_str(&field::read_rgba(w, h, &img.as_raw()[4..], true)).unwrap();
    assert_eq!(out["error"], "bad_frame_length");
    let out: Value =
        serde_json::from_str(&field::read_rgba(64, 64, &[255; 64 * 64 * 4], true)).unwrap();
    assert!(
        out["error"].is_string() && out["reason"].is_string(),
        "{out}"
    );
    let out: Value = serde_json::from_str(&field::read_image(b"GIF89a")).unwrap();
    assert_eq!(out["error"], "not_an_image");
}
