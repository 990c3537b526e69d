//! Structural checks of the QR matrix, independent of the encoder's own code.

use super::*;

const WECHAT: &str = "weixin://wxpay/bizpayurl?pr=HBXdDeM";
const ALIPAY: &str = "https://qr.alipay.com/bax03112k12liy7lrysg2004";

fn image(text: &str, level: EcLevel) -> QrImage {
    QrImage::new(text, &QrOptions { level, ..QrOptions::default() }).unwrap()
}

fn finder_at(img: &QrImage, x0: u32, y0: u32) -> bool {
    (0..7).all(|dy| {
        (0..7).all(|dx| {
            let ring = dx == 0 || dy == 0 || dx == 6 || dy == 6;
            let core = (2..=4).contains(&dx) && (2..=4).contains(&dy);
            img.is_dark(x0 + dx, y0 + dy) == (ring || core)
        })
    })
}

#[test]
fn three_finder_patterns_with_light_separators() {
    for text in [WECHAT, ALIPAY, "x"] {
        let img = image(text, EcLevel::M);
        let n = img.modules;
        assert!(finder_at(&img, 0, 0) && finder_at(&img, n - 7, 0) && finder_at(&img, 0, n - 7), "{text}");
        for i in 0..8 {
            assert!(!img.is_dark(7, i) && !img.is_dark(i, 7), "separator top-left");
            assert!(!img.is_dark(n - 8, i) && !img.is_dark(n - 8 + i, 7), "separator top-right");
        }
        assert!(!finder_at(&img, n - 7, n - 7), "no fourth finder");
    }
}

#[test]
fn timing_patterns_alternate() {
    let img = image(ALIPAY, EcLevel::M);
    for i in 8..img.modules - 8 {
        assert_eq!(img.is_dark(i, 6), i % 2 == 0, "row 6, column {i}");
        assert_eq!(img.is_dark(6, i), i % 2 == 0, "column 6, row {i}");
    }
}

/// The BCH(15,5) codeword of 5 format data bits (generator 0x537).
fn format_bch(data: u32) -> u32 {
    let mut rem = data << 10;
    for bit in (10..15).rev() {
        if rem & (1 << bit) != 0 {
            rem ^= 0x537 << (bit - 10);
        }
    }
    data << 10 | rem
}

fn format_bits(img: &QrImage, coords: &[(i32, i32)]) -> [u32; 2] {
    let n = img.modules as i32;
    let at = |c: i32| if c < 0 { n + c } else { c } as u32;
    let bits: Vec<bool> = coords.iter().map(|&(x, y)| img.is_dark(at(x), at(y))).collect();
    let msb_first = bits.iter().fold(0, |a, &b| a << 1 | u32::from(b));
    let lsb_first = bits.iter().rev().fold(0, |a, &b| a << 1 | u32::from(b));
    [msb_first, lsb_first]
}

/// Decodes a 15-bit format word to (level bits, mask) if it is a valid codeword.
fn decode_format(word: u32) -> Option<(u32, u32)> {
    let raw = word ^ 0x5412;
    let data = raw >> 10;
    (format_bch(data) == raw).then_some((data >> 3, data & 7))
}

#[test]
fn format_bits_encode_the_requested_level_in_both_copies() {
    const MAIN: [(i32, i32); 15] = [(0, 8), (1, 8), (2, 8), (3, 8), (4, 8), (5, 8), (7, 8), (8, 8), (8, 7), (8, 5), (8, 4), (8, 3), (8, 2), (8, 1), (8, 0)];
    const SIDE: [(i32, i32); 15] = [(8, -1), (8, -2), (8, -3), (8, -4), (8, -5), (8, -6), (8, -7), (-8, 8), (-7, 8), (-6, 8), (-5, 8), (-4, 8), (-3, 8), (-2, 8), (-1, 8)];
    for (level, bits) in [(EcLevel::L, 0b01), (EcLevel::M, 0b00), (EcLevel::Q, 0b11), (EcLevel::H, 0b10)] {
        let img = image(WECHAT, level);
        let main = format_bits(&img, &MAIN);
        let side = format_bits(&img, &SIDE);
        let found = (0..2).find_map(|o| decode_format(main[o]).map(|d| (o, d)));
        let (orientation, (level_bits, _mask)) = found.expect("main copy is a valid format codeword");
        assert_eq!(level_bits, bits, "{level:?}");
        assert_eq!(main[orientation], side[orientation], "both copies agree");
        let n = img.modules;
        assert!(img.is_dark(8, n - 8), "the always-dark module");
    }
}

#[test]
fn symbol_grows_with_content_and_level() {
    let short = image("a", EcLevel::M);
    let long = image(&"a".repeat(300), EcLevel::M);
    assert_eq!(short.modules, 21);
    assert!(long.modules > short.modules);
    assert_eq!(long.modules, 17 + 4 * long.version);
    assert!(image(ALIPAY, EcLevel::H).version >= image(ALIPAY, EcLevel::L).version);
}

#[test]
fn smallest_version_is_chosen() {
    for (text, level) in [(WECHAT, EcLevel::M), (ALIPAY, EcLevel::M), (&*"9".repeat(150), EcLevel::Q), (&*"中".repeat(40), EcLevel::L)] {
        let img = image(text, level);
        let v = img.version as i16;
        assert!(QrCode::with_version(text.as_bytes(), qrcode::Version::Normal(v), level).is_ok());
        if v > 1 {
            assert!(QrCode::with_version(text.as_bytes(), qrcode::Version::Normal(v - 1), level).is_err(), "{text} fits version {}", v - 1);
        }
    }
}

#[test]
fn whole_pixel_layout_at_any_pixel_ratio() {
    for ratio in [1.0, 1.5, 2.0, 2.625, 3.0] {
        for size in [64, 200, 256, 333] {
            let img = QrImage::new(ALIPAY, &QrOptions { size, pixel_ratio: ratio, ..QrOptions::default() }).unwrap();
            let total = img.modules + 2 * img.margin;
            assert_eq!(img.canvas_px, img.module_px * total);
            let device = (f64::from(size) * ratio) as u32;
            assert!(img.canvas_px <= device.max(total), "never larger than asked unless 1 px/module");
            assert!(img.canvas_px + total > device || img.module_px == 1, "as large as fits");
        }
    }
}

#[test]
fn runs_cover_exactly_the_dark_modules() {
    let img = image(ALIPAY, EcLevel::M);
    let mut covered = vec![false; img.dark.len()];
    for (x, y, len) in img.dark_runs() {
        for i in x..x + len {
            let cell = &mut covered[(y * img.modules + i) as usize];
            assert!(!*cell, "runs overlap");
            *cell = true;
        }
    }
    assert_eq!(covered, img.dark);
}

#[test]
fn svg_has_the_colours_size_and_one_rect_per_run() {
    let opts = QrOptions { dark: Rgba::parse("#123456").unwrap(), light: Rgba::parse("#fedcba80").unwrap(), margin: 2, ..QrOptions::default() };
    let img = QrImage::new(WECHAT, &opts).unwrap();
    let svg = img.to_svg(200);
    let total = img.modules + 4;
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains(&format!("viewBox=\"0 0 {total} {total}\"")));
    assert!(svg.contains("width=\"200\"") && svg.contains("fill=\"#fedcba80\"") && svg.contains("fill=\"#123456\""));
    assert_eq!(svg.matches('M').count(), img.dark_runs().len());
    assert!(svg.contains("M2 2h7v1h-7z"), "top-left finder's first row, offset by the margin");
}

#[test]
fn bad_input_is_refused_with_its_code() {
    let code = |text: &str, o: QrOptions| QrImage::new(text, &o).unwrap_err().code;
    assert_eq!(code("", QrOptions::default()), ErrorCode::QrEmptyText);
    assert_eq!(code(&"x".repeat(3000), QrOptions { level: EcLevel::H, ..QrOptions::default() }), ErrorCode::QrTooLong);
    assert_eq!(code("x", QrOptions { size: 0, ..QrOptions::default() }), ErrorCode::QrInvalidOption);
    assert_eq!(code("x", QrOptions { margin: 65, ..QrOptions::default() }), ErrorCode::QrInvalidOption);
    assert_eq!(code("x", QrOptions { pixel_ratio: f64::NAN, ..QrOptions::default() }), ErrorCode::QrInvalidOption);
    assert_eq!(parse_level("X").unwrap_err().code, ErrorCode::QrInvalidLevel);
    assert_eq!(parse_level("q").unwrap(), EcLevel::Q);
}
