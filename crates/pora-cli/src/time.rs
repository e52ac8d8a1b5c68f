//! Reading times from the command line: Unix seconds, a date, or a date and time with an offset.

use pora_core::date::{Date, WIB};

use crate::error::CliError;

/// Parses `1790000000`, `2026-11-24` (00:00 WIB), `2026-11-24T10:00` (WIB), or with `Z` /
/// `+07:00`-style offset, or `WIB` / `WITA` / `WIT` suffix.
pub fn parse(s: &str) -> Result<i64, CliError> {
    let bad = || {
        CliError::usage(format!("cannot read time {s:?}: use Unix seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM|WIB|WITA|WIT]"))
    };
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().map_err(|_| bad());
    }
    if s.len() < 10 {
        return Err(bad());
    }
    let date = Date::parse(s.get(..10).ok_or_else(bad)?).map_err(|_| bad())?;
    let rest = &s[10..];
    if rest.is_empty() {
        return Ok(date.start_in(WIB));
    }
    let rest = rest.strip_prefix('T').ok_or_else(bad)?;
    let digits_end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ':'))
        .unwrap_or(rest.len());
    let (clock, zone) = rest.split_at(digits_end);
    let parts: Vec<&str> = clock.split(':').collect();
    let num = |p: &str, max: i64| {
        p.parse::<i64>()
            .ok()
            .filter(|v| (0..=max).contains(v) && p.len() == 2)
    };
    let (h, m, sec) = match parts.as_slice() {
        [h, m] => (num(h, 23).ok_or_else(bad)?, num(m, 59).ok_or_else(bad)?, 0),
        [h, m, x] => (
            num(h, 23).ok_or_else(bad)?,
            num(m, 59).ok_or_else(bad)?,
            num(x, 59).ok_or_else(bad)?,
        ),
        _ => return Err(bad()),
    };
    let offset = match zone {
        "" | "WIB" => WIB,
        "WITA" => pora_core::date::WITA,
        "WIT" => pora_core::date::WIT,
        "Z" => 0,
        z => {
            let sign = match z.as_bytes().first() {
                Some(b'+') => 1,
                Some(b'-') => -1,
                _ => return Err(bad()),
            };
            let (oh, om) = z[1..].split_once(':').ok_or_else(bad)?;
            sign * (num(oh, 14).ok_or_else(bad)? * 3600 + num(om, 59).ok_or_else(bad)? * 60)
        }
    };
    Ok(date.start_in(offset) + h * 3600 + m * 60 + sec)
}

/// The system clock, Unix seconds.
pub fn system_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Formats Unix seconds as a WIB date and time.
pub fn show(t: i64) -> String {
    let d = Date::at(t, WIB);
    let s = (t + WIB).rem_euclid(86_400);
    format!("{d} {:02}:{:02}:{:02} WIB", s / 3600, s / 60 % 60, s % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let t = parse("2026-11-24T10:00").unwrap();
        assert_eq!(parse("2026-11-24T03:00Z").unwrap(), t);
        assert_eq!(parse("2026-11-24T12:00WIT").unwrap(), t);
        assert_eq!(parse("2026-11-24T11:00:00+08:00").unwrap(), t);
        assert_eq!(parse(&t.to_string()).unwrap(), t);
        assert_eq!(show(t), "2026-11-24 10:00:00 WIB");
        for bad in [
            "",
            "yesterday",
            "2026-11-24T25:00",
            "2026-11-24 10:00",
            "2026-02-30",
            "2026-11-24T10:00+7",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
