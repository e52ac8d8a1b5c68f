//! Request metrics in the Prometheus text format, and one structured log line per request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::state::AppState;

const BUCKETS: [f64; 10] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2.0,
];

#[derive(Debug, Default, Clone)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Counters per (method, route, status).
#[derive(Debug)]
pub struct Metrics {
    started: Instant,
    series: Mutex<HashMap<(String, String, u16), Series>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            started: Instant::now(),
            series: Mutex::new(HashMap::new()),
        }
    }
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, secs: f64) {
        let mut m = self.series.lock().unwrap_or_else(|e| e.into_inner());
        let s = m
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default();
        s.count += 1;
        s.sum += secs;
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                s.buckets[i] += 1;
            }
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP pora_uptime_seconds Seconds since the server started."
        );
        let _ = writeln!(out, "# TYPE pora_uptime_seconds gauge");
        let _ = writeln!(
            out,
            "pora_uptime_seconds {}",
            self.started.elapsed().as_secs_f64()
        );
        let _ = writeln!(
            out,
            "# HELP pora_http_request_duration_seconds HTTP request latency by route and status."
        );
        let _ = writeln!(out, "# TYPE pora_http_request_duration_seconds histogram");
        let m = self.series.lock().unwrap_or_else(|e| e.into_inner());
        let mut keys: Vec<_> = m.keys().cloned().collect();
        keys.sort();
        for k in keys {
            let s = &m[&k];
            let labels = format!("method=\"{}\",route=\"{}\",status=\"{}\"", k.0, k.1, k.2);
            for (i, b) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "pora_http_request_duration_seconds_bucket{{{labels},le=\"{b}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "pora_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "pora_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "pora_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        out
    }
}

/// Middleware: times the request, records it, logs it (debug; 5xx at warn).
pub async fn track(
    State(state): State<AppState>,
    matched: Option<MatchedPath>,
    req: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let route = matched
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let resp = next.run(req).await;
    let secs = start.elapsed().as_secs_f64();
    let status = resp.status().as_u16();
    state.metrics.observe(&method, &route, status, secs);
    if status >= 500 {
        tracing::warn!(%method, %route, status, ms = secs * 1000.0, "request failed");
    } else {
        tracing::debug!(%method, %route, status, ms = secs * 1000.0, "request");
    }
    resp
}
