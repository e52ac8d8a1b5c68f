//! QR code capacity arithmetic (ISO/IEC 18004), so issuance can enforce the size budget without
//! rendering a symbol.

/// Data codewords at error-correction level M, versions 1 to 40 (ISO/IEC 18004 Table 7).
const DATA_CODEWORDS_M: [u16; 40] = [
    16, 28, 44, 64, 86, 108, 124, 154, 182, 216, 254, 290, 334, 365, 415, 453, 507, 563, 627, 669,
    714, 782, 860, 914, 1000, 1062, 1128, 1193, 1267, 1373, 1455, 1541, 1631, 1725, 1812, 1914,
    1992, 2102, 2216, 2334,
];

/// The largest QR version a permit credential may need, at level M.
pub const BUDGET_VERSION: u8 = 10;

/// Bits an alphanumeric-mode segment of `chars` characters takes in a symbol of `version`.
pub fn alphanumeric_bits(chars: usize, version: u8) -> usize {
    let count_bits = match version {
        1..=9 => 9,
        10..=26 => 11,
        _ => 13,
    };
    4 + count_bits + 11 * (chars / 2) + 6 * (chars % 2)
}

/// Characters of alphanumeric text that fit a symbol of `version` (1..=40) at level M.
pub fn alphanumeric_capacity_m(version: u8) -> usize {
    let bits = DATA_CODEWORDS_M[(version.clamp(1, 40) - 1) as usize] as usize * 8;
    let mut n = (bits.saturating_sub(alphanumeric_bits(0, version))) * 2 / 11;
    while n > 0 && alphanumeric_bits(n, version) > bits {
        n -= 1;
    }
    n
}

/// The smallest version that holds `chars` alphanumeric characters at level M, if any.
pub fn min_version_m(chars: usize) -> Option<u8> {
    (1..=40).find(|v| alphanumeric_capacity_m(*v) >= chars)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_alphanumeric_capacities() {
        // ISO/IEC 18004 Table 7, alphanumeric column, level M.
        assert_eq!(alphanumeric_capacity_m(1), 20);
        assert_eq!(alphanumeric_capacity_m(10), 311);
        assert_eq!(alphanumeric_capacity_m(40), 3391);
        assert_eq!(min_version_m(311), Some(10));
        assert_eq!(min_version_m(312), Some(11));
        assert_eq!(min_version_m(5000), None);
    }
}
