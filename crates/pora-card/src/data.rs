//! The input of every renderer: what is printed on a permit, as plain data a caller fills from JSON.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer};

/// The kind of stay permit, which decides the document's title.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[non_exhaustive]
pub enum PermitKind {
    /// ITAS, *Izin Tinggal Terbatas*: limited stay permit (card: KITAS).
    #[serde(rename = "ITAS", alias = "itas", alias = "Itas", alias = "KITAS")]
    Itas,
    /// ITAP, *Izin Tinggal Tetap*: permanent stay permit (card: KITAP).
    #[serde(rename = "ITAP", alias = "itap", alias = "Itap", alias = "KITAP")]
    Itap,
}

impl PermitKind {
    /// The last word of the Indonesian title: "TERBATAS" or "TETAP".
    pub(crate) fn word_id(self) -> &'static str {
        match self {
            Self::Itas => "TERBATAS",
            Self::Itap => "TETAP",
        }
    }

    /// The first word of the English title: "LIMITED" or "PERMANENT".
    pub(crate) fn word_en(self) -> &'static str {
        match self {
            Self::Itas => "LIMITED",
            Self::Itap => "PERMANENT",
        }
    }

    /// The short code printed on documents: "ITAS" or "ITAP".
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::Itas => "ITAS",
            Self::Itap => "ITAP",
        }
    }
}

/// Sex as recorded on the permit (`M`, `F` or `X`, as in travel documents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[non_exhaustive]
pub enum Sex {
    /// Male, *laki-laki* (`L` is accepted too).
    #[serde(rename = "M", alias = "m", alias = "L")]
    Male,
    /// Female, *perempuan* (`P` is accepted too).
    #[serde(rename = "F", alias = "f", alias = "P")]
    Female,
    /// Unspecified.
    #[serde(rename = "X", alias = "x")]
    Unspecified,
}

impl Sex {
    /// The bilingual display form, e.g. "LAKI-LAKI / MALE".
    pub(crate) fn display(self) -> &'static str {
        match self {
            Self::Male => "LAKI-LAKI / MALE",
            Self::Female => "PEREMPUAN / FEMALE",
            Self::Unspecified => "X",
        }
    }
}

/// A calendar date (proleptic Gregorian), written `YYYY-MM-DD` in JSON and printed `DD-MM-YYYY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    // Field order gives the derived `Ord` the calendar order.
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// A date, or `None` when the day does not exist (e.g. 2025-02-29) or the year is outside 1..=9999.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Self> {
        // The calendar rules live in pora-core.
        pora_core::Date::from_ymd(i32::from(year), u32::from(month), u32::from(day))
            .ok()
            .map(|_| Self { year, month, day })
    }

    /// The year.
    pub fn year(self) -> u16 {
        self.year
    }

    /// The month, 1..=12.
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1..=31.
    pub fn day(self) -> u8 {
        self.day
    }

    /// The form printed on the documents: `DD-MM-YYYY`, as Indonesian documents write dates.
    pub(crate) fn printed(self) -> String {
        format!("{:02}-{:02}-{:04}", self.day, self.month, self.year)
    }
}

/// ISO 8601 calendar date, `YYYY-MM-DD`.
impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The text was not a `YYYY-MM-DD` date that exists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a YYYY-MM-DD calendar date: {0:?}")]
pub struct DateParseError(String);

impl FromStr for Date {
    type Err = DateParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || DateParseError(s.chars().take(40).collect());
        let d = pora_core::Date::parse(s).map_err(|_| err())?;
        let (year, month, day) = d.ymd();
        let year = u16::try_from(year).map_err(|_| err())?;
        // Month and day come from a valid calendar date, so they fit.
        let (month, day) = (month as u8, day as u8);
        Date::new(year, month, day).ok_or_else(err)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Everything printed on a permit document.
///
/// The crate does not know the credential format: `qr_text` is encoded into the QR code exactly as
/// given (typically `PR1:` followed by Base45 text, which encodes in QR alphanumeric mode).
///
/// Deliberately not `#[non_exhaustive]`: the CLI and the server build it with a struct literal,
/// and every crate of the workspace moves in step when a field is added.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CardData {
    /// ITAS or ITAP.
    pub permit_type: PermitKind,
    /// The permit number (opaque, at most 20 characters).
    pub permit_number: String,
    /// Full name, UTF-8, as on the passport.
    pub full_name: String,
    /// Place of birth.
    pub place_of_birth: String,
    /// Date of birth.
    pub date_of_birth: Date,
    /// Sex.
    pub sex: Sex,
    /// Nationality, ISO 3166-1 alpha-3 (e.g. `JPN`) or a country name.
    pub nationality: String,
    /// Passport number (at most 9 characters in ICAO documents; up to 12 are accepted).
    pub passport_number: String,
    /// Visa index the permit was issued under, e.g. `E23`.
    pub visa_index: String,
    /// Occupation or job title.
    pub occupation: String,
    /// Sponsor (*penjamin*): company or person.
    pub sponsor: String,
    /// Address in Indonesia.
    pub address: String,
    /// First day of validity.
    pub valid_from: Date,
    /// Last day of validity.
    pub valid_until: Date,
    /// Issuing immigration office, e.g. "Kantor Imigrasi Bekasi".
    pub issuing_office: String,
    /// Date the document was issued; `valid_from` when absent.
    #[serde(default)]
    pub issue_date: Option<Date>,
    /// The text to encode in the QR code, never altered or truncated.
    pub qr_text: String,
    /// Optional photo, JPEG or PNG bytes. In JSON: a base64 string (standard or URL-safe
    /// alphabet, padding optional, a `data:image/...;base64,` prefix allowed) or `null`.
    #[serde(default, deserialize_with = "photo_from_base64")]
    pub photo: Option<Vec<u8>>,
}

impl CardData {
    /// The issue date printed on the e-permit: `issue_date`, else `valid_from`.
    pub fn effective_issue_date(&self) -> Date {
        self.issue_date.unwrap_or(self.valid_from)
    }
}

fn photo_from_base64<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<u8>>, D::Error> {
    let text = Option::<String>::deserialize(deserializer)?;
    text.map(|t| {
        let body = t.find(";base64,").map_or(t.as_str(), |i| &t[i + 8..]);
        decode_base64(body).ok_or_else(|| serde::de::Error::custom("photo is not valid base64"))
    })
    .transpose()
}

/// Decodes base64 (RFC 4648, both alphabets), ignoring white space; `None` on any other byte or
/// on data after the padding.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    let mut padded = false;
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        let v = match c {
            b'=' => {
                padded = true;
                continue;
            }
            _ if padded => return None,
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            // Only the low 8 bits are wanted here.
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_and_print() {
        let d: Date = "2024-02-29".parse().unwrap();
        assert_eq!(d.to_string(), "2024-02-29");
        assert_eq!(d.printed(), "29-02-2024");
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "2025-1-01",
            "20250101",
            "２０２５-01-01",
            "0000-01-01",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
        assert!(Date::new(2025, 1, 2) < Date::new(2025, 2, 1));
    }

    #[test]
    fn base64_decodes_both_alphabets() {
        assert_eq!(decode_base64("aGVsbG8gd29ybGQ=").unwrap(), b"hello world");
        assert_eq!(decode_base64("aGVs\nbG8").unwrap(), b"hello");
        assert_eq!(decode_base64("-_-_").unwrap(), vec![0xFB, 0xFF, 0xBF]);
        assert_eq!(decode_base64("+/+/").unwrap(), vec![0xFB, 0xFF, 0xBF]);
        assert!(decode_base64("aGVs*G8").is_none());
        assert!(decode_base64("aGU=bG8").is_none());
    }
}
