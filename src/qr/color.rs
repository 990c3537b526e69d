//! CSS hex colours for QR output: `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`.

use crate::error::{ErrorCode, PayError};

/// An sRGB colour with alpha.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgba(pub [u8; 4]);

impl Rgba {
    /// Opaque black.
    pub const BLACK: Rgba = Rgba([0, 0, 0, 255]);
    /// Opaque white.
    pub const WHITE: Rgba = Rgba([255, 255, 255, 255]);

    /// Parses a hex colour; anything else is `qr_invalid_color`.
    pub fn parse(text: &str) -> Result<Rgba, PayError> {
        let bad = || PayError::new(ErrorCode::QrInvalidColor).with_detail(detail!("colour \"{text}\" is not #rgb, #rgba, #rrggbb or #rrggbbaa"));
        let hex = match crate::text::trim(text).as_bytes() {
            [b'#', hex @ ..] => hex,
            _ => return Err(bad()),
        };
        // Digits per channel: one (`#rgb`, doubled: `f` is `ff`) or two.
        let per_channel = match hex.len() {
            3 | 4 => 1,
            6 | 8 => 2,
            _ => return Err(bad()),
        };
        let mut c = [255u8; 4];
        for (i, &d) in hex.iter().enumerate() {
            // `to_digit` takes ASCII hex digits only: no sign, nothing beyond ASCII.
            let value = char::from(d).to_digit(16).ok_or_else(bad)? as u8;
            // A channel's first digit written twice (`f` is `ff`); a second one replaces the low half.
            let channel = &mut c[i / per_channel];
            *channel = if i % per_channel == 0 { value * 17 } else { *channel & 0xf0 | value };
        }
        Ok(Rgba(c))
    }

    /// `#rrggbb`, or `#rrggbbaa` when not opaque.
    pub fn to_hex(self) -> String {
        let n = if self.0[3] == 255 { 3 } else { 4 };
        let mut out = String::new();
        out.push('#');
        for b in &self.0[..n] {
            out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
            out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_four_forms() {
        assert_eq!(Rgba::parse("#000").unwrap(), Rgba::BLACK);
        assert_eq!(Rgba::parse("#fFf").unwrap(), Rgba::WHITE);
        assert_eq!(Rgba::parse("#1a2B3c").unwrap(), Rgba([0x1a, 0x2b, 0x3c, 255]));
        assert_eq!(Rgba::parse("#11223380").unwrap(), Rgba([0x11, 0x22, 0x33, 0x80]));
        assert_eq!(Rgba::parse("#1238").unwrap(), Rgba([0x11, 0x22, 0x33, 0x88]));
    }

    #[test]
    fn refuses_everything_else() {
        for bad in ["", "#", "red", "#12", "#12345", "#1234567", "#gggggg", "rgb(0,0,0)", "#+12", "#１２３"] {
            assert_eq!(Rgba::parse(bad).unwrap_err().code, ErrorCode::QrInvalidColor, "{bad}");
        }
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(Rgba([1, 2, 3, 255]).to_hex(), "#010203");
        assert_eq!(Rgba([1, 2, 3, 4]).to_hex(), "#01020304");
    }
}
