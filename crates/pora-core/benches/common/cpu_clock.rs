//! A criterion measurement of the benchmark thread's own CPU time (`CLOCK_THREAD_CPUTIME_ID`).
//!
//! The bench machine is 2 cores shared with other jobs: wall-clock samples then include the time the
//! thread waits for a core, which swings medians by 2x between runs. CPU time counts only the time
//! the thread ran, so stage figures and their ratios stay comparable. `PORA_BENCH_CLOCK=wall` selects
//! criterion's wall clock instead.

use std::time::Duration;

use cpu_time::ThreadTime;
use criterion::measurement::{Measurement, ValueFormatter, WallTime};

/// Thread CPU time, formatted like wall time.
#[derive(Clone, Copy, Debug, Default)]
pub struct ThreadCpu;

static WALL: WallTime = WallTime;

impl Measurement for ThreadCpu {
    type Intermediate = ThreadTime;
    type Value = Duration;

    fn start(&self) -> ThreadTime {
        ThreadTime::now()
    }

    fn end(&self, started: ThreadTime) -> Duration {
        started.elapsed()
    }

    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }

    fn zero(&self) -> Duration {
        Duration::ZERO
    }

    fn to_f64(&self, v: &Duration) -> f64 {
        v.as_nanos() as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        WALL.formatter()
    }
}

/// True when the wall clock was asked for.
pub fn wall_clock_requested() -> bool {
    std::env::var("PORA_BENCH_CLOCK").is_ok_and(|v| v == "wall")
}
