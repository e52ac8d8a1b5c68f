//! The permit credential's claims: the CWT claims set and the integer-keyed permit record inside it.
//!
//! ```cddl
//! Claims = {
//!   1 => tstr,          ; iss: issuing office code, 2-8 of [A-Z0-9]
//!   6 => int,           ; iat: signing time (NumericDate)
//!   5 => int,           ; nbf: start of validity = valid-from 00:00 WIT
//!   4 => int,           ; exp: end of validity  = (valid-until + 1) 00:00 WIB
//!   7 => bstr .size (1..16), ; cti: document serial
//!   -65537 => PermitRecord,
//!   * int => any        ; other claims: ignored (shown by `pora inspect`)
//! }
//! PermitRecord = {
//!   1 => 1 / 2,         ; permit type: 1 ITAS, 2 ITAP
//!   ? 2 => tstr,        ; visa index as issued, 1-8 of [A-Z0-9]
//!   ? 3 => bstr,        ; permit number, C40, at most 20 characters
//!   ? 4 => uint,        ; NIORA
//!   ? 5 => bstr,        ; name, MRZ transliteration, C40 ('<' carried as space), at most 40
//!   ? 6 => int,         ; date of birth, days since 1970-01-01
//!   ? 7 => 1 / 2 / 3,   ; sex: M / F / X
//!   ? 8 => bstr,        ; nationality, ISO 3166-1 alpha-3, C40
//!   ? 9 => bstr,        ; passport number, C40, at most 9 of [A-Z0-9]
//!   ? 10 => uint,       ; sponsor id: 13-digit NIB or 16-digit NIK
//!   ? 11 => uint,       ; status-list index
//!   * uint => any,      ; unknown non-negative keys: ignored
//!   ; unknown negative keys are critical: the credential is malformed
//! }
//! ```
//! Which optional fields a permit type requires is data: see [`crate::completeness`].

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use crate::c40;
use crate::cbor::Value;
use crate::date::Date;

/// Claim key of the permit record (private use range of the CWT claims registry).
pub const CLAIM_PERMIT: i128 = -65537;
/// Longest office code.
pub const MAX_OFFICE_LEN: usize = 8;
/// Longest permit number.
pub const MAX_PERMIT_NUMBER_LEN: usize = 20;
/// Longest name (MRZ transliteration).
pub const MAX_NAME_LEN: usize = 40;
/// Longest passport number.
pub const MAX_PASSPORT_LEN: usize = 9;
/// Longest visa index code.
pub const MAX_VISA_INDEX_LEN: usize = 8;
/// Longest document serial (cti), bytes.
pub const MAX_SERIAL_LEN: usize = 16;

/// The two kinds of stay permit a credential can carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "UPPERCASE"))]
pub enum PermitType {
    /// Izin Tinggal Terbatas: limited stay permit.
    Itas,
    /// Izin Tinggal Tetap: permanent stay permit.
    Itap,
}

impl PermitType {
    /// The wire code (1 or 2).
    pub fn code(self) -> u8 {
        match self {
            PermitType::Itas => 1,
            PermitType::Itap => 2,
        }
    }

    /// The type with this wire code.
    pub fn from_code(c: i128) -> Option<Self> {
        match c {
            1 => Some(PermitType::Itas),
            2 => Some(PermitType::Itap),
            _ => None,
        }
    }

    /// "ITAS" or "ITAP".
    pub fn name(self) -> &'static str {
        match self {
            PermitType::Itas => "ITAS",
            PermitType::Itap => "ITAP",
        }
    }
}

/// Sex as in the passport's MRZ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Sex {
    /// M.
    M,
    /// F.
    F,
    /// X (unspecified).
    X,
}

impl Sex {
    fn code(self) -> u8 {
        match self {
            Sex::M => 1,
            Sex::F => 2,
            Sex::X => 3,
        }
    }

    fn from_code(c: i128) -> Option<Self> {
        match c {
            1 => Some(Sex::M),
            2 => Some(Sex::F),
            3 => Some(Sex::X),
            _ => None,
        }
    }
}

/// A named field of the credential, with a stable name used in errors and results.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Field {
    /// iss.
    Office,
    /// iat.
    IssuedAt,
    /// nbf.
    ValidFrom,
    /// exp.
    ValidUntil,
    /// cti.
    DocumentSerial,
    /// Record key 1.
    PermitType,
    /// Record key 2.
    VisaIndex,
    /// Record key 3.
    PermitNumber,
    /// Record key 4.
    Niora,
    /// Record key 5.
    Name,
    /// Record key 6.
    DateOfBirth,
    /// Record key 7.
    Sex,
    /// Record key 8.
    Nationality,
    /// Record key 9.
    PassportNumber,
    /// Record key 10.
    SponsorId,
    /// Record key 11.
    StatusIndex,
    /// The permit record as a whole (claim -65537).
    Record,
}

impl Field {
    /// The stable snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Field::Office => "office",
            Field::IssuedAt => "issued_at",
            Field::ValidFrom => "valid_from",
            Field::ValidUntil => "valid_until",
            Field::DocumentSerial => "document_serial",
            Field::PermitType => "permit_type",
            Field::VisaIndex => "visa_index",
            Field::PermitNumber => "permit_number",
            Field::Niora => "niora",
            Field::Name => "name",
            Field::DateOfBirth => "date_of_birth",
            Field::Sex => "sex",
            Field::Nationality => "nationality",
            Field::PassportNumber => "passport_number",
            Field::SponsorId => "sponsor_id",
            Field::StatusIndex => "status_index",
            Field::Record => "permit_record",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A field that is present but not acceptable: which field, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    /// The field.
    pub field: Field,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}

impl core::error::Error for FieldError {}

fn ferr(field: Field, reason: impl Into<String>) -> FieldError {
    FieldError {
        field,
        reason: reason.into(),
    }
}

/// A permit credential's content: what is signed into the QR code.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(deny_unknown_fields))]
pub struct Permit {
    /// Issuing office code (iss), e.g. "BKS".
    pub office: String,
    /// Document serial (cti), hex in JSON.
    #[cfg_attr(feature = "serde", serde(with = "crate::hex::serde_vec"))]
    pub document_serial: Vec<u8>,
    /// Signing time (iat), Unix seconds.
    pub issued_at: i64,
    /// First day of validity.
    pub valid_from: Date,
    /// Last day of validity.
    pub valid_until: Date,
    /// ITAS or ITAP.
    pub permit_type: PermitType,
    /// Visa index the permit was issued under, e.g. "E23".
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub visa_index: Option<String>,
    /// Permit number (opaque).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub permit_number: Option<String>,
    /// NIORA, the foreigner's lifetime number, decimal digits.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub niora: Option<String>,
    /// Name, MRZ transliteration (`A-Z` and `<`), e.g. "TANAKA<<HIROSHI".
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub name: Option<String>,
    /// Date of birth.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub date_of_birth: Option<Date>,
    /// Sex.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub sex: Option<Sex>,
    /// Nationality, ISO 3166-1 alpha-3.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub nationality: Option<String>,
    /// Passport number.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub passport_number: Option<String>,
    /// Sponsor id: 13-digit NIB (company) or 16-digit NIK (person).
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub sponsor_id: Option<String>,
    /// Index of this permit in its office's status list.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub status_index: Option<u64>,
}

/// A decoded claims set: the permit and any claims or record keys this version does not know.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedClaims {
    /// The permit.
    pub permit: Permit,
    /// Unknown claims (ignored).
    pub unknown_claims: Vec<(Value, Value)>,
    /// Unknown non-negative record keys (ignored).
    pub unknown_fields: Vec<(i128, Value)>,
}

fn digits(field: Field, s: &str, lens: &[usize]) -> Result<u64, FieldError> {
    if !s.bytes().all(|b| b.is_ascii_digit()) || s.starts_with('0') || !lens.contains(&s.len()) {
        return Err(ferr(
            field,
            "must be decimal digits of the right length, without a leading zero",
        ));
    }
    s.parse().map_err(|_| ferr(field, "number too large"))
}

fn c40_field(
    field: Field,
    s: &str,
    max: usize,
    allowed: impl Fn(char) -> bool,
) -> Result<Value, FieldError> {
    if s.is_empty() || s.chars().count() > max {
        return Err(ferr(field, alloc::format!("must be 1 to {max} characters")));
    }
    if let Some(c) = s.chars().find(|c| !allowed(*c)) {
        return Err(ferr(
            field,
            alloc::format!("character {c:?} is not allowed"),
        ));
    }
    c40::encode(s)
        .map(Value::Bytes)
        .map_err(|e| ferr(field, e.to_string()))
}

fn is_upper_alnum(c: char) -> bool {
    c.is_ascii_uppercase() || c.is_ascii_digit()
}

fn is_permit_number_char(c: char) -> bool {
    // C40 basic set and Shift 2 punctuation: upper case letters, digits, space, printable symbols.
    c.is_ascii_uppercase()
        || c.is_ascii_digit()
        || c == ' '
        || (c.is_ascii_punctuation() && !matches!(c, '`' | '{' | '|' | '}' | '~'))
}

/// Validates an office code.
pub fn check_office(s: &str) -> Result<(), FieldError> {
    if (2..=MAX_OFFICE_LEN).contains(&s.len()) && s.chars().all(is_upper_alnum) {
        Ok(())
    } else {
        Err(ferr(Field::Office, "must be 2 to 8 characters A-Z 0-9"))
    }
}

impl Permit {
    /// Checks every present field and encodes the claims set (deterministic CBOR).
    pub fn to_claims(&self) -> Result<Vec<u8>, FieldError> {
        check_office(&self.office)?;
        if self.document_serial.is_empty() || self.document_serial.len() > MAX_SERIAL_LEN {
            return Err(ferr(Field::DocumentSerial, "must be 1 to 16 bytes"));
        }
        if self.valid_until < self.valid_from {
            return Err(ferr(Field::ValidUntil, "is before valid_from"));
        }
        let mut r: Vec<(Value, Value)> = Vec::new();
        let mut put = |k: i128, v: Value| r.push((Value::Integer(k), v));
        put(1, Value::Integer(self.permit_type.code() as i128));
        if let Some(v) = &self.visa_index {
            if v.is_empty() || v.len() > MAX_VISA_INDEX_LEN || !v.chars().all(is_upper_alnum) {
                return Err(ferr(Field::VisaIndex, "must be 1 to 8 characters A-Z 0-9"));
            }
            put(2, Value::Text(v.clone()));
        }
        if let Some(v) = &self.permit_number {
            put(
                3,
                c40_field(
                    Field::PermitNumber,
                    v,
                    MAX_PERMIT_NUMBER_LEN,
                    is_permit_number_char,
                )?,
            );
        }
        if let Some(v) = &self.niora {
            put(
                4,
                Value::Integer(
                    digits(Field::Niora, v, &[6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16])? as i128,
                ),
            );
        }
        if let Some(v) = &self.name {
            if v.starts_with('<') || v.ends_with('<') {
                return Err(ferr(
                    Field::Name,
                    "must not start or end with the filler '<'",
                ));
            }
            let spaced: String = v.chars().map(|c| if c == '<' { ' ' } else { c }).collect();
            if v.contains(' ') {
                return Err(ferr(
                    Field::Name,
                    "use '<' between name parts, as in the MRZ",
                ));
            }
            put(
                5,
                c40_field(Field::Name, &spaced, MAX_NAME_LEN, |c| {
                    c.is_ascii_uppercase() || c == ' '
                })?,
            );
        }
        if let Some(d) = self.date_of_birth {
            put(6, Value::Integer(d.0 as i128));
        }
        if let Some(s) = self.sex {
            put(7, Value::Integer(s.code() as i128));
        }
        if let Some(n) = &self.nationality {
            if n.len() != 3 {
                return Err(ferr(
                    Field::Nationality,
                    "must be an ISO 3166-1 alpha-3 code",
                ));
            }
            put(
                8,
                c40_field(Field::Nationality, n, 3, |c| c.is_ascii_uppercase())?,
            );
        }
        if let Some(p) = &self.passport_number {
            put(
                9,
                c40_field(Field::PassportNumber, p, MAX_PASSPORT_LEN, is_upper_alnum)?,
            );
        }
        if let Some(s) = &self.sponsor_id {
            put(
                10,
                Value::Integer(digits(Field::SponsorId, s, &[13, 16])? as i128),
            );
        }
        if let Some(i) = self.status_index {
            put(11, Value::Integer(i as i128));
        }
        let claims = Value::Map(alloc::vec![
            (Value::Integer(1), Value::Text(self.office.clone())),
            (
                Value::Integer(4),
                Value::Integer(self.valid_until.validity_end() as i128)
            ),
            (
                Value::Integer(5),
                Value::Integer(self.valid_from.validity_start() as i128)
            ),
            (Value::Integer(6), Value::Integer(self.issued_at as i128)),
            (
                Value::Integer(7),
                Value::Bytes(self.document_serial.clone())
            ),
            (Value::Integer(CLAIM_PERMIT), Value::Map(r)),
        ]);
        Ok(claims.to_vec())
    }

    /// Decodes a claims set. The bytes must be the deterministic encoding.
    pub fn from_claims(bytes: &[u8]) -> Result<DecodedClaims, FieldError> {
        let v = Value::from_slice(bytes)
            .map_err(|e| ferr(Field::Record, alloc::format!("claims are not CBOR: {e}")))?;
        // Deterministic encoding is checked once, at the end: by re-encoding the permit when every
        // entry is known (which also proves each field canonical), else by re-encoding the CBOR.
        let Value::Map(entries) = v else {
            return Err(ferr(Field::Record, "claims are not a map"));
        };
        let mut office = None;
        let (mut iat, mut nbf, mut exp, mut cti, mut record) = (None, None, None, None, None);
        let mut unknown_claims = Vec::new();
        for (k, v) in entries {
            match (&k, v) {
                (Value::Integer(1), Value::Text(t)) => office = Some(t),
                (Value::Integer(4), Value::Integer(i)) => exp = Some(i),
                (Value::Integer(5), Value::Integer(i)) => nbf = Some(i),
                (Value::Integer(6), Value::Integer(i)) => iat = Some(i),
                (Value::Integer(7), Value::Bytes(b)) => cti = Some(b),
                (Value::Integer(CLAIM_PERMIT), Value::Map(m)) => record = Some(m),
                (Value::Integer(1 | 4 | 5 | 6 | 7 | CLAIM_PERMIT), v) => {
                    let field = match k {
                        Value::Integer(1) => Field::Office,
                        Value::Integer(4) => Field::ValidUntil,
                        Value::Integer(5) => Field::ValidFrom,
                        Value::Integer(6) => Field::IssuedAt,
                        Value::Integer(7) => Field::DocumentSerial,
                        _ => Field::Record,
                    };
                    return Err(ferr(
                        field,
                        alloc::format!("has the wrong type ({})", v.kind()),
                    ));
                }
                (_, v) => unknown_claims.push((k, v)),
            }
        }
        let office = office.ok_or(ferr(Field::Office, "is missing"))?;
        check_office(&office)?;
        let time = |f: Field, v: Option<i128>| -> Result<i64, FieldError> {
            let v = v.ok_or(ferr(f, "is missing"))?;
            i64::try_from(v)
                .ok()
                .filter(|t| (0..=253_402_300_799).contains(t))
                .ok_or(ferr(f, "is out of range"))
        };
        let issued_at = time(Field::IssuedAt, iat)?;
        let valid_from = Date::from_validity_start(time(Field::ValidFrom, nbf)?)
            .ok_or(ferr(Field::ValidFrom, "nbf is not 00:00 WIT of a date"))?;
        let valid_until = Date::from_validity_end(time(Field::ValidUntil, exp)?).ok_or(ferr(
            Field::ValidUntil,
            "exp is not 00:00 WIB of the day after a date",
        ))?;
        if valid_until < valid_from {
            return Err(ferr(Field::ValidUntil, "is before valid_from"));
        }
        let document_serial = cti.ok_or(ferr(Field::DocumentSerial, "is missing"))?;
        if document_serial.is_empty() || document_serial.len() > MAX_SERIAL_LEN {
            return Err(ferr(Field::DocumentSerial, "must be 1 to 16 bytes"));
        }
        let record = record.ok_or(ferr(Field::Record, "is missing"))?;
        let mut p = Permit {
            office,
            document_serial,
            issued_at,
            valid_from,
            valid_until,
            permit_type: PermitType::Itas,
            visa_index: None,
            permit_number: None,
            niora: None,
            name: None,
            date_of_birth: None,
            sex: None,
            nationality: None,
            passport_number: None,
            sponsor_id: None,
            status_index: None,
        };
        let mut permit_type = None;
        let mut unknown_fields = Vec::new();
        for (k, v) in record {
            let Value::Integer(key) = k else {
                return Err(ferr(
                    Field::Record,
                    alloc::format!("has a {} key", k.kind()),
                ));
            };
            let c40_text = |f: Field, v: &Value| -> Result<String, FieldError> {
                match v {
                    Value::Bytes(b) => c40::decode(b).map_err(|e| ferr(f, e.to_string())),
                    other => Err(ferr(
                        f,
                        alloc::format!("has the wrong type ({})", other.kind()),
                    )),
                }
            };
            let uint = |f: Field, v: &Value| -> Result<u64, FieldError> {
                match v {
                    Value::Integer(i) => u64::try_from(*i).map_err(|_| ferr(f, "is out of range")),
                    other => Err(ferr(
                        f,
                        alloc::format!("has the wrong type ({})", other.kind()),
                    )),
                }
            };
            match key {
                1 => {
                    permit_type = Some(
                        PermitType::from_code(uint(Field::PermitType, &v)? as i128)
                            .ok_or(ferr(Field::PermitType, "unknown permit type code"))?,
                    )
                }
                2 => match v {
                    Value::Text(t) => p.visa_index = Some(t),
                    other => {
                        return Err(ferr(
                            Field::VisaIndex,
                            alloc::format!("has the wrong type ({})", other.kind()),
                        ))
                    }
                },
                3 => p.permit_number = Some(c40_text(Field::PermitNumber, &v)?),
                4 => p.niora = Some(uint(Field::Niora, &v)?.to_string()),
                5 => p.name = Some(c40_text(Field::Name, &v)?.replace(' ', "<")),
                6 => match v {
                    Value::Integer(i) => {
                        p.date_of_birth = Some(Date(
                            i32::try_from(i)
                                .map_err(|_| ferr(Field::DateOfBirth, "is out of range"))?,
                        ))
                    }
                    other => {
                        return Err(ferr(
                            Field::DateOfBirth,
                            alloc::format!("has the wrong type ({})", other.kind()),
                        ))
                    }
                },
                7 => {
                    p.sex = Some(
                        Sex::from_code(uint(Field::Sex, &v)? as i128)
                            .ok_or(ferr(Field::Sex, "unknown sex code"))?,
                    )
                }
                8 => p.nationality = Some(c40_text(Field::Nationality, &v)?),
                9 => p.passport_number = Some(c40_text(Field::PassportNumber, &v)?),
                10 => p.sponsor_id = Some(uint(Field::SponsorId, &v)?.to_string()),
                11 => p.status_index = Some(uint(Field::StatusIndex, &v)?),
                k if k < 0 => {
                    return Err(ferr(
                        Field::Record,
                        alloc::format!("unknown critical field {k}"),
                    ))
                }
                k => unknown_fields.push((k, v)),
            }
        }
        p.permit_type = permit_type.ok_or(ferr(Field::PermitType, "is missing"))?;
        // Every field must satisfy the same rules as at issuance (`to_claims` checks them), and the
        // bytes must be the one encoding of what they hold.
        let canonical = p.to_claims()?;
        let known_only = unknown_claims.is_empty() && unknown_fields.is_empty();
        let deterministic = || Value::is_deterministic(bytes);
        if (known_only && canonical != bytes) || (!known_only && !deterministic()) {
            return Err(ferr(
                Field::Record,
                "claims are not in their one canonical (deterministic) encoding",
            ));
        }
        Ok(DecodedClaims {
            permit: p,
            unknown_claims,
            unknown_fields,
        })
    }
}
