//! Golden CLI tests: arguments, expected stdout, stderr and exit status in `tests/cmd/*.toml`
//! (update with `TRYCMD=overwrite cargo test -p pora-cli --test golden`, then review the diff).

#[test]
fn golden() {
    trycmd::TestCases::new().case("tests/cmd/*.toml");
}
