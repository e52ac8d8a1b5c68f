//! Completeness rules: which fields each permit type must carry, as data with its own tests.

use alloc::vec::Vec;

use crate::permit::{Field, Permit, PermitType};

/// The fields a permit type requires beyond [`COMMON`] and the ones every credential has by
/// construction (office, serial, dates, type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The permit type the rule applies to.
    pub permit_type: PermitType,
    /// Its required fields besides [`COMMON`].
    pub required: &'static [Field],
}

/// Fields every permit needs: what lets an officer match holder and passport, and the status index
/// that makes revocation checkable.
pub const COMMON: &[Field] = &[
    Field::VisaIndex,
    Field::PermitNumber,
    Field::Niora,
    Field::Name,
    Field::DateOfBirth,
    Field::Sex,
    Field::Nationality,
    Field::PassportNumber,
    Field::StatusIndex,
];

/// The per-type rules in force. An ITAS holder always has a sponsor (employer, family or investor
/// company); an ITAP holder's sponsor is optional (long-term residents may sponsor themselves).
pub const RULES: &[Rule] = &[
    Rule {
        permit_type: PermitType::Itas,
        required: &[Field::SponsorId],
    },
    Rule {
        permit_type: PermitType::Itap,
        required: &[],
    },
];

/// Whether the permit carries a value for `field`.
pub fn has(p: &Permit, field: Field) -> bool {
    match field {
        Field::VisaIndex => p.visa_index.is_some(),
        Field::PermitNumber => p.permit_number.is_some(),
        Field::Niora => p.niora.is_some(),
        Field::Name => p.name.is_some(),
        Field::DateOfBirth => p.date_of_birth.is_some(),
        Field::Sex => p.sex.is_some(),
        Field::Nationality => p.nationality.is_some(),
        Field::PassportNumber => p.passport_number.is_some(),
        Field::SponsorId => p.sponsor_id.is_some(),
        Field::StatusIndex => p.status_index.is_some(),
        // Always present in a decoded or encodable permit.
        _ => true,
    }
}

/// Every field the permit type requires: [`COMMON`] then the type's own.
pub fn required(t: PermitType) -> impl Iterator<Item = Field> {
    let own = RULES
        .iter()
        .filter(move |r| r.permit_type == t)
        .flat_map(|r| r.required.iter());
    COMMON.iter().chain(own).copied()
}

/// The required fields the permit lacks, in rule order (empty when complete).
pub fn missing(p: &Permit) -> Vec<Field> {
    required(p.permit_type).filter(|f| !has(p, *f)).collect()
}
