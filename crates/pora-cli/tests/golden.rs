//! Golden CLI tests: arguments, expected stdout, stderr and exit status in `tests/cmd/*.toml`
//! (update with `TRYCMD=overwrite cargo test -p pora-cli --test golden`, then review the diff).

#![allow(clippy::unwrap_used)] // test code: a failed unwrap is a failed test

#[test]
fn golden() {
    trycmd::TestCases::new().case("tests/cmd/*.toml");
}
