//! QR codes for payment links: encoding (our own ISO/IEC 18004 encoder, small
//! and fast), the whole-pixel layout for crisp canvases at any device pixel
//! ratio, and SVG.
//!
//! Everything here is pure; the web facade only copies [`QrImage::dark_runs`]
//! onto a canvas.

mod color;
mod encode;
mod matrix;
mod rs;

pub use color::Rgba;

use crate::error::{ErrorCode, PayError};

/// Largest accepted size, in CSS pixels.
pub const MAX_SIZE: u32 = 4096;
/// Largest accepted quiet zone, in modules.
pub const MAX_MARGIN: u32 = 64;

/// Error-correction level: the share of the symbol that can be restored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EcLevel {
    /// About 7 %.
    L,
    /// About 15 %.
    M,
    /// About 25 %.
    Q,
    /// About 30 %.
    H,
}

/// How a QR code is drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct QrOptions {
    /// Edge length in CSS pixels, quiet zone included (default 256).
    pub size: u32,
    /// Quiet zone in modules (default 4, as the QR standard asks).
    pub margin: u32,
    /// Error-correction level (default `M`).
    pub level: EcLevel,
    /// Colour of dark modules.
    pub dark: Rgba,
    /// Colour of light modules and the quiet zone.
    pub light: Rgba,
    /// Device pixels per CSS pixel (default 1; the facade passes `devicePixelRatio`).
    pub pixel_ratio: f64,
}

impl Default for QrOptions {
    fn default() -> Self {
        QrOptions { size: 256, margin: 4, level: EcLevel::M, dark: Rgba::BLACK, light: Rgba::WHITE, pixel_ratio: 1.0 }
    }
}

/// Parses `L`, `M`, `Q` or `H` (either case).
pub fn parse_level(text: &str) -> Result<EcLevel, PayError> {
    match crate::text::trim(text).as_bytes() {
        [b'L' | b'l'] => Ok(EcLevel::L),
        [b'M' | b'm'] => Ok(EcLevel::M),
        [b'Q' | b'q'] => Ok(EcLevel::Q),
        [b'H' | b'h'] => Ok(EcLevel::H),
        _ => Err(PayError::new(ErrorCode::QrInvalidLevel).with_detail(detail!("level \"{text}\" is not L, M, Q or H"))),
    }
}

/// An encoded QR symbol laid out for drawing.
#[derive(Clone, Debug, PartialEq)]
pub struct QrImage {
    /// Modules per side of the symbol, quiet zone excluded (21 for version 1).
    pub modules: u32,
    /// The QR version (1–40).
    pub version: u32,
    /// Dark modules, row-major, `modules * modules` entries.
    pub dark: Vec<bool>,
    /// Quiet zone in modules.
    pub margin: u32,
    /// Device pixels per module (a whole number, at least 1).
    pub module_px: u32,
    /// Canvas edge in device pixels: `module_px * (modules + 2 * margin)`.
    pub canvas_px: u32,
    /// Colour of dark modules.
    pub dark_color: Rgba,
    /// Colour of light modules.
    pub light_color: Rgba,
}

impl QrImage {
    /// Encodes `text` and lays it out per `options`. Fails before anything is
    /// drawn: empty text, text too long for version 40 at the level, or an
    /// out-of-range size, margin or pixel ratio.
    pub fn new(text: &str, options: &QrOptions) -> Result<QrImage, PayError> {
        if text.is_empty() {
            return Err(PayError::new(ErrorCode::QrEmptyText));
        }
        let ratio = options.pixel_ratio;
        if !(ratio.is_finite() && (0.25..=8.0).contains(&ratio)) {
            return Err(PayError::new(ErrorCode::QrInvalidOption).with_detail("pixelRatio must be between 0.25 and 8"));
        }
        if options.size == 0 || options.size > MAX_SIZE || options.margin > MAX_MARGIN {
            return Err(PayError::new(ErrorCode::QrInvalidOption).with_detail(detail!("size must be 1..={MAX_SIZE} and margin 0..={MAX_MARGIN}")));
        }
        let (version, data) = encode::encode(text.as_bytes(), options.level)
            .ok_or_else(|| PayError::new(ErrorCode::QrTooLong).with_detail(detail!("{} bytes do not fit a QR code at this level", text.len())))?;
        let dark = matrix::build(version, options.level, &encode::interleave(&data, version, options.level));
        let version = u32::from(version);
        let modules = 4 * version + 17;
        let total = modules + 2 * options.margin;
        // Whole device pixels per module keep edges crisp; the symbol is as
        // large as fits in the requested size, never larger (min 1 px/module).
        let device_px = (f64::from(options.size) * ratio) as u32;
        let module_px = (device_px / total).max(1);
        Ok(QrImage { modules, version, dark, margin: options.margin, module_px, canvas_px: module_px * total, dark_color: options.dark, light_color: options.light })
    }

    /// Whether the module at column `x`, row `y` of the symbol is dark.
    pub fn is_dark(&self, x: u32, y: u32) -> bool {
        x < self.modules && y < self.modules && self.dark[(y * self.modules + x) as usize]
    }

    /// Horizontal runs of dark modules as `(x, y, length)` in module units,
    /// quiet zone excluded. Drawing one rectangle per run is what makes the
    /// canvas fast.
    pub fn dark_runs(&self) -> Vec<(u32, u32, u32)> {
        let mut runs = Vec::new();
        for y in 0..self.modules {
            let mut x = 0;
            while x < self.modules {
                if self.is_dark(x, y) {
                    let start = x;
                    while x < self.modules && self.is_dark(x, y) {
                        x += 1;
                    }
                    runs.push((start, y, x - start));
                } else {
                    x += 1;
                }
            }
        }
        runs
    }

    /// The symbol as a standalone SVG document, `size` CSS pixels wide.
    /// Module coordinates are integers, so it scales without seams.
    pub fn to_svg(&self, size: u32) -> String {
        let total = self.modules + 2 * self.margin;
        let mut svg = String::new();
        let head = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \0 \0\" width=\"\x01\" height=\"\x01\" shape-rendering=\"crispEdges\"><rect width=\"\0\" height=\"\0";
        push_filled(&mut svg, head, &[total, size]);
        for piece in ["\" fill=\"", &self.light_color.to_hex(), "\"/><path fill=\"", &self.dark_color.to_hex(), "\" d=\""] {
            svg.push_str(piece);
        }
        for (x, y, len) in self.dark_runs() {
            push_filled(&mut svg, "M\0 \x01h\x02v1h-\x02z", &[x + self.margin, y + self.margin, len]);
        }
        svg.push_str("\"/></svg>");
        svg
    }
}

/// Appends `template` with each control byte (`\0`, `\x01`, …) replaced by that entry of
/// `numbers` in decimal: one text for the document's head and for each run,
/// instead of arrays of (text, number) pairs built on the stack.
fn push_filled(out: &mut String, template: &str, numbers: &[u32]) {
    for b in template.bytes() {
        match numbers.get(usize::from(b)) {
            Some(&n) => crate::text::push_decimal(out, n.into(), 1),
            None => out.push(char::from(b)),
        }
    }
}

// The tests compare with the `qrcode` crate, a native-only dev-dependency.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests;
