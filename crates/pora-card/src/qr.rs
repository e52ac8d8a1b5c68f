//! The QR code: encodes the permit's text (alphanumeric mode when it can, EC level M, smallest
//! version) into a module matrix with its 4-module quiet zone.

use qrcode::bits::Bits;
use qrcode::{Color, EcLevel, QrCode, Version};

use crate::error::{CardError, Field};

/// Width of the quiet zone around the symbol, in modules (ISO/IEC 18004 asks for 4).
pub(crate) const QUIET_ZONE: usize = 4;

/// The characters of QR alphanumeric mode.
const ALPHANUMERIC: &str = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";

/// Largest QR version whose modules (with the quiet zone) are at least `min_module` mm wide when
/// the symbol is printed `size` mm square.
pub(crate) fn max_version(size: f32, min_module: f32) -> u8 {
    let modules = (size / min_module).floor() as u32;
    let v = modules.saturating_sub(17 + 2 * QUIET_ZONE as u32) / 4;
    // Clamped to 1..=40, so it fits a u8.
    v.clamp(1, 40) as u8
}

/// A QR symbol's modules, row-major, without the quiet zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QrMatrix {
    width: usize,
    dark: Vec<bool>,
    version: u8,
}

impl QrMatrix {
    /// Encodes `text` at EC level M in the smallest version that holds it; fails when that version
    /// is above `max_version` (the largest whose modules the layout can still print large enough).
    pub(crate) fn encode(text: &str, max_version: u8) -> Result<Self, CardError> {
        if text.trim().is_empty() {
            return Err(CardError::EmptyField(Field::QrText));
        }
        let len = text.chars().count();
        let too_long = |needed: u8| CardError::QrTooLong {
            len,
            needed,
            max: max_version,
        };
        // No QR symbol holds more than 7089 characters (numeric mode, version 40-L): refuse
        // longer texts before doing any encoding work.
        if len > 7089 {
            return Err(too_long(41));
        }
        let code = if text.chars().all(|c| ALPHANUMERIC.contains(c)) {
            // One alphanumeric segment, as the credential's Base45 text is meant to be encoded.
            (1..=40i16)
                .find_map(|v| {
                    let mut bits = Bits::new(Version::Normal(v));
                    bits.push_alphanumeric_data(text.as_bytes()).ok()?;
                    bits.push_terminator(EcLevel::M).ok()?;
                    QrCode::with_bits(bits, EcLevel::M).ok()
                })
                .ok_or_else(|| too_long(41))?
        } else {
            // Anything else: the encoder's optimal mix of segments (byte mode for UTF-8).
            QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)
                .map_err(|_| too_long(41))?
        };
        let version = match code.version() {
            Version::Normal(v) => u8::try_from(v).unwrap_or(41),
            Version::Micro(_) => 1,
        };
        if version > max_version {
            return Err(too_long(version));
        }
        Ok(Self {
            width: code.width(),
            dark: code
                .to_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect(),
            version,
        })
    }

    /// QR version (1..=40).
    #[cfg(test)]
    pub(crate) fn version(&self) -> u8 {
        self.version
    }

    /// Side length in modules including the quiet zone on both sides.
    pub(crate) fn total_modules(&self) -> usize {
        self.width + 2 * QUIET_ZONE
    }

    /// Horizontal runs of dark modules as `(row, first column, length)`, in module coordinates that
    /// include the quiet zone. Drawing runs instead of single squares avoids hairline seams.
    pub(crate) fn dark_runs(&self) -> Vec<(usize, usize, usize)> {
        let mut runs = Vec::new();
        for y in 0..self.width {
            let row = &self.dark[y * self.width..(y + 1) * self.width];
            let mut x = 0;
            while x < self.width {
                if row[x] {
                    let start = x;
                    while x < self.width && row[x] {
                        x += 1;
                    }
                    runs.push((y + QUIET_ZONE, start + QUIET_ZONE, x - start));
                } else {
                    x += 1;
                }
            }
        }
        runs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base45_text_fits_version_10() {
        let text = format!(
            "PR1:{}",
            "6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEPWK G2EP4J0B".repeat(5)
        );
        assert_eq!(text.len(), 289);
        let m = QrMatrix::encode(&text, 40).unwrap();
        assert_eq!(m.version(), 10);
        assert_eq!(m.total_modules(), 57 + 8);
    }

    #[test]
    fn limits_are_typed() {
        let text = "A".repeat(1000);
        assert_eq!(
            QrMatrix::encode(&text, 12),
            Err(CardError::QrTooLong {
                len: 1000,
                needed: 21,
                max: 12
            })
        );
        assert!(matches!(
            QrMatrix::encode(&"A".repeat(5000), 40),
            Err(CardError::QrTooLong { needed: 41, .. })
        ));
        assert_eq!(
            QrMatrix::encode(" ", 40),
            Err(CardError::EmptyField(Field::QrText))
        );
        assert!(QrMatrix::encode("lower case and ü", 40).is_ok());
    }
}
