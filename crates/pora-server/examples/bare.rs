//! A bare axum server with one constant handler, the baseline for load measurements:
//! `cargo run --release -p pora-server --example bare -- 127.0.0.1:8099`.

fn main() -> anyhow::Result<()> {
    let addr: std::net::SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8099".into())
        .parse()?;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(async move {
            let app = axum::Router::new()
                .route("/", axum::routing::get(|| async { "{\"status\":\"ok\"}" }));
            let listener = tokio::net::TcpListener::bind(addr).await?;
            axum::serve(listener, app).await?;
            Ok(())
        })
}
