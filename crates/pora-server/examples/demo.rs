//! Runs the demo without the CLI: `cargo run --release -p pora-server --example demo -- [--dir D]
//! [--db URL] [--listen ADDR] [--seed N] [--scale X] [--no-serve]`.

fn main() -> anyhow::Result<()> {
    let mut c = pora_server::DemoConfig::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || {
            args.next()
                .ok_or_else(|| anyhow::anyhow!("{a} needs a value"))
        };
        match a.as_str() {
            "--dir" => c.dir = val()?.into(),
            "--db" => c.db_url = Some(val()?),
            "--listen" => c.listen = val()?.parse()?,
            "--seed" => c.seed = val()?.parse()?,
            "--scale" => c.scale = val()?.parse()?,
            "--no-serve" => c.no_serve = true,
            other => anyhow::bail!("unknown argument {other}"),
        }
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(pora_server::demo(c))
}
