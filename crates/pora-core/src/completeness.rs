//! Completeness rules: which fields each permit type must carry, as data with its own tests.

use alloc::vec::Vec;

use crate::permit::{Field, Permit, PermitType};

/// The fields a permit type requires beyond the ones every credential has by construction
/// (office, serial, dates, type).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    /// The permit type the rule applies to.
    pub permit_type: PermitType,
    /// Its required fields.
    pub required: &'static [Field],
}

/// Identification fields that every permit needs so an officer can match holder and passport.
const IDENTITY: [Field; 8] = [
    Field::VisaIndex,
    Field::PermitNumber,
    Field::Niora,
    Field::Name,
    Field::DateOfBirth,
    Field::Sex,
    Field::Nationality,
    Field::PassportNumber,
];

/// The rules in force. An ITAS holder always has a sponsor (employer, family or investor company);
/// an ITAP holder's sponsor is optional (long-term residents may sponsor themselves).
pub const RULES: &[Rule] = &[
    Rule {
        permit_type: PermitType::Itas,
        required: &[
            IDENTITY[0],
            IDENTITY[1],
            IDENTITY[2],
            IDENTITY[3],
            IDENTITY[4],
            IDENTITY[5],
            IDENTITY[6],
            IDENTITY[7],
            Field::SponsorId,
            Field::StatusIndex,
        ],
    },
    Rule {
        permit_type: PermitType::Itap,
        required: &[
            IDENTITY[0],
            IDENTITY[1],
            IDENTITY[2],
            IDENTITY[3],
            IDENTITY[4],
            IDENTITY[5],
            IDENTITY[6],
            IDENTITY[7],
            Field::StatusIndex,
        ],
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

/// The required fields the permit lacks, in rule order (empty when complete).
pub fn missing(p: &Permit) -> Vec<Field> {
    RULES
        .iter()
        .filter(|r| r.permit_type == p.permit_type)
        .flat_map(|r| r.required.iter().copied())
        .filter(|f| !has(p, *f))
        .collect()
}
