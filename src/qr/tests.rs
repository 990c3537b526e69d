//! Structural checks of the QR matrix, independent of the encoder's own code,
//! and cross-checks with the `qrcode` crate (tests/qr_roundtrip.rs decodes
//! symbols with an independent decoder).

use super::*;
use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{Color, QrCode, Version};

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

/// The `qrcode` crate's level for ours.
fn theirs(level: EcLevel) -> qrcode::EcLevel {
    [qrcode::EcLevel::L, qrcode::EcLevel::M, qrcode::EcLevel::Q, qrcode::EcLevel::H][level as usize]
}

const LEVELS: [EcLevel; 4] = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H];

#[test]
fn smallest_version_is_chosen() {
    for (text, level) in [(WECHAT, EcLevel::M), (ALIPAY, EcLevel::M), (&*"9".repeat(150), EcLevel::Q), (&*"中".repeat(40), EcLevel::L)] {
        let img = image(text, level);
        let v = img.version as i16;
        assert!(QrCode::with_version(text.as_bytes(), Version::Normal(v), theirs(level)).is_ok());
        if v > 1 {
            assert!(QrCode::with_version(text.as_bytes(), Version::Normal(v - 1), theirs(level)).is_err(), "{text} fits version {}", v - 1);
        }
    }
}

#[test]
fn capacities_match_the_standard_tables() {
    for level in LEVELS {
        for v in 1..=40u8 {
            let bits = qrcode::bits::Bits::new(Version::Normal(i16::from(v))).max_len(theirs(level)).unwrap();
            assert_eq!(encode::data_capacity(v, level) * 8, bits, "version {v} {level:?}");
        }
    }
}

/// Text of `len` bytes mixing all three modes, deterministic.
fn mixed(len: usize, seed: usize) -> String {
    const PARTS: [&str; 5] = ["https://qr.alipay.com/bax", "0123456789012", "PAY ORDER:", "中文", "abcdefghij"];
    let mut s = String::new();
    let mut i = seed;
    while s.len() < len {
        s.push_str(PARTS[i % PARTS.len()]);
        i = (i * 7 + 3) % 1009;
    }
    s.chars()
        .take_while({
            let mut n = 0;
            move |c| {
                n += c.len_utf8();
                n <= len
            }
        })
        .collect()
}

/// One text per (level, version), for versions 1–40: the longest prefix of
/// one mixed text that fits each version.
fn one_per_version() -> Vec<(EcLevel, u8, String)> {
    let text = mixed(7000, 0);
    let ends: Vec<usize> = text.char_indices().map(|(i, _)| i).skip(1).chain([text.len()]).collect();
    let mut out = Vec::new();
    for level in LEVELS {
        let version = |end: usize| encode::encode(&text.as_bytes()[..end], level).map_or(41, |(v, _)| v);
        for v in 1..=40 {
            // The last end whose prefix fits version `v`.
            let n = ends.partition_point(|&end| version(end) <= v);
            let prefix = &text[..ends[n - 1]];
            out.push((level, version(prefix.len()), prefix.to_owned()));
        }
        assert_eq!(out.iter().filter(|&&(l, _, _)| l == level).map(|&(_, v, _)| v).collect::<Vec<_>>(), (1..=40).collect::<Vec<_>>(), "{level:?}");
    }
    out
}

#[test]
fn error_correction_and_interleaving_match_qrcode() {
    for (level, v, text) in one_per_version() {
        let (version, data) = encode::encode(text.as_bytes(), level).unwrap();
        let (d, e) = qrcode::ec::construct_codewords(&data, Version::Normal(i16::from(v)), theirs(level)).unwrap();
        assert_eq!(encode::interleave(&data, version, level), [d, e].concat(), "version {v} {level:?}");
    }
}

#[test]
fn matrix_matches_qrcode_canvas_with_the_same_codewords_and_mask() {
    const MASKS: [MaskPattern; 8] = [
        MaskPattern::Checkerboard,
        MaskPattern::HorizontalLines,
        MaskPattern::VerticalLines,
        MaskPattern::DiagonalLines,
        MaskPattern::LargeCheckerboard,
        MaskPattern::Fields,
        MaskPattern::Diamonds,
        MaskPattern::Meadow,
    ];
    const MAIN: [(i32, i32); 15] = [(0, 8), (1, 8), (2, 8), (3, 8), (4, 8), (5, 8), (7, 8), (8, 8), (8, 7), (8, 5), (8, 4), (8, 3), (8, 2), (8, 1), (8, 0)];
    let mut masks_seen = [false; 8];
    for (level, v, text) in one_per_version() {
        let img = image(&text, level);
        assert_eq!(img.version, u32::from(v));
        let (_, mask) = decode_format(format_bits(&img, &MAIN)[0]).expect("format information");
        masks_seen[mask as usize] = true;
        let (version, data) = encode::encode(text.as_bytes(), level).unwrap();
        let mut canvas = Canvas::new(Version::Normal(i16::from(v)), theirs(level));
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&encode::interleave(&data, version, level), &[]);
        canvas.apply_mask(MASKS[mask as usize]);
        let expected: Vec<bool> = canvas.into_colors().into_iter().map(|c| c == Color::Dark).collect();
        assert!(expected == img.dark, "version {v} {level:?} mask {mask}");
    }
    assert!(masks_seen.iter().filter(|&&m| m).count() >= 6, "the penalty picks various masks: {masks_seen:?}");
}

/// Whether the `qrcode` crate would fit `text` in version `v` at `level`
/// without Kanji mode (which it picks for UTF-8 bytes that look like Shift JIS,
/// so that readers show other text: we never use it). `None` when it would use Kanji.
fn qrcode_fits(text: &str, v: i16, level: EcLevel) -> Option<bool> {
    use qrcode::optimize::Parser;
    if Parser::new(text.as_bytes()).optimize(Version::Normal(v)).any(|s| s.mode == qrcode::types::Mode::Kanji) {
        return None;
    }
    let mut bits = qrcode::bits::Bits::new(Version::Normal(v));
    Some(bits.push_optimal_data(text.as_bytes()).is_ok() && bits.push_terminator(theirs(level)).is_ok())
}

#[test]
fn bit_stream_is_never_longer_than_qrcode_segmentation() {
    let mut compared = 0;
    for (i, level) in (0..600).flat_map(|i| LEVELS.map(|l| (i, l))) {
        let text = mixed(i * 3 % 1500 + 1, i);
        let ours = encode::encode(text.as_bytes(), level).map(|(v, _)| v);
        if ours.is_none() {
            assert_ne!(qrcode_fits(&text, 40, level), Some(true), "qrcode fits {text:?} at {level:?}");
        }
        if let Some(v) = ours.filter(|&v| v > 1) {
            let fits = qrcode_fits(&text, i16::from(v) - 1, level);
            assert_ne!(fits, Some(true), "qrcode fits {text:?} in version {} at {level:?}", v - 1);
            compared += usize::from(fits.is_some());
        }
    }
    assert!(compared > 1500, "{compared} compared");
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
