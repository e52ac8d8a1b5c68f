//! Empty: this package only holds the `dgc` comparison bench (`dgc.rs`).
