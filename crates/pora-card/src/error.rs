//! The one error type of the crate: why a document could not be rendered.
//!
//! Policy: every variant is something the caller can act on (shorten a field, fix the photo, pick
//! another dpi). Display text may be shown to an operator; it never contains the QR text itself.

use std::fmt;

/// A field of [`CardData`](crate::CardData), named in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Field {
    /// `permit_number`
    PermitNumber,
    /// `full_name`
    FullName,
    /// `place_of_birth`
    PlaceOfBirth,
    /// `nationality`
    Nationality,
    /// `passport_number`
    PassportNumber,
    /// `visa_index`
    VisaIndex,
    /// `occupation`
    Occupation,
    /// `sponsor`
    Sponsor,
    /// `address`
    Address,
    /// `issuing_office`
    IssuingOffice,
    /// `qr_text`
    QrText,
}

impl Field {
    /// The field's name in [`CardData`](crate::CardData) and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::PermitNumber => "permit_number",
            Self::FullName => "full_name",
            Self::PlaceOfBirth => "place_of_birth",
            Self::Nationality => "nationality",
            Self::PassportNumber => "passport_number",
            Self::VisaIndex => "visa_index",
            Self::Occupation => "occupation",
            Self::Sponsor => "sponsor",
            Self::Address => "address",
            Self::IssuingOffice => "issuing_office",
            Self::QrText => "qr_text",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a photo could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PhotoError {
    /// The bytes start with neither the JPEG nor the PNG signature.
    #[error("not a JPEG or PNG image")]
    UnknownFormat,
    /// The image signature was recognised but the data did not decode.
    #[error("corrupt {format} image: {detail}")]
    Corrupt {
        /// "JPEG" or "PNG".
        format: &'static str,
        /// The decoder's message.
        detail: String,
    },
    /// Width or height is zero or above the limit.
    #[error("image of {width}x{height} pixels is outside 1..={max} per side")]
    BadDimensions {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
        /// The largest accepted side.
        max: u32,
    },
}

/// Why a document could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CardError {
    /// A required field is empty (or only white space).
    #[error("field {0} is empty")]
    EmptyField(Field),
    /// An identifier is longer than the document can print without truncating it. Free-text fields
    /// (name, address, ...) are shortened with an ellipsis instead; identifiers never are.
    #[error("field {field} has {len} characters, at most {max} fit")]
    FieldTooLong {
        /// Which field.
        field: Field,
        /// Its length in characters.
        len: usize,
        /// The most this document accepts.
        max: usize,
    },
    /// The QR text needs a QR version whose modules would be too small to scan at the size the
    /// layout gives the code (or more than any QR version holds). The text is never truncated.
    #[error(
        "QR text of {len} characters needs QR version {needed}, this layout takes at most {max}"
    )]
    QrTooLong {
        /// Length of the QR text in characters.
        len: usize,
        /// Version needed at EC level M (41 when no version holds it).
        needed: u8,
        /// Largest version the layout accepts.
        max: u8,
    },
    /// The photo bytes are not a usable JPEG or PNG image.
    #[error("bad photo: {0}")]
    BadPhoto(#[from] PhotoError),
    /// `valid_until` is before `valid_from`.
    #[error("validity ends ({until}) before it starts ({from})")]
    ValidityReversed {
        /// `valid_from`.
        from: crate::Date,
        /// `valid_until`.
        until: crate::Date,
    },
    /// The requested raster resolution is outside the supported range.
    #[error("resolution {dpi} dpi is outside {min}..={max}")]
    BadDpi {
        /// What was asked.
        dpi: u32,
        /// Smallest accepted.
        min: u32,
        /// Largest accepted.
        max: u32,
    },
    /// Encoding the PNG failed (an internal error; not expected for any input).
    #[error("PNG encoding failed: {0}")]
    PngEncoding(String),
    /// A report page was asked for that the report does not have.
    #[error("page {index} asked for, the report has {pages} (counted from 0)")]
    BadPage {
        /// What was asked.
        index: usize,
        /// How many pages there are.
        pages: usize,
    },
    /// A report would take more pages than allowed.
    #[error("the report would take more than {max} pages")]
    TooManyPages {
        /// The limit.
        max: usize,
    },
}
