//! Validated value types (parse, don't validate) and the row types the store returns.
//!
//! Every `parse` takes the API field name so that an error can name the field the caller got wrong.

use serde::{Deserialize, Serialize};

use crate::StoreError;

/// Seconds since the Unix epoch, from the system clock (the only clock read in this crate; callers
/// that need a fixed time pass instants explicitly).
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn invalid(field: &'static str, reason: impl Into<String>) -> StoreError {
    StoreError::Invalid {
        field,
        reason: reason.into(),
    }
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $text)] $variant),+
        }
        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stable text form stored in the database and used in the API.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            /// Parses the text form; `field` names the API field in the error.
            pub fn parse(field: &'static str, s: &str) -> Result<Self, StoreError> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err(invalid(field, format!("unknown value {s:?}"))),
                }
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl sqlx::Type<sqlx::Any> for $name {
            fn type_info() -> sqlx::any::AnyTypeInfo {
                <String as sqlx::Type<sqlx::Any>>::type_info()
            }
            fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
                <String as sqlx::Type<sqlx::Any>>::compatible(ty)
            }
        }
        impl<'r> sqlx::Decode<'r, sqlx::Any> for $name {
            fn decode(v: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let s = <String as sqlx::Decode<'r, sqlx::Any>>::decode(v)?;
                Ok($name::parse(stringify!($name), &s)?)
            }
        }
        impl TryFrom<String> for $name {
            type Error = StoreError;
            fn try_from(s: String) -> Result<Self, StoreError> {
                $name::parse(stringify!($name), &s)
            }
        }
    };
}

string_enum!(
    /// A user's role; what each may do is decided by the server's rule table.
    Role {
        /// Manages users, offices, devices and keys.
        Admin = "admin",
        /// Registers foreigners and issues permits.
        IssuingOfficer = "issuing_officer",
        /// Checks permits in the field (Tim PORA).
        FieldOfficer = "field_officer",
        /// Supervises checks, alerts and the map.
        Supervisor = "supervisor",
        /// Reads the audit log.
        Auditor = "auditor",
        /// A permit holder seeing their own data.
        Foreigner = "foreigner",
    }
);

string_enum!(
    /// Permit type.
    PermitType {
        /// Limited stay permit.
        Itas = "ITAS",
        /// Permanent stay permit.
        Itap = "ITAP",
    }
);

string_enum!(
    /// Sex as on the passport.
    Sex {
        /// Male.
        M = "M",
        /// Female.
        F = "F",
        /// Unspecified.
        X = "X",
    }
);

string_enum!(
    /// A permit's lifecycle status.
    PermitStatus {
        /// In force.
        Active = "active",
        /// Temporarily not in force (pending a case).
        Suspended = "suspended",
        /// Past its valid-until date.
        Expired = "expired",
        /// Cancelled / revoked.
        Cancelled = "cancelled",
        /// Replaced by an ITAP.
        Converted = "converted",
        /// Closed by an Exit Permit Only.
        Exited = "exited",
        /// Holder deported.
        Deported = "deported",
        /// Holder deceased.
        Deceased = "deceased",
    }
);

impl PermitStatus {
    /// Whether the status ends the permit for good.
    pub fn is_final(self) -> bool {
        !matches!(self, PermitStatus::Active | PermitStatus::Suspended)
    }
    /// The 2-bit Token Status List value: 0 valid, 1 invalid, 2 suspended.
    pub fn status_list_value(self) -> u8 {
        match self {
            PermitStatus::Active => 0,
            PermitStatus::Suspended => 2,
            _ => 1,
        }
    }
}

string_enum!(
    /// Why an officer reads personal data (purpose limitation, UU PDP 27/2022).
    PurposeKind {
        /// A field check of the person in front of the officer.
        Check = "check",
        /// An operation under a written order (surat perintah).
        Operation = "operation",
        /// A case (BAP, sanction).
        Case = "case",
        /// An issuance or extension task.
        Issuance = "issuance",
        /// Auditing.
        Audit = "audit",
        /// The data subject viewing their own data.
        SelfView = "self",
        /// The system itself (migrations, signing, jobs).
        System = "system",
    }
);

/// A purpose: kind and reference, written `kind:reference` (e.g. `operation:SP-123/2026`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Purpose {
    /// The kind.
    pub kind: PurposeKind,
    /// Written order number, case number, task id…; may be empty for `check` and `self`.
    pub reference: String,
}

impl Purpose {
    /// Parses `kind:reference`; officers' purposes other than `check` must carry a reference.
    pub fn parse(field: &'static str, s: &str) -> Result<Self, StoreError> {
        let (k, r) = s.split_once(':').unwrap_or((s, ""));
        let kind = PurposeKind::parse(field, k.trim())?;
        let reference = r.trim().to_owned();
        if reference.len() > 64 || reference.chars().any(|c| c.is_control()) {
            return Err(invalid(
                field,
                "reference must be at most 64 printable characters",
            ));
        }
        if reference.is_empty()
            && matches!(
                kind,
                PurposeKind::Operation | PurposeKind::Case | PurposeKind::Issuance
            )
        {
            return Err(invalid(
                field,
                format!("purpose {kind} needs a reference, e.g. {kind}:SP-12/2026"),
            ));
        }
        Ok(Purpose { kind, reference })
    }
    /// The system's own purpose.
    pub fn system(reference: &str) -> Self {
        Purpose {
            kind: PurposeKind::System,
            reference: reference.to_owned(),
        }
    }
}

impl std::fmt::Display for Purpose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.kind, self.reference)
    }
}

/// A calendar date, stored as `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    days: i64,
}

impl Date {
    /// Parses `YYYY-MM-DD` (a real calendar date between 1900 and 2200).
    pub fn parse(field: &'static str, s: &str) -> Result<Self, StoreError> {
        let d = pora_core::Date::parse(s).map_err(|e| match e {
            pora_core::date::DateError::Format => invalid(field, "want a date as YYYY-MM-DD"),
            _ => invalid(field, format!("{s} is not a calendar date")),
        })?;
        if !(1900..=2200).contains(&d.ymd().0) {
            return Err(invalid(field, format!("{s} is not a calendar date")));
        }
        Ok(Date {
            days: i64::from(d.0),
        })
    }
    /// The date of a unix instant (UTC).
    pub fn from_unix(secs: i64) -> Self {
        Date {
            days: secs.div_euclid(86_400),
        }
    }
    /// Midnight UTC at the start of this date, in unix seconds.
    pub fn unix(self) -> i64 {
        self.days * 86_400
    }
    /// Days since 1970-01-01.
    pub fn days(self) -> i64 {
        self.days
    }
    /// This date plus `n` days.
    pub fn add_days(self, n: i64) -> Self {
        Date {
            days: self.days + n,
        }
    }
    /// This date plus `n` months, clamped to the month's last day.
    pub fn add_months(self, n: i64) -> Self {
        let (y, m, d) = self.ymd();
        let total = y * 12 + (m - 1) + n;
        let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) + 1);
        // The first of d, d-1, d-2, d-3 that exists in the target month (every month has 28 days).
        let moved = (0..4)
            .filter_map(|back| {
                pora_core::Date::from_ymd(ny as i32, nm as u32, (d - back) as u32).ok()
            })
            .next()
            .map_or(self.days, |c| i64::from(c.0));
        Date { days: moved }
    }
    /// Year, month, day.
    pub fn ymd(self) -> (i64, i64, i64) {
        let (y, m, d) = self.core().ymd();
        (i64::from(y), i64::from(m), i64::from(d))
    }
    /// The same date as the credential core's type (calendar arithmetic lives there).
    pub fn core(self) -> pora_core::Date {
        // Dates come from `parse` (years 1900..=2200) or arithmetic on them, far inside i32 days.
        pora_core::Date(self.days as i32)
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.core().fmt(f)
    }
}

macro_rules! checked_string {
    ($(#[$m:meta])* $name:ident, $check:expr) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);
        impl $name {
            /// Parses and validates; `field` names the API field in the error.
            pub fn parse(field: &'static str, s: &str) -> Result<Self, StoreError> {
                let check: fn(&str) -> Result<(), String> = $check;
                check(s).map_err(|r| invalid(field, r))?;
                Ok($name(s.to_owned()))
            }
            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

checked_string!(
    /// NIK: 16-digit Indonesian citizen number (positions 1-6 are a region code, 7-12 a birth date).
    Nik,
    |s| {
        if s.len() != 16 || !all_digits(s) {
            return Err("want 16 digits".into());
        }
        let province: u32 = s[0..2].parse().unwrap_or(0);
        let day: u32 = s[6..8].parse().unwrap_or(0);
        let month: u32 = s[8..10].parse().unwrap_or(0);
        // Women's NIKs add 40 to the day of birth.
        let day = if day > 40 { day - 40 } else { day };
        if !(11..=96).contains(&province) || !(1..=31).contains(&day) || !(1..=12).contains(&month) {
            return Err("not a plausible NIK (province or birth-date digits out of range)".into());
        }
        Ok(())
    }
);

checked_string!(
    /// NIB: 13-digit business identification number (OSS).
    Nib,
    |s| if s.len() == 13 && all_digits(s) { Ok(()) } else { Err("want 13 digits".into()) }
);

checked_string!(
    /// NPWP: tax number, 15 digits (old form) or 16 digits (2024 form), digits only.
    Npwp,
    |s| if (s.len() == 15 || s.len() == 16) && all_digits(s) { Ok(()) } else { Err("want 15 or 16 digits".into()) }
);

checked_string!(
    /// Kemendagri desa/kelurahan code `PP.KK.CC.DDDD`.
    RegionCode,
    |s| {
        let parts: Vec<&str> = s.split('.').collect();
        let ok = parts.len() == 4
            && parts.iter().zip([2, 2, 2, 4]).all(|(p, n)| p.len() == n && all_digits(p));
        if ok { Ok(()) } else { Err("want a Kemendagri code PP.KK.CC.DDDD, e.g. 32.16.06.2002".into()) }
    }
);

checked_string!(
    /// ISO 3166-1 alpha-3 nationality (upper case; includes ICAO's D, XXA, XXB, XXC, XXX forms).
    Nationality,
    |s| {
        let ok = (s.len() == 3 && s.bytes().all(|b| b.is_ascii_uppercase())) || s == "D<<";
        if ok { Ok(()) } else { Err("want an ISO 3166-1 alpha-3 code such as JPN".into()) }
    }
);

checked_string!(
    /// Permit number: opaque, 1 to 20 characters of `A-Z 0-9 - /`.
    PermitNumber,
    |s| {
        let ok = !s.is_empty() && s.len() <= 20
            && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-' || b == b'/');
        if ok { Ok(()) } else { Err("want 1-20 characters A-Z, 0-9, '-' or '/'".into()) }
    }
);

checked_string!(
    /// Passport number: 1 to 9 upper-case letters or digits.
    PassportNumber,
    |s| {
        let ok = !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if ok { Ok(()) } else { Err("want 1-9 characters A-Z or 0-9".into()) }
    }
);

checked_string!(
    /// NIORA: the foreigner's lifetime number, 1 to 16 digits.
    Niora,
    |s| if !s.is_empty() && s.len() <= 16 && all_digits(s) { Ok(()) } else { Err("want 1-16 digits".into()) }
);

/// Checks a latitude / longitude pair.
pub fn check_position(lat: f64, lng: f64) -> Result<(), StoreError> {
    if !(-90.0..=90.0).contains(&lat) {
        return Err(invalid("lat", "out of range -90..90"));
    }
    if !(-180.0..=180.0).contains(&lng) {
        return Err(invalid("lng", "out of range -180..180"));
    }
    Ok(())
}

/// A page request: `limit` rows after skipping `offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page {
    /// Rows to return (1..=500).
    pub limit: i64,
    /// Rows to skip.
    pub offset: i64,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            limit: 50,
            offset: 0,
        }
    }
}

impl Page {
    /// Builds a page, checking the bounds.
    pub fn new(limit: Option<i64>, offset: Option<i64>) -> Result<Self, StoreError> {
        let limit = limit.unwrap_or(50);
        let offset = offset.unwrap_or(0);
        if !(1..=500).contains(&limit) {
            return Err(invalid("limit", "want 1..=500"));
        }
        if offset < 0 {
            return Err(invalid("offset", "want >= 0"));
        }
        Ok(Page { limit, offset })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_reject() {
        for s in [
            "1970-01-01",
            "2000-02-29",
            "2026-11-24",
            "1999-12-31",
            "2200-12-31",
        ] {
            assert_eq!(Date::parse("d", s).expect("valid").to_string(), s);
        }
        for s in [
            "2001-02-29",
            "2026-13-01",
            "2026-00-10",
            "26-01-01",
            "2026/01/01",
            "2026-01-32",
            "",
        ] {
            assert!(Date::parse("d", s).is_err(), "{s}");
        }
        let d = Date::parse("d", "2026-01-31").expect("valid");
        assert_eq!(d.add_months(1).to_string(), "2026-02-28");
        assert_eq!(d.add_days(1).to_string(), "2026-02-01");
        assert_eq!(Date::from_unix(d.unix()), d);
    }

    #[test]
    fn identifiers_validate() {
        assert!(Nik::parse("nik", "3216061503900001").is_ok());
        assert!(
            Nik::parse("nik", "3216065503900001").is_ok(),
            "women: day + 40"
        );
        for bad in [
            "321606150390000",
            "32160615039000011",
            "3216061503900a01",
            "0016061503900001",
            "3216063213900001",
        ] {
            assert!(Nik::parse("nik", bad).is_err(), "{bad}");
        }
        assert!(Nib::parse("nib", "9120301234567").is_ok());
        assert!(Nib::parse("nib", "912030123456").is_err());
        assert!(RegionCode::parse("r", "32.16.06.2002").is_ok());
        for bad in ["32.16.06", "32.16.6.2002", "3216062002", "32.16.06.200A"] {
            assert!(RegionCode::parse("r", bad).is_err(), "{bad}");
        }
        assert!(Nationality::parse("n", "JPN").is_ok());
        for bad in ["jpn", "JP", "JAPN", "J1N"] {
            assert!(Nationality::parse("n", bad).is_err(), "{bad}");
        }
        assert!(PermitNumber::parse("p", "2C21JB1234-AB").is_ok());
        assert!(PermitNumber::parse("p", "123456789012345678901").is_err());
        match Nik::parse("sponsor.nik", "1").expect_err("short") {
            StoreError::Invalid { field, .. } => assert_eq!(field, "sponsor.nik"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn purposes_parse() {
        let p = Purpose::parse("purpose", "operation:SP-123/2026").expect("valid");
        assert_eq!(p.kind, PurposeKind::Operation);
        assert_eq!(p.reference, "SP-123/2026");
        assert!(Purpose::parse("purpose", "check").is_ok());
        assert!(
            Purpose::parse("purpose", "operation").is_err(),
            "operation needs an order"
        );
        assert!(Purpose::parse("purpose", "curiosity:x").is_err());
    }
}
